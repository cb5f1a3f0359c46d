// Shared by the libFuzzer targets (tools/fuzz runs them). A parser's answer to
// bad input is a UserError; anything else that escapes (an InternalError,
// another exception, a crash, a sanitizer report, a leak, a hang) is a finding.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"

namespace einflow::fuzz {

inline std::string text_of(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs f(text); a UserError is the expected answer to bad input.
template <class F>
int run_text(const uint8_t* data, size_t size, const F& f) {
  const std::string text = text_of(data, size);
  try {
    f(text);
  } catch (const UserError&) {
  }
  return 0;
}

// A file of this process for parsers that read paths (the Timeloop importer,
// sweeps); `name` keeps the extension the parser may look at.
inline std::string scratch_file(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/einflow-fuzz-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

// Splits at lines "=====" (several files in one input): at most `n` parts.
inline std::vector<std::string> split_parts(const std::string& text, size_t n) {
  std::vector<std::string> parts(1);
  size_t at = 0;
  while (parts.size() < n) {
    const size_t sep = text.find("\n=====\n", at);
    if (sep == std::string::npos) break;
    parts.back() = text.substr(at, sep - at + 1);
    parts.emplace_back();
    at = sep + 7;
  }
  parts.back() = text.substr(at);
  return parts;
}

}  // namespace einflow::fuzz
