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

// Registers run_pim_vmm as the cycle model's PIM timer (main does, once).
void register_pim_timer();
// Cascade mappings that bind Einsums to the DRAM's PIM unit (simulate
// --mapping): the vector-matrix products on PIM with their matrix operands,
// for --verify's reference values (the golden interpreter with the device's
// arithmetic on them: run_with_pim).
std::vector<sim::cycle::PimEinsum> pim_einsums(const arch::Architecture& a, const workloads::Cascade& c,
                                               const mapping::CascadeMapping& m);
// Prints (text) each PIM Einsum's check; true when all are within their bounds.
bool print_pim_checks(const std::vector<sim::cycle::PimCheck>& checks, bool json);

}  // namespace einflow::cli
