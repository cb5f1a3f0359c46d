// The PIM designs (pim, host-only): a design family costed by its own model
// (sim/analytical/pim_layer.h) on an architecture whose DRAM may compute:
// every Einsum of the workload's cascade on the PIM units or on the host's,
// whichever finishes it sooner (pim), or all on the host (host-only: the same
// DRAM without PIM, the baseline).
#include "sim/analytical/deployment.h"
#include "sim/analytical/pim_layer.h"
#include "workloads/cascade_spec.h"
#include "workloads/transformer.h"

#include "mappers/named/named.h"

namespace einflow::named {

namespace {

ModelCost pim_cost(const Design& d, const arch::Architecture& a, const workloads::Workload& w,
                   const SourceLoc& where) {
  if (w.variants.empty()) throw UserError(where, "design " + d.name + " needs a workload with a cascade");
  const workloads::Cascade& c = w.variants.front().cascade;
  const auto policy =
      d.name == "host-only" ? sim::analytical::PimPolicy::kHostOnly : sim::analytical::PimPolicy::kBest;
  const sim::analytical::PimCascade r = sim::analytical::pim_cascade(a, c, policy);
  ModelCost cost;
  cost.stats = sim::analytical::pim_cascade_stats(a, r);
  double pim_einsums = 0, vmm = 0, pim_seconds = 0;
  for (const auto& p : r.einsums) {
    if (p.where == "in place") continue;
    sim::Stats st;
    st.seconds = p.seconds;
    st.cycles = sim::whole_cycles(p.seconds * a.clock_mhz * 1e6, a.loc);
    st.energy_pj = p.energy_pj;
    st.dram_bytes = static_cast<int64_t>(p.offchip_bytes);
    st.bound_by = p.where == "pim" ? "pim" : p.host_unit;
    std::string label = p.einsum + " on " + (p.where == "pim" ? std::string("PIM") : p.host_unit);
    if (p.where == "pim")
      label += " (" + std::to_string(p.shape.matrices) + " x " + std::to_string(p.shape.rows) + "x" +
               std::to_string(p.shape.cols) + (p.vectors > 1 ? " x " + std::to_string(p.vectors) + " vectors" : "") +
               ", " + sim::pim_layout_name(p.layout) + ")";
    cost.parts.emplace_back(label, st);
    pim_einsums += p.where == "pim" ? 1 : 0;
    vmm += p.vmm ? 1 : 0;
    pim_seconds += p.where == "pim" ? p.seconds : 0;
  }
  if (w.model && w.instance) {  // the whole model, every layer and the LM head placed the same way
    auto cascade_seconds = [&a, policy](const workloads::Cascade& x) {
      return sim::analytical::pim_cascade(a, x, policy).seconds;
    };
    cost.deployment = sim::analytical::deployment(
        a, w, static_cast<int>(d.params.devices),
        [&](const workloads::ModelSpec& m, const workloads::InstanceSpec& inst) {
          return cascade_seconds(workloads::build_cascade(workloads::transformer_spec(m, inst, inst.attention.front())));
        },
        cascade_seconds);
  }
  cost.figures = {{"pim_einsums", pim_einsums},
                  {"vmm_einsums", vmm},
                  {"pim_seconds", pim_seconds},
                  {"non_vmm_share", r.non_vmm_share()},
                  {"row_hit_rate", r.row_hit_rate()},
                  {"offchip_bytes", r.offchip_bytes}};
  return cost;
}

const std::vector<Design>& pim_designs() {
  static const std::vector<Design> list = {
      {"pim", "", "each Einsum on the DRAM's PIM units or on the host's, whichever finishes it sooner: "
                  "vector-matrix products over weights or the KV cache on PIM, the rest on the host",
       false, false, false, "pim", nullptr, {}, pim_cost},
      {"host-only", "", "every Einsum on the host's units at its roofline, the DRAM read as plain memory "
                        "(the same machine without PIM)",
       false, false, false, "pim", nullptr, {}, pim_cost},
  };
  return list;
}

}  // namespace

EINFLOW_REGISTER_DESIGNS(pim, "pim", pim_designs())

}  // namespace einflow::named
