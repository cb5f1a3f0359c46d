// The cycle model of a plan (mappers/mapping/plan.h): each part simulated on
// its own (a cascade mapping by the cascade model, one Einsum by the nest
// model), the parts then added up by the analytical model's combine_groups,
// as sim/analytical/plan.h does for its own figures. Functional runs carry
// values: a fused part starts from its cascade's seeded inputs, a single
// Einsum from the golden interpreter's values of its cascade; each part keeps
// what it computed beside what the golden interpreter computes, for checking.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/plan.h"
#include "sim/analytical/group_model.h"
#include "sim/cycle/nest_sim.h"
#include "sim/stats/stats.h"
#include "workloads/golden/tensor.h"

namespace einflow::sim::cycle {

struct PlanPartRun {
  std::string what;   // "cascade attention-1pass" or "Einsum QKV"
  int64_t steps = 0;  // tile executions of a cascade, steps of an Einsum
  // Functional runs: the part's outputs, and the golden interpreter's.
  golden::TensorSet<double> got, want;
};

struct PlanSimResult {
  std::vector<analytical::GroupStats> parts;  // each part's Stats, in order
  std::vector<PlanPartRun> runs;              // the same parts
  Stats stats;                                // the parts one after another
  std::map<std::string, int64_t> stalls;      // summed over the parts
  bool fast_forwarded = false;                // some part extrapolated iterations
};

// `o.root_link` and `o.record_activity` are not for plans (time a part on its own).
PlanSimResult simulate_plan(const arch::Architecture& arch, const mapping::Plan& plan,
                            const SimOptions& o, uint64_t seed = 1);
// Timing only, as sweeps run it.
PlanSimResult simulate_plan(const arch::Architecture& arch, const mapping::Plan& plan);

}  // namespace einflow::sim::cycle
