// Test helpers: cascades from inline YAML, and the error text they raise.
#pragma once

#include <string>

#include "common/error.h"
#include "workloads/workload.h"

namespace einflow::workloads::testing {

inline Cascade cascade_from(const std::string& yaml) {
  return load_workload_text(yaml, "t.yaml").variants.front().cascade;
}

// The full message of the UserError the text raises ("" when it loads).
inline std::string error_of(const std::string& yaml) {
  try {
    load_workload_text(yaml, "t.yaml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

// A cascade file with the given ranks/inputs header and Einsum lines.
inline std::string cascade_yaml(const std::string& ranks, const std::string& inputs,
                                const std::vector<std::string>& einsums,
                                const std::string& extra = "") {
  std::string s = "cascade:\n  name: t\n  ranks: " + ranks + "\n  inputs: " + inputs + "\n" + extra +
                  "  einsums:\n";
  for (const auto& e : einsums) s += "    - " + e + "\n";
  return s;
}

}  // namespace einflow::workloads::testing
