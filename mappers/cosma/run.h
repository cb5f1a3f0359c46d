// The COSMA mapper as `einflow map` and sweeps run it: a mapper file's
// budget and order resolved against an architecture and a cascade.
#pragma once

#include <string>

#include "mappers/cosma/cosma.h"
#include "mappers/search/mapper_config.h"

namespace einflow::arch {
class Architecture;
}

namespace einflow::cosma {

// The scratchpad COSMA schedules into when the mapper's budget is `arch`:
// the first on-chip storage level below the DRAM on the host's path (a
// global buffer), its bytes over all its instances. UserError when there is none.
int64_t scratchpad_bytes(const arch::Architecture& a);

struct Run {
  OpGraph graph;
  std::string budget_name;  // arch, tightest, min-peak, mean or bytes
  Comparison comparison;
};

// UserError (at the mapper's budget) when the budget cannot hold the largest operator.
Run run_cosma(const arch::Architecture& a, const workloads::Cascade& c, const search::MapperConfig& cfg);

}  // namespace einflow::cosma
