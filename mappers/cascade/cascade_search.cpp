#include "mappers/cascade/cascade_search.h"
#include "common/contains.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "mappers/mapping/unit_ops.h"
#include "mappers/named/named.h"
#include "mappers/search/objective.h"
#include "mappers/search/rng.h"
#include "sim/analytical/group_model.h"

namespace einflow::cascade {
namespace {

// A point: genes per position of the dependency order. A group's genes are
// those of its first position.
struct Genome {
  std::vector<uint8_t> cut;             // [i]: a group ends after position i
  std::vector<std::vector<uint16_t>> share;  // [i][rank]: index into the rank's divisors (0: not shared)
  std::vector<uint8_t> retain;          // [i]: intermediates stay in the buffer the group's units share
  std::vector<uint8_t> private_retain;  // [i]: those made and used on one unit stay in its own level
  std::vector<uint8_t> pipeline;        // [i]: 0 none, else 1 + the rank pipelined (when the group shares it)
  std::vector<uint8_t> unit;            // [i]: index into the units able to run the Einsum
  bool operator<(const Genome& o) const {
    return std::tie(cut, share, retain, private_retain, pipeline, unit) <
           std::tie(o.cut, o.share, o.retain, o.private_retain, o.pipeline, o.unit);
  }
};

// Gene kinds a mutation may change.
struct Free {
  bool grouping = true, sharing = true, retention = true, pipelining = true, binding = true;
};

class Space {
 public:
  Space(const arch::Architecture& a, const workloads::Cascade& c) : m_a(a), m_c(c) {
    m_order = c.topo_order;
    const int n = static_cast<int>(m_order.size());
    for (const auto& r : c.ranks) {
      std::vector<int64_t> d;
      for (int64_t x = 1; x <= r.size; ++x)
        if (r.size % x == 0) d.push_back(x);
      m_divisors.push_back(d);
    }
    for (int i = 0; i < n; ++i) {
      const int e = m_order[i];
      std::vector<int> units;
      for (int u : a.compute_units()) {
        bool ok = true;
        for (const auto& need : mapping::einsum_hw_ops(c, e)) ok = ok && mapping::unit_op_for(a.nodes[u], need.op);
        if (ok) units.push_back(u);
      }
      if (units.empty()) throw UserError(c.einsums[e].loc, "no compute unit of '" + a.name + "' can run Einsum " + c.einsums[e].name);
      m_units.push_back(units);
    }
  }

  int size() const { return static_cast<int>(m_order.size()); }

  // Every Einsum alone, contractions on the widest unit, the rest on the narrowest.
  Genome unfused() const {
    Genome g = blank();
    std::fill(g.cut.begin(), g.cut.end(), 1);
    return g;
  }

  // One group sharing, in full, the ranks that index every tensor (independent
  // slices such as batch and heads: sharing them costs no reuse).
  Genome one_group() const {
    Genome g = blank();
    for (size_t r = 0; r < m_c.ranks.size(); ++r) {
      bool all = m_c.ranks[r].size > 1;
      for (const auto& t : m_c.tensors) all = all && contains(t.ranks, static_cast<int>(r));
      if (all) g.share[0][r] = static_cast<uint16_t>(m_divisors[r].size() - 1);
    }
    return g;
  }

  // One group that also runs its recurrences' iterative ranks as shared loops,
  // innermost, pipelined, keeping single-unit intermediates in the units' own levels.
  Genome recurrent_group() const {
    Genome g = one_group();
    for (size_t r = 0; r < m_c.ranks.size(); ++r)
      if (m_c.ranks[r].iterative && m_c.ranks[r].size > 1) {
        g.share[0][r] = static_cast<uint16_t>(m_divisors[r].size() - 1);
        g.pipeline[0] = static_cast<uint8_t>(r + 1);
      }
    g.private_retain[0] = 1;
    return g;
  }

  // The group starts of a genome.
  std::vector<int> starts(const Genome& g) const {
    std::vector<int> s = {0};
    for (int i = 0; i + 1 < size(); ++i)
      if (g.cut[i]) s.push_back(i + 1);
    return s;
  }

  // The cascade mapping of a genome (validated by the caller).
  mapping::CascadeMapping decode(const Genome& g) {
    mapping::CascadeMapping m;
    m.loc = m_c.loc;
    const std::vector<int> s = starts(g);
    for (size_t k = 0; k < s.size(); ++k) {
      const int first = s[k], end = k + 1 < s.size() ? s[k + 1] : size();
      mapping::FusionGroup grp;
      grp.loc = m_c.loc;
      std::vector<int> unit_of(m_c.einsums.size(), -1);
      std::vector<int> iterated;
      for (int i = first; i < end; ++i) {
        const int e = m_order[i];
        grp.einsums.push_back(e);
        unit_of[e] = m_units[i][g.unit[i] % m_units[i].size()];
        for (int r : m_c.einsums[e].iteration_ranks) iterated.push_back(r);
      }
      for (size_t r = 0; r < m_c.ranks.size(); ++r) {
        const int64_t f = m_divisors[r][g.share[first][r] % m_divisors[r].size()];
        if (f > 1 && contains(iterated, static_cast<int>(r)))
          grp.shared.push_back({static_cast<int>(r), f, mapping::Axis::kX, m_c.loc});
      }
      // The deepest storage level every unit of the group reaches, when below the root.
      std::vector<int> group_units;
      for (int e : grp.einsums) group_units.push_back(unit_of[e]);
      const int common = named::common_storage(m_a, group_units);
      if (g.retain[first] && common != m_a.root()) grp.retain = common;
      if (g.private_retain[first] && grp.retain >= 0)
        for (size_t t = 0; t < m_c.tensors.size(); ++t) {
          const workloads::Tensor& x = m_c.tensors[t];
          if (x.kind != workloads::TensorKind::kIntermediate || x.writers.empty()) continue;
          int unit = -1;
          bool one = true;
          for (int w : x.writers) {
            const auto& we = m_c.einsums[w];
            one = one && unit_of[w] >= 0 && !(we.expr.size() == 1 && we.reduced_ranks.empty());
            if (one && unit < 0) unit = unit_of[w];
            one = one && unit_of[w] == unit;
          }
          for (int r : x.readers) one = one && unit_of[r] == unit;
          if (!one || unit < 0) continue;
          const int own = m_a.storage_path(unit).back();
          if (own != common) grp.retain_at.emplace_back(static_cast<int>(t), own);
        }
      for (const auto& loop : grp.shared)
        if (g.pipeline[first] == loop.rank + 1) grp.pipeline_rank = loop.rank;
      const workloads::Cascade tc = mapping::tile_cascade(m_c, grp.shared);
      for (int e : grp.einsums) grp.tiles.push_back(tile(tc, e, unit_of[e], grp));
      m.groups.push_back(grp);
    }
    return m;
  }

  // The genome of a cascade mapping whose groups are runs of the dependency order.
  Genome encode(const mapping::CascadeMapping& m) const {
    Genome g = blank();
    int i = 0;
    for (const auto& grp : m.groups) {
      const int first = i;
      for (size_t k = 0; k < grp.einsums.size(); ++k, ++i) {
        if (i >= size() || m_order[i] != grp.einsums[k])
          throw UserError(grp.loc, "the constraining design's groups are not runs of the dependency order");
        const auto& units = m_units[i];
        const auto u = std::find(units.begin(), units.end(), grp.tiles[k].compute);
        if (u == units.end()) throw UserError(grp.tiles[k].loc, "the constraining design binds an Einsum to a unit without its ops");
        g.unit[i] = static_cast<uint8_t>(u - units.begin());
        if (i + 1 < size()) g.cut[i] = k + 1 == grp.einsums.size();
      }
      for (const auto& loop : grp.shared) {
        const auto& d = m_divisors[loop.rank];
        const int64_t f = d[g.share[first][loop.rank]] * loop.factor;
        g.share[first][loop.rank] = static_cast<uint16_t>(std::lower_bound(d.begin(), d.end(), f) - d.begin());
      }
      g.retain[first] = grp.retain >= 0;
      g.private_retain[first] = !grp.retain_at.empty();
      g.pipeline[first] = static_cast<uint8_t>(grp.pipeline_rank + 1);
    }
    return g;
  }

  Genome mutate(const Genome& from, search::Rng& rng, const Free& free) const {
    Genome g = from;
    const std::vector<int> s = starts(g);
    const int first = s[rng.below(s.size())];
    std::vector<int> kinds;
    if (free.grouping) kinds.push_back(0);
    if (free.sharing) kinds.push_back(1);
    if (free.retention) kinds.insert(kinds.end(), {2, 3});
    if (free.pipelining) kinds.push_back(4);
    if (free.binding) kinds.push_back(5);
    if (kinds.empty()) return g;
    switch (kinds[rng.below(kinds.size())]) {
      case 0:
        if (size() > 1) g.cut[rng.below(size() - 1)] ^= 1;
        break;
      case 1: {
        // A rank some Einsum of the group iterates; a neighbouring or a random divisor.
        const auto& ranks = m_c.einsums[m_order[first + rng.below(group_size(g, first))]].iteration_ranks;
        if (ranks.empty()) break;
        const int r = ranks[rng.below(ranks.size())];
        const int n = static_cast<int>(m_divisors[r].size());
        int v = g.share[first][r];
        if (rng.below(2)) v = static_cast<int>(rng.below(n));
        else v = std::clamp(v + (rng.below(2) ? 1 : -1), 0, n - 1);
        g.share[first][r] = static_cast<uint16_t>(v);
        break;
      }
      case 2:
        g.retain[first] ^= 1;
        break;
      case 3:
        g.private_retain[first] ^= 1;
        break;
      case 4: {
        const auto& ranks = m_c.einsums[m_order[first + rng.below(group_size(g, first))]].iteration_ranks;
        g.pipeline[first] = rng.below(2) || ranks.empty() ? 0 : static_cast<uint8_t>(ranks[rng.below(ranks.size())] + 1);
        break;
      }
      default: {
        const int i = static_cast<int>(rng.below(size()));
        g.unit[i] = static_cast<uint8_t>(rng.below(m_units[i].size()));
      }
    }
    return g;
  }

 private:
  Genome blank() const {
    Genome g;
    const int n = size();
    g.cut.assign(n > 0 ? n - 1 : 0, 0);
    g.share.assign(n, std::vector<uint16_t>(m_c.ranks.size(), 0));
    g.retain.assign(n, 1);
    g.private_retain.assign(n, 0);
    g.pipeline.assign(n, 0);
    g.unit.assign(n, 0);
    for (int i = 0; i < n; ++i) {
      // Contractions on the unit with the most instances, other Einsums on the one with the fewest.
      const bool mac = mapping::is_contraction(m_c, m_order[i]);
      size_t best = 0;
      for (size_t k = 1; k < m_units[i].size(); ++k) {
        const int64_t now = m_a.nodes[m_units[i][k]].instances, was = m_a.nodes[m_units[i][best]].instances;
        if (mac ? now > was : now < was) best = k;
      }
      g.unit[i] = static_cast<uint8_t>(best);
    }
    return g;
  }

  int group_size(const Genome& g, int first) const {
    int end = first + 1;
    while (end < size() && !g.cut[end - 1]) ++end;
    return end - first;
  }

  // Canonical tile: the largest output rank across x, the largest rank across y.
  mapping::Mapping tile(const workloads::Cascade& tc, int e, int unit, const mapping::FusionGroup& grp) {
    const workloads::Einsum& es = tc.einsums[e];
    std::string key = std::to_string(e) + "/" + std::to_string(unit);
    for (int r : es.iteration_ranks) key += "/" + std::to_string(tc.ranks[r].size);
    named::TileRequest req;
    for (const auto& [t, node] : grp.retain_at)
      if (contains(mapping::einsum_tensors(es), t)) {
        req.retain.emplace_back(t, node);
        key += "/r" + std::to_string(t) + ":" + std::to_string(node);
      }
    auto it = m_tiles.find(key);
    if (it != m_tiles.end()) return it->second;
    auto by_size = [&](std::vector<int> ranks) {
      std::stable_sort(ranks.begin(), ranks.end(), [&](int x, int y) { return tc.ranks[x].size > tc.ranks[y].size; });
      std::vector<std::string> names;
      for (int r : ranks) names.push_back(tc.ranks[r].name);
      return names;
    };
    req.x_ranks = by_size(es.output_ranks);
    for (const auto& name : by_size(es.iteration_ranks))
      if (req.x_ranks.empty() || name != req.x_ranks.front()) req.y_ranks.push_back(name);
    mapping::Mapping m = named::canonical_tile(m_a, tc, e, unit, req);
    m_tiles.emplace(key, m);
    return m;
  }

  const arch::Architecture& m_a;
  const workloads::Cascade& m_c;
  std::vector<int> m_order;
  std::vector<std::vector<int64_t>> m_divisors;
  std::vector<std::vector<int>> m_units;
  std::map<std::string, mapping::Mapping> m_tiles;
};

}  // namespace

CascadeSearchResult search_cascade(const arch::Architecture& a, const workloads::Cascade& c,
                                   const CascadeSearchConfig& cfg) {
  Space space(a, c);
  search::Rng rng(search::derive_seed(cfg.seed, "cascade"));
  CascadeSearchResult out;
  std::map<Genome, double> seen;

  // A candidate the mapping rules reject costs -1 (counted, the first reason
  // kept); an input fault (a model limit, a near-zero bandwidth) propagates.
  auto cost_of = [&](const mapping::CascadeMapping& m, sim::Stats* stats) {
    const mapping::MappingStatus st = mapping::validate_cascade_mapping(m, c, a);
    if (!st.ok) {
      if (out.rejected++ == 0) out.first_reject = st.reason;
      return -1.0;
    }
    const sim::Stats s = sim::analytical::evaluate_cascade(a, c, m).stats;
    if (stats) *stats = s;
    return search::log_objective(s.cycles, s.energy_pj, cfg.latency_weight, cfg.energy_weight);
  };
  bool have_best = false;
  double best = 0;
  auto consider = [&](const mapping::CascadeMapping& m, double cost, const sim::Stats& s, bool seed) {
    if (cost < 0 || (have_best && cost >= best)) return;
    have_best = true;
    best = cost;
    out.best = m;
    out.stats = s;
    out.from_seed = seed;
  };
  auto evaluate = [&](const Genome& g) {
    auto it = seen.find(g);
    if (it != seen.end()) return it->second;
    ++out.evaluated;
    sim::Stats s;
    const mapping::CascadeMapping m = space.decode(g);
    const double cost = cost_of(m, &s);
    if (cost >= 0) {
      ++out.valid;
      consider(m, cost, s, false);
    }
    seen.emplace(g, cost);
    return cost;
  };

  std::vector<const mapping::CascadeMapping*> seeds;
  for (const auto& m : cfg.seeds) seeds.push_back(&m);
  if (cfg.constrain_to) seeds.push_back(cfg.constrain_to);
  for (const auto* m : seeds) {
    sim::Stats s;
    const double cost = cost_of(*m, &s);
    consider(*m, cost, s, true);
  }

  Free free;
  if (cfg.constrain_to) free = {false, true, false, false, false};
  // Annealing from the best of the natural starts (or from the constraining
  // design); temperatures in log
  // units (a 2x worse point is accepted with p = 1/4 at first), falling linearly to 0.
  Genome current = cfg.constrain_to ? space.encode(*cfg.constrain_to) : space.one_group();
  double current_cost = evaluate(current);
  std::vector<Genome> starts;
  if (!cfg.constrain_to) starts = {space.unfused(), space.recurrent_group()};
  for (const Genome& alt : starts) {
    const double alt_cost = evaluate(alt);
    if (current_cost < 0 || (alt_cost >= 0 && alt_cost < current_cost)) {
      current = alt;
      current_cost = alt_cost;
    }
  }
  // Every eighth of the budget the walk restarts from the best point it found.
  const double t0 = std::log(2.0) / std::log(4.0);
  Genome best_genome = current;
  double best_walk = current_cost;
  int64_t restart = cfg.max_evaluations / 8;
  for (int64_t i = 0; out.evaluated < cfg.max_evaluations && i < 50 * cfg.max_evaluations; ++i) {
    if (out.evaluated >= restart) {
      restart += cfg.max_evaluations / 8;
      current = best_genome;
      current_cost = best_walk;
    }
    const Genome next = space.mutate(current, rng, free);
    const double cost = evaluate(next);
    if (cost < 0) continue;
    if (best_walk < 0 || cost < best_walk) {
      best_walk = cost;
      best_genome = next;
    }
    const double t = t0 * (1.0 - static_cast<double>(out.evaluated) / static_cast<double>(cfg.max_evaluations));
    if (current_cost < 0 || cost <= current_cost || (t > 0 && rng.uniform() < std::exp(-(cost - current_cost) / t))) {
      current = next;
      current_cost = cost;
    }
  }
  if (!have_best)
    throw UserError(c.loc, "the cascade search found no valid mapping of '" + c.name + "' on '" + a.name + "' (" +
                               std::to_string(out.rejected) + " candidates rejected; the first: " + out.first_reject +
                               ")");
  out.cost = std::exp(best);
  return out;
}

}  // namespace einflow::cascade
