#include "mappers/cascade/optimal.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "common/contains.h"
#include "mappers/cascade/cascade_space.h"
#include "mappers/search/objective.h"
#include "mappers/search/search.h"
#include "sim/analytical/group_model.h"

namespace einflow::cascade {
namespace {

using search::CascadeGenome;

// What dominance compares: both costs (an objective weighing both, or the
// front), or one of them first with the other breaking ties (a front of one point).
enum class Order { kBoth, kCycles, kEnergy };

struct Cost {
  int64_t cycles = 0;
  double energy = 0;
};

bool dominates(const Cost& p, const Cost& q, Order o) {
  switch (o) {
    case Order::kCycles: return p.cycles < q.cycles || (p.cycles == q.cycles && p.energy <= q.energy);
    case Order::kEnergy: return p.energy < q.energy || (p.energy == q.energy && p.cycles <= q.cycles);
    case Order::kBoth: break;
  }
  return p.cycles <= q.cycles && p.energy <= q.energy;
}

// Points that no other dominates, with what made each; the first of equal points stays.
template <class Payload>
class Front {
 public:
  explicit Front(Order o) : m_order(o) {}
  void insert(const Cost& c, Payload p) {
    for (const auto& [x, _] : m_points)
      if (dominates(x, c, m_order)) return;
    m_points.erase(std::remove_if(m_points.begin(), m_points.end(),
                                  [&](const auto& x) { return dominates(c, x.first, m_order); }),
                   m_points.end());
    m_points.emplace_back(c, std::move(p));
  }
  const std::vector<std::pair<Cost, Payload>>& points() const { return m_points; }

 private:
  Order m_order;
  std::vector<std::pair<Cost, Payload>> m_points;
};

// Where a prefix's point came from: the prefix it extends, its point there, and the run's point.
struct Join {
  int from = -1, prefix_point = -1, run_point = -1;
};

// One run of the dependency order searched as a group: every point of its
// own genes in the stated space, costed whole.
class RunSearch {
 public:
  RunSearch(const arch::Architecture& a, const workloads::Cascade& c, const CascadeSpace& space,
            const search::MapperConfig& config, Order order, const std::optional<CascadeGenome>& base,
            OptimalCounts& counts, std::string& first_reject)
      : a(a), c(c), space(space), config(config), order(order), base(base), counts(counts),
        first_reject(first_reject) {
    for (const arch::Node& node : a.nodes)
      if (node.is_storage()) leak_per_cycle += node.leak_pj * static_cast<double>(node.instances);
  }

  // Branch and bound for one objective: a group point whose bound, added to
  // the least cycles and the least energy of any prefix before it, cannot
  // beat `incumbent` is not costed (it can be in no better mapping).
  void bound_by(double incumbent, const Cost& prefix_least) {
    m_incumbent = incumbent;
    m_prefix = prefix_least;
  }

  // Whether a mapping of the cascade space lies in the stated cut (group
  // sizes, shared factors, the binding by classes).
  bool in_space(const mapping::CascadeMapping& m) const {
    for (const auto& grp : m.groups) {
      if (config.max_group > 0 && static_cast<int>(grp.einsums.size()) > config.max_group) return false;
      for (const auto& loop : grp.shared) {
        const auto& d = space.divisors(loop.rank);
        const std::vector<int> allowed = factor_choices(loop.rank);
        const auto at = std::find(d.begin(), d.end(), loop.factor);
        if (at == d.end() || !contains(allowed, static_cast<int>(at - d.begin()))) return false;
      }
      if (config.binding != "classes") continue;
      std::map<std::vector<int>, int> unit_of_class;
      for (size_t k = 0; k < grp.einsums.size(); ++k) {
        std::vector<int> key = c.einsums[static_cast<size_t>(grp.einsums[k])].iteration_ranks;
        std::sort(key.begin(), key.end());
        const auto [it, fresh] = unit_of_class.emplace(key, grp.tiles[k].compute);
        if (!fresh && it->second != grp.tiles[k].compute) return false;
      }
    }
    return true;
  }

  // The most group points search(first, end) may cost (before the loop rules prune).
  double bound(int first, int end) const {
    std::vector<std::vector<int>> bindings, members;
    if (!binding_digits(first, end, members, bindings)) return 0;
    double n = base ? 1 : 3;  // retention choices
    int ranks = 0;
    for (int r : space.group_ranks(first, end))
      if (c.ranks[static_cast<size_t>(r)].size > 1) {
        n *= static_cast<double>(factor_choices(r).size());
        ++ranks;
      }
    for (const auto& b : bindings) n *= static_cast<double>(b.size());
    return base ? n : n * (1 + ranks);  // pipelining: none or a shared rank
  }

  Front<mapping::FusionGroup> search(int first, int end) {
    Front<mapping::FusionGroup> front(order);
    std::vector<std::vector<int>> bindings;  // per binding digit, the unit nodes
    std::vector<std::vector<int>> members;   // per binding digit, its positions
    if (!binding_digits(first, end, members, bindings)) return front;
    std::vector<int> ranks;
    for (int r : space.group_ranks(first, end))
      if (c.ranks[static_cast<size_t>(r)].size > 1) ranks.push_back(r);
    std::vector<std::vector<int>> factors;
    for (int r : ranks) factors.push_back(factor_choices(r));
    CascadeGenome g = base ? *base : space.blank();
    std::vector<size_t> fi(ranks.size(), 0);
    do {
      for (size_t k = 0; k < ranks.size(); ++k) g.share[first][ranks[k]] = static_cast<uint16_t>(factors[k][fi[k]]);
      if (!loops_legal(g, first, end)) continue;
      const mapping::TileCascade tiled(c, shared_of(g, first, end));
      std::vector<size_t> bi(bindings.size(), 0);
      do {
        for (size_t d = 0; d < bindings.size(); ++d)
          for (int i : members[d]) g.unit[i] = unit_index(i, bindings[d][bi[d]]);
        for_each_retention(g, first, [&](CascadeGenome& x) {
          mapping::FusionGroup grp = space.decode_group(x, first, end, &tiled.get());
          if (x.retain[first] && grp.retain < 0 && !base) return;  // the same group as without retention
          if (x.private_retain[first] && grp.retain_at.empty() && !base) return;
          for_each_pipeline(grp, [&](const mapping::FusionGroup& p) { cost(p, tiled.get(), front); });
        });
      } while (advance(bi, bindings));
    } while (advance(fi, factors));
    counts.kept += static_cast<int64_t>(front.points().size());
    return front;
  }

 private:
  // The binding digits: per position (or per class of positions iterating
  // the same ranks) the units that can run it; none when a position can run
  // only on the PIM unit in a longer run. The base's binding when constrained.
  bool binding_digits(int first, int end, std::vector<std::vector<int>>& members,
                      std::vector<std::vector<int>>& units) const {
    const bool alone = end - first == 1;
    std::map<std::vector<int>, size_t> class_of;
    for (int i = first; i < end; ++i) {
      std::vector<int> able;
      for (int u : space.units_at(i))
        if (alone || !a.is_pim(u)) able.push_back(u);
      if (able.empty()) return false;
      if (base) able = {space.units_at(i)[base->unit[i] % space.units_at(i).size()]};
      std::vector<int> key = c.einsums[static_cast<size_t>(space.einsum_at(i))].iteration_ranks;
      std::sort(key.begin(), key.end());
      if (config.binding == "classes" && class_of.count(key)) {
        std::vector<int>& shared = units[class_of[key]];
        shared.erase(std::remove_if(shared.begin(), shared.end(), [&](int u) { return !contains(able, u); }),
                     shared.end());
        if (shared.empty()) return false;
        members[class_of[key]].push_back(i);
        continue;
      }
      class_of[key] = units.size();
      units.push_back(able);
      members.push_back({i});
    }
    return true;
  }

  uint8_t unit_index(int i, int node) const {
    const auto& units = space.units_at(i);
    return static_cast<uint8_t>(std::find(units.begin(), units.end(), node) - units.begin());
  }

  // The divisor indices of a rank that the cut allows.
  std::vector<int> factor_choices(int r) const {
    const auto& d = space.divisors(r);
    const int64_t size = c.ranks[static_cast<size_t>(r)].size;
    std::vector<int> out;
    for (size_t k = 0; k < d.size(); ++k) {
      const bool pow2 = (d[k] & (d[k] - 1)) == 0;
      if (config.factors == "all" || d[k] == size || (config.factors == "powers-of-two" ? pow2 : d[k] == 1))
        out.push_back(static_cast<int>(k));
    }
    return out;
  }

  std::vector<mapping::Loop> shared_of(const CascadeGenome& g, int first, int end) const {
    std::vector<mapping::Loop> shared;
    const std::vector<int> iterated = space.group_ranks(first, end);
    for (int r : iterated) {
      const auto& d = space.divisors(r);
      const int64_t f = d[g.share[first][r] % d.size()];
      if (f > 1) shared.push_back({r, f, mapping::Axis::kX, c.loc});
    }
    return shared;
  }

  // The shared loops' own rules, before any tile is made: a factor point they
  // reject is rejected for every binding, retention and pipelining.
  bool loops_legal(const CascadeGenome& g, int first, int end) {
    mapping::FusionGroup bare;
    bare.loc = c.loc;
    for (int i = first; i < end; ++i) bare.einsums.push_back(space.einsum_at(i));
    bare.shared = shared_of(g, first, end);
    const mapping::MappingStatus st = mapping::validate_shared_loops(bare, c);
    if (st.ok) return true;
    reject(st.reason);
    return false;
  }

  // Each retention choice (none; the shared buffer; it and the units' own levels), or the base's.
  template <class Fn>
  void for_each_retention(CascadeGenome& g, int first, const Fn& fn) const {
    if (base) return fn(g);
    for (int s = 0; s < 3; ++s) {
      g.retain[first] = s > 0;
      g.private_retain[first] = s > 1;
      fn(g);
    }
  }

  // No pipelining, then each shared rank pipelined (the base's choice when constrained).
  template <class Fn>
  void for_each_pipeline(mapping::FusionGroup& grp, const Fn& fn) const {
    if (base) return fn(grp);
    grp.pipeline_rank = -1;
    fn(grp);
    const std::vector<mapping::Loop> loops = grp.shared;
    for (const auto& loop : loops) {
      grp.pipeline_rank = loop.rank;
      fn(grp);
    }
  }

  void cost(const mapping::FusionGroup& grp, const workloads::Cascade& tc, Front<mapping::FusionGroup>& front) {
    ++counts.generated;
    std::vector<sim::Stats> stats;
    const bool pim = grp.einsums.size() == 1 && a.is_pim(grp.tiles[0].compute);
    for (size_t k = 0; k < grp.tiles.size() && !pim; ++k) {
      const CascadeSpace::TileFacts& f = space.tile_facts(tc, grp, k);
      if (!f.status.ok) return reject(f.status.reason);
      stats.push_back(f.stats);
    }
    const Cost least = pim ? Cost{} : lower_bound(grp, stats);
    if (m_incumbent < search::kInvalid &&
        search::objective(m_prefix.cycles + least.cycles, m_prefix.energy + least.energy, config.latency_weight,
                          config.energy_weight) >= m_incumbent) {
      ++counts.bounded;
      return;
    }
    const mapping::MappingStatus st = mapping::validate_fusion_group(grp, c, a, !pim, &tc);
    if (!st.ok) return reject(st.reason);
    sim::Stats s;
    try {
      s = sim::analytical::evaluate_group(a, c, grp, pim ? nullptr : &stats).stats;
    } catch (const sim::CycleOverflow& e) {
      return reject(e.what());
    }
    if (static_cast<double>(s.cycles) < static_cast<double>(least.cycles) * (1 - 1e-9) ||
        s.energy_pj < least.energy * (1 - 1e-9))
      throw InternalError("the optimal search's bound (" + std::to_string(least.cycles) + " cycles, " +
                          std::to_string(least.energy) + " pJ) exceeds a group's cost (" + std::to_string(s.cycles) +
                          " cycles, " + std::to_string(s.energy_pj) + " pJ)");
    front.insert({s.cycles, s.energy_pj}, grp);
  }

  // What a group costs at least, from its tiles alone: its units' energy (all
  // of the group's compute energy) and leakage over the least cycles; cycles:
  // the tiles one after another, or with a pipelined rank the busiest unit
  // (the model's schedule never ends before its busiest unit is done; every
  // costed point is checked against this bound).
  Cost lower_bound(const mapping::FusionGroup& grp, const std::vector<sim::Stats>& stats) const {
    std::map<int, double> busy;
    double sequential = 0, unit_pj = 0;
    for (size_t k = 0; k < stats.size(); ++k) {
      const sim::Stats& st = stats[k];
      const int unit = grp.tiles[k].compute;
      const double n = static_cast<double>(grp.executions(c, grp.einsums[k]));
      double onchip = static_cast<double>(st.compute_cycles);
      for (const auto& level : st.per_level)
        if (a.find(level.name) != a.dram()) onchip = std::max(onchip, level.cycles);
      sequential += onchip * n;
      busy[unit] += onchip * n;
      for (const auto& en : st.energy)
        if (en.component == a.nodes[static_cast<size_t>(unit)].name) unit_pj += en.energy_pj * n;
    }
    double cycles = sequential;
    if (grp.pipeline_rank >= 0) {
      cycles = 0;
      for (const auto& [u, t] : busy) cycles = std::max(cycles, t);
    }
    const auto whole = static_cast<int64_t>(std::floor(cycles));
    return {whole, unit_pj + static_cast<double>(whole) * leak_per_cycle};
  }

  void reject(const std::string& why) {
    if (counts.rejected++ == 0) first_reject = why;
  }

  // The next point of an odometer over choices (false after the last).
  template <class Choices>
  static bool advance(std::vector<size_t>& digits, const Choices& choices) {
    for (size_t k = 0; k < digits.size(); ++k) {
      if (++digits[k] < choices[k].size()) return true;
      digits[k] = 0;
    }
    return false;
  }

  const arch::Architecture& a;
  const workloads::Cascade& c;
  const CascadeSpace& space;
  const search::MapperConfig& config;
  const Order order;
  const std::optional<CascadeGenome>& base;
  OptimalCounts& counts;
  std::string& first_reject;
  double leak_per_cycle = 0;
  double m_incumbent = search::kInvalid;
  Cost m_prefix;
};

std::string format_count(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", x);
  return text;
}

Order order_of(const search::MapperConfig& config) {
  if (config.pareto || (config.latency_weight > 0 && config.energy_weight > 0)) return Order::kBoth;
  return config.latency_weight > 0 ? Order::kCycles : Order::kEnergy;
}

std::string space_text(const search::MapperConfig& config, bool constrained) {
  std::string s = constrained ? "the design's groups, binding, retention and pipelining; "
                              : "every grouping into runs of the dependency order" +
                                    (config.max_group > 0 ? " of at most " + std::to_string(config.max_group) + " Einsums"
                                                          : std::string()) +
                                    "; ";
  s += "shared factors: " + std::string(config.factors == "all" ? "every divisor" :
                                        config.factors == "powers-of-two" ? "powers of two and the whole rank"
                                                                          : "1 or the whole rank");
  if (!constrained)
    s += "; retention: none, shared buffer, and units' own levels; pipelining: none or any shared rank; binding: " +
         std::string(config.binding == "all" ? "any able unit per Einsum"
                                             : "one unit per class of Einsums iterating the same ranks");
  return s + "; tiles: canonical";
}

// The result when a natural start is the optimum (nothing the bounded search
// kept beats it).
CascadeSearchResult from_incumbent(const arch::Architecture& a, const workloads::Cascade& c,
                                   const search::MapperConfig& config, const mapping::CascadeMapping& m,
                                   CascadeSearchResult out, double seconds) {
  out.best = m;
  out.stats = sim::analytical::evaluate_cascade(a, c, m).stats;
  out.cost = search::objective(out.stats.cycles, out.stats.energy_pj, config.latency_weight, config.energy_weight);
  out.evaluated = out.counts.generated;
  out.valid = out.counts.generated - out.counts.rejected - out.counts.bounded;
  out.rejected = out.counts.rejected;
  out.stopped_by = "optimal";
  out.seconds = seconds;
  return out;
}

}  // namespace

CascadeSearchResult optimal_cascade(const arch::Architecture& a, const workloads::Cascade& c,
                                    const search::MapperConfig& config, const mapping::CascadeMapping* constrain_to,
                                    const search::ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  CascadeSpace space(a, c);
  std::optional<CascadeGenome> base;
  if (constrain_to) {
    space.constrain_to(*constrain_to);
    base = space.encode(*constrain_to);
  }
  CascadeSearchResult out;
  out.optimal_space = space_text(config, base.has_value());
  const Order order = order_of(config);
  std::string first_reject;
  RunSearch runs(a, c, space, config, order, base, out.counts, first_reject);

  // The groupings: per prefix [0, j) the front of its cost sums.
  const int n = space.positions();
  std::vector<Front<Join>> prefix(static_cast<size_t>(n) + 1, Front<Join>(order));
  prefix[0].insert({0, 0.0}, Join{});
  std::map<std::pair<int, int>, Front<mapping::FusionGroup>> run_fronts;
  auto allowed = [&](int i, int j) {
    if (base) return (i == 0 || base->cut[static_cast<size_t>(i) - 1]) && (j == n || base->cut[static_cast<size_t>(j) - 1]) &&
                     std::all_of(base->cut.begin() + i, base->cut.begin() + (j - 1), [](uint8_t x) { return x == 0; });
    return config.max_group <= 0 || j - i <= config.max_group;
  };
  double most = 0;
  for (int j = 1; j <= n; ++j)
    for (int i = 0; i < j; ++i)
      if (allowed(i, j)) most += runs.bound(i, j);
  if (most > static_cast<double>(config.max_points))
    throw UserError(config.algorithm_loc, "algorithm",
                    "the optimal search's space has up to " + format_count(most) + " group points on '" + c.name +
                        "', over max_points (" + std::to_string(config.max_points) +
                        "): cut it with max_group, factors or binding (mappers/README.md, Optimal cascade search), "
                        "or raise max_points");
  // One objective: the space's natural starts give a first incumbent (the
  // optimum is the better of it and what the bounded search keeps), improved
  // by each whole mapping the joins make; short runs first, so the longest
  // runs, which cost the most, are searched against the best incumbent.
  const bool bounded = !config.pareto;
  double incumbent = search::kInvalid;
  mapping::CascadeMapping incumbent_mapping;
  if (bounded)
    for (const CascadeGenome& g : space.natural_starts()) {
      const mapping::CascadeMapping m = space.decode(g);
      if (!runs.in_space(m) || !mapping::validate_cascade_mapping(m, c, a).ok) continue;
      sim::Stats st;
      try {
        st = sim::analytical::evaluate_cascade(a, c, m).stats;
      } catch (const sim::CycleOverflow&) {
        continue;
      }
      const double cost = search::objective(st.cycles, st.energy_pj, config.latency_weight, config.energy_weight);
      if (cost < incumbent) {
        incumbent = cost;
        incumbent_mapping = m;
      }
    }
  for (int j = 1; j <= n; ++j)
    for (int i = j - 1; i >= 0; --i) {
      if (!allowed(i, j) || prefix[static_cast<size_t>(i)].points().empty()) continue;
      if (bounded) {
        Cost least{std::numeric_limits<int64_t>::max(), search::kInvalid};
        for (const auto& [x, _] : prefix[static_cast<size_t>(i)].points()) {
          least.cycles = std::min(least.cycles, x.cycles);
          least.energy = std::min(least.energy, x.energy);
        }
        runs.bound_by(incumbent, least);
      }
      auto& run = run_fronts.emplace(std::make_pair(i, j), runs.search(i, j)).first->second;
      ++out.counts.runs;
      const auto& from = prefix[static_cast<size_t>(i)].points();
      for (size_t p = 0; p < from.size(); ++p)
        for (size_t s = 0; s < run.points().size(); ++s) {
          const Cost& x = from[p].first;
          const Cost& y = run.points()[s].first;
          ++out.counts.joined;
          if (x.cycles > std::numeric_limits<int64_t>::max() - y.cycles) continue;
          prefix[static_cast<size_t>(j)].insert({x.cycles + y.cycles, x.energy + y.energy},
                                                Join{i, static_cast<int>(p), static_cast<int>(s)});
        }
      if (bounded && j == n)
        for (const auto& [x, _] : prefix[static_cast<size_t>(n)].points())
          incumbent = std::min(incumbent, search::objective(x.cycles, x.energy, config.latency_weight, config.energy_weight));
      if (progress) progress({out.counts.generated, out.counts.generated - out.counts.rejected, 0, seconds()});
    }

  out.first_reject = first_reject;
  const auto& last = prefix[static_cast<size_t>(n)].points();
  if (last.empty() && incumbent < search::kInvalid) return from_incumbent(a, c, config, incumbent_mapping, out, seconds());
  if (last.empty())
    throw UserError(c.loc, "the optimal search found no valid mapping of '" + c.name + "' on '" + a.name + "' (" +
                               std::to_string(out.counts.rejected) + " group points rejected; the first: " +
                               first_reject + ")");
  // A point of the last front back to its groups.
  auto mapping_of = [&](size_t point) {
    mapping::CascadeMapping m;
    m.loc = c.loc;
    int j = n;
    int p = static_cast<int>(point);
    while (j > 0) {
      const Join& b = prefix[static_cast<size_t>(j)].points()[static_cast<size_t>(p)].second;
      m.groups.insert(m.groups.begin(), run_fronts.at({b.from, j}).points()[static_cast<size_t>(b.run_point)].second);
      j = b.from;
      p = b.prefix_point;
    }
    return m;
  };
  size_t best = 0;
  for (size_t k = 1; k < last.size(); ++k)
    if (search::objective(last[k].first.cycles, last[k].first.energy, config.latency_weight, config.energy_weight) <
        search::objective(last[best].first.cycles, last[best].first.energy, config.latency_weight, config.energy_weight))
      best = k;
  CascadeSearchResult& r = out;
  if (search::objective(last[best].first.cycles, last[best].first.energy, config.latency_weight, config.energy_weight) >
      incumbent)
    return from_incumbent(a, c, config, incumbent_mapping, out, seconds());
  r.best = mapping_of(best);
  // The groups' costs add up (combine_groups): the whole mapping, evaluated
  // again, must give the sum the search found.
  const mapping::MappingStatus st = mapping::validate_cascade_mapping(r.best, c, a);
  if (!st.ok) throw InternalError("the optimal search joined an invalid cascade mapping: " + st.reason);
  r.stats = sim::analytical::evaluate_cascade(a, c, r.best).stats;
  const Cost& found = last[best].first;
  if (r.stats.cycles != found.cycles || std::abs(r.stats.energy_pj - found.energy) > 1e-9 * std::abs(found.energy))
    throw InternalError("the optimal search's sum of group costs (" + std::to_string(found.cycles) + " cycles, " +
                        std::to_string(found.energy) + " pJ) is not the cascade's (" + std::to_string(r.stats.cycles) +
                        " cycles, " + std::to_string(r.stats.energy_pj) + " pJ)");
  r.cost = search::objective(r.stats.cycles, r.stats.energy_pj, config.latency_weight, config.energy_weight);
  r.evaluated = out.counts.generated;
  r.valid = out.counts.generated - out.counts.rejected - out.counts.bounded;
  r.rejected = out.counts.rejected;
  r.first_reject = first_reject;
  r.stopped_by = "optimal";
  if (config.pareto)
    for (size_t k = 0; k < last.size(); ++k) out.front.push_back({last[k].first.cycles, last[k].first.energy, mapping_of(k)});
  std::sort(out.front.begin(), out.front.end(), [](const FrontPoint& x, const FrontPoint& y) { return x.cycles < y.cycles; });
  out.counts.front = static_cast<int64_t>(last.size());
  r.seconds = seconds();
  return out;
}

}  // namespace einflow::cascade
