// The layer features the published families need: rotary positions (full
// and partial), biases on the QKV projections only, the tanh GELU, GeGLU and
// SiLU FFNs, the parallel residual, mixtures of experts, latent attention in
// both forms. Each layer is checked against the direct
// implementation in prefill and decode, and RoPE's rotation on hand-worked
// values.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <string>
#include <vector>

#include "workloads/cascade_spec.h"
#include "workloads/golden/check.h"
#include "workloads/golden/interpreter.h"
#include "workloads/workload.h"

namespace einflow::golden {
namespace {

struct Feature {
  const char* name;
  const char* model;  // model keys added to a small GQA decoder
};

class LayerFeature : public ::testing::TestWithParam<Feature> {};

TEST_P(LayerFeature, MatchesDirectInPrefillAndDecode) {
  const std::string base =
      "model: {name: m, layers: 1, d_model: 16, heads: 4, head_dim: 8, ffn_dim: 24, kind: decoder, ";
  // GQA (2 KV heads) except for latent attention, whose heads each read the latent.
  const std::string heads = std::string(GetParam().model).find("kv_lora_rank") == std::string::npos ? ", kv_heads: 2" : "";
  for (const char* phase : {"prefill", "decode"}) {
    const std::string text = base + GetParam().model + heads + "}\ninstance: {scope: layer, phase: " + phase +
                             ", batch: 2, seq_len: 6, block: 2}\n";
    workloads::Workload w = workloads::load_workload_text(text, "feature.yaml");
    CheckOptions opt;
    CheckReport rep = check_workload(w, opt);
    EXPECT_TRUE(rep.passed) << GetParam().name << " " << phase;
    EXPECT_EQ(rep.reference, "direct implementation");
    for (const auto& v : rep.variants) EXPECT_LT(v.max_rel, 1e-9) << GetParam().name << " " << phase << " " << v.variant;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Features, LayerFeature,
    ::testing::Values(Feature{"rope", "position: rope, bias: false, norm: rmsnorm"},
                      Feature{"partial_rope", "position: rope, rotary_dim: 4, bias: true"},
                      Feature{"qkv_bias_only", "position: rope, bias: false, qkv_bias: true, ffn_kind: swiglu"},
                      Feature{"gelu_tanh", "ffn_kind: gelu_tanh, bias: true"},
                      Feature{"geglu", "ffn_kind: geglu, bias: false"},
                      Feature{"geglu_tanh", "ffn_kind: geglu_tanh, bias: true"},
                      Feature{"silu", "ffn_kind: silu, bias: false"},
                      Feature{"moe_top2", "experts: 8, experts_per_token: 2, ffn_kind: swiglu, bias: false"},
                      Feature{"moe_shared_softmax_first",
                              "experts: 6, experts_per_token: 3, shared_experts: 2, expert_ffn_dim: 4, "
                              "moe_gate: softmax_topk, ffn_kind: geglu_tanh, bias: false, position: rope"},
                      Feature{"mla", "kv_lora_rank: 6, qk_rope_dim: 4, v_head_dim: 6, position: rope, bias: false"},
                      Feature{"mla_q_latent_moe",
                              "kv_lora_rank: 6, q_lora_rank: 5, qk_rope_dim: 2, v_head_dim: 3, position: rope, "
                              "bias: false, experts: 4, experts_per_token: 2, shared_experts: 1, "
                              "expert_ffn_dim: 4, moe_gate: softmax_topk, ffn_kind: swiglu"},
                      Feature{"parallel_residual",
                              "ffn_kind: gelu, parallel_residual: true, position: rope, rotary_dim: 2"}),
    [](const ::testing::TestParamInfo<Feature>& info) { return std::string(info.param.name); });

TEST(MixerLayers, EveryFormOfEachLayerMatchesDirect) {
  // Whole layers of the sequence mixers, prefill in every form and decode
  // (the state instead of a KV cache): linear attention; GLA with its gate
  // projection, per-head norm and output gate, values wider than keys, GQA;
  // Mamba with its projections and convolution.
  const std::vector<std::string> models = {
      "{name: l, layers: 1, d_model: 16, heads: 2, head_dim: 4, ffn_dim: 8, ffn_kind: swiglu, norm: rmsnorm, "
      "bias: false, kind: decoder, mixer: linear}",
      "{name: g, layers: 1, d_model: 16, heads: 4, kv_heads: 2, head_dim: 4, v_head_dim: 6, ffn_dim: 8, "
      "ffn_kind: swiglu, norm: rmsnorm, bias: false, kind: decoder, mixer: gla}",
      "{name: m, layers: 1, d_model: 8, mixer: mamba, state_dim: 3, expand: 2, conv_kernel: 3, norm: rmsnorm, "
      "kind: decoder}"};
  for (const auto& model : models)
    for (const char* phase : {"prefill", "decode"}) {
      workloads::Workload w = workloads::load_workload_text(
          "model: " + model + "\ninstance: {scope: layer, batch: 2, seq_len: 8, block: 4, phase: " + phase + "}\n",
          "mixer.yaml");
      CheckReport rep = check_workload(w, CheckOptions{});
      EXPECT_TRUE(rep.passed) << model << " " << phase;
      EXPECT_EQ(rep.variants.size(), std::string(phase) == "decode" || model.find("mamba") != std::string::npos ? 1u : 3u);
      for (const auto& v : rep.variants) EXPECT_LT(v.max_rel, 1e-9) << model << " " << phase << " " << v.variant;
    }
}

TEST(MixerLayers, DecodeStepsReplayTheLayersPrefill) {
  // A Mamba layer's decode steps from a zero state and zero convolution
  // history, each feeding the next its state, give the prefill's outputs.
  const std::string model = "model: {name: m, layers: 1, d_model: 4, mixer: mamba, state_dim: 2, expand: 2, "
                            "conv_kernel: 3, norm: rmsnorm, kind: decoder}\n";
  workloads::Workload pre = workloads::load_workload_text(model + "instance: {scope: layer, seq_len: 5}\n", "m.yaml");
  workloads::Workload dec =
      workloads::load_workload_text(model + "instance: {scope: layer, seq_len: 5, phase: decode}\n", "m.yaml");
  const auto& pc = pre.variants.front().cascade;
  const auto& dc = dec.variants.front().cascade;
  TensorSet<double> pin = seeded_inputs<double>(pc, 7);
  TensorSet<double> prefill = interpret<double>(pc, pin);
  TensorSet<double> din = seeded_inputs<double>(dc, 7);
  for (auto& [name, t] : din)
    if (pin.count(name) && name != "X") t = pin[name];  // the same weights
  std::fill(din["HP"].data.begin(), din["HP"].data.end(), 0.0);
  std::fill(din["XCP"].data.begin(), din["XCP"].data.end(), 0.0);
  for (int64_t l = 0; l < 5; ++l) {
    for (int64_t i = 0; i < 4; ++i) din["X"].at({0, i, 0}) = pin["X"].at({0, i, l});
    TensorSet<double> step = interpret<double>(dc, din);
    for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(step["Y"].at({0, i, 0}), prefill["Y"].at({0, i, l}), 1e-12) << l;
    din["HP"] = step["H"];
    din["XCP"] = step["XCN"];
  }
}

TEST(Mla, NaiveAndAbsorbedFormsBothMatchDirect) {
  // Each phase in each form: the absorbed form (attention over the latent,
  // one shared key) equals the naive one (keys and values expanded per head).
  const std::string model =
      "model: {name: m, layers: 1, d_model: 16, heads: 4, head_dim: 4, kv_lora_rank: 6, qk_rope_dim: 4, "
      "v_head_dim: 5, ffn_dim: 8, ffn_kind: swiglu, norm: rmsnorm, bias: false, kind: decoder, position: rope}\n";
  for (const char* phase : {"prefill", "decode"})
    for (const char* form : {"naive", "absorbed"}) {
      workloads::Workload w = workloads::load_workload_text(
          model + "instance: {scope: layer, batch: 2, seq_len: 6, block: 2, phase: " + phase + ", mla: " + form + "}\n",
          "mla.yaml");
      CheckReport rep = check_workload(w, CheckOptions{});
      EXPECT_TRUE(rep.passed) << phase << " " << form;
      EXPECT_EQ(rep.variants.size(), 3u);
    }
}

TEST(Rope, RotatesEachPairByItsTokensAngle) {
  // One head of dimension 4 (pairs (0,2) and (1,3)), identity projections,
  // two tokens: Q = R(token) x / sqrt(4), K = R(token) x.
  workloads::Workload w = workloads::load_workload_text(
      "model: {name: m, layers: 1, d_model: 4, heads: 1, head_dim: 4, ffn_dim: 4, kind: decoder, bias: false, "
      "position: rope}\ninstance: {scope: qkv_projection, seq_len: 2}\n",
      "rope.yaml");
  const auto& c = w.variants.front().cascade;
  TensorSet<double> in = seeded_inputs<double>(c, 1);
  for (const char* wname : {"WQ", "WK", "WV"}) {
    auto& t = in[wname];
    std::fill(t.data.begin(), t.data.end(), 0.0);
    for (int64_t i = 0; i < 4; ++i) t.at({i, 0, i}) = 1.0;
  }
  const double x[2][4] = {{1, 2, 3, 4}, {-1, 0.5, 2, -3}};
  for (int64_t p = 0; p < 2; ++p)
    for (int64_t d = 0; d < 4; ++d) in["X"].at({0, d, p}) = x[p][d];
  const double angle[2][2] = {{0.3, -1.1}, {2.0, 0.7}};  // [pair][token]
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t p = 0; p < 2; ++p) {
      in["RCOS"].at({i, p}) = std::cos(angle[i][p]);
      in["RSIN"].at({i, p}) = std::sin(angle[i][p]);
    }
  TensorSet<double> out = interpret<double>(c, in);
  for (int64_t p = 0; p < 2; ++p)
    for (int64_t i = 0; i < 2; ++i) {
      const double a = x[p][i], b = x[p][i + 2], cs = std::cos(angle[i][p]), sn = std::sin(angle[i][p]);
      EXPECT_NEAR(out["K"].at({0, 0, i, p}), a * cs - b * sn, 1e-12);
      EXPECT_NEAR(out["K"].at({0, 0, i + 2, p}), b * cs + a * sn, 1e-12);
      EXPECT_NEAR(out["Q"].at({0, 0, i, p}), (a * cs - b * sn) / 2, 1e-12);
      EXPECT_NEAR(out["V"].at({0, 0, i, p}), a, 1e-12);  // V is not rotated
    }
}

TEST(Rope, NeedsAnEvenRotaryDimWithinTheHead) {
  for (const char* bad : {"rotary_dim: 3", "rotary_dim: 16"}) {
    try {
      workloads::load_workload_text(
          std::string("model: {name: m, layers: 1, d_model: 16, heads: 2, head_dim: 8, ffn_dim: 8, kind: decoder, "
                      "position: rope, ") +
              bad + "}\n",
          "bad.yaml");
      FAIL() << bad;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("bad.yaml:1:"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("rotary_dim must be even and at most head_dim"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace einflow::golden
