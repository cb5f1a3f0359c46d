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
#include "mappers/cascade/optimal_run.h"
#include "mappers/search/objective.h"
#include "mappers/search/search.h"
#include "sim/analytical/group_model.h"

namespace einflow::cascade {
namespace {

using search::CascadeGenome;
using namespace optimal_detail;

// Where a prefix's point came from: the prefix it extends, its point there, and the run's point.
struct Join {
  int from = -1, prefix_point = -1, run_point = -1;
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

// The whole search: the runs, their joins by prefix, the incumbent, the result.
class Optimal {
 public:
  Optimal(const arch::Architecture& a, const workloads::Cascade& c, const search::MapperConfig& config,
          const mapping::CascadeMapping* constrain_to)
      : a(a), c(c), config(config), constrain_to(constrain_to), space(a, c), base(constrained()),
        order(order_of(config)), runs(a, c, space, config, order, base, out.counts, first_reject),
        n(space.positions()), prefix(static_cast<size_t>(n) + 1, Front<Join>(order)) {
    out.optimal_space = space_text(config, base.has_value());
    prefix[0].insert({0, 0.0}, Join{});
  }

  CascadeSearchResult run(const search::ProgressFn& progress) {
    check_size();
    if (bounded) {
      first_incumbent();
      floors();
    }
    join(progress);
    return result();
  }

 private:
  std::optional<CascadeGenome> constrained() {
    if (!constrain_to) return std::nullopt;
    space.constrain_to(*constrain_to);
    return space.encode(*constrain_to);
  }

  bool allowed(int i, int j) const {
    if (base)
      return (i == 0 || base->cut[static_cast<size_t>(i) - 1]) && (j == n || base->cut[static_cast<size_t>(j) - 1]) &&
             std::all_of(base->cut.begin() + i, base->cut.begin() + (j - 1), [](uint8_t x) { return x == 0; });
    return config.max_group <= 0 || j - i <= config.max_group;
  }

  void check_size() const {
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
  }

  // Per run what any of its groups costs at least (RunSearch::floor), and per
  // position j what any grouping of the positions from j on costs at least:
  // the least, cycles and energy apart, of a run's floor and the suffix after it.
  void floors() {
    suffix.assign(static_cast<size_t>(n) + 1, Cost{kNever, 0});
    suffix[static_cast<size_t>(n)] = {0, 0};
    for (int i = n - 1; i >= 0; --i)
      for (int j = i + 1; j <= n; ++j) {
        if (!allowed(i, j)) continue;
        const Cost f = runs.floor(i, j);
        run_floor[{i, j}] = f;
        const Cost& after = suffix[static_cast<size_t>(j)];
        if (f.cycles >= kNever || after.cycles >= kNever) continue;
        Cost& s = suffix[static_cast<size_t>(i)];
        const double cycles = static_cast<double>(f.cycles) + static_cast<double>(after.cycles);
        const Cost sum{cycles >= 9.0e18 ? kNever - 1 : static_cast<int64_t>(cycles), f.energy + after.energy};
        s = s.cycles >= kNever ? sum : Cost{std::min(s.cycles, sum.cycles), std::min(s.energy, sum.energy)};
      }
  }

  double cost_of(const Cost& x) const {
    return search::objective(x.cycles, x.energy, config.latency_weight, config.energy_weight);
  }

  // `inside`: the mapping is a point of the stated space (canonical tiles, the cuts).
  void offer(const mapping::CascadeMapping& m, double cost, bool inside) {
    if (cost < incumbent) {
      incumbent = cost;
      incumbent_mapping = m;
      incumbent_inside = inside;
    }
  }

  // The natural starts in the stated space, then a short annealing run over
  // the whole cascade space; outside the stated cuts its best may beat their
  // optimum, and is then the result.
  void first_incumbent() {
    for (const CascadeGenome& g : space.natural_starts()) {
      const mapping::CascadeMapping m = space.decode(g);
      if (!runs.in_space(m) || !mapping::validate_cascade_mapping(m, c, a).ok) continue;
      try {
        const sim::Stats st = sim::analytical::evaluate_cascade(a, c, m).stats;
        offer(m, cost_of({st.cycles, st.energy_pj}), true);
      } catch (const sim::CycleOverflow&) {
      }
    }
    if (config.factors != "ends") {
      // Coarse to fine: the optimum over the shared factors 1 and the whole
      // rank (a subset of this space), its own first incumbent the annealing run.
      // Its result outside that cut may still lie in this one (a factor
      // annealing found), but a constraining design's own tiles never do.
      search::MapperConfig coarse = config;
      coarse.factors = "ends";
      try {
        const CascadeSearchResult r = Optimal(a, c, coarse, constrain_to).run(nullptr);
        offer(r.best, r.cost, !r.from_seed || (!constrain_to && runs.in_space(r.best)));
        return;
      } catch (const UserError&) {  // nothing valid in the coarse cut: annealing alone
      }
    }
    if (config.max_evaluations <= 0) return;
    search::MapperConfig quick = config;
    quick.algorithm = "annealing";
    CascadeSearchOptions options;
    options.constrain_to = constrain_to;
    try {
      const CascadeSearchResult r = search_cascade(a, c, quick, options);
      // A constraining design is also the annealing's seed; its own tiles are not canonical.
      offer(r.best, r.cost, !r.from_seed && runs.in_space(r.best));
    } catch (const UserError&) {  // nothing valid found: the natural starts stand
    }
  }

  // Per prefix [0, j) the front of its groupings' cost sums; the runs ending
  // at j shortest first, so the longest runs, which cost the most, meet the
  // best incumbent (improved by each whole mapping joined).
  void join(const search::ProgressFn& progress) {
    for (int j = 1; j <= n; ++j)
      for (int i = j - 1; i >= 0; --i) {
        if (!allowed(i, j) || prefix[static_cast<size_t>(i)].points().empty()) continue;
        Cost floor{0, 0};
        if (bounded) {
          Cost least{std::numeric_limits<int64_t>::max(), search::kInvalid};
          for (const auto& [x, _] : prefix[static_cast<size_t>(i)].points()) {
            least.cycles = std::min(least.cycles, x.cycles);
            least.energy = std::min(least.energy, x.energy);
          }
          floor = run_floor.at({i, j});
          const Cost& after = suffix[static_cast<size_t>(j)];
          if (incumbent != search::kInvalid && !runs.can_beat(incumbent, least, floor, after)) {
            ++out.counts.runs_bounded;
            continue;
          }
          runs.bound_by(incumbent, least, after);
        }
        const auto& run = run_fronts.emplace(std::make_pair(i, j), runs.search(i, j, floor)).first->second;
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
          for (const auto& [x, _] : prefix[static_cast<size_t>(n)].points()) incumbent = std::min(incumbent, cost_of(x));
        if (progress) progress({out.counts.generated, out.counts.generated - out.counts.rejected, 0, seconds()});
        progress::tick("optimal: runs", static_cast<double>(out.counts.runs), 0);
      }
  }

  // A point of the last front back to its groups.
  mapping::CascadeMapping mapping_of(size_t point) const {
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
  }

  CascadeSearchResult result() {
    out.first_reject = first_reject;
    out.evaluated = out.counts.generated;
    out.valid = out.counts.costed;
    out.rejected = out.counts.rejected;
    out.stopped_by = "optimal";
    const auto& last = prefix[static_cast<size_t>(n)].points();
    out.counts.front = static_cast<int64_t>(last.size());
    size_t best = 0;
    for (size_t k = 1; k < last.size(); ++k)
      if (cost_of(last[k].first) < cost_of(last[best].first)) best = k;
    if (last.empty() || cost_of(last[best].first) > incumbent) {
      if (incumbent == search::kInvalid)
        throw UserError(c.loc, "the optimal search found no valid mapping of '" + c.name + "' on '" + a.name + "' (" +
                                   std::to_string(out.counts.rejected) + " group points rejected; the first: " +
                                   first_reject + ")");
      // Nothing the bounded search kept beats the incumbent: it is the optimum,
      // or, outside the stated space, better than its optimum (from_seed).
      settle(incumbent_mapping, nullptr);
      out.from_seed = !incumbent_inside;
      return out;
    }
    settle(mapping_of(best), &last[best].first);
    if (config.pareto)
      for (size_t k = 0; k < last.size(); ++k) out.front.push_back({last[k].first.cycles, last[k].first.energy, mapping_of(k)});
    std::sort(out.front.begin(), out.front.end(), [](const FrontPoint& x, const FrontPoint& y) { return x.cycles < y.cycles; });
    return out;
  }

  // The best mapping, evaluated whole. The groups' costs add up
  // (combine_groups): a joined mapping must give the sum the search found.
  void settle(const mapping::CascadeMapping& m, const Cost* found) {
    const mapping::MappingStatus st = mapping::validate_cascade_mapping(m, c, a);
    if (!st.ok) throw InternalError("the optimal search's best is an invalid cascade mapping: " + st.reason);
    out.best = m;
    out.stats = sim::analytical::evaluate_cascade(a, c, m).stats;
    if (found && (out.stats.cycles != found->cycles ||
                  std::abs(out.stats.energy_pj - found->energy) > 1e-9 * std::abs(found->energy)))
      throw InternalError("the optimal search's sum of group costs (" + std::to_string(found->cycles) + " cycles, " +
                          std::to_string(found->energy) + " pJ) is not the cascade's (" +
                          std::to_string(out.stats.cycles) + " cycles, " + std::to_string(out.stats.energy_pj) + " pJ)");
    out.cost = search::objective(out.stats.cycles, out.stats.energy_pj, config.latency_weight, config.energy_weight);
    out.seconds = seconds();
  }

  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }

  const std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  const arch::Architecture& a;
  const workloads::Cascade& c;
  const search::MapperConfig& config;
  const mapping::CascadeMapping* constrain_to;
  CascadeSpace space;
  const std::optional<CascadeGenome> base;
  const Order order;
  CascadeSearchResult out;
  std::string first_reject;
  RunSearch runs;
  const int n;
  std::vector<Front<Join>> prefix;
  std::map<std::pair<int, int>, Front<mapping::FusionGroup>> run_fronts;
  std::map<std::pair<int, int>, Cost> run_floor;
  std::vector<Cost> suffix;  // per position, the least any grouping of the rest costs
  const bool bounded = !config.pareto;  // one objective: a branch and bound
  double incumbent = search::kInvalid;
  mapping::CascadeMapping incumbent_mapping;
  bool incumbent_inside = true;
};

}  // namespace

CascadeSearchResult optimal_cascade(const arch::Architecture& a, const workloads::Cascade& c,
                                    const search::MapperConfig& config, const mapping::CascadeMapping* constrain_to,
                                    const search::ProgressFn& progress) {
  return Optimal(a, c, config, constrain_to).run(progress);
}

}  // namespace einflow::cascade
