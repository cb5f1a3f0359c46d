#include "workloads/model_stats.h"

#include <algorithm>

#include "common/checked.h"
#include "workloads/analysis.h"
#include "workloads/cascade_spec.h"

namespace einflow::workloads {

namespace {

// Sums of products of model dimensions, refusing to overflow.
class Count {
 public:
  explicit Count(const SourceLoc& loc) : m_loc(loc) {}
  int64_t mul(std::initializer_list<int64_t> xs) const {
    int64_t r = 1;
    for (int64_t x : xs) r = check(checked_mul(r, x));
    return r;
  }
  int64_t add(std::initializer_list<int64_t> xs) const {
    int64_t r = 0;
    for (int64_t x : xs) r = check(checked_add(r, x));
    return r;
  }

 private:
  int64_t check(std::optional<int64_t> v) const {
    if (!v) throw UserError(m_loc, "model", "the model's parameter or operation count overflows 64 bits");
    return *v;
  }
  SourceLoc m_loc;
};

// A Mamba layer: RMSNorm, input projection (x and z), the convolution and
// its bias, x_proj (step-size rank, B, C), dt_proj and its bias, A, the skip,
// the output projection; no FFN.
ModelParams mamba_params(const ModelSpec& m, const Count& c) {
  const InstanceSpec inst;
  const MambaShape s = mamba_shape(m, inst);
  const int64_t d = m.d_model, ch = s.channels;
  ModelParams p;
  p.attention = c.add({c.mul({d, 2, ch}), c.mul({ch, m.conv_kernel}), ch, c.mul({ch, s.dt_rank + 2 * s.state}),
                       c.mul({s.dt_rank, ch}), ch, c.mul({ch, s.state}), ch, c.mul({ch, d})});
  p.norms = d;
  p.layer = p.dense_layer = c.add({p.attention, p.norms});
  p.embedding = c.mul({m.vocab, d});
  p.head = m.kind != ModelKind::kEncoder && !m.tied_embeddings ? c.mul({m.vocab, d}) : 0;
  p.final_norm = d;
  p.total = c.add({c.mul({m.layers, p.layer}), p.embedding, p.head, p.final_norm});
  p.active = p.total;
  p.active_no_embedding = p.total - p.embedding;
  return p;
}

}  // namespace

ModelParams model_params(const ModelSpec& m) {
  const Count c(m.loc);
  if (m.mixer == Mixer::kMamba) return mamba_params(m, c);
  const int64_t d = m.d_model, f = m.mixer != Mixer::kSoftmax && m.v_head_dim > 0 ? m.v_head_dim : m.head_dim;
  const int64_t qd = c.mul({m.heads, m.head_dim}), kd = c.mul({m.kv_heads, m.head_dim}),
                vd = c.mul({m.kv_heads, f}), od = c.mul({m.heads, f});
  ModelParams p;
  p.attention = c.add({c.mul({d, qd}), c.mul({d, kd}), c.mul({d, vd}), c.mul({od, d})});
  if (m.qkv_bias) p.attention = c.add({p.attention, qd, kd, vd});
  if (m.output_bias) p.attention = c.add({p.attention, d});
  if (m.mixer == Mixer::kGla)  // the rank-16 gate and its bias, the output gate, the per-head norm
    p.attention = c.add({p.attention, c.mul({d, 16}), c.mul({16, kd}), kd, c.mul({d, od}), f});
  if (m.kv_lora_rank > 0) {
    // Latent attention: the query (through its latent and norm, or direct),
    // the KV latent and its norm, the rotary key, the key and value
    // up-projections, the output.
    const int64_t h = m.heads, qk = m.head_dim + m.qk_rope_dim, cl = m.kv_lora_rank;
    const int64_t q = m.q_lora_rank > 0 ? c.add({c.mul({d, m.q_lora_rank}), m.q_lora_rank, c.mul({m.q_lora_rank, h, qk})})
                                        : c.mul({d, h, qk});
    p.attention = c.add({q, c.mul({d, cl}), cl, c.mul({d, m.qk_rope_dim}), c.mul({cl, h, m.head_dim}),
                         c.mul({cl, h, m.v_head_dim}), c.mul({h, m.v_head_dim, d})});
  }
  int64_t dense_ffn = c.mul({gated(m.ffn_kind) ? 3 : 2, d, m.ffn_dim});
  if (m.ffn_bias) dense_ffn = c.add({dense_ffn, m.ffn_dim, d});
  const int64_t norm = m.norm == NormKind::kLayerNorm ? c.mul({2, d}) : d;
  p.norms = c.mul({2, norm});
  p.ffn = dense_ffn;
  int64_t moe_layers = 0, unused = 0;
  if (m.experts > 0) {
    const int64_t ne = m.expert_ffn_dim > 0 ? m.expert_ffn_dim : m.ffn_dim;
    p.router = c.mul({d, m.experts});
    p.expert = c.mul({3, d, ne});
    p.ffn = c.add({p.router, c.mul({m.experts, p.expert}), c.mul({3, d, m.shared_experts, ne})});
    moe_layers = m.layers - m.dense_layers;
    unused = c.mul({moe_layers, m.experts - m.experts_per_token, p.expert});
  }
  p.layer = c.add({p.attention, p.ffn, p.norms});
  p.dense_layer = c.add({p.attention, dense_ffn, p.norms});
  p.embedding = c.mul({m.vocab, d});
  if (m.position == Position::kLearned) p.embedding = c.add({p.embedding, c.mul({m.max_positions, d})});
  p.head = m.kind != ModelKind::kEncoder && !m.tied_embeddings ? c.mul({m.vocab, d}) : 0;
  p.final_norm = norm;
  const int64_t layers = m.experts > 0 ? c.add({c.mul({moe_layers, p.layer}), c.mul({m.dense_layers, p.dense_layer})})
                                       : c.mul({m.layers, p.layer});
  p.total = c.add({layers, p.embedding, p.head, p.final_norm});
  p.active = p.total - unused;
  p.active_no_embedding = p.active - p.embedding;
  return p;
}

TokenCosts token_costs(const ModelSpec& m, const InstanceSpec& inst) {
  const Count c(m.loc);
  TokenCosts t;
  InstanceSpec one = inst;
  one.scope = Scope::kLayer;
  one.batch = 1;
  t.phase = m.kind == ModelKind::kEncoder ? Phase::kPrefill : Phase::kDecode;
  one.phase = t.phase;
  one.causal = m.kind != ModelKind::kEncoder;
  one.attention = mixer_cascades(m.mixer, one.phase);
  one.block = 0;
  const Cascade layer = build_cascade(transformer_spec(m, one, one.attention.front()));
  const int64_t tokens = t.phase == Phase::kDecode ? 1 : one.seq_len;
  t.layer_macs = cascade_ops(layer).macs / tokens;
  int64_t layers = c.mul({m.layers, t.layer_macs});
  if (m.experts > 0 && m.dense_layers > 0) {
    ModelSpec dense = m;
    dense.experts = 0;
    t.dense_layer_macs = cascade_ops(build_cascade(transformer_spec(dense, one, one.attention.front()))).macs / tokens;
    layers = c.add({c.mul({m.layers - m.dense_layers, t.layer_macs}), c.mul({m.dense_layers, t.dense_layer_macs})});
  }
  t.context = one.seq_len;
  if (m.sliding_window > 0) t.context = std::min(t.context, m.sliding_window);
  t.head_macs = m.kind != ModelKind::kEncoder ? c.mul({m.vocab, m.d_model}) : 0;
  t.macs = c.add({layers, t.head_macs});
  if (m.kv_lora_rank > 0) {
    // The cache holds the latent and the shared rotary key, in either form.
    t.kv_bytes = c.mul({m.layers, m.kv_lora_rank + m.qk_rope_dim, kModelValueBytes});
    t.kv_tokens_max = m.sliding_window;
  } else if (m.mixer == Mixer::kSoftmax) {
    t.kv_bytes = c.mul({m.layers, 2, m.kv_heads, m.head_dim, kModelValueBytes});
    t.kv_tokens_max = m.sliding_window;
  } else if (m.mixer == Mixer::kMamba) {
    // The scan's state and the convolution's last conv_kernel - 1 inputs.
    const MambaShape s = mamba_shape(m, one);
    t.state_bytes = c.mul({m.layers, c.add({c.mul({s.channels, s.state}), c.mul({s.channels, m.conv_kernel - 1})}),
                           kModelValueBytes});
  } else {
    // d_k x d_v per key head.
    const int64_t f = m.v_head_dim > 0 ? m.v_head_dim : m.head_dim;
    t.state_bytes = c.mul({m.layers, m.kv_heads, m.head_dim, f, kModelValueBytes});
  }
  return t;
}

}  // namespace einflow::workloads
