// Internal to the optimal search (optimal.cpp): fronts of (cycles, energy)
// and the search of one run of the dependency order as a group, every point
// of its own genes in the stated space, bounded against an incumbent.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arch/arch.h"
#include "common/contains.h"
#include "common/progress.h"
#include "mappers/cascade/cascade_search.h"
#include "mappers/cascade/cascade_space.h"
#include "mappers/cascade/optimal_bound.h"
#include "mappers/search/mapper_config.h"
#include "mappers/search/objective.h"
#include "mappers/search/search.h"
#include "sim/analytical/group_model.h"
#include "workloads/cascade.h"

namespace einflow::cascade::optimal_detail {

using search::CascadeGenome;

// What dominance compares: both costs (an objective weighing both, or the
// front), or one of them first with the other breaking ties (a front of one point).
enum class Order { kBoth, kCycles, kEnergy };

inline bool dominates(const Cost& p, const Cost& q, Order o) {
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

// One run of the dependency order searched as a group: every point of its
// own genes in the stated space, costed whole.
class RunSearch {
 public:
  RunSearch(const arch::Architecture& a, const workloads::Cascade& c, const CascadeSpace& space,
            const search::MapperConfig& config, Order order, const std::optional<CascadeGenome>& base,
            OptimalCounts& counts, std::string& first_reject)
      : a(a), c(c), space(space), config(config), order(order), base(base), counts(counts),
        first_reject(first_reject), bounds(a, c) {}

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
        const auto [it, fresh] = unit_of_class.emplace(class_of_einsum(grp.einsums[k]), grp.tiles[k].compute);
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
      progress::tick("optimal: factor points", static_cast<double>(counts.generated), 0);
      for (size_t k = 0; k < ranks.size(); ++k) g.share[first][ranks[k]] = static_cast<uint16_t>(factors[k][fi[k]]);
      if (!loops_legal(g, first, end)) continue;
      const std::vector<mapping::Loop> shared = shared_of(g, first, end);
      const mapping::TileCascade tiled(c, shared);
      if (!factors_may_beat(g, first, end, tiled.get(), members, bindings)) {
        double points = base ? 1 : 3 * static_cast<double>(1 + shared.size());
        for (const auto& b : bindings) points *= static_cast<double>(b.size());
        counts.generated += static_cast<int64_t>(points);
        counts.bounded += static_cast<int64_t>(points);
        continue;
      }
      std::vector<size_t> bi(bindings.size(), 0);
      do {
        for (size_t d = 0; d < bindings.size(); ++d)
          for (int i : members[d]) g.unit[i] = unit_index(i, bindings[d][bi[d]]);
        for_each_retention(g, first, [&](CascadeGenome& x) {
          mapping::FusionGroup grp = space.decode_group(x, first, end, &tiled.get());
          if (x.retain[first] && grp.retain < 0 && !base) return;  // the same group as without retention
          if (x.private_retain[first] && grp.retain_at.empty() && !base) return;
          if (!group_may_beat(grp, tiled.get())) return;
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
      const std::vector<int> key = class_of_einsum(space.einsum_at(i));
      if (config.binding == "classes" && !base && class_of.count(key)) {
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

  // The class of an Einsum under `binding: classes`: the ranks it iterates, sorted.
  std::vector<int> class_of_einsum(int e) const {
    std::vector<int> key = c.einsums[static_cast<size_t>(e)].iteration_ranks;
    std::sort(key.begin(), key.end());
    return key;
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
    ++counts.generated;  // one point for all its bindings, retentions and pipelinings
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
    std::vector<TileBound> tiles;
    const bool pim = grp.einsums.size() == 1 && a.is_pim(grp.tiles[0].compute);
    for (size_t k = 0; k < grp.tiles.size() && !pim; ++k) {
      const CascadeSpace::TileFacts& f = space.tile_facts(tc, grp, k);
      if (!f.status.ok) return reject(f.status.reason);
      stats.push_back(f.stats);
      tiles.push_back(bounds.tile(grp, k, f.stats));
      if (tiles.back().work > tiles.back().onchip * (1 + 1e-9))
        throw InternalError("the optimal search's bound: a tile's work exceeds its cycles");
    }
    const Cost least = pim ? Cost{} : bounds.of_tiles(tiles, grp.pipeline_rank >= 0);
    if (!may_beat(least)) {
      ++counts.bounded;
      return;
    }
    const mapping::MappingStatus st = mapping::validate_fusion_group(grp, c, a, !pim, pim ? nullptr : &tc);
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
    ++counts.costed;
    front.insert({s.cycles, s.energy_pj}, grp);
  }

  bool may_beat(const Cost& least) const {
    if (m_incumbent == search::kInvalid) return true;
    const double cycles = std::min(static_cast<double>(m_prefix.cycles) + static_cast<double>(least.cycles), 9.0e18);
    return search::objective(static_cast<int64_t>(cycles), m_prefix.energy + least.energy, config.latency_weight,
                             config.energy_weight) < m_incumbent;
  }

  // Whether some point of a group (its retention decoded, any pipelining) may
  // beat the incumbent: its tiles' bound with the busiest unit, which no
  // choice of the pipelined rank lowers (the base's own choice when constrained).
  bool group_may_beat(const mapping::FusionGroup& grp, const workloads::Cascade& tc) {
    if (m_incumbent == search::kInvalid || (grp.einsums.size() == 1 && a.is_pim(grp.tiles[0].compute))) return true;
    std::vector<TileBound> tiles;
    for (size_t k = 0; k < grp.tiles.size(); ++k) {
      const CascadeSpace::TileFacts& f = space.tile_facts(tc, grp, k);
      if (!f.status.ok) return true;  // rejected when costed, with its reason
      tiles.push_back(bounds.tile(grp, k, f.stats));
    }
    if (may_beat(bounds.of_tiles(tiles, !base || grp.pipeline_rank >= 0))) return true;
    const int64_t points = base ? 1 : 1 + static_cast<int64_t>(grp.shared.size());
    counts.generated += points;
    counts.bounded += points;
    return false;
  }

  // Whether some binding of a factor point may beat the incumbent: per
  // position the least work and unit energy over its units (a tile's
  // operations, whatever the tile), from the tiles of each unit without
  // retention in the units' own levels.
  bool factors_may_beat(CascadeGenome g, int first, int end, const workloads::Cascade& tc,
                        const std::vector<std::vector<int>>& members, const std::vector<std::vector<int>>& bindings) {
    if (m_incumbent == search::kInvalid) return true;
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> work(static_cast<size_t>(end - first), inf), pj(work.size(), inf);
    std::vector<int> units;
    size_t widest = 0;
    for (const auto& b : bindings) {
      widest = std::max(widest, b.size());
      for (int u : b) {
        if (a.is_pim(u)) return true;
        if (!contains(units, u)) units.push_back(u);
      }
    }
    g.retain[first] = g.private_retain[first] = 0;
    for (size_t v = 0; v < widest; ++v) {
      for (size_t d = 0; d < bindings.size(); ++d)
        for (int i : members[d]) g.unit[i] = unit_index(i, bindings[d][std::min(v, bindings[d].size() - 1)]);
      const mapping::FusionGroup grp = space.decode_group(g, first, end, &tc);
      for (size_t k = 0; k < grp.tiles.size(); ++k) {
        const CascadeSpace::TileFacts& f = space.tile_facts(tc, grp, k);
        if (!f.status.ok) return true;  // another variant of it may be valid: each point is costed or rejected alone
        const TileBound t = bounds.tile(grp, k, f.stats);
        work[k] = std::min(work[k], t.work);
        pj[k] = std::min(pj[k], t.unit_pj);
      }
    }
    return may_beat(bounds.of_bindings(work, pj, static_cast<int>(units.size())));
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
  GroupBounds bounds;
  double m_incumbent = search::kInvalid;
  Cost m_prefix;
};

}  // namespace einflow::cascade::optimal_detail
