// The optimal cascade search (mapper `algorithm: optimal`): the optimum of the
// cascade space (cascade_space.h) under the analytical model, for any
// objective cycles^wl x energy^we and for the front of latency and energy,
// found by keeping only the partial mappings that no other dominates rather
// than by sampling.
//
// Why it is exact. A cascade mapping's groups run one after another and the
// model adds their cycles and energy (sim/analytical/group_model.h,
// combine_groups); a group's cost depends only on its own Einsums and genes.
// So every run [i, j) of the dependency order is searched once as a group
// (every point of the group's own genes in the stated space is costed; the
// points of the run that another point of it dominates, no more cycles and no
// more energy, are dropped), and the groupings are joined by dynamic
// programming over prefixes, keeping per prefix the front of (cycles, energy)
// sums. Any objective that never decreases when cycles or energy grow has its
// optimum on the last prefix's front. Dominance inside a group is only this
// pairwise one on whole groups: pipelining, capacity sharing (retention and
// spill decided over all the group's tiles) and the binding interact inside a
// group, so no partial group is pruned.
//
// The space it is optimal over: every grouping into runs of the dependency
// order (at most `max_group` Einsums each), each group's shared factors (per
// rank iterated, every divisor, or the cut `factors`), retention (none, the
// shared buffer, and also the units' own levels), pipelined rank (none or a
// shared one) and binding (any able unit per Einsum, or the cut `binding:
// classes`), with canonical tiles. `optimal_space` in the result says so.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/cascade/cascade_search.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/search/mapper_config.h"
#include "workloads/cascade.h"

namespace einflow::cascade {

// `constrain_to`: only that design's grouping, binding, retention and
// pipelining, its shared factors searched. UserError when nothing is valid.
CascadeSearchResult optimal_cascade(const arch::Architecture& arch, const workloads::Cascade& cascade,
                                    const search::MapperConfig& config,
                                    const mapping::CascadeMapping* constrain_to = nullptr,
                                    const search::ProgressFn& progress = {});

}  // namespace einflow::cascade
