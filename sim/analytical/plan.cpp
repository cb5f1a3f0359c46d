#include "sim/analytical/plan.h"

#include "sim/analytical/nest_model.h"

namespace einflow::sim::analytical {

std::vector<GroupStats> evaluate_plan_parts(const arch::Architecture& a,
                                            const mapping::Plan& plan) {
  std::vector<GroupStats> parts;
  for (const mapping::PlanPart& p : plan.parts) {
    GroupStats g;
    g.stats = p.fused ? evaluate_cascade(a, *p.cascade, *p.fused).stats
                      : evaluate_mapping(a, *p.cascade, *p.single);
    parts.push_back(std::move(g));
  }
  return parts;
}

CascadeStats evaluate_plan(const arch::Architecture& a, const mapping::Plan& plan) {
  return combine_groups(a, evaluate_plan_parts(a, plan));
}

}  // namespace einflow::sim::analytical
