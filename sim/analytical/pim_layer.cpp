#include "sim/analytical/pim_layer.h"

#include <algorithm>
#include <set>

#include "sim/analytical/peak_bound.h"
#include "workloads/analysis.h"

namespace einflow::sim::analytical {

namespace {

int copy_source(const workloads::Einsum& e) { return e.inputs[static_cast<size_t>(e.expr[0].access)].tensor; }

// A tensor the DRAM holds: an input (weights, the cache), or one written only
// by copies, one of them from such a tensor (K and V: the cache read where it
// lies, the new token's k and v appended to it).
bool resident(const workloads::Cascade& c, int tensor) {
  const workloads::Tensor& t = c.tensors[static_cast<size_t>(tensor)];
  if (t.kind == workloads::TensorKind::kInput) return true;
  if (t.writers.empty()) return false;
  bool from_resident = false;
  for (int w : t.writers) {
    const workloads::Einsum& e = c.einsums[static_cast<size_t>(w)];
    if (!workloads::is_copy(e)) return false;
    const int src = copy_source(e);
    if (src != tensor && c.tensors[static_cast<size_t>(src)].kind == workloads::TensorKind::kInput) from_resident = true;
  }
  return from_resident;
}

// A copy whose source lies in the DRAM: the cache read in place (costs nothing).
bool in_place_copy(const workloads::Cascade& c, const workloads::Einsum& e) {
  return workloads::is_copy(e) && resident(c, copy_source(e));
}

// A copy of a new value into a resident tensor: the new token appended to the cache.
bool append(const workloads::Cascade& c, const workloads::Einsum& e) {
  return workloads::is_copy(e) && !in_place_copy(c, e) && resident(c, e.output.tensor);
}

struct Vmm {
  bool ok = false;
  PimGemv shape;
  int64_t vectors = 1;
  int matrix_input = -1;
};

// Whether `e` is a vector-matrix product over a resident operand, and its shape.
Vmm as_vmm(const workloads::Cascade& c, const workloads::Einsum& e) {
  Vmm v;
  if (e.inputs.size() != 2 || e.reduced_ranks.empty() || e.reduce != workloads::Reduce::kSum) return v;
  // A product of the two operands (a constant factor allowed, as a scale).
  for (const workloads::ExprNode& n : e.expr) {
    if (n.kind == workloads::ExprNode::Kind::kUnary) return v;
    if (n.kind == workloads::ExprNode::Kind::kBinary && n.op != workloads::Op::kMul) return v;
  }
  // The matrix: the resident operand (the larger when both are: the LM head's
  // hidden state is a cascade input beside its weights).
  int m = e.inputs[0].tensor, x = e.inputs[1].tensor;
  const auto elements = [&](int t) { return c.tensors[static_cast<size_t>(t)].elements(); };
  if (!resident(c, m) || (resident(c, x) && elements(x) > elements(m))) std::swap(m, x);
  if (!resident(c, m) || m == x) return v;
  v.shape.rows = v.shape.cols = v.shape.matrices = 1;
  for (int r : e.reduced_ranks) {
    if (!e.indexes(m, r) || !e.indexes(x, r)) return Vmm{};
    v.shape.cols *= c.ranks[static_cast<size_t>(r)].size;
  }
  for (int r : e.output_ranks) {
    const int64_t n = c.ranks[static_cast<size_t>(r)].size;
    const bool in_m = e.indexes(m, r), in_x = e.indexes(x, r);
    if (in_m && in_x) v.shape.matrices *= n;
    else if (in_m) v.shape.rows *= n;
    else v.vectors *= n;  // the other operand's own ranks, or ranks only the output has (the product repeated)
  }
  v.ok = true;
  v.matrix_input = e.inputs[0].tensor == m ? 0 : 1;
  return v;
}

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
    if (in_place_copy(c, e)) {
      p.where = "in place";
      r.einsums.push_back(p);
      continue;
    }
    p.host_seconds = std::max(eb.compute_seconds, eb.memory_seconds);  // its roofline
    p.host_unit = eb.unit;
    if (append(c, e) && dram >= 0 && a.node(dram).bandwidth_gbps > 0) {  // the new values, read and written once
      const double bytes = 2.0 * static_cast<double>(workloads::masked_points(c, e)) * a.node(a.root()).word_bits / 8;
      p.host_seconds = bytes / (a.node(dram).bandwidth_gbps * 1e9);
      eb_bytes = bytes;
    }
    const Vmm v = as_vmm(c, e);
    p.vmm = v.ok;
    p.matrix_input = v.matrix_input;
    p.where = "host";
    p.seconds = p.host_seconds;
    p.energy_pj = host_energy(a, eb, eb_bytes);
    p.offchip_bytes = eb_bytes;
    if (v.ok && pim && policy == PimPolicy::kBest) {
      p.shape = v.shape;
      p.vectors = v.vectors;
      PimEstimate best;
      for (PimLayout layout : {PimLayout::kRounds, PimLayout::kRowStream}) {
        if (layout == PimLayout::kRowStream && s->pim.command_set != arch::PimCommandSet::kAim) continue;
        PimGemv one = v.shape;
        if (layout == PimLayout::kRounds || s->pim.command_set != arch::PimCommandSet::kAim) one.matrices = 1;
        if (pim_rows_needed(*s, one, layout) > pim_rows_available(*s)) continue;  // does not fit the banks' rows
        PimEstimate est = estimate_pim_gemv(*s, v.shape, layout, true);
        if (best.cycles == 0 || est.cycles < best.cycles) {
          best = est;
          p.layout = layout;
        }
      }
      const double n = static_cast<double>(v.vectors);
      p.pim_seconds = best.cycles > 0 ? n * best.cycles * s->timing.tck_ns * 1e-9 : 0;
      if (best.cycles > 0 && p.pim_seconds < p.host_seconds) {
        p.where = "pim";
        p.seconds = p.pim_seconds;
        p.energy_pj = n * best.energy_pj(*s);
        p.offchip_bytes = n * best.offchip_bytes;
        r.pim_activations += n * best.activations;
        r.pim_column_commands += n * best.column_commands;
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
  if (r.seconds > 0) {
    st.utilization["pim"] = pim_s / r.seconds;
    st.utilization["host"] = host_s / r.seconds;
  }
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
