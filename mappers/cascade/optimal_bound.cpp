#include "mappers/cascade/optimal_bound.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace einflow::cascade {

GroupBounds::GroupBounds(const arch::Architecture& a, const workloads::Cascade& c) : m_arch(a), m_cascade(c) {
  for (const arch::Node& node : a.nodes)
    if (node.is_storage()) m_leak_per_cycle += node.leak_pj * static_cast<double>(node.instances);
}

TileBound GroupBounds::tile(const mapping::FusionGroup& grp, size_t k, const sim::Stats& st) const {
  TileBound t;
  t.unit = grp.tiles[k].compute;
  const std::string& unit = m_arch.nodes[static_cast<size_t>(t.unit)].name;
  const double n = static_cast<double>(grp.executions(m_cascade, grp.einsums[k]));
  double onchip = static_cast<double>(st.compute_cycles);
  for (const auto& level : st.per_level)
    if (m_arch.find(level.name) != m_arch.dram()) onchip = std::max(onchip, level.cycles);
  t.onchip = onchip * n;
  // The unit's work per execution is exact (operations x issue cycles over
  // instances) while the tile's compute cycles are rounded to the nearest
  // cycle: half a cycle less is at most any tile's cycles.
  const auto u = st.utilization.find(unit);
  const double work = u == st.utilization.end() ? 0 : u->second * static_cast<double>(st.cycles);
  t.work = std::max(0.0, work - 0.5) * n;
  for (const auto& en : st.energy)
    if (en.component == unit) t.unit_pj += en.energy_pj * n;
  return t;
}

Cost GroupBounds::with_leakage(double cycles, double unit_pj) const {
  const auto whole = static_cast<int64_t>(std::floor(std::min(cycles, 9.0e18)));  // past it the model rejects
  return {whole, unit_pj + static_cast<double>(whole) * m_leak_per_cycle};
}

Cost GroupBounds::of_tiles(const std::vector<TileBound>& tiles, bool pipelined) const {
  std::map<int, double> busy;
  double sequential = 0, unit_pj = 0;
  for (const TileBound& t : tiles) {
    sequential += t.onchip;
    busy[t.unit] += t.onchip;
    unit_pj += t.unit_pj;
  }
  double cycles = sequential;
  if (pipelined) {
    cycles = 0;
    for (const auto& [u, t] : busy) cycles = std::max(cycles, t);
  }
  return with_leakage(cycles, unit_pj);
}

Cost GroupBounds::of_bindings(const std::vector<double>& least_work, const std::vector<double>& least_pj,
                              int units) const {
  double largest = 0, total = 0, unit_pj = 0;
  for (double w : least_work) {
    largest = std::max(largest, w);
    total += w;
  }
  for (double e : least_pj) unit_pj += e;
  return with_leakage(std::max(largest, total / std::max(1, units)), unit_pj);
}

}  // namespace einflow::cascade
