// The user-facing report of one evaluation: names, per-level tables, energy by
// component and action, utilization.
#include <algorithm>
#include <cmath>

#include "sim/analytical/nest_model.h"

namespace einflow::sim {

double words_sent_up(const std::vector<LevelStats>& levels, size_t l, const std::vector<size_t>& above,
                     const std::function<double(const LevelStats&, const TensorAccesses&)>& updates_at) {
  double up = 0;
  for (const TensorAccesses& t : levels[l].tensors) {
    if (t.accesses.updates <= 0) continue;
    for (size_t j : above) {
      auto it = std::find_if(levels[j].tensors.begin(), levels[j].tensors.end(),
                             [&](const TensorAccesses& u) { return u.tensor == t.tensor; });
      if (it == levels[j].tensors.end()) continue;
      up += updates_at ? updates_at(levels[j], *it) : static_cast<double>(it->accesses.updates);
      break;
    }
  }
  return up;
}

double words_sent_up(const std::vector<LevelStats>& levels, size_t l,
                     const std::function<double(const LevelStats&, const TensorAccesses&)>& updates_at) {
  std::vector<size_t> above;
  for (size_t j = l; j-- > 0;) above.push_back(j);
  return words_sent_up(levels, l, above, updates_at);
}

int64_t whole_cycles(double cycles, const SourceLoc& where) {
  if (!(cycles < 4.611686e18))  // 2^62; NaN too
    throw CycleOverflow(where,
                    "the run would take more than 2^62 cycles (a bandwidth near zero, or a problem "
                    "too large to time)");
  return static_cast<int64_t>(std::ceil(cycles - 1e-9));
}

}  // namespace einflow::sim

namespace einflow::sim::analytical {

double NestModel::utilization(const NestResult& r) const {
  const double peak = static_cast<double>(r.cycles) * static_cast<double>(m_arch.nodes[m_compute].instances);
  return peak > 0 ? m_points * m_issue_cycles / peak : 0.0;
}

Stats NestModel::to_stats(const Nest& nest, const NestResult& r) const {
  Stats s;
  const arch::Node& unit = m_arch.nodes[m_compute];
  s.cycles = r.cycles;
  s.seconds = m_arch.seconds(static_cast<double>(r.cycles));
  s.energy_pj = r.energy_pj;
  s.area_um2 = m_arch.total_area_um2();
  s.compute_cycles = static_cast<int64_t>(r.compute_cycles + 0.5);
  s.bound_by = r.bound_level < 0 ? "compute" : m_arch.nodes[m_levels[r.bound_level].node].name;
  // Useful work over peak: remainder tiles leave instances and steps idle.
  s.utilization[unit.name] = utilization(r);
  for (int i = 0; i < nest.n_levels; ++i) {
    const arch::Node& node = m_arch.nodes[m_levels[i].node];
    LevelStats ls;
    ls.name = node.name;
    ls.instances_used = r.instances_used[i];
    ls.cycles = r.level_cycles[i];
    for (int t = 0; t < n_tensors(); ++t) {
      if (i > 0 && !(nest.levels[i].keep & (1u << t))) continue;
      TensorAccesses ta;
      ta.tensor = m_cascade.tensors[m_proj[t].tensor].name;
      ta.accesses = {std::llround(r.counts[i][t].reads), std::llround(r.counts[i][t].fills),
                     std::llround(r.counts[i][t].updates)};
      ta.tile_words = r.tile_words[i][t];
      ls.total += ta.accesses;
      ls.tensors.push_back(ta);
    }
    const double inst = static_cast<double>(r.instances_used[i]);
    double rpj = 0, fpj = 0, upj = 0;
    for (int t = 0; t < n_tensors(); ++t) {
      rpj += node.access_energy(r.counts[i][t].reads, inst, node.read_pj);
      fpj += node.access_energy(r.counts[i][t].fills, inst, node.write_pj);
      upj += node.access_energy(r.counts[i][t].updates, inst, node.update_pj);
    }
    s.energy.push_back({node.name, "read", ls.total.reads, rpj});
    s.energy.push_back({node.name, "fill", ls.total.fills, fpj});
    s.energy.push_back({node.name, "update", ls.total.updates, upj});
    if (node.leak_pj > 0)
      s.energy.push_back({node.name, "leak", r.cycles * std::max<int64_t>(1, r.instances_used[i]), leak_energy(i, r)});
    if (node.cls == arch::NodeClass::kDram)
      s.dram_bytes += (ls.total.reads + ls.total.fills + ls.total.updates) * node.word_bits / 8;
    s.per_level.push_back(ls);
  }
  EinsumStats es;
  es.name = m_cascade.einsums[m_einsum].name;
  es.cycles = r.cycles;
  es.energy_pj = r.energy_pj;
  es.unit = unit.name;
  for (const auto& need : m_needs) es.ops[need.op] = need.count;
  // Energy per action performed: a fused or composed op charges its steps.
  for (const auto& [action, per_point] : m_cover.actions) {
    const arch::OpSpec* op = unit.find_op(action);
    const int64_t count = std::llround(per_point * m_masked_points);
    s.energy.push_back({unit.name, action, count, static_cast<double>(count) * (op ? op->energy_pj : 0.0)});
  }
  s.per_einsum.push_back(es);
  return s;
}

}  // namespace einflow::sim::analytical
