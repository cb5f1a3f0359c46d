// The GPU attention designs (standard, flash1, flash2, flash-decoding, lean):
// a design family costed by its own model (sim/analytical/gpu_attention.h) on
// a GPU architecture, over a model workload's attention (scope attention).
#include "sim/analytical/gpu_attention.h"
#include "sim/analytical/gpu_layer.h"

#include "mappers/named/named.h"
#include "workloads/transformer.h"

namespace einflow::named {

namespace {

// The kernels as report parts.
void add_parts(ModelCost& c, const sim::analytical::GpuSpec& g, const std::vector<sim::analytical::GpuKernel>& ks,
               const SourceLoc& where) {
  for (const auto& k : ks) {
    sim::Stats st;
    st.seconds = k.seconds;
    st.cycles = sim::whole_cycles(k.seconds * g.clock_hz, where);
    st.dram_bytes = static_cast<int64_t>(k.hbm_read_bytes + k.hbm_write_bytes);
    st.bound_by = k.hbm_seconds >= k.sm_seconds ? g.dram_node : g.sm_node;
    c.parts.emplace_back("kernel " + k.name + " (" + std::to_string(k.blocks) + " blocks)", st);
  }
}

void add_figures(ModelCost& c, const sim::analytical::GpuAttention& r) {
  int64_t blocks = 0;
  for (const auto& k : r.kernels) blocks += k.blocks;
  c.figures = {{"block_rows", static_cast<double>(r.block_rows)},
               {"block_keys", static_cast<double>(r.block_keys)},
               {"splits", static_cast<double>(r.splits)},
               {"row_groups", static_cast<double>(r.row_groups)},
               {"tiles", static_cast<double>(r.tiles)},
               {"thread_blocks", static_cast<double>(blocks)},
               {"sm_utilization", r.sm_utilization},
               {"useful_macs", r.useful_macs},
               {"executed_macs", r.macs},
               {"lane_ops", r.lane_ops},
               {"sfu_ops", r.sfu_ops},
               {"io_bytes", r.io_bytes()},
               {"global_read_bytes", r.global_read_bytes},
               {"hbm_read_bytes", r.hbm_read_bytes},
               {"hbm_write_bytes", r.hbm_write_bytes}};
}

ModelCost gpu_cost(const Design& d, const arch::Architecture& a, const workloads::Workload& w,
                   const SourceLoc& where) {
  const bool ok_scope = w.instance && (w.instance->scope == workloads::Scope::kAttention ||
                                       w.instance->scope == workloads::Scope::kLayer);
  if (!w.model || !ok_scope)
    throw UserError(where, "design " + d.name + " runs a model workload's attention or layer: give a model workload "
                           "with instance.scope attention or layer (" + w.name + " is " +
                               (w.instance ? "of scope " + std::string(workloads::scope_name(w.instance->scope))
                                           : "not a model workload") + ")");
  if (w.model->mixer != workloads::Mixer::kSoftmax || w.model->kv_lora_rank > 0)
    throw UserError(where, "design " + d.name + " runs softmax attention with K and V per KV head; " + w.name +
                               " has " + (w.model->kv_lora_rank > 0 ? "latent attention" :
                                          std::string(workloads::mixer_name(w.model->mixer)) + " mixing"));
  const sim::analytical::GpuSpec g = sim::analytical::gpu_spec(a);
  ModelCost c;
  if (w.instance->scope == workloads::Scope::kAttention) {
    const sim::analytical::GpuAttention r =
        sim::analytical::gpu_attention(g, workloads::attention_shape(*w.model, *w.instance), d.name);
    c.stats = sim::analytical::gpu_attention_stats(a, g, r);
    add_parts(c, g, r.kernels, a.loc);
    add_figures(c, r);
    return c;
  }
  const sim::analytical::GpuLayer layer = sim::analytical::gpu_layer(a, g, *w.model, *w.instance, d.name);
  c.stats = sim::analytical::gpu_layer_stats(a, g, layer);
  add_parts(c, g, layer.attention.kernels, a.loc);
  add_parts(c, g, layer.kernels, a.loc);
  add_figures(c, layer.attention);
  c.deployment = sim::analytical::deployment(
      a, w, static_cast<int>(d.params.devices),
      [&](const workloads::ModelSpec& m, const workloads::InstanceSpec& inst) {
        return sim::analytical::gpu_layer(a, g, m, inst, d.name).seconds;
      });
  return c;
}

const std::vector<Design>& gpu_designs() {
  static const std::vector<Design> list = {
      {"standard", "", "attention as three kernels: S = QK^T written to HBM, softmax read and written, O = PV "
                       "(FlashAttention's Algorithm 0)", false, false, false, "gpu-attention", nullptr, {}, gpu_cost},
      {"flash1", "", "FlashAttention: a thread block per head, outer loop over K/V blocks, O, l, m read and written "
                     "per step; B_c = ceil(M/4d), B_r = min(B_c, d)", true, false, false, "gpu-attention", nullptr, {},
       gpu_cost},
      {"flash2", "", "FlashAttention-2: a thread block per query block, inner loop over K/V blocks, O written once; "
                     "causal block skipping", true, false, false, "gpu-attention", nullptr, {}, gpu_cost},
      {"flash-decoding", "", "FA-2 with the context split into equal chunks across thread blocks (flash-attn's split "
                             "count), partial outputs combined by a second kernel", true, false, false,
       "gpu-attention", nullptr, {}, gpu_cost},
      {"lean", "", "LeanAttention: all (row group, key block) tiles split evenly over 2 x SMs thread blocks "
                   "(stream-K); the block holding a group's first tile combines its partials", true, false, false,
       "gpu-attention", nullptr, {}, gpu_cost},
  };
  return list;
}

}  // namespace

EINFLOW_REGISTER_DESIGNS(gpu_attention, "gpu-attention", gpu_designs())

}  // namespace einflow::named
