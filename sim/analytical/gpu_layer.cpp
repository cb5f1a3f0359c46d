#include "sim/analytical/gpu_layer.h"

#include <algorithm>
#include <set>

#include "sim/analytical/gpu_kernel.h"
#include "sim/analytical/peak_bound.h"
#include "workloads/analysis.h"
#include "workloads/cascade_spec.h"

namespace einflow::sim::analytical {

namespace {

workloads::Cascade build(const workloads::ModelSpec& m, workloads::InstanceSpec inst, workloads::Scope scope) {
  inst.scope = scope;
  if (inst.attention.empty()) inst.attention = workloads::mixer_cascades(m.mixer, inst.phase);
  return workloads::build_cascade(workloads::transformer_spec(m, inst, inst.attention.front()));
}

// A copy into an attention input (K, V) from a cascade input: the cache, read in place.
bool in_place_cache_copy(const workloads::Cascade& c, const workloads::Einsum& e, const std::set<int>& attention_inputs) {
  if (!workloads::is_copy(e) || !attention_inputs.count(e.output.tensor)) return false;
  const int from = e.inputs[static_cast<size_t>(e.expr[0].access)].tensor;
  return c.tensors[static_cast<size_t>(from)].kind == workloads::TensorKind::kInput;
}

}  // namespace

GpuLayer gpu_layer(const arch::Architecture& a, const GpuSpec& g, const workloads::ModelSpec& m,
                   const workloads::InstanceSpec& inst, const std::string& design) {
  GpuLayer layer;
  layer.attention = gpu_attention(g, workloads::attention_shape(m, inst), design);
  layer.seconds = layer.attention.seconds;
  const workloads::Cascade att = build(m, inst, workloads::Scope::kAttention);
  const workloads::Cascade c = build(m, inst, workloads::Scope::kLayer);
  std::set<std::string> att_names;
  for (const auto& e : att.einsums) att_names.insert(e.name);
  std::set<int> att_inputs;  // the layer's tensors that the attention Einsums read
  for (const auto& e : c.einsums)
    if (att_names.count(e.name))
      for (const auto& in : e.inputs) att_inputs.insert(in.tensor);
  const CascadeBound bound = peak_bound(a, c);
  for (const EinsumBound& eb : bound.einsums) {
    if (att_names.count(eb.name)) continue;
    const auto it = std::find_if(c.einsums.begin(), c.einsums.end(),
                                 [&](const workloads::Einsum& x) { return x.name == eb.name; });
    const workloads::Einsum& es = *it;
    if (in_place_cache_copy(c, es, att_inputs)) continue;
    double eb_memory = eb.memory_seconds;
    GpuKernel k;
    k.name = eb.name;
    k.blocks = g.sms;
    k.macs = static_cast<double>(eb.matmul_flops) / 2;
    k.lane_ops = static_cast<double>(eb.other_flops);
    k.hbm_write_bytes = static_cast<double>(c.tensors[static_cast<size_t>(es.output.tensor)].elements()) * g.word_bytes;
    k.hbm_write_bytes = std::min(k.hbm_write_bytes, eb.bytes);
    k.hbm_read_bytes = eb.bytes - k.hbm_write_bytes;
    if (workloads::is_copy(es) && att_inputs.count(es.output.tensor)) {  // the new token appended to the cache
      k.hbm_read_bytes = k.hbm_write_bytes =
          static_cast<double>(workloads::masked_points(c, es)) * g.word_bytes;
      eb_memory = (k.hbm_read_bytes + k.hbm_write_bytes) / g.hbm_bytes_per_second;
    }
    k.global_read_bytes = k.hbm_read_bytes;
    k.global_write_bytes = k.hbm_write_bytes;
    k.sm_seconds = eb.compute_seconds;
    k.hbm_seconds = eb_memory;
    k.seconds = std::max(eb.compute_seconds, eb_memory);
    k.sm_busy_seconds = eb.compute_seconds * static_cast<double>(g.sms);
    layer.seconds += k.seconds;
    layer.kernels.push_back(k);
  }
  return layer;
}

Stats gpu_layer_stats(const arch::Architecture& a, const GpuSpec& g, const GpuLayer& layer) {
  // The layer as one result of all its kernels: the same Stats and energy rules.
  GpuAttention all = layer.attention;
  all.kernels.insert(all.kernels.end(), layer.kernels.begin(), layer.kernels.end());
  gpu::sum_kernels(g, all);
  return gpu_attention_stats(a, g, all);
}

}  // namespace einflow::sim::analytical
