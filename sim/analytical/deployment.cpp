#include "sim/analytical/deployment.h"

#include <cmath>

#include "workloads/cascade_spec.h"
#include "workloads/model_stats.h"

namespace einflow::sim::analytical {

namespace {

using workloads::InstanceSpec;
using workloads::ModelSpec;
using workloads::Phase;

// The instance of one layer of the model in `phase` at batch 1, its first form.
InstanceSpec layer_instance(const ModelSpec& m, InstanceSpec inst, Phase phase) {
  inst.phase = phase;
  inst.attention = workloads::mixer_cascades(m.mixer, phase);
  return inst;
}


// The layers' seconds, each costed by `cost`: the MoE layers' and, for an MoE
// model's dense layers, those of a dense layer of ffn_dim.
double layers_seconds(const ModelSpec& m, const InstanceSpec& inst, Phase phase, const LayerCost& cost) {
  const double layer = cost(m, layer_instance(m, inst, phase));
  if (m.experts == 0 || m.dense_layers == 0) return static_cast<double>(m.layers) * layer;
  ModelSpec dense = m;
  dense.experts = 0;
  return static_cast<double>(m.layers - m.dense_layers) * layer +
         static_cast<double>(m.dense_layers) * cost(dense, layer_instance(dense, inst, phase));
}

// The LM head on one token (the next token's logits): vocab x d_model, at
// its peak bound or costed by `cost`.
double head_seconds(const arch::Architecture& a, const ModelSpec& m, const CascadeCost& cost) {
  if (m.vocab == 0 || m.kind == workloads::ModelKind::kEncoder) return 0;
  const workloads::Workload head = workloads::load_workload_text(
      "cascade:\n  name: lm-head\n  ranks: {D: " + std::to_string(m.d_model) + ", V: " + std::to_string(m.vocab) +
          "}\n  inputs: {H: [D], WE: [D, V]}\n  einsums: [\"LG[v] = H[d] * WE[d,v]\"]\n",
      "<lm-head>");
  const workloads::Cascade& c = head.variants.front().cascade;
  return cost ? cost(c) : peak_bound(a, c).seconds();
}

}  // namespace

DeploymentBound deployment(const arch::Architecture& a, const workloads::Workload& w, int devices,
                           const LayerCost& cost, const CascadeCost& head_cost) {
  if (!w.model || !w.instance)
    throw UserError(SourceLoc{w.file, 0, 0}, "model", "the deployment bound needs a model workload");
  if (devices < 1) throw UserError(SourceLoc{}, "--devices", "expected at least one device");
  const ModelSpec& m = *w.model;
  InstanceSpec inst = *w.instance;
  inst.scope = workloads::Scope::kLayer;
  inst.batch = 1;
  inst.block = 0;
  inst.causal = m.kind != workloads::ModelKind::kEncoder;
  DeploymentBound d;
  d.devices = devices;
  const double n = static_cast<double>(devices);
  d.weights_bytes = static_cast<double>(workloads::model_params(m).total) * workloads::kModelValueBytes;
  const bool decoder = m.kind != workloads::ModelKind::kEncoder;
  const double head = head_seconds(a, m, head_cost);
  d.prefill_seconds = (layers_seconds(m, inst, Phase::kPrefill, cost) + head) / n;
  if (decoder) {
    const workloads::TokenCosts t = workloads::token_costs(m, inst);
    d.context = t.context;
    d.kv_cache_bytes_per_token = static_cast<double>(t.kv_bytes);
    d.kv_cache_bytes = t.state_bytes > 0 ? static_cast<double>(t.state_bytes)
                                         : static_cast<double>(t.kv_bytes) * static_cast<double>(t.context);
    d.decode_seconds_per_token = (layers_seconds(m, inst, Phase::kDecode, cost) + head) / n;
  }
  const arch::Node& dram = a.nodes.front();
  d.capacity_bytes = static_cast<double>(dram.size_words) * static_cast<double>(dram.word_bits) / 8.0 * n;
  if (d.capacity_bytes > 0) {
    if (d.capacity_bytes < d.weights_bytes) d.max_concurrent_requests = 0;
    else if (d.kv_cache_bytes > 0)
      d.max_concurrent_requests =
          static_cast<int64_t>(std::floor((d.capacity_bytes - d.weights_bytes) / d.kv_cache_bytes));
  }
  if (a.host_link_gbps > 0) d.context_switch_seconds = 2 * d.kv_cache_bytes / (a.host_link_gbps * 1e9);
  return d;
}

DeploymentBound deployment_bound(const arch::Architecture& a, const workloads::Workload& w, int devices) {
  CascadeBound prefill, decode;  // the model's own layer (an MoE model's MoE layer), kept for the report
  DeploymentBound d = deployment(a, w, devices, [&](const ModelSpec& m, const InstanceSpec& inst) {
    CascadeBound b = peak_bound(a, workloads::build_cascade(workloads::transformer_spec(m, inst, inst.attention.front())));
    const double seconds = b.seconds();
    if (m.experts == w.model->experts) (inst.phase == Phase::kPrefill ? prefill : decode) = std::move(b);
    return seconds;
  });
  d.prefill_layer = std::move(prefill);
  d.decode_layer = std::move(decode);
  return d;
}

}  // namespace einflow::sim::analytical
