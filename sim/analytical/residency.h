// What must sit in DRAM while a workload runs, against the DRAM's size (every
// architecture's `size_bytes` of its dram node; none: not checked). A model
// workload is one step of the whole model: all its weights (2 bytes each),
// the KV caches of its batch at its context (a linear mixer: its states),
// and the step's input and output hidden states. Any other workload: its
// cascade's inputs and outputs at the DRAM's word.
#pragma once

#include "arch/arch.h"
#include "sim/stats/stats.h"
#include "workloads/workload.h"

namespace einflow::sim::analytical {

struct DramResidency {
  double weights_bytes = 0, kv_cache_bytes = 0, activation_bytes = 0;
  double capacity_bytes = 0;  // 0: the architecture gives no size
  double resident_bytes() const { return weights_bytes + kv_cache_bytes + activation_bytes; }
  bool fits() const { return capacity_bytes <= 0 || resident_bytes() <= capacity_bytes; }
};

DramResidency dram_residency(const arch::Architecture& arch, const workloads::Workload& w, const workloads::Cascade& cascade);

// The same into a result's Stats (resident_bytes, dram_capacity_bytes).
void set_residency(Stats& s, const DramResidency& r);

}  // namespace einflow::sim::analytical
