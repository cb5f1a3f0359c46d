// Transformer workloads built as Einsum cascades: attention (3-, 2- and 1-pass;
// MHA, GQA, MQA; causal or not), the linear sequence mixers (linear attention,
// GLA: parallel, chunkwise, recurrent) and Mamba's selective scan, QKV and
// output projections, FFN (GELU, ReLU, SwiGLU), LayerNorm / RMSNorm, residual
// adds, and whole layers: an encoder layer, a decoder prefill layer and a
// decoder decode step against a KV cache.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "workloads/cascade.h"
#include "workloads/cascade_spec.h"

namespace einflow::workloads {

// The FFN: one up projection and an activation (GELU with erf, GELU's tanh
// approximation as GPT-2's gelu_new, ReLU, SiLU), or a gated one (SwiGLU:
// silu(x W1) * x W3; GeGLU with erf or tanh GELU, Gemma's).
enum class FfnKind : uint8_t { kGelu, kRelu, kSwiglu, kGeluTanh, kSilu, kGeglu, kGegluTanh };
bool gated(FfnKind k);
const char* ffn_kind_name(FfnKind k);
// How positions enter: not at all (the workload starts after the embedding),
// learned absolute embeddings (GPT-2, BERT: a table of max_positions rows), or
// rotary embeddings (RoPE: Q and K rotated per position, GPT-NeoX's half-split
// pairing, over the first rotary_dim dimensions of each head).
enum class Position : uint8_t { kNone, kLearned, kRope };
enum class NormKind : uint8_t { kLayerNorm, kRmsNorm };
enum class NormPosition : uint8_t { kPre, kPost };
enum class ModelKind : uint8_t { kEncoder, kDecoder, kEncoderDecoder };
// The attention cascade: FuseMax's 3-, 2- and 1-pass softmax attention; for the
// linear mixers, the parallel (quadratic), chunkwise (chunks of `block` rows,
// the chunk an iterative rank) and recurrent (a state per step) forms.
// `split`: softmax attention as Flash-Decoding and LeanAttention compute it:
// the keys in M1 splits of M0, each split's partial state (its max, its sum of
// exponentials, its unnormalized output) in one pass, then the states merged
// across the split rank M1 by the associative rescaling (reference/gpus.md).
enum class AttentionCascade : uint8_t { k3Pass, k2Pass, k1Pass, kParallel, kChunkwise, kRecurrent, kSplit };
// The sequence mixer: softmax attention, linear attention (no softmax), gated
// linear attention (GLA: a decay per key dimension and step, from a gate
// input), or Mamba's selective scan (reference/subquadratic.md).
enum class Mixer : uint8_t { kSoftmax, kLinear, kGla, kMamba };
// What part of a layer a workload holds.
enum class Scope : uint8_t { kAttention, kQkvProjection, kOutputProjection, kFfn, kNorm, kLayer };
enum class Phase : uint8_t { kPrefill, kDecode };

const char* attention_cascade_name(AttentionCascade a);  // "3pass", ..., "parallel", "chunkwise", "recurrent", "split"
const char* mixer_name(Mixer m);                         // "softmax", "linear", "gla"
// The cascades a mixer can be written as in a phase (a linear mixer's decode
// step is its recurrence: recurrent only).
std::vector<AttentionCascade> mixer_cascades(Mixer m, Phase phase = Phase::kPrefill);
// Every form a workload may name for the mixer (the defaults and, for softmax
// attention, `split`).
std::vector<AttentionCascade> mixer_forms(Mixer m, Phase phase = Phase::kPrefill);
const char* scope_name(Scope s);
const char* phase_name(Phase p);

// A model's dimensions (reference/models.md).
struct ModelSpec {
  std::string name;
  int64_t layers = 1;
  int64_t d_model = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;   // == heads: MHA; 1: MQA; otherwise GQA
  int64_t head_dim = 0;   // E = F
  int64_t ffn_dim = 0;
  FfnKind ffn_kind = FfnKind::kGelu;
  NormKind norm = NormKind::kLayerNorm;
  NormPosition norm_position = NormPosition::kPre;
  double norm_eps = 1e-5;
  // Which linear layers carry a bias: the Q, K and V projections, the output
  // projection, the FFN (`bias` in YAML sets all three; Qwen2: QKV only).
  bool qkv_bias = true;
  bool output_bias = true;
  bool ffn_bias = true;
  int64_t vocab = 0;
  bool tied_embeddings = false;  // the LM head reuses the token embedding
  Position position = Position::kNone;
  int64_t max_positions = 0;     // learned position table's rows
  int64_t rotary_dim = 0;        // RoPE: dimensions rotated per head (0: head_dim); even
  double rope_theta = 10000;     // RoPE's base (the tables' values, not their cost)
  // GPT-NeoX, GPT-J, Phi-2: attention and FFN read the same input and their
  // outputs add to it (x + attn(ln1 x) + ffn(ln2 x)); pre-norm only.
  bool parallel_residual = false;
  // Mixture of experts (0 experts: a dense FFN). Each token's FFN is the
  // weighted sum of `experts_per_token` (k) of `experts` (E) routed experts,
  // each a gated FFN of expert_ffn_dim (0: ffn_dim), plus `shared_experts`
  // always-on experts (DeepSeek's, one FFN of shared_experts x
  // expert_ffn_dim). The first `dense_layers` layers keep a dense FFN of
  // ffn_dim (DeepSeek's first_k_dense_replace). The gate: the softmax of the
  // chosen experts' logits (topk_softmax, Mixtral) or the chosen entries of
  // the softmax over all experts (softmax_topk, DeepSeek).
  int64_t experts = 0;
  int64_t experts_per_token = 0;
  int64_t shared_experts = 0;
  int64_t expert_ffn_dim = 0;
  int64_t dense_layers = 0;
  bool gate_softmax_first = false;  // softmax_topk
  // Multi-head latent attention (DeepSeek-V2; kv_lora_rank > 0): keys and
  // values are expanded from a latent of kv_lora_rank per token (the KV cache
  // holds it and a shared rotary key of qk_rope_dim); queries through a
  // latent of q_lora_rank (0: a direct projection); head_dim is the
  // non-rotary query/key width, v_head_dim the value's.
  int64_t kv_lora_rank = 0;
  int64_t q_lora_rank = 0;
  int64_t qk_rope_dim = 0;
  int64_t v_head_dim = 0;
  ModelKind kind = ModelKind::kEncoder;
  Mixer mixer = Mixer::kSoftmax;
  // Mamba: the state size N per channel, the expansion E (inner width E x
  // d_model) and the rank of the step size's projection (0: ceil(d_model / 16)).
  int64_t state_dim = 16;
  int64_t expand = 2;
  int64_t dt_rank = 0;
  int64_t conv_kernel = 4;  // the causal depthwise convolution's taps (>= 2)
  // Sliding-window attention (the Mistral family): each query sees the last
  // `sliding_window` keys up to itself; 0: every earlier key. Causal models only.
  int64_t sliding_window = 0;
  SourceLoc loc;
};

// Which workload to build from a model.
struct InstanceSpec {
  Scope scope = Scope::kLayer;
  Phase phase = Phase::kPrefill;
  int64_t batch = 1;
  int64_t seq_len = 128;  // prefill: queries = keys = seq_len; decode: keys (KV cache incl. new token)
  int64_t block = 0;      // M0 of the 2- and 1-pass cascades; 0: the largest divisor of M up to 256
  bool causal = false;    // set for decoders
  std::vector<AttentionCascade> attention{AttentionCascade::k3Pass, AttentionCascade::k2Pass,
                                          AttentionCascade::k1Pass};
  // MoE routing: relative load per expert (empty: uniform).
  std::vector<double> expert_load;
  // MLA's form: naive (keys and values expanded from the latent) or absorbed
  // (the up-projections folded into the query and the output: attention over
  // the latent itself, as decode runs it). Default: naive in prefill,
  // absorbed in decode.
  enum class Mla : uint8_t { kDefault, kNaive, kAbsorbed } mla = Mla::kDefault;
  SourceLoc loc;
};

// How an MoE layer's experts are used by one step's T tokens (prefill: a
// sequence's P tokens; decode: the batch's B new tokens).
struct MoeShape {
  int64_t experts = 0;        // E
  int64_t top_k = 0;          // k
  int64_t tokens = 0;         // T
  double expected_touched = 0;  // experts at least one token picks, in expectation
  int64_t groups = 0;         // TQ: token groups; the cascade touches k x TQ experts
  int64_t capacity = 0;       // TC: tokens per group (TQ x TC >= T; the rest is padding)
  int64_t touched() const { return top_k * groups; }
};
// E[touched] = sum_i 1 - (1 - p_i)^T with p_i = k / E (uniform) or
// min(1, k w_i / sum w) for a load vector w; E (1 - (1 - k/E)^T) when uniform.
double expected_experts_touched(int64_t experts, int64_t top_k, int64_t tokens, const std::vector<double>& load);
MoeShape moe_shape(const ModelSpec& model, const InstanceSpec& inst);

// Shapes of one attention: queries P, keys M, heads H of which G share K/V.
struct AttentionShape {
  int64_t batch = 1;
  int64_t heads = 1;
  int64_t kv_heads = 1;
  int64_t e = 64;
  int64_t f = 64;
  int64_t m = 128;
  int64_t p = 128;
  int64_t block = 0;     // M0 for partitioned cascades (the chunk of the chunkwise forms)
  bool causal = false;   // key m visible to query p iff m <= p + (M - P)
  Mixer mixer = Mixer::kSoftmax;  // linear mixers: queries and keys are one sequence (P = M)
  bool decode = false;   // linear mixers: one step from the previous state (P = 1)
  // Causal: key m visible to query p also needs m > p + (M - P) - window (0: no window).
  int64_t window = 0;
};

// The attention cascade alone: inputs Q, K, V (and GX, GLA's gate before its
// log-sigmoid, per key head, key dimension and step); output AV. A linear
// mixer's decode step (shape.decode): inputs Q, KN, VN (the new token's), SP
// (the state before it, per key head: [.., E, F]) and GX for GLA; outputs AV
// and S, the state after it.
CascadeSpec attention_spec(const AttentionShape& shape, AttentionCascade variant);

// Shapes of one Mamba selective scan: inner channels D (E x d_model), state N
// per channel, step-size rank R, sequence length L.
struct MambaShape {
  int64_t batch = 1;
  int64_t channels = 64;
  int64_t state = 16;
  int64_t dt_rank = 4;
  int64_t length = 128;
};

// Mamba's selective scan (its SSM core, after the input projection and the
// convolution, before the output projection): inputs X and the gate Z
// [B,D,L], the projections WXD [D,R], WDT [R,D], BDT [D], WB and WC [D,N], the
// state matrix's logarithm ALOG [D,N] (A = -exp(ALOG)) and the skip DS [D];
// output Y [B,D,L]. The recurrence over the iterative rank L:
// H[l+1] = exp(DT[l] A) H[l] + DT[l] BM[l] X[l].
CascadeSpec mamba_spec(const MambaShape& shape);
// Its decode step: X and Z of one token [B,D,1], the state before it HP
// [B,D,N], the same parameters; outputs Y and H, the state after it.
CascadeSpec mamba_decode_spec(const MambaShape& shape);
// A whole Mamba layer (norm, input projection, convolution, scan, output
// projection, residual); decode carries the state HP -> H and the
// convolution's last inputs XCP -> XCN.
CascadeSpec mamba_layer_spec(const ModelSpec& model, const InstanceSpec& inst);
// The scan a Mamba model instance implies (channels E x d_model, dt_rank resolved).
MambaShape mamba_shape(const ModelSpec& model, const InstanceSpec& inst);

// A model workload (one scope of one layer) with the given attention cascade.
CascadeSpec transformer_spec(const ModelSpec& model, const InstanceSpec& inst,
                             AttentionCascade variant);

// The attention shape a model instance implies (block resolved, validated).
AttentionShape attention_shape(const ModelSpec& model, const InstanceSpec& inst);

// Whether an MLA model instance runs the absorbed form.
bool mla_absorbed(const ModelSpec& model, const InstanceSpec& inst);

// Largest divisor of m that is at most 256 (FuseMax's M0).
int64_t default_block(int64_t m);

}  // namespace einflow::workloads
