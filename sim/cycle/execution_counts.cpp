#include "sim/cycle/execution_counts.h"

namespace einflow::sim::cycle::detail {
namespace {

// Whether node `upper` is a proper ancestor of node `lower`.
bool is_above(const arch::Architecture& a, int upper, int lower) {
  for (int n = a.nodes[static_cast<size_t>(lower)].parent; n >= 0; n = a.nodes[static_cast<size_t>(n)].parent)
    if (n == upper) return true;
  return false;
}

}  // namespace

ExecutionCounter::ExecutionCounter(const arch::Architecture& a, const workloads::Cascade& c,
                                   const mapping::FusionGroup& g, const std::vector<analytical::TileFigures>& tiles,
                                   const analytical::Residency& residency)
    : m_arch(a), m_cascade(c), m_group(g), m_tiles(tiles), m_residency(residency),
      m_executions(tiles.size(), 0),
      m_held(tiles.size(), std::vector<std::vector<int64_t>>(c.tensors.size())),
      m_has_held(tiles.size(), std::vector<uint8_t>(c.tensors.size(), 0)) {
  // The report lists levels and tensors in the order the tiles do.
  for (const auto& tile : tiles)
    for (const auto& l : tile.levels)
      for (const auto& ta : l.tensors) {
        const int home = residency.retained_node[static_cast<size_t>(ta.tensor)];
        if (home < 0 || !is_above(a, l.node, home) || !residency.stays_home(c, tile.einsum, ta.tensor))
          m_counts.add(l.node, ta.tensor, {});
      }
}

bool ExecutionCounter::fetches(int k, int t, const std::vector<int64_t>& offset) {
  const analytical::TileFigures& tile = m_tiles[static_cast<size_t>(k)];
  if (m_residency.retained_node[static_cast<size_t>(t)] >= 0 || !m_residency.is_resident(k, t)) return true;
  if (analytical::root_loops_move(m_cascade, m_group, tile, t)) return true;
  // The words it holds are those of the previous execution: the same ones
  // exactly when the tile's offsets along the ranks that index t are unchanged.
  const workloads::Einsum& e = m_cascade.einsums[static_cast<size_t>(tile.einsum)];
  std::vector<int64_t> words_at;
  for (size_t r = 0; r < m_cascade.ranks.size(); ++r)
    if (e.indexes(t, static_cast<int>(r))) words_at.push_back(offset[r]);
  auto& held = m_held[static_cast<size_t>(k)][static_cast<size_t>(t)];
  auto& has = m_has_held[static_cast<size_t>(k)][static_cast<size_t>(t)];
  const bool same = has && held == words_at;
  held = std::move(words_at);
  has = 1;
  return !same;
}

void ExecutionCounter::execution(int k, const std::vector<int64_t>& offset) {
  ++m_executions[static_cast<size_t>(k)];
  const analytical::TileFigures& tile = m_tiles[static_cast<size_t>(k)];
  // Decide each tensor's fetch once per execution (it appears at several levels).
  std::vector<int8_t> fetch(m_cascade.tensors.size(), -1);
  for (const auto& l : tile.levels)
    for (const auto& ta : l.tensors) {
      const int t = ta.tensor;
      const int home = m_residency.retained_node[static_cast<size_t>(t)];
      // A retained intermediate never goes there (unless its writer exports it).
      if (home >= 0 && is_above(m_arch, l.node, home) && m_residency.stays_home(m_cascade, tile.einsum, t)) continue;
      int8_t& f = fetch[static_cast<size_t>(t)];
      if (f < 0) f = fetches(k, t, offset) ? 1 : 0;
      analytical::DoubleAccesses x{static_cast<double>(ta.accesses.reads), static_cast<double>(ta.accesses.fills),
                                   static_cast<double>(ta.accesses.updates)};
      if (home == l.node) x.fills = 0;  // made there, never filled from above
      if (!f && l.node == m_arch.root()) x.reads = x.updates = 0;
      if (!f && l.node == tile.first_keeper(t)) x.fills = 0;
      m_counts.add(l.node, t, x);
    }
}

analytical::GroupStats ExecutionCounter::finish() const {
  analytical::GroupCounts counts = m_counts;
  for (size_t k = 0; k < m_tiles.size(); ++k) {
    const analytical::TileFigures& tile = m_tiles[k];
    const std::string& unit = m_arch.nodes[static_cast<size_t>(tile.unit)].name;
    const double n = static_cast<double>(m_executions[k]);
    for (const auto& en : tile.stats.energy)
      if (en.component == unit) counts.add_unit_energy(unit, en.action, static_cast<double>(en.count) * n, en.energy_pj * n);
  }
  analytical::GroupStats gs;
  counts.fill(m_arch, m_cascade, gs.stats);
  for (size_t k = 0; k < m_tiles.size(); ++k)
    gs.stats.per_einsum.push_back(analytical::einsum_over(m_tiles[k], static_cast<double>(m_executions[k]),
                                                          static_cast<double>(m_tiles[k].stats.cycles)));
  gs.stats.area_um2 = m_arch.total_area_um2();
  gs.retained = m_residency.retained;
  gs.spilled = m_residency.spilled;
  gs.peak_words = m_residency.peak_words;
  return gs;
}

}  // namespace einflow::sim::cycle::detail
