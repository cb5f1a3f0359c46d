#include "tools/sweep/rerank.h"

#include <algorithm>
#include <cmath>

#include "mappers/search/objective.h"
#include "sim/cycle/nest_sim.h"

namespace einflow::sweep {

std::vector<Reranked> rerank(const arch::Architecture& arch, const workloads::Cascade& cascade,
                             const search::EinsumSearch& s, int k, double latency_weight,
                             double energy_weight) {
  std::vector<Reranked> out;
  sim::cycle::SimOptions opts;
  opts.functional = false;
  const size_t n = std::min(s.result.top.size(), static_cast<size_t>(std::max(k, 0)));
  for (size_t i = 0; i < n; ++i) {
    const mapping::Mapping m = s.space->to_mapping(s.result.top[i].genome);
    sim::cycle::SimResult r = sim::cycle::simulate_mapping(arch, cascade, m, {}, opts);
    Reranked x;
    x.index = i;
    x.cost = search::objective(r.stats.cycles, r.stats.energy_pj, latency_weight, energy_weight);
    x.stats = std::move(r.stats);
    x.stalls = std::move(r.stalls);
    x.fast_forwarded = r.fast_forwarded;
    out.push_back(std::move(x));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Reranked& a, const Reranked& b) { return a.cost < b.cost; });
  return out;
}

}  // namespace einflow::sweep
