// The peak-bound analysis (`einflow bound`): what no mapping can beat. Each
// Einsum's FLOPs (matmul: its MACs x 2; the rest one each), its compulsory
// DRAM bytes (every operand read once, the result written once), the time its
// work takes on the compute unit that does it fastest at that unit's peak (all
// instances busy, no stall), and the time its bytes take at the DRAM's
// bandwidth; the larger binds. A cascade's compulsory bytes are its inputs and
// outputs only (every intermediate stays on chip), and its compute time is the
// busiest unit's, each Einsum on its fastest unit, the units working at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "workloads/cascade.h"

namespace einflow::sim::analytical {

struct EinsumBound {
  std::string name;
  std::string unit;             // the fastest unit that runs it
  int64_t matmul_flops = 0;     // 2 per MAC
  int64_t other_flops = 0;      // every other operation
  double bytes = 0;             // operands read once, the result written once
  double compute_seconds = 0;   // on `unit` at its peak
  double memory_seconds = 0;    // bytes at the DRAM bandwidth
  bool compute_bound() const { return compute_seconds >= memory_seconds; }
};

struct CascadeBound {
  std::vector<EinsumBound> einsums;  // in execution order
  int64_t matmul_flops = 0, other_flops = 0;
  double bytes = 0;            // the cascade's inputs read once, its outputs written once
  double compute_seconds = 0;  // the busiest unit's work
  double memory_seconds = 0;
  double seconds() const { return compute_seconds > memory_seconds ? compute_seconds : memory_seconds; }
};

// UserError when an Einsum runs on no unit, or the DRAM has no bandwidth.
CascadeBound peak_bound(const arch::Architecture& arch, const workloads::Cascade& cascade);

}  // namespace einflow::sim::analytical
