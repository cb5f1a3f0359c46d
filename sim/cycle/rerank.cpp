#include "sim/cycle/rerank.h"

#include <algorithm>

#include "common/progress.h"
#include "sim/cycle/nest_sim.h"

namespace einflow::sim::cycle {

std::vector<Reranked> rerank(const arch::Architecture& arch, const workloads::Cascade& cascade,
                             const std::vector<mapping::Mapping>& candidates,
                             const std::function<double(const Stats&)>& cost) {
  std::vector<Reranked> out;
  SimOptions opts;
  opts.functional = false;
  for (size_t i = 0; i < candidates.size(); ++i) {
    progress::tick("rerank: candidates", static_cast<double>(i), static_cast<double>(candidates.size()));
    SimResult r = simulate_mapping(arch, cascade, candidates[i], {}, opts);
    Reranked x;
    x.index = i;
    x.cost = cost(r.stats);
    x.stats = std::move(r.stats);
    x.stalls = std::move(r.stalls);
    x.fast_forwarded = r.fast_forwarded;
    out.push_back(std::move(x));
  }
  std::stable_sort(out.begin(), out.end(), [](const Reranked& a, const Reranked& b) { return a.cost < b.cost; });
  return out;
}

}  // namespace einflow::sim::cycle
