// What a model reports (DESIGN §3): both the analytical and the cycle model fill
// this struct, so that they can be compared field by field.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"

namespace einflow::sim {

// A run's time in whole cycles. Past 2^62 cycles (centuries at any clock: a
// bandwidth of nearly zero, or an overflow-sized problem) it is a user fault
// of the architecture `where`, not a number.
int64_t whole_cycles(double cycles, const SourceLoc& where);
// What whole_cycles throws: a run too long to time. A search takes it as one
// candidate's fault (another mapping of the same problem may be timeable).
class CycleOverflow : public UserError {
 public:
  using UserError::UserError;
};

// Timeloop's meaning: reads = words read out of the level (by its children, or
// by the compute units); fills = words written into it from its parent;
// updates = words written into it by its children (partial sums, results).
struct Accesses {
  int64_t reads = 0;
  int64_t fills = 0;
  int64_t updates = 0;
  Accesses& operator+=(const Accesses& o) {
    reads += o.reads;
    fills += o.fills;
    updates += o.updates;
    return *this;
  }
};

struct TensorAccesses {
  std::string tensor;
  Accesses accesses;
  int64_t tile_words = 0;  // words of the tensor held per instance
};

struct LevelStats {
  std::string name;
  std::vector<TensorAccesses> tensors;  // only the tensors the level keeps
  Accesses total;
  int64_t instances_used = 1;
  double cycles = 0;                    // bandwidth-bound cycles of this level
};

// Energy of one action of one component, e.g. {"Buffer", "read", 128, 53.8}.
struct EnergyEntry {
  std::string component;
  std::string action;
  int64_t count = 0;
  double energy_pj = 0;
};

struct EinsumStats {
  std::string name;
  int64_t cycles = 0;
  double energy_pj = 0;
  std::string unit;                     // compute unit it ran on
  std::map<std::string, int64_t> ops;   // by hardware op name
};

struct Stats {
  int64_t cycles = 0;
  double seconds = 0;
  double energy_pj = 0;
  double area_um2 = 0;
  int64_t dram_bytes = 0;
  int64_t compute_cycles = 0;
  std::string bound_by;                 // "compute" or the level whose bandwidth limits
  std::map<std::string, double> utilization;  // compute unit -> fraction of its peak
  std::vector<LevelStats> per_level;    // root first
  std::vector<EnergyEntry> energy;      // per component and action
  std::vector<EinsumStats> per_einsum;
  // DRAM capacity (sim/analytical/residency.h): the bytes that must sit in
  // DRAM while the workload runs, and the DRAM's size (0: not known).
  double resident_bytes = 0;
  double dram_capacity_bytes = 0;
  bool fits_in_dram() const { return dram_capacity_bytes <= 0 || resident_bytes <= dram_capacity_bytes; }
};

// Words the level `levels[l]` sends up: per tensor it keeps and updates (an
// output or its partial sums; an input's copy sends nothing), the updates of
// the nearest level of `above` (indices into `levels`, nearest first) that
// keeps it, or what `updates_at` says of that level's entry when given (a
// group's own DRAM writes, say). Timeloop's counts put them at that parent
// only; they leave through the level's read port as its children's reads do,
// and both models time them there. Below a spatial reduction the parent
// counts each word once where every child sent it: a lower bound then.
double words_sent_up(const std::vector<LevelStats>& levels, size_t l, const std::vector<size_t>& above,
                     const std::function<double(const LevelStats&, const TensorAccesses&)>& updates_at = {});
// The same for `levels` a path, root first (above: l - 1 down to 0).
double words_sent_up(const std::vector<LevelStats>& levels, size_t l,
                     const std::function<double(const LevelStats&, const TensorAccesses&)>& updates_at = {});

}  // namespace einflow::sim
