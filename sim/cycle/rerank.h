// Re-ranking candidate mappings on the cycle model (timing only): a search's
// analytical model picks the candidates, the cycle model, which sees stalls
// the closed form cannot, picks among them. The one re-ranking that `map
// --rerank` and sweeps in mode `rerank` use; the caller gives the cost (the
// search objective, mappers/search/objective.h).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::sim::cycle {

struct Reranked {
  size_t index = 0;  // in the candidates given (0 = the analytical best)
  Stats stats;       // from the cycle model
  double cost = 0;   // the caller's cost of those stats
  std::map<std::string, int64_t> stalls;
  bool fast_forwarded = false;
};

// The candidates, each simulated (timing only) and sorted best first by
// `cost` of its cycle-model Stats (ties keep the given order).
std::vector<Reranked> rerank(const arch::Architecture& arch, const workloads::Cascade& cascade,
                             const std::vector<mapping::Mapping>& candidates,
                             const std::function<double(const Stats&)>& cost);

}  // namespace einflow::sim::cycle
