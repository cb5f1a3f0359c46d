// `einflow simulate --design pim|host-only` (simulate_pim.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "arch/arch.h"
#include "mappers/named/named.h"
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

}  // namespace einflow::cli
