#include "mappers/cascade/cascade_space.h"

#include <algorithm>

#include "common/contains.h"
#include "mappers/mapping/unit_ops.h"
#include "mappers/named/named.h"
#include "sim/analytical/nest_model.h"
#include "sim/analytical/pim_layer.h"
#include "workloads/analysis.h"

namespace einflow::cascade {

CascadeSpace::CascadeSpace(const arch::Architecture& a, const workloads::Cascade& c)
    : m_arch(a), m_cascade(c), m_order(c.topo_order) {
  for (const auto& r : c.ranks) {
    std::vector<int64_t> d;
    for (int64_t x = 1; x <= r.size; ++x)
      if (r.size % x == 0) d.push_back(x);
    m_divisors.push_back(d);
  }
  for (int e : m_order) {
    std::vector<int> units;
    for (int u : a.host_units()) {
      if (mapping::cover_einsum(a.nodes[u], c, e).ok) units.push_back(u);
    }
    // The PIM unit, for a vector-matrix product over an operand in the DRAM
    // whose weights fit the banks' rows in some layout, and for the KV
    // cache's copies (read in place, the new token appended).
    const workloads::Einsum& es = c.einsums[static_cast<size_t>(e)];
    const std::optional<sim::PimLayout> layout = sim::analytical::pim_layout_for(a, c, e);
    if (a.pim_unit() >= 0 && (layout || workloads::in_place_copy(c, es) || workloads::cache_append(c, es))) {
      units.push_back(a.pim_unit());
      m_pim_tiles.emplace(e, pim_tile(e, layout ? sim::pim_layout_name(*layout) : ""));
    }
    if (units.empty())
      throw UserError(c.einsums[e].loc, "no compute unit of '" + a.name + "' can run Einsum " + c.einsums[e].name);
    m_units.push_back(units);
  }
}

void CascadeSpace::constrain_to(const mapping::CascadeMapping& design) {
  for (const auto& grp : design.groups)
    for (size_t k = 0; k < grp.einsums.size(); ++k) {
      // Say which rule the design breaks, at its group or tile.
      const auto at = std::find(m_order.begin(), m_order.end(), grp.einsums[k]);
      const size_t i = static_cast<size_t>(at - m_order.begin());
      if (at == m_order.end()) continue;
      const auto& units = m_units[i];
      if (k < grp.tiles.size() && std::find(units.begin(), units.end(), grp.tiles[k].compute) == units.end())
        throw UserError(grp.tiles[k].loc, "the constraining design binds an Einsum to a unit without its ops");
    }
  m_base = encode(design);
  if (!m_base)
    throw UserError(design.groups.empty() ? design.loc : design.groups.front().loc,
                    "the constraining design's groups are not runs of the dependency order");
  m_free = {false, true, false, false, false};
}

CascadeGenome CascadeSpace::blank() const {
  CascadeGenome g;
  const int n = size();
  g.cut.assign(n > 0 ? n - 1 : 0, 0);
  g.share.assign(n, std::vector<uint16_t>(m_cascade.ranks.size(), 0));
  g.retain.assign(n, 1);
  g.private_retain.assign(n, 0);
  g.pipeline.assign(n, 0);
  g.unit.assign(n, 0);
  for (int i = 0; i < n; ++i) {
    // Contractions on the host unit with the most instances, other Einsums on
    // the one with the fewest (the PIM unit, last in m_units, only when no
    // host unit can run it; pim_start() puts what it can run there).
    const bool mac = mapping::is_contraction(m_cascade, m_order[i]);
    size_t best = 0;
    for (size_t k = 1; k < m_units[i].size(); ++k) {
      if (m_arch.is_pim(m_units[i][k])) continue;
      const int64_t now = m_arch.nodes[m_units[i][k]].instances, was = m_arch.nodes[m_units[i][best]].instances;
      if (mac ? now > was : now < was) best = k;
    }
    g.unit[i] = static_cast<uint8_t>(best);
  }
  return g;
}

// One group sharing, in full, the ranks that index every tensor (independent
// slices such as batch and heads: sharing them costs no reuse).
CascadeGenome CascadeSpace::one_group() const {
  CascadeGenome g = blank();
  for (size_t r = 0; r < m_cascade.ranks.size(); ++r) {
    bool all = m_cascade.ranks[r].size > 1;
    for (const auto& t : m_cascade.tensors) all = all && contains(t.ranks, static_cast<int>(r));
    if (all) g.share[0][r] = static_cast<uint16_t>(m_divisors[r].size() - 1);
  }
  return g;
}

// Every Einsum alone, contractions on the widest unit, the rest on the narrowest.
CascadeGenome CascadeSpace::unfused() const {
  CascadeGenome g = blank();
  std::fill(g.cut.begin(), g.cut.end(), 1);
  return g;
}

// One group that also runs its recurrences' iterative ranks as shared loops,
// innermost, pipelined, keeping single-unit intermediates in the units' own levels.
CascadeGenome CascadeSpace::recurrent_group() const {
  CascadeGenome g = one_group();
  for (size_t r = 0; r < m_cascade.ranks.size(); ++r)
    if (m_cascade.ranks[r].iterative && m_cascade.ranks[r].size > 1) {
      g.share[0][r] = static_cast<uint16_t>(m_divisors[r].size() - 1);
      g.pipeline[0] = static_cast<uint8_t>(r + 1);
    }
  g.private_retain[0] = 1;
  return g;
}

// Every Einsum alone, each one the PIM unit can run on it.
CascadeGenome CascadeSpace::pim_start() const {
  CascadeGenome g = unfused();
  for (int i = 0; i < size(); ++i)
    if (m_arch.is_pim(m_units[i].back())) g.unit[i] = static_cast<uint8_t>(m_units[i].size() - 1);
  return g;
}

std::vector<CascadeGenome> CascadeSpace::natural_starts() const {
  if (m_base) return {*m_base};
  if (m_arch.pim_unit() >= 0) return {one_group(), unfused(), recurrent_group(), pim_start()};
  return {one_group(), unfused(), recurrent_group()};
}

bool CascadeSpace::on_pim(const CascadeGenome& g, int i) const {
  return m_arch.is_pim(m_units[i][g.unit[i] % m_units[i].size()]);
}

std::vector<int> CascadeSpace::starts(const CascadeGenome& g) const {
  std::vector<int> s = {0};
  for (int i = 0; i + 1 < size(); ++i)
    if (g.cut[i]) s.push_back(i + 1);
  return s;
}

int CascadeSpace::group_end(const CascadeGenome& g, int first) const {
  int end = first + 1;
  while (end < size() && !g.cut[end - 1]) ++end;
  return end;
}

std::vector<int> CascadeSpace::group_ranks(int first, int end) const {
  std::vector<int> ranks;
  for (int i = first; i < end; ++i)
    for (int r : m_cascade.einsums[m_order[i]].iteration_ranks)
      if (!contains(ranks, r)) ranks.push_back(r);
  std::sort(ranks.begin(), ranks.end());
  return ranks;
}

mapping::CascadeMapping CascadeSpace::decode(const CascadeGenome& g) const {
  const auto& c = m_cascade;
  mapping::CascadeMapping m;
  m.loc = c.loc;
  // The groups the cuts make, with each Einsum on the PIM unit in a group of its own.
  std::vector<int> s = starts(g);
  for (int i = 0; i < size(); ++i)
    if (on_pim(g, i)) {
      s.push_back(i);
      if (i + 1 < size()) s.push_back(i + 1);
    }
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  for (size_t k = 0; k < s.size(); ++k) m.groups.push_back(decode_group(g, s[k], k + 1 < s.size() ? s[k + 1] : size()));
  return m;
}

mapping::FusionGroup CascadeSpace::decode_group(const CascadeGenome& g, int first, int end,
                                                const workloads::Cascade* tile_cascade) const {
  const auto& c = m_cascade;
  mapping::FusionGroup grp;
  grp.loc = c.loc;
  std::vector<int> unit_of(c.einsums.size(), -1);
  for (int i = first; i < end; ++i) {
    const int e = m_order[i];
    grp.einsums.push_back(e);
    unit_of[e] = m_units[i][g.unit[i] % m_units[i].size()];
  }
  if (on_pim(g, first)) {  // its layout is its mapping: nothing shared, kept or pipelined
    grp.tiles.push_back(m_pim_tiles.at(grp.einsums[0]));
    return grp;
  }
  const std::vector<int> iterated = group_ranks(first, end);
  for (size_t r = 0; r < c.ranks.size(); ++r) {
    const int64_t f = m_divisors[r][g.share[first][r] % m_divisors[r].size()];
    if (f > 1 && contains(iterated, static_cast<int>(r)))
      grp.shared.push_back({static_cast<int>(r), f, mapping::Axis::kX, c.loc});
  }
  // The deepest storage level every unit of the group reaches, when below the root.
  std::vector<int> group_units;
  for (int e : grp.einsums) group_units.push_back(unit_of[e]);
  const int common = named::common_storage(m_arch, group_units);
  if (g.retain[first] && common != m_arch.root()) grp.retain = common;
  if (g.private_retain[first] && grp.retain >= 0)
    for (size_t t = 0; t < c.tensors.size(); ++t) {
      const workloads::Tensor& x = c.tensors[t];
      if (x.kind != workloads::TensorKind::kIntermediate || x.writers.empty()) continue;
      int unit = -1;
      bool one = true;
      for (int w : x.writers) {
        const auto& we = c.einsums[w];
        one = one && unit_of[w] >= 0 && !(we.expr.size() == 1 && we.reduced_ranks.empty());
        if (one && unit < 0) unit = unit_of[w];
        one = one && unit_of[w] == unit;
      }
      for (int r : x.readers) one = one && unit_of[r] == unit;
      if (!one || unit < 0) continue;
      const int own = m_arch.storage_path(unit).back();
      if (own != common) grp.retain_at.emplace_back(static_cast<int>(t), own);
    }
  for (const auto& loop : grp.shared)
    if (g.pipeline[first] == loop.rank + 1) grp.pipeline_rank = loop.rank;
  const mapping::TileCascade tile_c(c, tile_cascade ? std::vector<mapping::Loop>{} : grp.shared);
  const workloads::Cascade& tc = tile_cascade ? *tile_cascade : tile_c.get();
  for (int e : grp.einsums) grp.tiles.push_back(tile(tc, e, unit_of[e], grp));
  return grp;
}

std::optional<CascadeGenome> CascadeSpace::encode(const mapping::CascadeMapping& m) const {
  CascadeGenome g = blank();
  int i = 0;
  for (const auto& grp : m.groups) {
    const int first = i;
    if (grp.tiles.size() != grp.einsums.size()) return std::nullopt;
    for (size_t k = 0; k < grp.einsums.size(); ++k, ++i) {
      if (i >= size() || m_order[i] != grp.einsums[k]) return std::nullopt;
      const auto& units = m_units[i];
      const auto u = std::find(units.begin(), units.end(), grp.tiles[k].compute);
      if (u == units.end()) return std::nullopt;
      g.unit[i] = static_cast<uint8_t>(u - units.begin());
      if (i + 1 < size()) g.cut[i] = k + 1 == grp.einsums.size();
    }
    for (const auto& loop : grp.shared) {
      const auto& d = m_divisors[loop.rank];
      const int64_t f = d[g.share[first][loop.rank]] * loop.factor;
      const auto at = std::lower_bound(d.begin(), d.end(), f);
      if (at == d.end() || *at != f) return std::nullopt;
      g.share[first][loop.rank] = static_cast<uint16_t>(at - d.begin());
    }
    g.retain[first] = grp.retain >= 0;
    g.private_retain[first] = !grp.retain_at.empty();
    g.pipeline[first] = static_cast<uint8_t>(grp.pipeline_rank + 1);
  }
  if (i != size()) return std::nullopt;
  return g;
}

mapping::Mapping CascadeSpace::pim_tile(int e, const std::string& layout) const {
  mapping::Mapping m;
  m.einsum = e;
  m.einsum_name = m_cascade.einsums[e].name;
  m.compute = m_arch.pim_unit();
  m.loc = m_cascade.einsums[e].loc;
  for (int node : m_arch.storage_path(m.compute)) {
    mapping::LevelMapping l;
    l.node = node;
    l.loc = m.loc;
    m.levels.push_back(l);
  }
  m.pim_layout = layout;
  return m;
}

std::string CascadeSpace::tile_key(const workloads::Cascade& tc, int e, int unit,
                                   const mapping::FusionGroup& grp) const {
  const workloads::Einsum& es = tc.einsums[e];
  std::string key = std::to_string(e) + "/" + std::to_string(unit);
  for (int r : es.iteration_ranks) key += "/" + std::to_string(tc.ranks[r].size);
  for (const auto& [t, node] : grp.retain_at)
    if (contains(mapping::einsum_tensors(es), t)) key += "/r" + std::to_string(t) + ":" + std::to_string(node);
  return key;
}

const CascadeSpace::TileFacts& CascadeSpace::tile_facts(const workloads::Cascade& tc, const mapping::FusionGroup& grp,
                                                         size_t k) const {
  const mapping::Mapping& m = grp.tiles[k];
  const std::string key = tile_key(tc, grp.einsums[k], m.compute, grp);
  {
    std::lock_guard<std::mutex> lock(m_tiles_mutex);
    auto it = m_facts.find(key);
    if (it != m_facts.end()) return it->second;
  }
  TileFacts f;
  f.status = mapping::validate_mapping(m, tc, m_arch);
  if (f.status.ok) f.stats = sim::analytical::evaluate_mapping(m_arch, tc, m);
  std::lock_guard<std::mutex> lock(m_tiles_mutex);
  return m_facts.emplace(key, std::move(f)).first->second;
}

// Canonical tile: the largest output rank across x, the largest rank across y.
mapping::Mapping CascadeSpace::tile(const workloads::Cascade& tc, int e, int unit,
                                    const mapping::FusionGroup& grp) const {
  const workloads::Einsum& es = tc.einsums[e];
  const std::string key = tile_key(tc, e, unit, grp);
  named::TileRequest req;
  for (const auto& [t, node] : grp.retain_at)
    if (contains(mapping::einsum_tensors(es), t)) req.retain.emplace_back(t, node);
  {
    std::lock_guard<std::mutex> lock(m_tiles_mutex);
    auto it = m_tiles.find(key);
    if (it != m_tiles.end()) return it->second;
  }
  auto by_size = [&](std::vector<int> ranks) {
    std::stable_sort(ranks.begin(), ranks.end(), [&](int x, int y) { return tc.ranks[x].size > tc.ranks[y].size; });
    std::vector<std::string> names;
    for (int r : ranks) names.push_back(tc.ranks[r].name);
    return names;
  };
  req.x_ranks = by_size(es.output_ranks);
  for (const auto& name : by_size(es.iteration_ranks))
    if (req.x_ranks.empty() || name != req.x_ranks.front()) req.y_ranks.push_back(name);
  mapping::Mapping m = named::canonical_tile(m_arch, tc, e, unit, req);
  std::lock_guard<std::mutex> lock(m_tiles_mutex);
  return m_tiles.emplace(key, std::move(m)).first->second;
}

}  // namespace einflow::cascade
