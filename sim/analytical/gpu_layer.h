// A model layer on a GPU (the GPU attention designs at scope `layer`): its
// attention by the design's algorithm (gpu_attention.h), every other Einsum
// its own kernel at its roofline, as an unfused framework launches them: its
// work on its fastest unit at that unit's peak (the tensor cores for
// contractions, the CUDA cores and SFUs for the rest: peak_bound.h), or its
// operands read once and its result written once at the HBM bandwidth,
// whichever is longer. The KV cache is appended in place: the copies that
// build K and V from the cache cost nothing, the new token's write is a
// kernel. The peak bound of the same layer (everything fused, every unit
// busy) is what this is compared with (configs/studies/long-context.yaml).
#pragma once

#include <string>
#include <vector>

#include "arch/arch.h"
#include "sim/analytical/gpu_attention.h"
#include "sim/stats/stats.h"
#include "workloads/transformer.h"

namespace einflow::sim::analytical {

struct GpuLayer {
  GpuAttention attention;
  std::vector<GpuKernel> kernels;  // the other Einsums, one kernel each, in dependency order
  double seconds = 0;              // the attention's and the kernels', one after another
};

// UserError when the model's mixer is not softmax attention or its attention is latent.
GpuLayer gpu_layer(const arch::Architecture& arch, const GpuSpec& gpu, const workloads::ModelSpec& model,
                   const workloads::InstanceSpec& instance, const std::string& design);

Stats gpu_layer_stats(const arch::Architecture& arch, const GpuSpec& gpu, const GpuLayer& layer);

}  // namespace einflow::sim::analytical
