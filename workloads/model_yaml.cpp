#include "workloads/model_yaml.h"

#include <algorithm>
#include <cmath>

#include "common/text.h"

namespace einflow::workloads {

namespace {

// Reads a name from `choices`; returns its index or -1 (with a diagnostic).
int read_choice(const YamlNode& n, const std::vector<std::string>& choices, Diagnostics& diags) {
  auto s = n.as_string(diags);
  if (!s) return -1;
  for (size_t i = 0; i < choices.size(); ++i)
    if (*s == choices[i]) return static_cast<int>(i);
  diags.error(n.loc(), n.path(), "expected one of " + join(choices, ", ") + ", got '" + *s + "'" +
                                     did_you_mean(*s, choices));
  return -1;
}

void read_positive(const YamlNode& parent, const char* key, int64_t& into, Diagnostics& diags,
                   bool required) {
  if (!parent.has(key)) {
    if (required) parent.require(key, diags);
    return;
  }
  YamlNode n = parent[key];
  auto v = n.as_int(diags);
  if (!v) return;
  if (*v < 1) {
    diags.error(n.loc(), n.path(), "expected a positive integer, got " + std::to_string(*v));
    return;
  }
  into = *v;
}

// Constraints between keys, each reported at the key that breaks it.
void check_model(const YamlNode& node, const ModelSpec& m, Diagnostics& diags) {
  auto at = [&](const char* key) { return node.has(key) ? node[key] : node; };
  if (node.has("rotary_dim") && m.position != Position::kRope)
    diags.error(at("rotary_dim").loc(), at("rotary_dim").path(), "rotary_dim needs position: rope");
  if (m.rotary_dim > 0 && (m.rotary_dim % 2 != 0 || (m.head_dim > 0 && m.rotary_dim > m.head_dim)))
    diags.error(at("rotary_dim").loc(), at("rotary_dim").path(),
                "rotary_dim must be even and at most head_dim (" + std::to_string(m.head_dim) + "), got " +
                    std::to_string(m.rotary_dim));
  if (m.position == Position::kRope && m.head_dim % 2 != 0 && m.rotary_dim == 0)
    diags.error(at("position").loc(), at("position").path(), "rotary embeddings need an even head_dim");
  if (m.position == Position::kLearned && m.max_positions == 0)
    diags.error(at("position").loc(), at("position").path(), "learned positions need max_positions (the table's rows)");
  if (m.parallel_residual && m.norm_position != NormPosition::kPre)
    diags.error(at("parallel_residual").loc(), at("parallel_residual").path(),
                "a parallel residual needs norm_position: pre");
  const char* moe_keys[] = {"experts_per_token", "shared_experts", "expert_ffn_dim", "dense_layers", "moe_gate"};
  for (const char* k : moe_keys)
    if (node.has(k) && m.experts == 0) diags.error(at(k).loc(), at(k).path(), std::string(k) + " needs experts");
  if (m.experts > 0 && m.experts_per_token > m.experts)
    diags.error(at("experts_per_token").loc(), at("experts_per_token").path(),
                "experts_per_token (" + std::to_string(m.experts_per_token) + ") exceeds experts (" +
                    std::to_string(m.experts) + ")");
  if (m.experts > 0 && !gated(m.ffn_kind))
    diags.error(at("ffn_kind").loc(), at("ffn_kind").path(),
                std::string("experts are gated FFNs (swiglu, geglu, geglu_tanh), got ") + ffn_kind_name(m.ffn_kind));
  if (m.experts > 0 && m.dense_layers >= m.layers)
    diags.error(at("dense_layers").loc(), at("dense_layers").path(), "dense_layers must leave an MoE layer");
  const char* mla_keys[] = {"q_lora_rank", "qk_rope_dim"};
  for (const char* k : mla_keys)
    if (node.has(k) && m.kv_lora_rank == 0) diags.error(at(k).loc(), at(k).path(), std::string(k) + " needs kv_lora_rank");
  if (node.has("v_head_dim") && m.kv_lora_rank == 0 && (m.mixer == Mixer::kSoftmax || m.mixer == Mixer::kMamba))
    diags.error(at("v_head_dim").loc(), at("v_head_dim").path(),
                "v_head_dim needs latent attention (kv_lora_rank) or a linear mixer (linear, gla)");
  if (m.kv_lora_rank > 0 && m.qk_rope_dim % 2 != 0)
    diags.error(at("qk_rope_dim").loc(), at("qk_rope_dim").path(), "the rotary key needs an even qk_rope_dim");
  if (m.kv_lora_rank > 0 && (m.position != Position::kRope || m.kv_heads != m.heads || m.mixer != Mixer::kSoftmax ||
                             m.rotary_dim > 0))
    diags.error(at("kv_lora_rank").loc(), at("kv_lora_rank").path(),
                "latent attention is softmax attention with its own decoupled RoPE: position: rope, kv_heads = heads, "
                "no rotary_dim");
  if (m.kv_lora_rank > 0 && (m.qkv_bias || m.output_bias))
    diags.error(at("kv_lora_rank").loc(), at("kv_lora_rank").path(),
                "latent attention's projections carry no bias: set bias (or qkv_bias and output_bias) false");
  if (m.parallel_residual && m.mixer == Mixer::kMamba)
    diags.error(at("parallel_residual").loc(), at("parallel_residual").path(), "a Mamba block has no FFN beside it");
}

// A relative load per expert: E non-negative numbers, not all zero.
void read_expert_load(const YamlNode& n, const ModelSpec& m, InstanceSpec& inst, Diagnostics& diags) {
  if (m.experts == 0) {
    diags.error(n.loc(), n.path(), "expert_load needs a model with experts");
    return;
  }
  if (!n.is_sequence()) {
    diags.error(n.loc(), n.path(), "expected a list of " + std::to_string(m.experts) + " loads, one per expert");
    return;
  }
  double sum = 0;
  for (size_t i = 0; i < n.size(); ++i) {
    auto v = n.at(i).as_double(diags);
    if (!v) continue;
    if (*v < 0 || !std::isfinite(*v)) diags.error(n.at(i).loc(), n.at(i).path(), "expected a non-negative load");
    sum += *v;
    inst.expert_load.push_back(*v);
  }
  if (static_cast<int64_t>(n.size()) != m.experts)
    diags.error(n.loc(), n.path(), "expected " + std::to_string(m.experts) + " loads (one per expert), got " +
                                       std::to_string(n.size()));
  else if (!(sum > 0))
    diags.error(n.loc(), n.path(), "the loads sum to zero");
}

}  // namespace

ModelSpec read_model(const YamlNode& node, Diagnostics& diags) {
  ModelSpec m;
  m.loc = node.loc();
  if (!node.expect_map(diags)) return m;
  node.check_keys({"name", "layers", "d_model", "heads", "kv_heads", "head_dim", "ffn_dim", "ffn_kind",
                   "norm", "norm_position", "norm_eps", "bias", "vocab", "kind", "mixer", "state_dim", "expand",
                   "dt_rank", "sliding_window", "qkv_bias", "output_bias", "ffn_bias", "tied_embeddings",
                   "position", "max_positions", "rotary_dim", "rope_theta", "parallel_residual", "experts",
                   "experts_per_token", "shared_experts", "expert_ffn_dim", "dense_layers", "moe_gate", "kv_lora_rank",
                   "q_lora_rank", "qk_rope_dim", "v_head_dim", "conv_kernel"},
                  diags);
  if (node.has("mixer")) {
    int k = read_choice(node["mixer"], {"softmax", "linear", "gla", "mamba"}, diags);
    if (k >= 0) m.mixer = static_cast<Mixer>(k);
  }
  // A Mamba block has no heads and no FFN: those keys are optional for it.
  const bool heads = m.mixer != Mixer::kMamba;
  if (node.require("name", diags)) m.name = node["name"].as_string(diags).value_or("");
  read_positive(node, "layers", m.layers, diags, true);
  read_positive(node, "d_model", m.d_model, diags, true);
  read_positive(node, "heads", m.heads, diags, heads);
  m.kv_heads = m.heads;
  read_positive(node, "kv_heads", m.kv_heads, diags, false);
  read_positive(node, "head_dim", m.head_dim, diags, heads);
  read_positive(node, "ffn_dim", m.ffn_dim, diags, heads);
  read_positive(node, "state_dim", m.state_dim, diags, false);
  read_positive(node, "expand", m.expand, diags, false);
  read_positive(node, "dt_rank", m.dt_rank, diags, false);
  read_positive(node, "conv_kernel", m.conv_kernel, diags, false);
  if (node.has("conv_kernel") && m.conv_kernel < 2)
    diags.error(node["conv_kernel"].loc(), node["conv_kernel"].path(), "conv_kernel must be at least 2");
  read_positive(node, "sliding_window", m.sliding_window, diags, false);
  read_positive(node, "vocab", m.vocab, diags, false);
  if (node.has("ffn_kind")) {
    int k = read_choice(node["ffn_kind"], {"gelu", "relu", "swiglu", "gelu_tanh", "silu", "geglu", "geglu_tanh"},
                        diags);
    if (k >= 0) m.ffn_kind = static_cast<FfnKind>(k);
  }
  if (node.has("norm")) {
    int k = read_choice(node["norm"], {"layernorm", "rmsnorm"}, diags);
    if (k >= 0) m.norm = static_cast<NormKind>(k);
  }
  if (node.has("norm_position")) {
    int k = read_choice(node["norm_position"], {"pre", "post"}, diags);
    if (k >= 0) m.norm_position = static_cast<NormPosition>(k);
  }
  if (node.has("norm_eps")) {
    auto v = node["norm_eps"].as_double(diags);
    if (v && *v <= 0) diags.error(node["norm_eps"].loc(), node["norm_eps"].path(), "expected a positive number");
    if (v) m.norm_eps = *v;
  }
  if (node.has("bias")) m.qkv_bias = m.output_bias = m.ffn_bias = node["bias"].as_bool(diags).value_or(true);
  if (node.has("qkv_bias")) m.qkv_bias = node["qkv_bias"].as_bool(diags).value_or(m.qkv_bias);
  if (node.has("output_bias")) m.output_bias = node["output_bias"].as_bool(diags).value_or(m.output_bias);
  if (node.has("ffn_bias")) m.ffn_bias = node["ffn_bias"].as_bool(diags).value_or(m.ffn_bias);
  if (node.has("tied_embeddings")) m.tied_embeddings = node["tied_embeddings"].as_bool(diags).value_or(false);
  if (node.has("parallel_residual"))
    m.parallel_residual = node["parallel_residual"].as_bool(diags).value_or(false);
  if (node.has("position")) {
    int k = read_choice(node["position"], {"none", "learned", "rope"}, diags);
    if (k >= 0) m.position = static_cast<Position>(k);
  }
  read_positive(node, "max_positions", m.max_positions, diags, false);
  read_positive(node, "experts", m.experts, diags, false);
  read_positive(node, "experts_per_token", m.experts_per_token, diags, m.experts > 0);
  read_positive(node, "shared_experts", m.shared_experts, diags, false);
  read_positive(node, "expert_ffn_dim", m.expert_ffn_dim, diags, false);
  read_positive(node, "dense_layers", m.dense_layers, diags, false);
  read_positive(node, "kv_lora_rank", m.kv_lora_rank, diags, false);
  read_positive(node, "q_lora_rank", m.q_lora_rank, diags, false);
  read_positive(node, "qk_rope_dim", m.qk_rope_dim, diags, m.kv_lora_rank > 0);
  read_positive(node, "v_head_dim", m.v_head_dim, diags, m.kv_lora_rank > 0);
  if (node.has("moe_gate")) {
    int k = read_choice(node["moe_gate"], {"topk_softmax", "softmax_topk"}, diags);
    if (k >= 0) m.gate_softmax_first = k == 1;
  }
  read_positive(node, "rotary_dim", m.rotary_dim, diags, false);
  if (node.has("rope_theta")) {
    auto v = node["rope_theta"].as_double(diags);
    if (v && *v <= 0) diags.error(node["rope_theta"].loc(), node["rope_theta"].path(), "expected a positive number");
    if (v) m.rope_theta = *v;
  }
  if (node.has("kind")) {
    int k = read_choice(node["kind"], {"encoder", "decoder", "encoder_decoder"}, diags);
    if (k >= 0) m.kind = static_cast<ModelKind>(k);
  }
  check_model(node, m, diags);
  if (m.heads > 0 && m.kv_heads > 0 && m.heads % m.kv_heads != 0)
    diags.error(node.loc(), node.path() + ".kv_heads",
                "heads (" + std::to_string(m.heads) + ") must be a multiple of kv_heads (" +
                    std::to_string(m.kv_heads) + ")");
  return m;
}

InstanceSpec read_instance(const YamlNode& node, const ModelSpec& model, Diagnostics& diags) {
  InstanceSpec inst;
  inst.loc = node.loc();
  // Decoders attend causally; an encoder-decoder's prefill is its (bidirectional) encoder.
  auto default_causal = [&] {
    return model.kind == ModelKind::kDecoder ||
           (model.kind == ModelKind::kEncoderDecoder && inst.phase == Phase::kDecode);
  };
  inst.causal = default_causal();
  // The forms the model's mixer is written in: all of them unless listed.
  inst.attention = mixer_cascades(model.mixer, inst.phase);
  if (!node.defined()) return inst;
  if (!node.expect_map(diags)) return inst;
  node.check_keys({"scope", "phase", "batch", "seq_len", "block", "causal", "attention", "expert_load", "mla"}, diags);
  if (node.has("mla")) {
    if (model.kv_lora_rank == 0) diags.error(node["mla"].loc(), node["mla"].path(), "mla needs a model with kv_lora_rank");
    int k = read_choice(node["mla"], {"naive", "absorbed"}, diags);
    if (k >= 0) inst.mla = k == 0 ? InstanceSpec::Mla::kNaive : InstanceSpec::Mla::kAbsorbed;
  }
  if (node.has("expert_load")) read_expert_load(node["expert_load"], model, inst, diags);
  if (node.has("scope")) {
    int k = read_choice(node["scope"],
                        {"attention", "qkv_projection", "output_projection", "ffn", "norm", "layer"}, diags);
    if (k >= 0) inst.scope = static_cast<Scope>(k);
  }
  if (node.has("phase")) {
    int k = read_choice(node["phase"], {"prefill", "decode"}, diags);
    if (k >= 0) inst.phase = static_cast<Phase>(k);
  }
  read_positive(node, "batch", inst.batch, diags, false);
  read_positive(node, "seq_len", inst.seq_len, diags, false);
  read_positive(node, "block", inst.block, diags, false);
  inst.causal = default_causal();
  if (node.has("causal")) inst.causal = node["causal"].as_bool(diags).value_or(inst.causal);
  inst.attention = mixer_cascades(model.mixer, inst.phase);
  if (node.has("attention")) {
    YamlNode a = node["attention"];
    auto names = a.as_string_list(diags);
    if (names) {
      inst.attention.clear();
      std::vector<std::string> choices;
      for (AttentionCascade c : mixer_forms(model.mixer, inst.phase)) choices.push_back(attention_cascade_name(c));
      for (const auto& n : *names) {
        auto it = std::find(choices.begin(), choices.end(), n);
        if (it == choices.end()) {
          diags.error(a.loc(), a.path(), "unknown cascade '" + n + "' for the " + mixer_name(model.mixer) + " mixer" +
                                             (inst.phase == Phase::kDecode ? "'s decode step" : "") + "; one of " +
                                             join(choices, ", ") + did_you_mean(n, choices));
          continue;
        }
        inst.attention.push_back(mixer_forms(model.mixer, inst.phase)[static_cast<size_t>(it - choices.begin())]);
      }
    }
  }
  return inst;
}

}  // namespace einflow::workloads
