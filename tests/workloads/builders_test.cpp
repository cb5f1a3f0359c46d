// Builders: shapes and operation counts against hand-computed figures.
#include <gtest/gtest.h>

#include "workloads/analysis.h"
#include "workloads/cascade_spec.h"
#include "workloads/transformer.h"

namespace einflow::workloads {
namespace {

ModelSpec bert_base() {
  ModelSpec m;
  m.name = "BERT-Base";
  m.d_model = 768;
  m.heads = m.kv_heads = 12;
  m.head_dim = 64;
  m.ffn_dim = 3072;
  m.ffn_kind = FfnKind::kGelu;
  m.norm = NormKind::kLayerNorm;
  m.norm_position = NormPosition::kPost;
  m.kind = ModelKind::kEncoder;
  return m;
}

int64_t op(const EinsumOps& o, Op which) { return o.ops[static_cast<int>(which)]; }

TEST(Builders, BertBaseLayerMacs) {
  InstanceSpec inst;
  inst.scope = Scope::kLayer;
  inst.batch = 1;
  inst.seq_len = 512;
  // By hand, P = M = 512, D = 768, H*E = 768, N = 3072:
  const int64_t qkv = 3LL * 512 * 768 * 768;         //   905,969,664
  const int64_t qk = 12LL * 64 * 512 * 512;          //   201,326,592
  const int64_t av = 12LL * 64 * 512 * 512;          //   201,326,592
  const int64_t out = 512LL * 768 * 768;             //   301,989,888
  const int64_t ffn = 2LL * 512 * 768 * 3072;        // 2,415,919,104
  const int64_t ln_squares = 2LL * 512 * 768;        //       786,432 (sum of squares of 2 LayerNorms)
  const int64_t want = qkv + qk + av + out + ffn + ln_squares;
  ASSERT_EQ(want, 4027318272LL);
  for (auto v : {AttentionCascade::k3Pass, AttentionCascade::k2Pass, AttentionCascade::k1Pass}) {
    Cascade c = build_cascade(transformer_spec(bert_base(), inst, v));
    EinsumOps ops = cascade_ops(c);
    EXPECT_EQ(ops.macs, want) << attention_cascade_name(v);
    EXPECT_EQ(op(ops, Op::kGelu), 512LL * 3072) << attention_cascade_name(v);
    EXPECT_EQ(op(ops, Op::kRsqrt), 2 * 512) << attention_cascade_name(v);
  }
}

TEST(Builders, ExpCountsPerCascade) {
  AttentionShape s;
  s.heads = s.kv_heads = 12;
  s.e = s.f = 64;
  s.m = s.p = 512;
  s.block = 256;  // M1 = 2
  const int64_t full = 12LL * 512 * 512;  // one exp per (h, m, p)
  const int64_t per_block = 12LL * 2 * 512;
  EXPECT_EQ(op(cascade_ops(build_cascade(attention_spec(s, AttentionCascade::k3Pass))), Op::kExp), full);
  // SLN and A each take an exp per (m, p); SPD one per block.
  EXPECT_EQ(op(cascade_ops(build_cascade(attention_spec(s, AttentionCascade::k2Pass))), Op::kExp), 2 * full + per_block);
  // SLN per (m, p); PRM per block.
  EXPECT_EQ(op(cascade_ops(build_cascade(attention_spec(s, AttentionCascade::k1Pass))), Op::kExp), full + per_block);
}

TEST(Builders, GqaSharesKeysAndValues) {
  AttentionShape s;
  s.batch = 2;
  s.heads = 8;
  s.kv_heads = 2;
  s.e = s.f = 16;
  s.m = s.p = 32;
  Cascade c = build_cascade(attention_spec(s, AttentionCascade::k1Pass));
  const Tensor& q = c.tensors[c.find_tensor("Q")];
  const Tensor& k = c.tensors[c.find_tensor("K")];
  EXPECT_EQ(q.extents, (std::vector<int64_t>{2, 2, 4, 16, 32}));  // B, G, J, E, P
  EXPECT_EQ(k.extents, (std::vector<int64_t>{2, 2, 16, 32}));     // B, G, E, M
  // QK MACs count every query head: B*H*E*M*P.
  EXPECT_EQ(einsum_ops(c, c.topo_order[2]).macs, 2LL * 8 * 16 * 32 * 32);
}

TEST(Builders, DecodeStepAgainstKvCache) {
  ModelSpec m = bert_base();
  m.kind = ModelKind::kDecoder;
  m.norm_position = NormPosition::kPre;
  m.kv_heads = 4;  // GQA
  InstanceSpec inst;
  inst.scope = Scope::kLayer;
  inst.phase = Phase::kDecode;
  inst.batch = 2;
  inst.seq_len = 1024;  // keys: 1023 cached + the new token
  inst.causal = true;
  Cascade c = build_cascade(transformer_spec(m, inst, AttentionCascade::k1Pass));
  EXPECT_EQ(c.tensors[c.find_tensor("KC")].extents, (std::vector<int64_t>{2, 4, 64, 1023}));
  EXPECT_EQ(c.tensors[c.find_tensor("K")].extents, (std::vector<int64_t>{2, 4, 64, 1024}));
  EXPECT_EQ(c.tensors[c.find_tensor("Y")].extents, (std::vector<int64_t>{2, 768, 1}));
  // MACs by hand, B = 2, one token: Q 768x768, K and V 768x256 each, O 768x768, FFN 2x768x3072,
  // attention 2 x 12 heads x 64 x 1024 keys, RMS... (LayerNorm here: two sums of squares of 768).
  int64_t want = 2 * (768LL * 768 + 2 * 768 * 256 + 768 * 768 + 2 * 768 * 3072 + 2 * 12 * 64 * 1024 + 2 * 768);
  EXPECT_EQ(cascade_ops(c).macs, want);
}

TEST(Builders, ImpossibleShapesAreUserErrors) {
  AttentionShape s;
  s.m = s.p = 75;
  s.block = 10;  // does not divide 75
  EXPECT_THROW(attention_spec(s, AttentionCascade::k1Pass), UserError);
  s.block = 15;
  s.heads = 3;
  s.kv_heads = 2;  // 3 heads cannot share 2 KV heads
  EXPECT_THROW(attention_spec(s, AttentionCascade::k1Pass), UserError);
  EXPECT_EQ(default_block(75), 75);
  EXPECT_EQ(default_block(1024), 256);
  EXPECT_EQ(default_block(1000), 250);
}

}  // namespace
}  // namespace einflow::workloads
