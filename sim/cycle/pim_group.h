// Internal to sim/cycle: a fusion group holding one Einsum on the DRAM's PIM
// unit, on the cycle model (cascade_sim.cpp runs it in the group's place).
#pragma once

#include <vector>

#include "mappers/mapping/cascade_mapping.h"
#include "sim/analytical/group_model.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/pim_values.h"

namespace einflow::sim::cycle {

// Time: a vector-matrix product command by command (SimOptions::pim_timer; the
// PIM model's figures without one), the KV cache's copies as the analytical
// model costs them (read in place: nothing; the append: its values at the
// DRAM's bandwidth). Values (functional runs): the product by the device's
// arithmetic (pim_values.h), checked into `checks`; a copy as the golden
// interpreter runs it. Both written into `root` at cascade extents.
analytical::GroupStats simulate_pim_group(const arch::Architecture& a, const workloads::Cascade& c,
                                          const mapping::FusionGroup& g, const SimOptions& o,
                                          golden::TensorSet<double>& root, std::vector<PimCheck>& checks);

// A single-Einsum mapping on the PIM unit (simulate_mapping): the same, its
// output in SimResult::outputs and its check in SimResult::pim_checks.
SimResult simulate_pim_mapping(const arch::Architecture& a, const workloads::Cascade& c, const mapping::Mapping& m,
                               const golden::TensorSet<double>& inputs, const SimOptions& o);

}  // namespace einflow::sim::cycle
