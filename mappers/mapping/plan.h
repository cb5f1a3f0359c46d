// A mapped workload as parts that run one after another: a named design over a
// whole layer is the fused attention, then each linear layer on its own. Each
// part maps one cascade, whole (a cascade mapping) or one Einsum of it (a
// mapping). The analytical model (sim/analytical/plan.h) and the cycle model
// (sim/cycle/plan_sim.h) evaluate a plan part by part and add the parts up
// with the same rule, so `evaluate --design`, `simulate --design` and sweeps
// give one figure for one design.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mappers/mapping/cascade_mapping.h"
#include "mappers/mapping/mapping.h"
#include "workloads/cascade.h"

namespace einflow::mapping {

struct PlanPart {
  std::shared_ptr<const workloads::Cascade> cascade;
  std::optional<CascadeMapping> fused;  // set: the whole cascade, as this says
  std::optional<Mapping> single;        // else: one Einsum of the cascade
};

struct Plan {
  std::vector<PlanPart> parts;
};

// What a part runs, for reports: "cascade NAME" or "Einsum NAME".
inline std::string part_name(const PlanPart& p) {
  return p.fused ? "cascade " + p.cascade->name : "Einsum " + p.single->einsum_name;
}

}  // namespace einflow::mapping
