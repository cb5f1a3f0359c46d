// `einflow simulate --design pim|host-only` (simulate_pim.cpp).
#pragma once

#include <cstdint>
#include <string>

#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/named/named.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/pim_values.h"
#include "workloads/workload.h"

namespace einflow::cli {

struct PimSimulateOptions {
  bool verify = false;
  bool json = false;
  uint64_t seed = 1;
  std::string variant;  // the workload's variant ("": the only one, or the first of a model's)
};

// Exit code 0, or 1 when a PIM Einsum's values exceed the device's error bound.
int simulate_pim(const arch::Architecture& a, const workloads::Workload& w, const named::Design& d,
                 const PimSimulateOptions& o);

// Cascade mappings that bind Einsums to the DRAM's PIM unit (simulate --mapping):
// the command-level PIM timer for the cycle model (nothing when the
// architecture has no PIM unit), and the vector-matrix products on PIM with
// their matrix operands, for --verify's reference values (the golden
// interpreter with the device's arithmetic on them: run_with_pim).
void set_pim_timer(const arch::Architecture& a, sim::cycle::SimOptions& so);
std::vector<sim::cycle::PimEinsum> pim_einsums(const arch::Architecture& a, const workloads::Cascade& c,
                                               const mapping::CascadeMapping& m);
// Prints (text) each PIM Einsum's check; true when all are within their bounds.
bool print_pim_checks(const std::vector<sim::cycle::PimCheck>& checks, bool json);

}  // namespace einflow::cli
