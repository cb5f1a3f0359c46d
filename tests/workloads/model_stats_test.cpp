// Parameters, MACs per token and KV-cache bytes per token of the zoo's models:
// parameter counts against the published ones (Hugging Face's counts of the
// released checkpoints), MACs and cache bytes against hand calculation.
#include <gtest/gtest.h>

#include <string>

#include "workloads/model_stats.h"
#include "workloads/workload.h"

namespace einflow::workloads {
namespace {

Workload zoo(const std::string& name, const std::vector<Override>& o = {}) {
  return load_workload(std::string(EINFLOW_SOURCE_DIR) + "/configs/workloads/" + name + ".yaml", o);
}

TEST(ModelParams, MatchPublishedCounts) {
  // GPT-2 (tied LM head, 1024 learned positions) and the Llama/Mistral
  // checkpoints, as their released weights count.
  EXPECT_EQ(model_params(*zoo("gpt2-small").model).total, 124439808);
  EXPECT_EQ(model_params(*zoo("gpt2-medium").model).total, 354823168);
  EXPECT_EQ(model_params(*zoo("gpt2-large").model).total, 774030080);
  EXPECT_EQ(model_params(*zoo("gpt2-xl").model).total, 1557611200);
  EXPECT_EQ(model_params(*zoo("llama2-7b").model).total, 6738415616);
  EXPECT_EQ(model_params(*zoo("llama3-8b").model).total, 8030261248);
  EXPECT_EQ(model_params(*zoo("mistral-7b").model).total, 7241732096);
  // The GPT-3 family to XL by hand (GPT-2's layer: 12 d^2 + 13 d with biases
  // and two LayerNorms; a token table of 50257 x d; 2048 x d positions; a
  // final norm 2 d; the head tied): 12 x 7087872 + 38597376 + 1572864 + 1536;
  // 24 x 12596224 + 51463168 + 2097152 + 2048; 24 x 28331520 + 77194752 +
  // 3145728 + 3072; 24 x 50358272 + 102926336 + 4194304 + 4096 (XL as 16
  // heads of 128: configs/workloads/gpt3-xl.yaml). The table's 125M, 350M,
  // 760M and 1.3B.
  EXPECT_EQ(model_params(*zoo("gpt3-small").model).total, 125226240);
  EXPECT_EQ(model_params(*zoo("gpt3-medium").model).total, 355871744);
  EXPECT_EQ(model_params(*zoo("gpt3-large").model).total, 760300032);
  EXPECT_EQ(model_params(*zoo("gpt3-xl").model).total, 1315723264);
  // Yi-34B by hand: 60 layers x (Q and O 2 x 7168^2, K and V 2 x 7168 x 1024,
  // SwiGLU 3 x 7168 x 20480, two norms 2 x 7168) = 60 x 557856768, the token
  // table and the untied head 2 x 64000 x 7168, the final norm 7168:
  // 34388917248 (the published 34.4B).
  EXPECT_EQ(model_params(*zoo("yi-34b").model).total, 34388917248);
  // BERT-Base's 109,482,240 less what einflow does not build: the two
  // token-type rows and the pooler (768 x 768 + 768).
  EXPECT_EQ(model_params(*zoo("bert-base").model).total, 109482240 - 2 * 768 - (768 * 768 + 768));
}

TEST(ModelParams, CountEachBiasWhereTheModelHasIt) {
  // Qwen2-style: biases on Q, K and V only. d=64, 4 heads of 16, 2 KV heads, SwiGLU 128.
  Workload w = load_workload_text(
      "model: {name: q, layers: 3, d_model: 64, heads: 4, kv_heads: 2, head_dim: 16, ffn_dim: 128, ffn_kind: swiglu, "
      "norm: rmsnorm, bias: false, qkv_bias: true, vocab: 100, kind: decoder, position: rope}\n",
      "q.yaml");
  const ModelParams p = model_params(*w.model);
  EXPECT_EQ(p.attention, 64 * 64 + 2 * 64 * 32 + 64 * 64 + (64 + 2 * 32));
  EXPECT_EQ(p.ffn, 3 * 64 * 128);
  EXPECT_EQ(p.norms, 2 * 64);
  EXPECT_EQ(p.embedding, 100 * 64);
  EXPECT_EQ(p.head, 100 * 64);
  EXPECT_EQ(p.total, 3 * (p.attention + p.ffn + p.norms) + 2 * 100 * 64 + 64);
}

TEST(TokenCosts, DecodeMacsByHand) {
  // Llama-2-7B, one token against 512 keys: the projections 4 d^2, the FFN
  // 3 d N, QK and AV 2 H E 512, each RMSNorm's sum of squares d; the LM head V d.
  const int64_t d = 4096, n = 11008, h = 32, e = 128, v = 32000, layers = 32;
  const TokenCosts t = token_costs(*zoo("llama2-7b").model, *zoo("llama2-7b", {{"instance.seq_len", "512"}}).instance);
  const int64_t layer = 4 * d * d + 3 * d * n + 2 * h * e * 512 + 2 * d;
  EXPECT_EQ(t.layer_macs, layer);
  EXPECT_EQ(t.head_macs, v * d);
  EXPECT_EQ(t.macs, layers * layer + v * d);
  EXPECT_EQ(t.kv_bytes, layers * 2 * h * e * 2);  // 512 KiB per token in fp16
  EXPECT_EQ(t.kv_tokens_max, 0);
}

TEST(TokenCosts, SlidingWindowBoundsContextAndCache) {
  // Mistral-7B at 16K: a decode token attends over its 4096-key window.
  Workload w = zoo("mistral-7b", {{"instance.seq_len", "16384"}});
  const TokenCosts t = token_costs(*w.model, *w.instance);
  const int64_t d = 4096, n = 14336, h = 32, g = 8, e = 128;
  EXPECT_EQ(t.context, 4096);
  EXPECT_EQ(t.layer_macs, 2 * d * d + 2 * d * g * e + 3 * d * n + 2 * h * e * 4096 + 2 * d);
  EXPECT_EQ(t.kv_bytes, 32 * 2 * g * e * 2);
  EXPECT_EQ(t.kv_tokens_max, 4096);
}

TEST(TokenCosts, EncoderTokensShareThePrefill) {
  // BERT-Base at 128 tokens: per token the projections and FFN, 2 H E 128 for
  // attention, the norms' sums (mean and variance: 2 d each), no LM head.
  Workload w = zoo("bert-base", {{"instance.seq_len", "128"}});
  const TokenCosts t = token_costs(*w.model, *w.instance);
  const int64_t d = 768;
  EXPECT_EQ(t.phase, Phase::kPrefill);
  EXPECT_EQ(t.layer_macs, 4 * d * d + 2 * d * 3072 + 2 * 12 * 64 * 128 + 2 * d);
  EXPECT_EQ(t.head_macs, 0);
}

TEST(ModelParams, MixtralTotalAndActiveMatchPublished) {
  // 46.7B parameters, 12.9B used per token (2 of 8 experts).
  const ModelParams p = model_params(*zoo("mixtral-8x7b").model);
  EXPECT_EQ(p.total, 46702792704);
  EXPECT_EQ(p.expert, 3LL * 4096 * 14336);
  EXPECT_EQ(p.active, 46702792704 - 32LL * 6 * 3 * 4096 * 14336);  // 12,879,925,248
}

TEST(ModelParams, DeepSeekV2LiteMatchesPublished) {
  // 15.7B parameters, 2.4B activated (DeepSeek's count leaves out the token table).
  const ModelParams p = model_params(*zoo("deepseek-v2-lite").model);
  EXPECT_EQ(p.total, 15706484224);
  // Latent attention by hand: Q 2048 x 16 x 192, the latent 2048 x 512 and its
  // norm 512, the rotary key 2048 x 64, K and V up 512 x 16 x 128 each, O 16 x 128 x 2048.
  EXPECT_EQ(p.attention, 2048 * 16 * 192 + 2048 * 512 + 512 + 2048 * 64 + 2 * 512 * 16 * 128 + 16 * 128 * 2048);
  EXPECT_EQ(p.active_no_embedding, 2451435008);
}

TEST(TokenCosts, LatentCacheByHand) {
  // 27 layers x (512 latent + 64 rotary key) x 2 bytes.
  Workload w = zoo("deepseek-v2-lite", {{"instance.phase", "decode"}});
  EXPECT_EQ(token_costs(*w.model, *w.instance).kv_bytes, 27 * 576 * 2);
}

TEST(ModelParams, MambaAndGlaByHand) {
  // Mamba-1.4B: per layer the input projection 2048 x 2 x 4096, the
  // convolution 4096 x 4 and its bias, x_proj 4096 x (128 + 2 x 16), dt_proj
  // 128 x 4096 and its bias, A 4096 x 16, the skip 4096, the output
  // projection 4096 x 2048, the norm 2048; 48 layers, the tied table
  // 50280 x 2048, the final norm: 1,372,178,432 (the released 1.37B).
  const int64_t layer = 2048 * 2 * 4096 + 4096 * 4 + 4096 + 4096 * 160 + 128 * 4096 + 4096 + 4096 * 16 + 4096 +
                        4096 * 2048 + 2048;
  EXPECT_EQ(model_params(*zoo("mamba-1.4b").model).layer, layer);
  EXPECT_EQ(model_params(*zoo("mamba-1.4b").model).total, 48 * layer + 50280 * 2048 + 2048);
  EXPECT_EQ(model_params(*zoo("mamba-1.4b").model).total, 1372178432);
  EXPECT_EQ(model_params(*zoo("mamba-2.8b").model).total, 2768345600);
  // GLA-1.3B's mixer: Q and K 2048 x 1024, V, the output gate and O
  // 2048 x 2048 each, the gate 2048 x 16 + 16 x 1024 + 1024, the norm 512;
  // about 4 d^2 (reference/subquadratic.md).
  EXPECT_EQ(model_params(*zoo("gla-1.3b").model).attention,
            2 * 2048 * 1024 + 3 * 2048 * 2048 + 2048 * 16 + 16 * 1024 + 1024 + 512);
}

TEST(TokenCosts, RecurrentStatesInsteadOfKvCache) {
  // Mamba-1.4B decode: per layer the input projection, the convolution
  // (4096 x 4), x_proj, dt_proj, the output contraction over the state
  // (4096 x 16), the output projection, the norm's sum of squares.
  Workload m = zoo("mamba-1.4b", {{"instance.phase", "decode"}});
  const TokenCosts t = token_costs(*m.model, *m.instance);
  EXPECT_EQ(t.layer_macs, 2048 * 8192 + 4096 * 4 + 4096 * 160 + 128 * 4096 + 4096 * 16 + 4096 * 2048 + 2048);
  EXPECT_EQ(t.kv_bytes, 0);
  EXPECT_EQ(t.state_bytes, 48LL * (4096 * 16 + 4096 * 3) * 2);
  // GLA-1.3B: 4 heads x 256 x 512 per layer.
  Workload g = zoo("gla-1.3b", {{"instance.phase", "decode"}});
  EXPECT_EQ(token_costs(*g.model, *g.instance).state_bytes, 24LL * 4 * 256 * 512 * 2);
}

TEST(ModelParams, SharedExpertsAndDenseLayers) {
  // 3 layers, the first dense (FFN 96); MoE layers: router 32 x 8, 8 experts
  // and 2 shared of 16 (SwiGLU), 2 routed per token.
  Workload w = load_workload_text(
      "model: {name: s, layers: 3, d_model: 32, heads: 2, head_dim: 16, ffn_dim: 96, ffn_kind: swiglu, norm: rmsnorm, "
      "bias: false, vocab: 50, kind: decoder, experts: 8, experts_per_token: 2, shared_experts: 2, "
      "expert_ffn_dim: 16, dense_layers: 1}\n",
      "s.yaml");
  const ModelParams p = model_params(*w.model);
  const int64_t attn = 4 * 32 * 32, norms = 2 * 32, expert = 3 * 32 * 16;
  EXPECT_EQ(p.ffn, 32 * 8 + 8 * expert + 3 * 32 * 2 * 16);
  EXPECT_EQ(p.dense_layer, attn + 3 * 32 * 96 + norms);
  EXPECT_EQ(p.total, 2 * (attn + p.ffn + norms) + p.dense_layer + 2 * 50 * 32 + 32);
  EXPECT_EQ(p.active, p.total - 2 * 6 * expert);
  // Decode MACs per token: the MoE layer's router (32 x 8), two experts, the
  // shared FFN, the gate-weighted sum (2 x 32); the dense layer's FFN.
  const TokenCosts t = token_costs(*w.model, *load_workload_text(
      "model: {name: s, layers: 3, d_model: 32, heads: 2, head_dim: 16, ffn_dim: 96, ffn_kind: swiglu, norm: rmsnorm, "
      "bias: false, vocab: 50, kind: decoder, experts: 8, experts_per_token: 2, shared_experts: 2, "
      "expert_ffn_dim: 16, dense_layers: 1}\ninstance: {phase: decode, seq_len: 10}\n", "s.yaml").instance);
  const int64_t common = attn + 2 * 2 * 16 * 10 + 2 * 32;  // projections, QK and AV, the norms' sums
  EXPECT_EQ(t.layer_macs, common + 32 * 8 + 2 * expert + 3 * 32 * 32 + 2 * 32);
  EXPECT_EQ(t.dense_layer_macs, common + 3 * 32 * 96);
  EXPECT_EQ(t.macs, 2 * t.layer_macs + t.dense_layer_macs + 50 * 32);
}

TEST(MoeRouting, ExpectedExpertsTouched) {
  // E (1 - (1 - k/E)^T): one token touches k; 4 tokens of top-2 in 8: 8 (1 - 0.75^4).
  EXPECT_DOUBLE_EQ(expected_experts_touched(8, 2, 1, {}), 2.0);
  EXPECT_DOUBLE_EQ(expected_experts_touched(8, 2, 4, {}), 8 * (1 - 0.31640625));
  // A load vector: p_i = min(1, k w_i / sum w) = 0.5, 0.1 (x6), 0.9 for 3 tokens:
  // 0.875 + 6 x 0.271 + 0.999 = 3.5.
  EXPECT_NEAR(expected_experts_touched(8, 2, 3, {5, 1, 1, 1, 1, 1, 1, 9}), 3.5, 1e-12);
  // Equal loads are uniform routing.
  EXPECT_NEAR(expected_experts_touched(64, 6, 7, std::vector<double>(64, 2.5)), expected_experts_touched(64, 6, 7, {}),
              1e-12);
}

TEST(MoeRouting, CascadeTouchesTheNearestMultipleOfK) {
  ModelSpec m;
  m.experts = 8;
  m.experts_per_token = 2;
  InstanceSpec inst;
  inst.phase = Phase::kDecode;
  inst.batch = 1;
  EXPECT_EQ(moe_shape(m, inst).touched(), 2);
  inst.batch = 4;  // 5.47 expected: 3 groups of 2 token slots (2 padded)
  EXPECT_EQ(moe_shape(m, inst).touched(), 6);
  EXPECT_EQ(moe_shape(m, inst).capacity, 2);
  inst.batch = 64;  // all 8
  EXPECT_EQ(moe_shape(m, inst).touched(), 8);
  EXPECT_EQ(moe_shape(m, inst).capacity, 16);
  // 64 experts, top-6, a long prefill: 64 expected, but k TQ <= E rounds to 60.
  m.experts = 64;
  m.experts_per_token = 6;
  inst.phase = Phase::kPrefill;
  inst.seq_len = 4096;
  EXPECT_EQ(moe_shape(m, inst).touched(), 60);
}

}  // namespace
}  // namespace einflow::workloads
