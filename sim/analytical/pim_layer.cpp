#include "sim/analytical/pim_layer.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/analytical/group_model.h"
#include "sim/analytical/peak_bound.h"
#include "workloads/analysis.h"

namespace einflow::sim::analytical {

namespace {

double op_energy(const arch::Node& unit, const char* op) {
  const arch::OpSpec* o = unit.find_op(op);
  return o ? o->energy_pj : 0;
}

// The Einsum on the host: its operands' DRAM energy and its operations'.
double host_energy(const arch::Architecture& a, const EinsumBound& eb, double bytes) {
  const arch::Node& dram = a.node(a.dram());
  double pj = bytes * 8 * dram.pj_per_bit;
  const int u = a.find(eb.unit);
  if (u >= 0) {
    const arch::Node& unit = a.node(u);
    const double other = std::max(op_energy(unit, "add"), op_energy(unit, "mac"));
    pj += static_cast<double>(eb.matmul_flops) / 2 * op_energy(unit, "mac") + static_cast<double>(eb.other_flops) * other;
  }
  return pj;
}

}  // namespace

PimGemv pim_gemv_of(const workloads::VectorMatrix& v) {
  PimGemv g;
  g.matrices = v.matrices;
  g.rows = v.rows;
  g.cols = v.cols;
  return g;
}

bool pim_layout_fits(const arch::DramStandard& s, const workloads::VectorMatrix& v, PimLayout layout) {
  return v.ok && pim_gemv_fits(s, pim_gemv_of(v), layout);
}

void require_pim_layout_fits(const arch::DramStandard& s, const workloads::Einsum& e, const workloads::VectorMatrix& v,
                             PimLayout layout, const SourceLoc& where) {
  if (!pim_layout_fits(s, v, layout))
    throw UserError(where, "Einsum " + e.name + "'s weights do not fit the rows of " + s.name + "'s banks in the " +
                               pim_layout_name(layout) + " layout");
}

PimVmmCost pim_vmm_cost(const arch::DramStandard& s, const workloads::VectorMatrix& v, PimLayout layout) {
  const PimEstimate est = estimate_pim_gemv(s, pim_gemv_of(v), layout, true);
  const double n = static_cast<double>(v.vectors);
  PimVmmCost c;
  c.seconds = n * est.cycles * s.timing.tck_ns * 1e-9;
  c.energy_pj = n * est.energy_pj(s);
  c.offchip_bytes = n * est.offchip_bytes;
  c.inbank_bytes = n * est.inbank_bytes;
  c.unit_ops = n * est.unit_ops;
  c.activations = n * est.activations;
  c.column_commands = n * est.column_commands;
  return c;
}

std::optional<PimLayout> best_pim_layout(const arch::DramStandard& s, const workloads::VectorMatrix& v) {
  std::optional<PimLayout> best;
  double best_s = 0;
  for (PimLayout layout : {PimLayout::kRounds, PimLayout::kRowStream}) {
    if (!pim_layout_fits(s, v, layout)) continue;
    const double t = pim_vmm_cost(s, v, layout).seconds;
    if (!best || t < best_s) {
      best = layout;
      best_s = t;
    }
  }
  return best;
}

std::optional<PimLayout> pim_layout_for(const arch::Architecture& a, const workloads::Cascade& c, int einsum) {
  if (a.pim_unit() < 0) return std::nullopt;
  return best_pim_layout(*a.node(a.dram()).dram_standard,
                         workloads::vector_matrix(c, c.einsums[static_cast<size_t>(einsum)]));
}

// The KV cache's copies on the DRAM: read where it lies (nothing), or the new
// token's values written into it over the channel (read and written once).
Stats cache_copy_stats(const arch::Architecture& a, const workloads::Cascade& c, const workloads::Einsum& e,
                       const SourceLoc& where) {
  Stats st;
  st.area_um2 = a.total_area_um2();
  const arch::Node& dram = a.node(a.dram());
  const int unit = a.pim_unit();
  st.bound_by = dram.name;
  EinsumStats es;
  es.name = e.name;
  es.unit = a.node(unit).name;
  set_utilization(st, a, {});
  if (workloads::cache_append(c, e)) {
    const double words = static_cast<double>(workloads::masked_points(c, e));
    const double bytes = 2 * words * dram.word_bits / 8;
    st.seconds = bytes / (dram.bandwidth_gbps * 1e9);
    st.cycles = whole_cycles(st.seconds * a.clock_mhz * 1e6, where);
    st.seconds = a.seconds(static_cast<double>(st.cycles));
    st.dram_bytes = static_cast<int64_t>(std::llround(bytes));
    st.energy_pj = 8 * bytes * dram.pj_per_bit;
    st.energy.push_back({dram.name, "transfer", static_cast<int64_t>(std::llround(2 * words)), st.energy_pj});
    LevelStats dl;
    dl.name = dram.name;
    dl.total.reads = dl.total.updates = static_cast<int64_t>(std::llround(words));
    st.per_level.push_back(dl);
    es.cycles = st.cycles;
    es.energy_pj = st.energy_pj;
  }
  st.per_einsum.push_back(es);
  add_leakage(st, a);
  return st;
}

Stats pim_einsum_stats(const arch::Architecture& a, const workloads::Cascade& c, int einsum, PimLayout layout,
                       const SourceLoc& where) {
  const int dram = a.dram(), unit = a.pim_unit();
  if (dram < 0 || unit < 0) throw InternalError("pim_einsum_stats: no PIM unit");
  const arch::DramStandard& s = *a.node(dram).dram_standard;
  const workloads::Einsum& e = c.einsums[static_cast<size_t>(einsum)];
  const workloads::VectorMatrix v = workloads::vector_matrix(c, e);
  if (!v.ok) return cache_copy_stats(a, c, e, where);
  require_pim_layout_fits(s, e, v, layout, where);
  return pim_vmm_stats(a, e, pim_vmm_cost(s, v, layout), where);
}

Stats pim_vmm_stats(const arch::Architecture& a, const workloads::Einsum& e, const PimVmmCost& cost,
                    const SourceLoc& where) {
  const int dram = a.dram(), unit = a.pim_unit();
  const arch::DramStandard& s = *a.node(dram).dram_standard;
  const arch::Node& pim = a.node(unit);
  const arch::Node& bank = a.node(pim.parent);
  Stats st;
  st.cycles = whole_cycles(cost.seconds * a.clock_mhz * 1e6, where);
  st.seconds = a.seconds(static_cast<double>(st.cycles));
  st.compute_cycles = st.cycles;
  st.dram_bytes = static_cast<int64_t>(std::llround(cost.offchip_bytes));
  st.area_um2 = a.total_area_um2();
  st.bound_by = pim.name;
  const double word_bytes = bank.word_bits / 8.0;
  const double inbank_words = cost.inbank_bytes / word_bytes, offchip_words = cost.offchip_bytes / word_bytes;
  st.energy.push_back({bank.name, "read", static_cast<int64_t>(std::llround(inbank_words)),
                       8 * cost.inbank_bytes * s.pim.inbank_pj_per_bit});
  st.energy.push_back({pim.name, "mac", static_cast<int64_t>(std::llround(cost.unit_ops)), cost.unit_ops * s.pim.pj_per_mac});
  st.energy.push_back({a.node(dram).name, "transfer", static_cast<int64_t>(std::llround(offchip_words)),
                       8 * cost.offchip_bytes * s.pj_per_bit});
  for (const EnergyEntry& en : st.energy) st.energy_pj += en.energy_pj;
  LevelStats dl;
  dl.name = a.node(dram).name;
  dl.total.reads = static_cast<int64_t>(std::llround(offchip_words));
  st.per_level.push_back(dl);
  LevelStats bl;
  bl.name = bank.name;
  bl.total.reads = static_cast<int64_t>(std::llround(inbank_words));
  bl.instances_used = bank.instances;
  st.per_level.push_back(bl);
  EinsumStats es;
  es.name = e.name;
  es.cycles = st.cycles;
  es.energy_pj = st.energy_pj;
  es.unit = pim.name;
  es.ops["mac"] = static_cast<int64_t>(std::llround(cost.unit_ops));
  st.per_einsum.push_back(es);
  // Busy unit-cycles: the lanes' MACs at the units' peak, all units together.
  const double peak = pim.find_op("mac")->per_cycle * static_cast<double>(pim.instances);
  set_utilization(st, a, {{pim.name, cost.unit_ops / peak}});
  add_leakage(st, a);  // the host's storage stays powered
  return st;
}

PimCascade pim_cascade(const arch::Architecture& a, const workloads::Cascade& c, PimPolicy policy) {
  const int dram = a.dram();
  const arch::DramStandard* s = dram >= 0 && a.node(dram).dram_standard ? &*a.node(dram).dram_standard : nullptr;
  const bool pim = s && s->pim.enabled();
  if (policy == PimPolicy::kBest && !pim)
    throw UserError(a.loc.file.empty() ? SourceLoc{a.file, 0, 0} : a.loc,
                    "the PIM designs need a DRAM with PIM units: its node's standard with a pim section "
                    "(HBM2-PIM, GDDR6-AiM, GDDR6-PIM-GPT; configs/arch/pim-gpt.yaml is one); " + a.name + " has " +
                        (s ? "DRAM standard " + s->name + ", without" : std::string("no DRAM standard")));
  PimCascade r;
  const CascadeBound bound = peak_bound(a, c);
  for (size_t i = 0; i < c.einsums.size(); ++i) {
    const workloads::Einsum& e = c.einsums[i];
    const EinsumBound& eb = *std::find_if(bound.einsums.begin(), bound.einsums.end(),
                                          [&](const EinsumBound& b) { return b.name == e.name; });
    PimPlacement p;
    p.einsum = e.name;
    double eb_bytes = eb.bytes;
    if (workloads::in_place_copy(c, e)) {
      p.where = "in place";
      r.einsums.push_back(p);
      continue;
    }
    p.host_seconds = std::max(eb.compute_seconds, eb.memory_seconds);  // its roofline
    p.host_unit = eb.unit;
    p.host_compute_seconds = eb.compute_seconds;
    if (workloads::cache_append(c, e) && dram >= 0 && a.node(dram).bandwidth_gbps > 0) {
      // The new values, read and written once.
      const double bytes = 2.0 * static_cast<double>(workloads::masked_points(c, e)) * a.node(a.root()).word_bits / 8;
      p.host_seconds = bytes / (a.node(dram).bandwidth_gbps * 1e9);
      eb_bytes = bytes;
    }
    const workloads::VectorMatrix v = workloads::vector_matrix(c, e);
    p.vmm = v.ok;
    p.matrix_input = v.matrix_input;
    p.where = "host";
    p.seconds = p.host_seconds;
    p.energy_pj = host_energy(a, eb, eb_bytes);
    p.offchip_bytes = eb_bytes;
    if (v.ok && pim && policy == PimPolicy::kBest) {
      p.shape = {v.matrices, v.rows, v.cols};
      p.vectors = v.vectors;
      const std::optional<PimLayout> layout = best_pim_layout(*s, v);
      if (layout) {
        p.layout = *layout;
        const PimVmmCost cost = pim_vmm_cost(*s, v, *layout);
        p.pim_seconds = cost.seconds;
        if (p.pim_seconds < p.host_seconds) {
          p.where = "pim";
          p.seconds = p.pim_seconds;
          p.energy_pj = cost.energy_pj;
          p.offchip_bytes = cost.offchip_bytes;
          p.pim_macs = cost.unit_ops;
          r.pim_activations += cost.activations;
          r.pim_column_commands += cost.column_commands;
        }
      }
    }
    r.seconds += p.seconds;
    r.energy_pj += p.energy_pj;
    r.offchip_bytes += p.offchip_bytes;
    if (p.vmm) r.vmm_seconds += p.seconds;
    r.einsums.push_back(p);
  }
  return r;
}

Stats pim_cascade_stats(const arch::Architecture& a, const PimCascade& r) {
  Stats st;
  st.seconds = r.seconds;
  st.cycles = whole_cycles(r.seconds * a.clock_mhz * 1e6, a.loc);
  st.energy_pj = r.energy_pj;
  st.dram_bytes = static_cast<int64_t>(r.offchip_bytes);
  st.area_um2 = a.total_area_um2();
  double pim_s = 0, host_s = 0;
  for (const PimPlacement& p : r.einsums) (p.where == "pim" ? pim_s : host_s) += p.seconds;
  st.bound_by = pim_s >= host_s ? "pim" : "host";
  // Each unit's work at its peak over the run: the host's Einsums at their
  // units' compute time, the PIM Einsums' MACs at the PIM units' rate.
  std::map<std::string, double> work;
  const double hz = a.clock_mhz * 1e6;
  const int pim_unit = a.pim_unit();
  for (const PimPlacement& p : r.einsums) {
    if (p.where == "host") work[p.host_unit] += p.host_compute_seconds * hz;
    if (p.where == "pim" && pim_unit >= 0) {
      const arch::Node& u = a.node(pim_unit);
      work[u.name] += p.pim_macs / (u.find_op("mac")->per_cycle * static_cast<double>(u.instances));
    }
  }
  set_utilization(st, a, work);
  for (const PimPlacement& p : r.einsums) {
    if (p.where == "in place") continue;
    EinsumStats es;
    es.name = p.einsum;
    es.cycles = whole_cycles(p.seconds * a.clock_mhz * 1e6, a.loc);
    es.energy_pj = p.energy_pj;
    es.unit = p.where == "pim" ? "PIM" : p.host_unit;
    st.per_einsum.push_back(es);
  }
  st.energy.push_back({"einsums", "total", static_cast<int64_t>(st.per_einsum.size()), r.energy_pj});
  return st;
}

}  // namespace einflow::sim::analytical
