#include "sim/analytical/residency.h"

#include "workloads/model_stats.h"

namespace einflow::sim::analytical {

DramResidency dram_residency(const arch::Architecture& a, const workloads::Workload& w, const workloads::Cascade& c) {
  DramResidency r;
  const int dram = a.dram();
  if (dram >= 0) r.capacity_bytes = static_cast<double>(a.node(dram).size_bytes());
  if (w.model && w.instance) {
    const workloads::ModelSpec& m = *w.model;
    const workloads::InstanceSpec& inst = *w.instance;
    const double batch = static_cast<double>(inst.batch);
    r.weights_bytes = static_cast<double>(workloads::model_params(m).total) * workloads::kModelValueBytes;
    if (m.kind != workloads::ModelKind::kEncoder) {
      const workloads::TokenCosts t = workloads::token_costs(m, inst);
      r.kv_cache_bytes = batch * (t.state_bytes > 0 ? static_cast<double>(t.state_bytes)
                                                    : static_cast<double>(t.kv_bytes) * static_cast<double>(t.context));
    }
    const double tokens = batch * static_cast<double>(inst.phase == workloads::Phase::kPrefill ? inst.seq_len : 1);
    r.activation_bytes = 2 * tokens * static_cast<double>(m.d_model) * workloads::kModelValueBytes;
    return r;
  }
  const double word_bytes = dram >= 0 ? a.node(dram).word_bits / 8.0 : 2.0;
  for (const workloads::Tensor& t : c.tensors)
    if (t.kind != workloads::TensorKind::kIntermediate) r.activation_bytes += static_cast<double>(t.elements()) * word_bytes;
  return r;
}

void set_residency(Stats& s, const DramResidency& r) {
  s.resident_bytes = r.resident_bytes();
  s.dram_capacity_bytes = r.capacity_bytes;
}

}  // namespace einflow::sim::analytical
