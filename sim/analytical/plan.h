// The analytical model of a plan (mappers/mapping/plan.h): each part evaluated
// on its own (a cascade mapping by the group model, one Einsum by the nest
// model), then the parts one after another by combine_groups.
#pragma once

#include "arch/arch.h"
#include "mappers/mapping/plan.h"
#include "sim/analytical/group_model.h"

namespace einflow::sim::analytical {

// Each part's Stats, in order (what combine_groups adds up).
std::vector<GroupStats> evaluate_plan_parts(const arch::Architecture& arch,
                                            const mapping::Plan& plan);
CascadeStats evaluate_plan(const arch::Architecture& arch, const mapping::Plan& plan);

}  // namespace einflow::sim::analytical
