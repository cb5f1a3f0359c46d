// A model's deployment at its peak bounds (`einflow bound` on a model
// workload; reference/gpus.md's long-context analysis): the weights' bytes,
// the KV cache per token and per request, the prefill time and the decode time
// per token (each layer cascade's peak bound times the layers, plus the LM
// head), how many requests' KV caches fit beside the weights in DRAM, and the
// time to move one request's cache out to the host and another's in.
#pragma once

#include <cstdint>
#include <functional>

#include "arch/arch.h"
#include "sim/analytical/peak_bound.h"
#include "workloads/workload.h"

namespace einflow::sim::analytical {

struct DeploymentBound {
  int devices = 1;                    // tensor parallelism: work and bandwidth split, communication free
  int64_t context = 0;                // tokens a request keeps (the window bounds a sliding-window cache)
  double weights_bytes = 0;           // every parameter, 2 bytes each
  double kv_cache_bytes_per_token = 0;
  double kv_cache_bytes = 0;          // per request: per token x context (a linear mixer: its state)
  double prefill_seconds = 0;         // the request's seq_len tokens, batch 1
  double decode_seconds_per_token = 0;  // one token against the context, batch 1
  double capacity_bytes = 0;          // the devices' DRAM (0: the architecture gives none)
  int64_t max_concurrent_requests = -1;  // -1: unknown (no capacity); 0: the weights alone do not fit
  double context_switch_seconds = -1;  // one cache out and one in over the host link (-1: no link)
  CascadeBound prefill_layer, decode_layer;  // one layer's bounds (an MoE model's MoE layer)
};

// UserError when `w` is not a model workload or cannot be built at batch 1.
DeploymentBound deployment_bound(const arch::Architecture& arch, const workloads::Workload& w, int devices = 1);

// The same questions with each layer costed by `cost` (seconds of one layer of
// the model at the instance given: scope layer, batch 1, phase set): a mapped
// model's instead of the peak bound's. The LM head stays at its peak bound;
// the layer bounds (prefill_layer, decode_layer) are left empty.
// `head`, when given, costs the LM head's cascade the same way (a PIM design
// runs that vector-matrix product on the banks too).
using LayerCost = std::function<double(const workloads::ModelSpec&, const workloads::InstanceSpec&)>;
using CascadeCost = std::function<double(const workloads::Cascade&)>;
DeploymentBound deployment(const arch::Architecture& arch, const workloads::Workload& w, int devices,
                           const LayerCost& cost, const CascadeCost& head = nullptr);

}  // namespace einflow::sim::analytical
