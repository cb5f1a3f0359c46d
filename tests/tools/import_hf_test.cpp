// `einflow import hf`: a config.json of each supported family (dense, MoE,
// latent attention), written for
// this test, imported; parameters and MACs per decode token against hand
// calculation, the imported layer against the direct implementation, and the
// errors for unknown fields, unsupported values and malformed JSON.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "common/error.h"
#include "tools/import/hf.h"
#include "workloads/golden/check.h"
#include "workloads/model_stats.h"
#include "workloads/workload.h"

namespace einflow::import {
namespace {

std::string write_config(const std::string& name, const std::string& json) {
  const std::string path = ::testing::TempDir() + name + ".json";
  std::ofstream(path) << json;
  return path;
}

workloads::Workload imported(const std::string& name, const std::string& json, int64_t seq_len = 64) {
  HfImport r = import_hf(write_config(name, json), seq_len);
  return workloads::load_workload_text(r.workload_yaml, name + ".yaml");
}

// Decode MACs per token by hand: per layer the Q, K, V, O projections, the
// FFN (3 matrices when gated), QK and AV over `ctx` keys, and each norm's sum
// of squares (d); the LM head vocab x d.
int64_t decode_macs(int64_t layers, int64_t d, int64_t h, int64_t g, int64_t e, int64_t n, bool gated, int64_t ctx,
                    int64_t vocab) {
  const int64_t proj = d * h * e + 2 * d * g * e + h * e * d;
  const int64_t ffn = (gated ? 3 : 2) * d * n;
  return layers * (proj + ffn + 2 * h * e * ctx + 2 * d) + vocab * d;
}

struct Family {
  const char* name;
  const char* json;
  int64_t params;      // by hand (below)
  int64_t macs;        // per decode token at 64 tokens
  int64_t kv_bytes;    // per token
};

class HfFamily : public ::testing::TestWithParam<Family> {};

TEST_P(HfFamily, ParametersAndDecodeMacsByHand) {
  workloads::Workload w = imported(GetParam().name, GetParam().json);
  EXPECT_EQ(workloads::model_params(*w.model).total, GetParam().params);
  workloads::InstanceSpec inst = *w.instance;
  const workloads::TokenCosts t = workloads::token_costs(*w.model, inst);
  EXPECT_EQ(t.macs, GetParam().macs);
  EXPECT_EQ(t.kv_bytes, GetParam().kv_bytes);
}

TEST_P(HfFamily, ImportedLayerMatchesDirect) {
  HfImport r = import_hf(write_config(GetParam().name, GetParam().json), 4);
  for (const char* phase : {"prefill", "decode"}) {
    workloads::Workload w = workloads::load_workload_text(
        r.workload_yaml, std::string(GetParam().name) + ".yaml",
        {{"instance.phase", phase}, {"instance.block", "2"}, {"instance.attention", "[1pass]"}});
    golden::CheckReport rep = golden::check_workload(w, golden::CheckOptions{});
    EXPECT_TRUE(rep.passed) << GetParam().name << " " << phase;
  }
}

// Parameters by hand, per family (d: hidden size, N: FFN width, V: vocab):
//  gpt2: per layer 2 LayerNorms (2 x 2 x 64), QKV+O with biases (4 x 64^2 + 4 x 64),
//    FFN with biases (2 x 64 x 256 + 256 + 64) = 49,984; tokens 500 x 64 and
//    positions 128 x 64, tied head, final LayerNorm 128: 2 x 49,984 + 40,192 + 128.
//  gpt_neox: the same layer (parallel residual, biases), untied head 500 x 64:
//    2 x 49,984 + 2 x 32,000 + 128.
//  llama (GQA 8 heads of 8, 2 KV heads): 64^2 + 2 x 64 x 16 + 64^2 + 3 x 64 x 160
//    + 2 x 64 = 41,088 per layer; 3 layers, untied 300 x 64 twice, final 64.
//  mistral: the llama layer, window 32 (64 tokens attend over 32 keys).
//  qwen2 (4 heads of 16, 2 KV heads, QKV biases 64 + 2 x 32, tied):
//    3 x 64^2 + 64 x 32 ... = 12,416 + 3 x 64 x 128 + 128 = 37,120; 2 layers, 300 x 64, 64.
//  phi3 (96 wide, 4 heads of 24, window 47): 4 x 96^2 + 3 x 96 x 128 + 192 = 73,920;
//    2 layers, untied 200 x 96 twice, 96.
//  gemma (2 heads of 48 on a 64-wide model, 1 KV head, GeGLU 192, tied):
//    64 x 96 x 2 + 2 x 64 x 48 + 3 x 64 x 192 + 128 = 55,424; 2 layers, 256 x 64, 64.
INSTANTIATE_TEST_SUITE_P(
    Families, HfFamily,
    ::testing::Values(
        Family{"gpt2",
               R"({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": 64, "n_layer": 2,
                   "n_head": 4, "n_inner": null, "n_positions": 128, "n_ctx": 128, "vocab_size": 500,
                   "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "attn_pdrop": 0.1,
                   "embd_pdrop": 0.1, "resid_pdrop": 0.1, "scale_attn_weights": true, "bos_token_id": 0,
                   "eos_token_id": 0, "summary_type": "cls_index", "use_cache": true})",
               2 * 49984 + 500 * 64 + 128 * 64 + 128, decode_macs(2, 64, 4, 4, 16, 256, false, 64, 500),
               2 * 2 * 4 * 16 * 2},
        Family{"gpt_neox",
               R"({"model_type": "gpt_neox", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                   "intermediate_size": 256, "hidden_act": "gelu", "rotary_pct": 0.25, "rotary_emb_base": 10000,
                   "max_position_embeddings": 2048, "layer_norm_eps": 1e-5, "use_parallel_residual": true,
                   "vocab_size": 500, "tie_word_embeddings": false, "attention_dropout": 0.0,
                   "hidden_dropout": 0.0, "torch_dtype": "float16"})",
               2 * 49984 + 2 * 500 * 64 + 128, decode_macs(2, 64, 4, 4, 16, 256, false, 64, 500), 2 * 2 * 4 * 16 * 2},
        Family{"llama",
               R"({"model_type": "llama", "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 3,
                   "num_attention_heads": 8, "num_key_value_heads": 2, "hidden_act": "silu", "rms_norm_eps": 1e-5,
                   "rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", "factor": 8.0},
                   "vocab_size": 300, "tie_word_embeddings": false, "attention_bias": false, "mlp_bias": false,
                   "pretraining_tp": 1, "bos_token_id": 1, "eos_token_id": [2, 3]})",
               3 * 41088 + 2 * 300 * 64 + 64, decode_macs(3, 64, 8, 2, 8, 160, true, 64, 300), 3 * 2 * 2 * 8 * 2},
        Family{"mistral",
               R"({"model_type": "mistral", "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 3,
                   "num_attention_heads": 8, "num_key_value_heads": 2, "hidden_act": "silu", "rms_norm_eps": 1e-5,
                   "rope_theta": 10000.0, "sliding_window": 32, "vocab_size": 300, "tie_word_embeddings": false})",
               3 * 41088 + 2 * 300 * 64 + 64, decode_macs(3, 64, 8, 2, 8, 160, true, 32, 300), 3 * 2 * 2 * 8 * 2},
        Family{"qwen2",
               R"({"model_type": "qwen2", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                   "num_attention_heads": 4, "num_key_value_heads": 2, "hidden_act": "silu", "rms_norm_eps": 1e-6,
                   "rope_theta": 1000000.0, "use_sliding_window": false, "sliding_window": 4096,
                   "max_window_layers": 21, "vocab_size": 300, "tie_word_embeddings": true})",
               2 * 37120 + 300 * 64 + 64, decode_macs(2, 64, 4, 2, 16, 128, true, 64, 300), 2 * 2 * 2 * 16 * 2},
        Family{"phi3",
               R"({"model_type": "phi3", "hidden_size": 96, "intermediate_size": 128, "num_hidden_layers": 2,
                   "num_attention_heads": 4, "num_key_value_heads": 4, "hidden_act": "silu", "rms_norm_eps": 1e-5,
                   "rope_theta": 10000.0, "rope_scaling": null, "sliding_window": 47, "vocab_size": 200,
                   "original_max_position_embeddings": 4096, "embd_pdrop": 0.0, "resid_pdrop": 0.0,
                   "tie_word_embeddings": false})",
               2 * 73920 + 2 * 200 * 96 + 96, decode_macs(2, 96, 4, 4, 24, 128, true, 47, 200), 2 * 2 * 4 * 24 * 2},
        Family{"gemma",
               R"({"model_type": "gemma", "hidden_size": 64, "intermediate_size": 192, "num_hidden_layers": 2,
                   "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 48, "hidden_act": "gelu",
                   "hidden_activation": "gelu_pytorch_tanh", "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
                   "vocab_size": 256, "pad_token_id": 0})",
               2 * 55424 + 256 * 64 + 64, decode_macs(2, 64, 2, 1, 48, 192, true, 64, 256), 2 * 2 * 1 * 48 * 2},
        // mixtral (8 heads of 8, 2 KV heads, 4 experts of 32, top-2): per layer
        // attention 10,240, router 64 x 4, experts 4 x 3 x 64 x 32, norms 128.
        // Decode MACs per layer: projections 10,240, QK and AV 2 x 8 x 8 x 64,
        // norms 128, router 256, two experts 2 x 3 x 64 x 32, the gated sum 2 x 64.
        Family{"mixtral",
               R"({"model_type": "mixtral", "hidden_size": 64, "intermediate_size": 32, "num_hidden_layers": 2,
                   "num_attention_heads": 8, "num_key_value_heads": 2, "hidden_act": "silu", "rms_norm_eps": 1e-5,
                   "rope_theta": 1000000.0, "sliding_window": null, "vocab_size": 100, "num_local_experts": 4,
                   "num_experts_per_tok": 2, "router_aux_loss_coef": 0.02, "output_router_logits": false,
                   "tie_word_embeddings": false})",
               2 * (10240 + 256 + 4 * 3 * 64 * 32 + 128) + 2 * 100 * 64 + 64,
               2 * (10240 + 2 * 8 * 8 * 64 + 128 + 256 + 2 * 3 * 64 * 32 + 2 * 64) + 100 * 64, 2 * 2 * 2 * 8 * 2},
        // deepseek_v2 (latent attention: 4 heads, nope 8, rope 4, v 8, latent 16;
        // 8 experts of 16, top-2, 1 shared; the first of 3 layers dense, 96).
        // Attention parameters: Q 64 x 4 x 12, latent 64 x 16 + 16, rotary key
        // 64 x 4, K and V up 16 x 4 x 8 each, O 4 x 8 x 64 = 7,440. MoE FFN:
        // router 64 x 8, experts 8 x 3 x 64 x 16, shared 3 x 64 x 16 = 28,160.
        // Decode (the absorbed form) MACs per layer: Q 64 x 4 x (8 + 4), the
        // latent 64 x 16 and its norm 16, the rotary key 64 x 4, QA 4 x 16 x 8,
        // QK 4 x 20 x 64, AV 4 x 16 x 64, the value up 4 x 16 x 8, O 4 x 8 x 64,
        // the norms 2 x 64 = 16,784; plus the MoE's router 512, two experts
        // 2 x 3 x 64 x 16, the shared 3 x 64 x 16, the gated sum 2 x 64, or the
        // dense FFN 3 x 64 x 96. Cache: 3 layers x (16 + 4) values x 2 bytes.
        Family{"deepseek_v2",
               R"({"model_type": "deepseek_v2", "hidden_size": 64, "intermediate_size": 96,
                   "moe_intermediate_size": 16, "num_hidden_layers": 3, "num_attention_heads": 4,
                   "num_key_value_heads": 4, "n_routed_experts": 8, "n_shared_experts": 1, "num_experts_per_tok": 2,
                   "first_k_dense_replace": 1, "moe_layer_freq": 1, "kv_lora_rank": 16, "q_lora_rank": null,
                   "qk_nope_head_dim": 8, "qk_rope_head_dim": 4, "v_head_dim": 8, "hidden_act": "silu",
                   "rms_norm_eps": 1e-6, "rope_theta": 10000, "scoring_func": "softmax", "topk_method": "greedy",
                   "n_group": 1, "topk_group": 1, "norm_topk_prob": false, "routed_scaling_factor": 1.0,
                   "aux_loss_alpha": 0.001, "seq_aux": true, "vocab_size": 100, "tie_word_embeddings": false,
                   "attention_bias": false})",
               2 * (7440 + 28160 + 128) + (7440 + 3 * 64 * 96 + 128) + 2 * 100 * 64 + 64,
               2 * (16784 + 512 + 2 * 3 * 64 * 16 + 3 * 64 * 16 + 2 * 64) + (16784 + 3 * 64 * 96) + 100 * 64,
               3 * 20 * 2}),
    [](const ::testing::TestParamInfo<Family>& info) { return std::string(info.param.name); });

TEST(HfImport, NamesTheFieldsTheCheckpointCarriesInTheNotes) {
  HfImport r = import_hf(write_config("notes", R"({"model_type": "mistral", "hidden_size": 64,
      "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 100,
      "bos_token_id": 1, "attention_dropout": 0.0, "torch_dtype": "float32", "_name_or_path": "org/My Model"})"));
  EXPECT_EQ(r.name, "org/My Model");
  EXPECT_EQ(r.file_stem, "My-Model");
  std::string notes;
  for (const auto& n : r.notes) notes += n + "\n";
  EXPECT_NE(notes.find("attention_dropout, bos_token_id"), std::string::npos) << notes;
  EXPECT_NE(notes.find("float32"), std::string::npos) << notes;
}

std::string import_error(const std::string& name, const std::string& json) {
  try {
    import_hf(write_config(name, json));
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(HfImport, RejectsWhatWouldChangeTheComputationByName) {
  const std::string e = import_error("bad", "{\"model_type\": \"llama\", \"hidden_size\": 64,\n"
                                            " \"intermediate_size\": 128, \"num_hidden_layers\": 1,\n"
                                            " \"num_attention_heads\": 4, \"vocab_size\": 100,\n"
                                            " \"frobnicate\": 1, \"hidden_act\": \"relu\"}");
  EXPECT_NE(e.find("bad.json:4:3: frobnicate: unknown field 'frobnicate'"), std::string::npos) << e;
  EXPECT_NE(e.find("bad.json:4:20: hidden_act: activation 'relu' is not built as a gated FFN"), std::string::npos) << e;
  EXPECT_NE(import_error("qw", R"({"model_type": "qwen2", "hidden_size": 64, "intermediate_size": 128,
      "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 100, "use_sliding_window": true})")
                .find("use_sliding_window: Qwen2's sliding window on some layers only"),
            std::string::npos);
  EXPECT_NE(import_error("g2", R"({"model_type": "gpt2", "n_embd": 64, "n_layer": 1, "n_head": 4,
      "vocab_size": 10, "scale_attn_by_inverse_layer_idx": true})")
                .find("scale_attn_by_inverse_layer_idx: per-layer score scaling is not built"),
            std::string::npos);
  EXPECT_NE(import_error("missing", R"({"model_type": "llama", "hidden_size": 64})")
                .find("missing.json:1:1: num_hidden_layers: missing field 'num_hidden_layers'"),
            std::string::npos);
  EXPECT_NE(import_error("type", R"({"model_type": "bloom"})").find("model_type 'bloom' is not supported"),
            std::string::npos);
  // DeepSeek-V3's bias-corrected, group-limited sigmoid routing is not built.
  const std::string v3 = import_error("v3", R"({"model_type": "deepseek_v3", "hidden_size": 64,
      "intermediate_size": 96, "moe_intermediate_size": 16, "num_hidden_layers": 3, "num_attention_heads": 4,
      "n_routed_experts": 8, "num_experts_per_tok": 2, "kv_lora_rank": 16, "qk_nope_head_dim": 8,
      "qk_rope_head_dim": 4, "v_head_dim": 8, "vocab_size": 100, "scoring_func": "sigmoid",
      "topk_method": "noaux_tc", "n_group": 4, "topk_group": 2})");
  for (const char* f : {"scoring_func: router scores 'sigmoid'", "topk_method: top-k method 'noaux_tc'",
                        "n_group: group-limited routing", "topk_group: group-limited routing"})
    EXPECT_NE(v3.find(f), std::string::npos) << f << "\n" << v3;
}

TEST(HfImport, MalformedJsonIsLocated) {
  const std::string e = import_error("broken", "{\"model_type\": \"llama\",\n \"hidden_size\": 64,,}");
  EXPECT_NE(e.find("broken.json:2:20: malformed JSON"), std::string::npos) << e;
}

}  // namespace
}  // namespace einflow::import
