// Import of Timeloop's input formats (architecture v0.2/v0.3 `subtree`/`local`
// and v0.4 `nodes` with !Container/!Component tags; problem `shape`/`instance`;
// mapping entries; an Accelergy ERT) into einflow's YAML. Features einflow does
// not model are errors naming the feature; attributes that only feed Accelergy's
// energy estimate are listed in the notes as not used.
#pragma once

#include <string>
#include <vector>

namespace einflow::import {

struct TimeloopFiles {
  std::string arch;
  std::string problem;
  std::string mapping;  // optional
  std::string ert;      // optional
  std::string constraints;  // optional: v0.3 architecture_constraints / mapspace_constraints
};

struct ImportResult {
  std::string name;           // from the problem's shape name
  std::string arch_yaml;
  std::string workload_yaml;
  std::string mapping_yaml;   // empty without a mapping
  std::string mapper_yaml;    // the architecture's constraints; empty without any
  std::vector<std::string> notes;
};

// Throws UserError (file:line:col) for malformed input and unsupported features.
ImportResult import_timeloop(const TimeloopFiles& files);

}  // namespace einflow::import
