#include "mappers/search/driver.h"

#include <algorithm>
#include <cmath>

#include "mappers/mapping/unit_ops.h"
#include "mappers/search/batches.h"
#include "mappers/search/objective.h"

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

SearchResult run_search(const Mapspace& space, const MapperConfig& given, const ProgressFn& progress) {
  // optimal: the whole enumeration, whatever the budget (a time limit still stops it, said by stopped_by).
  MapperConfig config = given;
  if (config.algorithm == "optimal") {
    config.max_evaluations = config.patience = 0;
    if (space.log10_size() > std::log10(static_cast<double>(config.max_points)))
      throw UserError(config.algorithm_loc, "algorithm",
                      "the optimal search enumerates the whole mapspace, about 10^" +
                          std::to_string(static_cast<int>(std::ceil(space.log10_size()))) +
                          " points here, over max_points (" + std::to_string(config.max_points) +
                          "): narrow it with the levels' constraints, or raise max_points");
  }
  std::unique_ptr<Search> search = make_search(space, config, derive_seed(config.seed, config.algorithm.c_str()));
  SearchResult res;
  const BatchesRun run = run_batches<Genome, Scored>(
      *search, config, {}, [&](const Genome& g) { return score(space, config, g); },
      [&](const Genome& g, const Scored& s) {
        if (s.cost != kInvalid) keep_top(space, config.top_k, g, s, res.top);
      },
      progress);
  res.evaluated = run.evaluated;
  res.valid = run.valid;
  res.seconds = run.seconds;
  res.stopped_by = run.stopped_by;
  return res;
}

EinsumSearch search_einsum(const arch::Architecture& arch, const workloads::Cascade& cascade, int einsum,
                           const MapperConfig& config, const ProgressFn& progress) {
  EinsumSearch best;
  std::vector<std::string> tried;
  for (int unit : arch.host_units()) {
    const arch::Node& node = arch.nodes[unit];
    if (!config.compute.empty() && node.name != config.compute) continue;
    const bool can = mapping::cover_einsum(node, cascade, einsum).ok;
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
