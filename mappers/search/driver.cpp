#include "mappers/search/driver.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "mappers/mapping/unit_ops.h"
#include "mappers/search/objective.h"
#include "mappers/search/search.h"

namespace einflow::search {

using sim::analytical::Nest;
using sim::analytical::NestResult;

namespace {

bool same_nest(const Nest& a, const Nest& b) {
  if (a.n_levels != b.n_levels || a.imperfect != b.imperfect) return false;
  for (int i = 0; i < a.n_levels; ++i) {
    const auto& x = a.levels[i];
    const auto& y = b.levels[i];
    if (x.n_temporal != y.n_temporal || x.n_spatial != y.n_spatial || x.keep != y.keep) return false;
    for (int j = 0; j < x.n_temporal; ++j)
      if (x.temporal[j].rank != y.temporal[j].rank || x.temporal[j].factor != y.temporal[j].factor) return false;
    for (int j = 0; j < x.n_spatial; ++j)
      if (x.spatial[j].rank != y.spatial[j].rank || x.spatial[j].factor != y.spatial[j].factor ||
          x.spatial[j].axis != y.spatial[j].axis)
        return false;
  }
  return true;
}

struct Scored {
  double cost = kInvalid;
  int64_t cycles = 0;
  double energy_pj = 0, utilization = 0;
};

Scored score(const Mapspace& space, const MapperConfig& config, const Genome& g) {
  Scored s;
  Nest nest;
  if (space.decode(g, nest) != Reject::kNone) return s;
  NestResult r;
  space.model().evaluate(nest, r);
  s.utilization = space.model().utilization(r);
  if (s.utilization < config.min_utilization) return s;
  s.cycles = r.cycles;
  s.energy_pj = r.energy_pj;
  s.cost = objective(r.cycles, r.energy_pj, config.latency_weight, config.energy_weight);
  return s;
}

void keep_top(const Mapspace& space, int k, const Genome& g, const Scored& s, std::vector<Candidate>& top) {
  if (static_cast<int>(top.size()) >= k && s.cost >= top.back().cost) return;
  Nest mine;
  space.decode(g, mine);
  for (const auto& c : top) {
    Nest other;
    space.decode(c.genome, other);
    if (same_nest(mine, other)) return;
  }
  Candidate c{g, s.cost, s.cycles, s.energy_pj, s.utilization};
  auto at = std::upper_bound(top.begin(), top.end(), c.cost, [](double v, const Candidate& x) { return v < x.cost; });
  top.insert(at, c);
  if (static_cast<int>(top.size()) > k) top.pop_back();
}

}  // namespace

SearchResult run_search(const Mapspace& space, const MapperConfig& config, const ProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&]() { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::unique_ptr<Search> search = make_search(space, config, derive_seed(config.seed, config.algorithm.c_str()));
  int threads = config.threads > 0 ? config.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  SearchResult res;
  std::vector<Genome> batch;
  std::vector<Scored> scored;
  std::vector<double> costs;
  int64_t last_improvement = 0;
  double best = kInvalid;
  while (true) {
    int64_t n = config.batch;
    if (config.max_evaluations > 0) n = std::min<int64_t>(n, config.max_evaluations - res.evaluated);
    if (n <= 0) {
      res.stopped_by = "evaluations";
      break;
    }
    batch.clear();
    search->ask(static_cast<int>(n), batch);
    if (batch.empty()) {
      res.stopped_by = "space exhausted";
      break;
    }
    scored.assign(batch.size(), Scored{});
    const int t_used = std::min<int>(threads, static_cast<int>(batch.size() / 16) + 1);
    auto work = [&](int t) {
      for (size_t i = static_cast<size_t>(t); i < batch.size(); i += static_cast<size_t>(t_used))
        scored[i] = score(space, config, batch[i]);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < t_used; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
    costs.resize(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      costs[i] = scored[i].cost;
      ++res.evaluated;
      if (scored[i].cost == kInvalid) continue;
      ++res.valid;
      if (scored[i].cost < best) {
        best = scored[i].cost;
        last_improvement = res.evaluated;
      }
      keep_top(space, config.top_k, batch[i], scored[i], res.top);
    }
    search->tell(batch, costs);
    if (progress) progress({res.evaluated, res.valid, best, elapsed()});
    if (config.patience > 0 && res.evaluated - last_improvement >= config.patience) {
      res.stopped_by = "patience";
      break;
    }
    if (config.max_seconds > 0 && elapsed() >= config.max_seconds) {
      res.stopped_by = "time";
      break;
    }
  }
  res.seconds = elapsed();
  return res;
}

EinsumSearch search_einsum(const arch::Architecture& arch, const workloads::Cascade& cascade, int einsum,
                           const MapperConfig& config, const ProgressFn& progress) {
  EinsumSearch best;
  std::vector<std::string> tried;
  for (int unit : arch.compute_units()) {
    const arch::Node& node = arch.nodes[unit];
    if (!config.compute.empty() && node.name != config.compute) continue;
    bool can = true;
    for (const auto& need : mapping::einsum_hw_ops(cascade, einsum)) can = can && mapping::unit_op_for(node, need.op);
    tried.push_back(node.name);
    if (!can) continue;
    EinsumSearch s;
    s.space = std::make_unique<Mapspace>(arch, cascade, einsum, unit, config);
    s.result = run_search(*s.space, config, progress);
    const bool better = !best.space || (!s.result.top.empty() &&
                                        (best.result.top.empty() || s.result.top[0].cost < best.result.top[0].cost));
    if (better) best = std::move(s);
  }
  if (!best.space)
    throw UserError(config.loc, "no compute unit of architecture '" + arch.name + "' can run Einsum " +
                                    cascade.einsums[einsum].name +
                                    (config.compute.empty() ? "" : " (mapper.compute is '" + config.compute + "')"));
  return best;
}

std::vector<mapping::Mapping> top_mappings(const EinsumSearch& search, int k) {
  std::vector<mapping::Mapping> out;
  const size_t n = std::min(search.result.top.size(), static_cast<size_t>(std::max(k, 0)));
  for (size_t i = 0; i < n; ++i) out.push_back(search.space->to_mapping(search.result.top[i].genome));
  return out;
}

}  // namespace einflow::search
