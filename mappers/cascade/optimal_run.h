// Internal to the optimal search (optimal.cpp): the search of one run of the
// dependency order as a group, every point of its own genes in the stated
// space, bounded against an incumbent and the run's front.
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
#include "mappers/cascade/optimal_front.h"
#include "mappers/mapping/unit_ops.h"
#include "mappers/search/mapper_config.h"
#include "mappers/search/objective.h"
#include "mappers/search/search.h"
#include "sim/analytical/group_model.h"
#include "workloads/cascade.h"

namespace einflow::cascade::optimal_detail {

using search::CascadeGenome;

// A cost no point reaches: a run or suffix with no valid point.
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

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
  // the least cycles and the least energy of any prefix before it and to what
  // any grouping of the positions after it costs at least, cannot beat
  // `incumbent` is not costed (it can be in no better mapping).
  void bound_by(double incumbent, const Cost& prefix_least, const Cost& suffix_least) {
    m_incumbent = incumbent;
    m_prefix = prefix_least;
    m_suffix = suffix_least;
  }

  // What every group of the run [first, end) costs at least, whatever its
  // genes: per position its work on each unit that may run it there and its
  // least unit energy, as of_bindings bounds them, and the DRAM's
  // compulsory traffic. An Einsum's work does not depend on its tile (its
  // dense points' issue cycles over the unit's instances); a masked Einsum's
  // unit energy does (its tile's unmasked points) and counts 0. A position
  // alone that may run on the PIM unit: the lesser of that one point's cost
  // and the other units' bound.
  Cost floor(int first, int end) {
    std::vector<std::vector<int>> bindings, members;
    if (!binding_digits(first, end, members, bindings, false)) return {kNever, 0};  // per position
    std::vector<int> units;
    for (const auto& b : bindings)
      for (int u : b)
        if (!a.is_pim(u) && !contains(units, u)) units.push_back(u);
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<std::vector<double>> work(bindings.size(), std::vector<double>(units.size(), inf));
    std::vector<double> pj(bindings.size(), inf);
    std::optional<Cost> pim;
    for (size_t d = 0; d < bindings.size(); ++d)
      for (int u : bindings[d]) {
        if (a.is_pim(u)) {
          pim = pim_cost(first, u);
          continue;
        }
        const Alone& x = alone(first + static_cast<int>(d), u);
        work[d][static_cast<size_t>(std::find(units.begin(), units.end(), u) - units.begin())] = x.work;
        pj[d] = std::min(pj[d], x.unit_pj);
      }
    double unit_pj = 0;
    for (double e : pj) unit_pj += e;
    Cost least{kNever, 0};
    if (!units.empty()) least = bounds.of_bindings(work, unit_pj, bounds.compulsory(einsums_of(first, end)));
    if (pim) least = {std::min(least.cycles, pim->cycles), units.empty() ? pim->energy : std::min(least.energy, pim->energy)};
    return least;
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

  // Whether a mapping whose prefix, run and suffix cost at least these may beat `incumbent`.
  bool can_beat(double incumbent, const Cost& prefix, const Cost& run, const Cost& suffix) const {
    if (run.cycles >= kNever || suffix.cycles >= kNever) return false;
    const double cycles = std::min(static_cast<double>(prefix.cycles) + static_cast<double>(run.cycles) +
                                       static_cast<double>(suffix.cycles), 9.0e18);
    return search::objective(static_cast<int64_t>(cycles), prefix.energy + run.energy + suffix.energy,
                             config.latency_weight, config.energy_weight) < incumbent;
  }

  // `floor`: what floor(first, end) gave, which every costed point is checked against.
  Front<mapping::FusionGroup> search(int first, int end, const Cost& floor) {
    Front<mapping::FusionGroup> front(order);
    m_front = &front;
    m_floor = floor;
    m_dram = bounds.compulsory(einsums_of(first, end));
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
        const double points = base ? 1 : factor_point_size(bindings, shared.size());
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
  // A position alone on a unit, nothing shared: its work (a floor on its
  // compute cycles in any tiles) and its unit's energy (0 when masked).
  struct Alone {
    double work = 0, unit_pj = 0;
  };
  const Alone& alone(int i, int u) {
    const auto key = std::make_pair(i, u);
    if (const auto it = m_alone.find(key); it != m_alone.end()) return it->second;
    Alone x;
    CascadeGenome g = space.blank();
    g.unit[i] = unit_index(i, u);
    g.retain[i] = g.private_retain[i] = 0;
    std::fill(g.share[i].begin(), g.share[i].end(), 0);
    const mapping::FusionGroup grp = space.decode_group(g, i, i + 1, &c);
    const CascadeSpace::TileFacts& f = space.tile_facts(c, grp, 0);
    if (f.status.ok) {
      const int e = space.einsum_at(i);
      const std::string& name = a.nodes[static_cast<size_t>(u)].name;
      const auto util = f.stats.utilization.find(name);
      // Per execution compute cycles are steps x issue cycles rounded to a
      // whole cycle: no loss with whole issue cycles, else at most half a
      // cycle of at least one issue's.
      const double issue = mapping::cover_einsum(a.nodes[static_cast<size_t>(u)], c, e).issue_cycles;
      const double rounding = issue == std::floor(issue) ? 1 : std::max(0.0, 1 - 0.5 / issue);
      x.work = util == f.stats.utilization.end() ? 0 : util->second * static_cast<double>(f.stats.cycles) * rounding;
      if (c.einsums[static_cast<size_t>(e)].mask.empty())
        for (const auto& en : f.stats.energy)
          if (en.component == name) x.unit_pj += en.energy_pj;
    }
    return m_alone.emplace(key, x).first->second;
  }

  std::vector<int> einsums_of(int first, int end) const {
    std::vector<int> einsums;
    for (int i = first; i < end; ++i) einsums.push_back(space.einsum_at(i));
    return einsums;
  }

  static bool on_one_unit(const mapping::FusionGroup& grp) {
    return std::all_of(grp.tiles.begin(), grp.tiles.end(),
                       [&](const mapping::Mapping& t) { return t.compute == grp.tiles[0].compute; });
  }

  // The cost of position i alone on the PIM unit u (its one point), if valid.
  std::optional<Cost> pim_cost(int i, int u) const {
    CascadeGenome g = base ? *base : space.blank();
    g.unit[i] = unit_index(i, u);
    const mapping::FusionGroup grp = space.decode_group(g, i, i + 1);
    if (!mapping::validate_fusion_group(grp, c, a, false, nullptr).ok) return std::nullopt;
    try {
      const sim::Stats s = sim::analytical::evaluate_group(a, c, grp, nullptr).stats;
      return Cost{s.cycles, s.energy_pj};
    } catch (const sim::CycleOverflow&) {
      return std::nullopt;
    }
  }

  // The binding digits: per position (or per class of positions iterating
  // the same ranks) the units that can run it; none when a position can run
  // only on the PIM unit in a longer run. The base's binding when constrained.
  bool binding_digits(int first, int end, std::vector<std::vector<int>>& members,
                      std::vector<std::vector<int>>& units, bool classes = true) const {
    const bool alone = end - first == 1;
    std::map<std::vector<int>, size_t> class_of;
    for (int i = first; i < end; ++i) {
      std::vector<int> able;
      for (int u : space.units_at(i))
        if (alone || !a.is_pim(u)) able.push_back(u);
      if (able.empty()) return false;
      if (base) able = {space.units_at(i)[base->unit[i] % space.units_at(i).size()]};
      const std::vector<int> key = class_of_einsum(space.einsum_at(i));
      if (classes && config.binding == "classes" && !base && class_of.count(key)) {
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

  // No pipelining, then each shared rank pipelined (the base's choice when
  // constrained). On one unit pipelining overlaps nothing (the group model
  // times its tiles one after another all the same): no pipelining alone.
  template <class Fn>
  void for_each_pipeline(mapping::FusionGroup& grp, const Fn& fn) const {
    if (base) return fn(grp);
    grp.pipeline_rank = -1;
    fn(grp);
    if (on_one_unit(grp)) return;
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
    const Cost least = pim ? Cost{} : bounds.of_tiles(tiles, grp.pipeline_rank >= 0, m_dram);
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
    check_floor(least, s, "group");
    check_floor(m_floor, s, "run");
    ++counts.costed;
    front.insert({s.cycles, s.energy_pj}, grp);
  }

  // Whether a point of the run whose cost is at least `least` may beat the
  // incumbent and may join the run's front (no point on it already costs no
  // more in both: that point would dominate it).
  bool may_beat(const Cost& least) const {
    for (const auto& [x, _] : m_front->points())
      if (x.cycles <= least.cycles && x.energy <= least.energy) return false;
    return m_incumbent == search::kInvalid || can_beat(m_incumbent, m_prefix, least, m_suffix);
  }

  // Whether some point of a group (its retention decoded, any pipelining) may
  // beat the incumbent: its tiles' bound with the busiest unit, which no
  // choice of the pipelined rank lowers (the base's own choice when constrained).
  bool group_may_beat(const mapping::FusionGroup& grp, const workloads::Cascade& tc) {
    if (grp.einsums.size() == 1 && a.is_pim(grp.tiles[0].compute)) return true;
    std::vector<TileBound> tiles;
    for (size_t k = 0; k < grp.tiles.size(); ++k) {
      const CascadeSpace::TileFacts& f = space.tile_facts(tc, grp, k);
      if (!f.status.ok) return true;  // rejected when costed, with its reason
      tiles.push_back(bounds.tile(grp, k, f.stats));
    }
    if (may_beat(bounds.of_tiles(tiles, !base || grp.pipeline_rank >= 0, m_dram))) return true;
    const int64_t points = base || on_one_unit(grp) ? 1 : 1 + static_cast<int64_t>(grp.shared.size());
    counts.generated += points;
    counts.bounded += points;
    return false;
  }

  // Whether some binding and retention of a factor point may beat the
  // incumbent or join the front: per position its work on each of its units
  // and its least energy and DRAM words over the tiles those choices make.
  bool factors_may_beat(CascadeGenome g, int first, int end, const workloads::Cascade& tc,
                        const std::vector<std::vector<int>>& members, const std::vector<std::vector<int>>& bindings) {
    const double inf = std::numeric_limits<double>::infinity();
    const auto positions = static_cast<size_t>(end - first);
    // Per position the least energy with and without its tiles' own DRAM floor.
    std::vector<double> pj(positions, inf), onchip_pj(positions, inf), words(positions, inf);
    std::vector<int> units;
    size_t widest = 0;
    for (const auto& b : bindings) {
      widest = std::max(widest, b.size());
      for (int u : b) {
        if (a.is_pim(u)) return true;
        if (!contains(units, u)) units.push_back(u);
      }
    }
    std::vector<std::vector<double>> work(positions, std::vector<double>(units.size(), inf));
    // A tile depends on its unit and on the intermediates its unit's own
    // level keeps: every unit, without and with that retention (the shared
    // buffer's makes the same tiles as none).
    for (int s : base ? std::vector<int>{-1} : std::vector<int>{0, 2}) {
      if (s >= 0) {
        g.retain[first] = s > 0;
        g.private_retain[first] = s > 1;
      }
      for (size_t v = 0; v < widest; ++v) {
        for (size_t d = 0; d < bindings.size(); ++d)
          for (int i : members[d]) g.unit[i] = unit_index(i, bindings[d][std::min(v, bindings[d].size() - 1)]);
        const mapping::FusionGroup grp = space.decode_group(g, first, end, &tc);
        for (size_t k = 0; k < grp.tiles.size(); ++k) {
          const CascadeSpace::TileFacts& f = space.tile_facts(tc, grp, k);
          if (!f.status.ok) continue;  // its points are rejected alone
          const TileBound t = bounds.tile(grp, k, f.stats);
          const auto u = static_cast<size_t>(std::find(units.begin(), units.end(), t.unit) - units.begin());
          work[k][u] = std::min(work[k][u], t.work);
          pj[k] = std::min(pj[k], t.unit_pj + t.inner_pj + t.dram_pj);
          onchip_pj[k] = std::min(onchip_pj[k], t.unit_pj + t.inner_pj);
          words[k] = std::min(words[k], t.dram_words);
        }
      }
    }
    double dram_words = 0, with_dram = 0, without = 0;
    for (size_t k = 0; k < positions; ++k) {
      if (!std::isfinite(pj[k])) return true;  // no valid tile: each point is rejected with its reason
      dram_words += words[k];
      with_dram += pj[k];
      without += onchip_pj[k];
    }
    // The DRAM's energy: the tiles' own floors, or the compulsory traffic's, whichever is more.
    const Cost dram{std::max(m_dram.cycles, bounds.dram_cycles(dram_words)), 0};
    return may_beat(bounds.of_bindings(work, std::max(with_dram, without + m_dram.energy), dram));
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
  Cost m_prefix, m_suffix, m_floor, m_dram;
  const Front<mapping::FusionGroup>* m_front = nullptr;  // the run's, while it is searched
  std::map<std::pair<int, int>, Alone> m_alone;
};

}  // namespace einflow::cascade::optimal_detail
