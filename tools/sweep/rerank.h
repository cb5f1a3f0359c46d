// Re-ranking a search's top K on the cycle model (timing only): the analytical
// model picks the candidates, the cycle model, which sees stalls the closed
// form cannot, picks among them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/search/driver.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::sweep {

struct Reranked {
  size_t index = 0;  // in the search's top list (0 = the analytical best)
  sim::Stats stats;  // from the cycle model
  double cost = 0;   // cycles^wl * energy^we on those stats
  std::map<std::string, int64_t> stalls;
  bool fast_forwarded = false;
};

// The first `k` candidates of the search, simulated and sorted best first by
// their cycle-model cost (ties keep the analytical order).
std::vector<Reranked> rerank(const arch::Architecture& arch, const workloads::Cascade& cascade,
                             const search::EinsumSearch& s, int k, double latency_weight,
                             double energy_weight);

}  // namespace einflow::sweep
