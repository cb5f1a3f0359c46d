#include "tools/import/hf.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>

#include "common/error.h"
#include "common/files.h"
#include "common/text.h"

namespace einflow::import {

namespace {

using nlohmann::json;

// Positions in the config's text: a byte offset or a key's first appearance.
class Source {
 public:
  Source(std::string file, std::string text) : m_file(std::move(file)), m_text(std::move(text)) {}
  const std::string& file() const { return m_file; }
  const std::string& text() const { return m_text; }
  SourceLoc at_offset(size_t off) const {
    int line = 1, col = 1;
    for (size_t i = 0; i < off && i < m_text.size(); ++i) {
      if (m_text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return SourceLoc{m_file, line, col};
  }
  SourceLoc key(const std::string& k) const {
    size_t off = m_text.find("\"" + k + "\"");
    return off == std::string::npos ? SourceLoc{m_file, 1, 1} : at_offset(off + 1);
  }

 private:
  std::string m_file;
  std::string m_text;
};

// The workload's model keys, as written to YAML.
struct Model {
  std::string name;
  int64_t layers = 0, d_model = 0, heads = 0, kv_heads = 0, head_dim = 0, ffn_dim = 0, vocab = 0;
  int64_t max_positions = 0, rotary_dim = 0, sliding_window = 0;
  std::string ffn_kind, norm, position = "none";
  double norm_eps = 1e-5, rope_theta = 10000;
  bool qkv_bias = false, output_bias = false, ffn_bias = false, tied = false, parallel = false;
  // Mixture of experts and latent attention.
  int64_t experts = 0, experts_per_token = 0, shared_experts = 0, expert_ffn_dim = 0, dense_layers = 0;
  std::string moe_gate;
  int64_t kv_lora_rank = 0, q_lora_rank = 0, qk_rope_dim = 0, v_head_dim = 0;
};

// Reads the config's fields; each read marks the field used. finish() sorts
// every other field into notes (no effect on the computation) or errors.
class Reader {
 public:
  Reader(const json& j, const Source& src, Diagnostics& d) : m_j(j), m_src(src), m_d(d) {}

  bool present(const std::string& k) const { return m_j.contains(k) && !m_j[k].is_null(); }
  void use(const std::string& k) { m_used.insert(k); }
  void error(const std::string& k, const std::string& msg) { m_d.error(m_src.key(k), k, msg); }
  void note(const std::string& msg) { m_notes.push_back(msg); }

  std::optional<int64_t> integer(const std::string& k) {
    use(k);
    if (!present(k)) return std::nullopt;
    if (!m_j[k].is_number_integer() || m_j[k].get<int64_t>() < 1) {
      error(k, "expected a positive integer, got " + m_j[k].dump());
      return std::nullopt;
    }
    return m_j[k].get<int64_t>();
  }
  int64_t integer(const std::string& k, int64_t def) { return integer(k).value_or(def); }
  int64_t required(const std::string& k) {
    auto v = integer(k);
    if (!v && !present(k)) m_d.error(SourceLoc{m_src.file(), 1, 1}, k, "missing field '" + k + "'");
    return v.value_or(0);
  }
  std::optional<double> number(const std::string& k) {
    use(k);
    if (!present(k)) return std::nullopt;
    if (!m_j[k].is_number() || m_j[k].get<double>() <= 0) {
      error(k, "expected a positive number, got " + m_j[k].dump());
      return std::nullopt;
    }
    return m_j[k].get<double>();
  }
  bool boolean(const std::string& k, bool def) {
    use(k);
    if (!present(k)) return def;
    if (!m_j[k].is_boolean()) {
      error(k, "expected true or false, got " + m_j[k].dump());
      return def;
    }
    return m_j[k].get<bool>();
  }
  std::optional<std::string> string(const std::string& k) {
    use(k);
    if (!present(k)) return std::nullopt;
    if (!m_j[k].is_string()) {
      error(k, "expected a string, got " + m_j[k].dump());
      return std::nullopt;
    }
    return m_j[k].get<std::string>();
  }
  // A field whose only supported value is `ok` (a boolean).
  void require_bool(const std::string& k, bool ok, const std::string& why) {
    if (present(k) && boolean(k, ok) != ok) error(k, why);
    use(k);
  }
  const json& raw(const std::string& k) {
    use(k);
    return m_j[k];
  }

  void finish();
  const std::vector<std::string>& notes() const { return m_notes; }

 private:
  const json& m_j;
  const Source& m_src;
  Diagnostics& m_d;
  std::set<std::string> m_used;
  std::vector<std::string> m_notes;
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Fields every PretrainedConfig may carry that do not change what one
// forward pass computes: names, bookkeeping, generation settings, heads for
// other tasks, the positions a model was trained to (a limit, not a cost).
const std::set<std::string>& inert_fields() {
  static const std::set<std::string> s = {
      "architectures", "_name_or_path", "transformers_version", "use_cache", "initializer_range",
      "output_attentions", "output_hidden_states", "return_dict", "use_return_dict", "torchscript",
      "tokenizer_class", "task_specific_params", "id2label", "label2id", "problem_type", "max_length",
      "min_length", "do_sample", "temperature", "top_k", "top_p", "typical_p", "num_beams", "num_beam_groups",
      "diversity_penalty", "repetition_penalty", "length_penalty", "early_stopping", "no_repeat_ngram_size",
      "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
      "return_dict_in_generate", "remove_invalid_values", "exponential_decay_length_penalty",
      "suppress_tokens", "begin_suppress_tokens", "chunk_size_feed_forward", "prefix", "finetuning_task",
      "is_decoder", "tie_encoder_decoder", "cross_attention_hidden_size", "auto_map", "max_position_embeddings",
      "original_max_position_embeddings", "n_ctx", "pretraining_tp", "pruned_heads", "tf_legacy_loss",
      "use_bfloat16", "gradient_checkpointing", "summary_type", "summary_use_proj", "summary_activation",
      "summary_proj_to_labels", "summary_first_dropout", "reorder_and_upcast_attn", "model_type", "torch_dtype"};
  return s;
}

void Reader::finish() {
  std::vector<std::string> inert, unknown;
  for (auto it = m_j.begin(); it != m_j.end(); ++it) {
    const std::string& k = it.key();
    if (m_used.count(k)) continue;
    if (inert_fields().count(k) || ends_with(k, "_token_id") || ends_with(k, "_token_ids") ||
        ends_with(k, "dropout") || ends_with(k, "_pdrop"))
      inert.push_back(k);
    else
      unknown.push_back(k);
  }
  if (!inert.empty())
    note("not used, as they do not change the computation (tokenizer ids, dropout, generation and training "
         "settings, position limits): " + join(inert, ", "));
  for (const auto& k : unknown)
    error(k, "unknown field '" + k + "': einflow cannot tell whether it changes the computation");
}

// An FFN kind from a Hugging Face activation name; "" when unsupported.
std::string ffn_kind(const std::string& act, bool gated) {
  const bool tanh = act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast";
  if (gated) {
    if (act == "silu" || act == "swish") return "swiglu";
    if (act == "gelu") return "geglu";
    if (tanh) return "geglu_tanh";
    return "";
  }
  if (act == "gelu") return "gelu";
  if (tanh) return "gelu_tanh";
  if (act == "relu") return "relu";
  if (act == "silu" || act == "swish") return "silu";
  return "";
}

void read_activation(Reader& r, Model& m, const std::string& key, const std::string& def, bool gated) {
  std::string act = r.string(key).value_or(def);
  m.ffn_kind = ffn_kind(act, gated);
  if (m.ffn_kind.empty())
    r.error(key, "activation '" + act + "' is not built" + (gated ? " as a gated FFN" : "") +
                     "; supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, silu, swish" + (gated ? "" : ", relu"));
}

void rope_scaling(Reader& r) {
  if (!r.present("rope_scaling")) {
    r.use("rope_scaling");
    return;
  }
  const json& s = r.raw("rope_scaling");
  std::string type = s.is_object() ? s.value("rope_type", s.value("type", std::string("?"))) : "?";
  r.note("rope_scaling (" + type + ") changes the rotary tables' values (yarn: also the scores' scale), not their "
         "cost: the tables are inputs");
}

void read_gpt2(Reader& r, Model& m) {
  m.d_model = r.required("n_embd");
  m.layers = r.required("n_layer");
  m.heads = m.kv_heads = r.required("n_head");
  m.ffn_dim = r.integer("n_inner", 4 * m.d_model);
  read_activation(r, m, "activation_function", "gelu_new", false);
  m.norm = "layernorm";
  m.norm_eps = r.number("layer_norm_epsilon").value_or(1e-5);
  m.position = "learned";
  m.max_positions = r.integer("n_positions", 1024);
  m.vocab = r.required("vocab_size");
  m.tied = r.boolean("tie_word_embeddings", true);
  m.qkv_bias = m.output_bias = m.ffn_bias = true;
  r.require_bool("scale_attn_weights", true, "unscaled attention scores are not built");
  r.require_bool("scale_attn_by_inverse_layer_idx", false, "per-layer score scaling is not built");
  r.require_bool("add_cross_attention", false, "cross-attention is not built");
}

void read_neox(Reader& r, Model& m) {
  m.d_model = r.required("hidden_size");
  m.layers = r.required("num_hidden_layers");
  m.heads = m.kv_heads = r.required("num_attention_heads");
  m.ffn_dim = r.required("intermediate_size");
  read_activation(r, m, "hidden_act", "gelu", false);
  m.norm = "layernorm";
  m.norm_eps = r.number("layer_norm_eps").value_or(1e-5);
  m.vocab = r.required("vocab_size");
  m.tied = r.boolean("tie_word_embeddings", false);
  m.parallel = r.boolean("use_parallel_residual", true);
  m.qkv_bias = m.output_bias = r.boolean("attention_bias", true);
  m.ffn_bias = true;
  m.position = "rope";
  m.rope_theta = r.number("rotary_emb_base").value_or(10000);
  const double pct = r.number("rotary_pct").value_or(0.25);
  if (m.heads > 0 && m.d_model % m.heads == 0) {
    const int64_t head = m.d_model / m.heads;
    m.rotary_dim = static_cast<int64_t>(std::floor(static_cast<double>(head) * pct));
    if (pct > 1 || m.rotary_dim % 2 != 0 || m.rotary_dim == 0)
      r.error("rotary_pct", "rotary_pct " + format_double(pct) + " of head size " + std::to_string(head) +
                                " gives " + std::to_string(m.rotary_dim) + " dimensions; rotary embeddings need an even, "
                                "nonzero count up to the head size");
  }
  rope_scaling(r);
}

// Llama and the families written like it: Mistral, Qwen2, Phi-3, Gemma.
void read_llama_like(Reader& r, Model& m, const std::string& type) {
  m.d_model = r.required("hidden_size");
  m.layers = r.required("num_hidden_layers");
  m.heads = r.required("num_attention_heads");
  m.kv_heads = r.integer("num_key_value_heads", m.heads);
  if (auto hd = r.integer("head_dim")) m.head_dim = *hd;
  m.ffn_dim = r.required("intermediate_size");
  // Gemma's hidden_activation, when given, overrides hidden_act.
  if (type == "gemma" && r.present("hidden_activation")) {
    read_activation(r, m, "hidden_activation", "gelu_pytorch_tanh", true);
    r.use("hidden_act");
  } else {
    read_activation(r, m, "hidden_act", type == "gemma" ? "gelu_pytorch_tanh" : "silu", true);
  }
  m.norm = "rmsnorm";
  m.norm_eps = r.number("rms_norm_eps").value_or(1e-6);
  m.vocab = r.required("vocab_size");
  m.tied = r.boolean("tie_word_embeddings", type == "gemma");
  m.position = "rope";
  m.rope_theta = r.number("rope_theta").value_or(10000);
  rope_scaling(r);
  const bool attn_bias = r.boolean("attention_bias", false);
  m.qkv_bias = attn_bias || type == "qwen2";
  m.output_bias = attn_bias;
  m.ffn_bias = r.boolean("mlp_bias", false);
  if (r.present("partial_rotary_factor")) {
    const double f = r.number("partial_rotary_factor").value_or(1);
    const int64_t head = m.head_dim > 0 ? m.head_dim : (m.heads > 0 ? m.d_model / m.heads : 0);
    m.rotary_dim = static_cast<int64_t>(std::floor(static_cast<double>(head) * f));
    if (f > 1 || m.rotary_dim % 2 != 0 || m.rotary_dim == 0)
      r.error("partial_rotary_factor", "gives " + std::to_string(m.rotary_dim) +
                                           " rotated dimensions; rotary embeddings need an even, nonzero count");
    if (m.rotary_dim == head) m.rotary_dim = 0;
  }
  r.use("partial_rotary_factor");
  if (type == "qwen2") {
    // Qwen2 windows only the layers from max_window_layers on, when asked to.
    if (r.boolean("use_sliding_window", false))
      r.error("use_sliding_window", "Qwen2's sliding window on some layers only (max_window_layers) is not built");
    r.use("sliding_window");
    r.use("max_window_layers");
  } else if (type == "mistral" || type == "phi3" || type == "mixtral") {
    m.sliding_window = r.integer("sliding_window", 0);
  }
  if (type == "mixtral") {
    m.experts = r.required("num_local_experts");
    m.experts_per_token = r.required("num_experts_per_tok");
    m.moe_gate = "topk_softmax";
    // Training-only router settings.
    for (const char* k : {"router_aux_loss_coef", "output_router_logits", "router_jitter_noise"}) r.use(k);
    r.note("router_aux_loss_coef, output_router_logits, router_jitter_noise only matter in training");
  }
}

// DeepSeek-V2/V3: latent attention and a mixture of experts with shared
// experts and dense first layers.
void read_deepseek(Reader& r, Model& m, const std::string& type) {
  read_llama_like(r, m, type);
  m.qkv_bias = m.output_bias;  // attention_bias covers every projection
  m.kv_lora_rank = r.required("kv_lora_rank");
  m.q_lora_rank = r.integer("q_lora_rank", 0);
  m.head_dim = r.required("qk_nope_head_dim");
  r.use("head_dim");
  m.qk_rope_dim = r.required("qk_rope_head_dim");
  m.v_head_dim = r.required("v_head_dim");
  if (m.rotary_dim > 0) r.error("partial_rotary_factor", "latent attention rotates its own qk_rope_head_dim");
  m.experts = r.integer("n_routed_experts", 0);
  if (m.experts > 0) {
    m.experts_per_token = r.required("num_experts_per_tok");
    m.shared_experts = r.integer("n_shared_experts", 0);
    m.expert_ffn_dim = r.required("moe_intermediate_size");
    m.dense_layers = r.integer("first_k_dense_replace", 0);
    if (r.integer("moe_layer_freq", 1) != 1) r.error("moe_layer_freq", "MoE layers every other layer are not built");
    // Softmax scores; renormalised over the chosen k (norm_topk_prob) is the
    // softmax over their logits.
    if (auto f = r.string("scoring_func"); f && *f != "softmax")
      r.error("scoring_func", "router scores '" + *f + "' are not built (softmax is)");
    if (auto t = r.string("topk_method"); t && *t != "greedy")
      r.error("topk_method", "top-k method '" + *t + "' (group-limited or bias-corrected routing) is not built");
    for (const char* k : {"n_group", "topk_group"})
      if (r.integer(k, 1) != 1) r.error(k, "group-limited routing is not built");
    if (auto f = r.number("routed_scaling_factor"); f && *f != 1.0)
      r.error("routed_scaling_factor", "a scaled routed output is not built");
    m.moe_gate = r.boolean("norm_topk_prob", false) ? "topk_softmax" : "softmax_topk";
    for (const char* k : {"aux_loss_alpha", "seq_aux", "ep_size"}) r.use(k);
    r.note("aux_loss_alpha, seq_aux, ep_size only matter in training or for expert parallelism");
  }
}

std::string yaml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string write_yaml(const Model& m, const std::string& config, const std::string& type, int64_t seq_len) {
  std::string y = "# Imported by `einflow import hf` from " + config + " (model_type " + type + ").\n";
  y += "# Parameters, MACs and KV cache per token: einflow describe FILE. Scope, phase, batch and\n";
  y += "# sequence length are parameters: einflow check FILE --set instance.seq_len=8\n";
  y += "model:\n  name: " + yaml_string(m.name) + "\n";
  auto num = [&](const char* k, int64_t v) { y += std::string("  ") + k + ": " + std::to_string(v) + "\n"; };
  auto text = [&](const char* k, const std::string& v) { y += std::string("  ") + k + ": " + v + "\n"; };
  num("layers", m.layers);
  num("d_model", m.d_model);
  num("heads", m.heads);
  num("kv_heads", m.kv_heads);
  num("head_dim", m.head_dim);
  num("ffn_dim", m.ffn_dim);
  text("ffn_kind", m.ffn_kind);
  text("norm", m.norm);
  text("norm_position", "pre");
  text("norm_eps", format_double(m.norm_eps));
  text("qkv_bias", m.qkv_bias ? "true" : "false");
  text("output_bias", m.output_bias ? "true" : "false");
  text("ffn_bias", m.ffn_bias ? "true" : "false");
  num("vocab", m.vocab);
  text("tied_embeddings", m.tied ? "true" : "false");
  text("position", m.position);
  if (m.max_positions > 0) num("max_positions", m.max_positions);
  if (m.rotary_dim > 0) num("rotary_dim", m.rotary_dim);
  if (m.position == "rope")
    text("rope_theta", m.rope_theta == std::floor(m.rope_theta) && m.rope_theta < 1e15
                           ? std::to_string(static_cast<int64_t>(m.rope_theta))
                           : format_double(m.rope_theta));
  if (m.parallel) text("parallel_residual", "true");
  if (m.sliding_window > 0) num("sliding_window", m.sliding_window);
  if (m.kv_lora_rank > 0) {
    num("kv_lora_rank", m.kv_lora_rank);
    if (m.q_lora_rank > 0) num("q_lora_rank", m.q_lora_rank);
    num("qk_rope_dim", m.qk_rope_dim);
    num("v_head_dim", m.v_head_dim);
  }
  if (m.experts > 0) {
    num("experts", m.experts);
    num("experts_per_token", m.experts_per_token);
    if (m.shared_experts > 0) num("shared_experts", m.shared_experts);
    if (m.expert_ffn_dim > 0) num("expert_ffn_dim", m.expert_ffn_dim);
    if (m.dense_layers > 0) num("dense_layers", m.dense_layers);
    text("moe_gate", m.moe_gate);
  }
  text("kind", "decoder");
  y += "instance:\n  scope: layer\n  phase: prefill\n  batch: 1\n  seq_len: " + std::to_string(seq_len) + "\n";
  return y;
}

std::string file_stem(const std::string& name) {
  std::string base = name.substr(name.find_last_of('/') == std::string::npos ? 0 : name.find_last_of('/') + 1);
  std::string out;
  for (char c : base) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '-';
  return out.empty() ? "model" : out;
}

}  // namespace

HfImport import_hf(const std::string& config_path, int64_t seq_len) {
  const Source src(config_path, read_file(config_path));
  json j;
  try {
    j = json::parse(src.text());
  } catch (const json::parse_error& e) {
    throw UserError(src.at_offset(e.byte > 0 ? e.byte - 1 : 0), std::string("malformed JSON: ") + e.what());
  }
  if (!j.is_object()) throw UserError(SourceLoc{config_path, 1, 1}, "expected a JSON object (a model's config.json)");
  if (seq_len < 1) throw UserError(SourceLoc{}, "--seq-len", "expected a positive sequence length");
  Diagnostics d;
  Reader r(j, src, d);
  const std::string type = r.string("model_type").value_or("");
  static const std::vector<std::string> supported = {"gpt2",  "gpt_neox", "llama",       "mistral",    "qwen2",
                                                     "phi3",  "gemma",    "mixtral",     "deepseek_v2", "deepseek_v3"};
  Model m;
  if (type == "gpt2") {
    read_gpt2(r, m);
  } else if (type == "gpt_neox") {
    read_neox(r, m);
  } else if (type == "deepseek_v2" || type == "deepseek_v3") {
    read_deepseek(r, m, type);
  } else if (std::find(supported.begin(), supported.end(), type) != supported.end()) {
    read_llama_like(r, m, type);
  } else {
    throw UserError(src.key("model_type"), "model_type",
                    (type.empty() ? std::string("missing model_type") : "model_type '" + type + "' is not supported") +
                        "; supported: " + join(supported, ", "));
  }
  r.require_bool("is_encoder_decoder", false, "encoder-decoder models are not imported");
  if (r.present("quantization_config"))
    r.error("quantization_config", "quantized weights change the arithmetic and the bytes moved; not built");
  r.use("quantization_config");
  if (auto dt = r.string("torch_dtype"); dt && *dt == "float32")
    r.note("the checkpoint holds float32 weights; einflow's builders count 2-byte (fp16) values");
  if (m.heads > 0 && m.head_dim == 0) {
    if (m.d_model % m.heads != 0)
      d.error(src.key("num_attention_heads"), "heads", "hidden size " + std::to_string(m.d_model) +
                                                           " is not a multiple of the heads " + std::to_string(m.heads));
    m.head_dim = m.d_model / m.heads;
  }
  std::string name = r.string("_name_or_path").value_or("");
  r.finish();
  d.throw_if_any();
  if (name.empty()) name = std::filesystem::absolute(config_path).parent_path().filename().string();
  m.name = name.empty() ? "model" : name;
  HfImport out;
  out.name = m.name;
  out.file_stem = file_stem(m.name);
  out.workload_yaml = write_yaml(m, std::filesystem::path(config_path).filename().string(), type, seq_len);
  out.notes = r.notes();
  return out;
}

}  // namespace einflow::import
