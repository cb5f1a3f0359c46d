// The walker's report: its counts and times in the analytical model's form
// (Stats through NestModel::to_stats), the stalls and bank conflicts.
#include <cmath>

#include "sim/analytical/nest_model.h"
#include "sim/cycle/nest_walker.h"

namespace einflow::sim::cycle::detail {

void Walker::report(double end, const UnitTiming& u, const ScheduleState& st, SimResult& out) {
  analytical::NestModel model(m_arch, m_tile_cascade, m_mapping.einsum, m_mapping.compute);
  analytical::Nest nest = model.nest_of(m_mapping);
  analytical::NestResult r;
  for (int k = 0; k < m_levels; ++k)
    for (size_t t = 0; t < m_tensors.size(); ++t) {
      const Counts& c = m_counts[static_cast<size_t>(k)][t];
      r.counts[static_cast<size_t>(k)][t] = {static_cast<double>(c.reads), static_cast<double>(c.fills),
                                             static_cast<double>(c.updates)};
      r.tile_words[static_cast<size_t>(k)][t] = k == 0 ? m_tile_cascade.tensors[static_cast<size_t>(m_tensors[t].tensor)].elements()
                                                       : m_tile_words[static_cast<size_t>(k)][t];
    }
  for (int k = 0; k <= m_levels; ++k) r.instances_used[static_cast<size_t>(k)] = m_instances[static_cast<size_t>(k)];
  for (int k = 0; k < m_levels; ++k) r.level_cycles[static_cast<size_t>(k)] = st.busy[static_cast<size_t>(k)];
  r.steps = st.steps;
  r.compute_instances = m_instances[static_cast<size_t>(m_levels)];
  r.compute_cycles = static_cast<double>(st.steps) * u.step_cycles;
  r.cycles = whole_cycles(end, m_arch.loc);
  for (int k = 0; k < m_levels; ++k)
    if (st.conflict[static_cast<size_t>(k)] > 0)
      out.bank_conflicts[level_node(k).name] += static_cast<int64_t>(std::llround(st.conflict[static_cast<size_t>(k)]));
  if (st.dram_timing_stall > 0) out.stalls["dram timing"] = static_cast<int64_t>(std::llround(st.dram_timing_stall));
  out.dram_timing_cycles = static_cast<int64_t>(std::llround(st.timing_total));
  if (st.pipe_stall > 0) out.stalls["pipeline " + u.acc_op] = static_cast<int64_t>(std::llround(st.pipe_stall));
  if (st.port_stall >= 0.5) out.stalls["ports"] = static_cast<int64_t>(std::llround(st.port_stall));
  // Bound by a level when waiting for it took more than half the run.
  r.bound_level = -1;
  for (int k = 1; k < m_levels; ++k) {
    const double w = st.stall[static_cast<size_t>(k)];
    // The level right under the DRAM fills from it: its waits are the DRAM's.
    if (w > 0)
      out.stalls[k - 1 == m_dram_level ? std::string("dram") : "fill " + level_node(k).name] = static_cast<int64_t>(w);
    if (2 * w > static_cast<double>(r.cycles) && (r.bound_level < 0 || w > st.stall[static_cast<size_t>(r.bound_level)]))
      r.bound_level = k;
  }
  out.stats = model.to_stats(nest, r);
  double energy = 0;
  for (const auto& en : out.stats.energy) energy += en.energy_pj;
  out.stats.energy_pj = energy;
  for (auto& es : out.stats.per_einsum) es.energy_pj = energy;
  if (m_opts.functional) {
    const std::string& name = m_cascade.tensors[static_cast<size_t>(m_einsum.output.tensor)].name;
    out.outputs[name] = m_root[name];
  }
}

}  // namespace einflow::sim::cycle::detail
