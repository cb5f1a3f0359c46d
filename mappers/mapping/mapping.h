// The mapping of one Einsum onto one path of the architecture, Timeloop-style:
// per storage level, the temporal loops (outermost first), the spatial loops
// (each on a mesh axis of the fan-out below the level) and which tensors the
// level keeps. YAML in and out with an exact round trip (format in README.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "common/error.h"
#include "workloads/cascade.h"

namespace einflow::mapping {

enum class Axis : uint8_t { kX, kY };

struct Loop {
  int rank = -1;        // index into the cascade's ranks
  int64_t factor = 1;
  Axis axis = Axis::kX;  // spatial loops only
  SourceLoc loc;
};

struct LevelMapping {
  int node = -1;                 // architecture node (storage)
  std::vector<Loop> temporal;    // outermost first
  std::vector<Loop> spatial;     // distribute over the instances below this level
  std::vector<int> keep;         // tensors kept on request (cascade tensor indices)
  std::vector<int> bypass;       // tensors bypassed on request
  // A tensor's layout in the level's banks: its element 0 sits in this bank
  // (default 0; element e in bank (first + e) mod banks).
  std::vector<std::pair<int, int64_t>> first_bank;  // (cascade tensor, bank)
  bool written = false;          // present in the file (else implied, with no loops)
  SourceLoc loc;
};

struct Mapping {
  std::string einsum_name;
  int einsum = -1;               // index into the cascade's Einsums
  std::string variant;           // workload variant, "" when not given
  int compute = -1;              // architecture node of the compute unit
  std::vector<LevelMapping> levels;  // every storage node on the path, root first
  // Factors may multiply to more than a rank's size: the nest is padded and the
  // iterations beyond the rank's bound are skipped (remainder tiles).
  bool imperfect = false;
  // On a DRAM's PIM unit (arch::Node::pim) the mapping is the weights' layout
  // over the banks' rows, "rounds" or "row-stream" (sim/analytical/pim_layout.h),
  // and the levels carry no loops; "" on every other unit.
  std::string pim_layout;
  std::string file;
  SourceLoc loc;
};

// Reads a `mapping:` document against the cascade and architecture it maps.
// Unknown keys, ranks, tensors, nodes are UserErrors (exit 2) at file:line:col.
Mapping load_mapping(const std::string& path, const workloads::Cascade& cascade,
                     const arch::Architecture& arch);
Mapping load_mapping_text(const std::string& text, const std::string& name,
                          const workloads::Cascade& cascade, const arch::Architecture& arch);
// The variant a mapping file names ("" when none), read without a cascade.
std::string mapping_variant(const std::string& path);

// YAML text of the mapping; load_mapping_text(write_mapping(m)) gives m back.
std::string write_mapping(const Mapping& m, const workloads::Cascade& cascade,
                          const arch::Architecture& arch);

// Whether a mapping can run, and if not, why and where.
struct MappingStatus {
  bool ok = true;
  std::string reason;
  SourceLoc loc;
};
MappingStatus validate_mapping(const Mapping& m, const workloads::Cascade& cascade,
                               const arch::Architecture& arch);

// Whether level `level` (index into m.levels) holds `tensor`: the root holds
// every tensor; other levels hold what the architecture permits, narrowed by
// the mapping's keep/bypass.
bool level_keeps(const Mapping& m, const arch::Architecture& arch, const workloads::Cascade& cascade,
                 int level, int tensor);

// Whether the architecture lets storage node `n` hold the tensor named `tensor`.
bool arch_permits(const arch::Node& n, const std::string& tensor);

// The tensors an Einsum touches: its inputs (in order, without repeats), then its output.
std::vector<int> einsum_tensors(const workloads::Einsum& e);

}  // namespace einflow::mapping
