// The three attention cascades and the split form (Flash-Decoding's and
// LeanAttention's partial states merged across the split rank) compute softmax(QK^T)V: each agrees with the
// direct implementation within 1e-5 relative in double precision, on shapes
// where M is not a multiple of small powers of two, with several heads, GQA and
// MQA, causal and not.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "workloads/cascade_spec.h"
#include "workloads/golden/interpreter.h"
#include "workloads/golden/reference.h"
#include "workloads/workload.h"

namespace einflow::golden {
namespace {

using workloads::AttentionCascade;
using workloads::AttentionShape;

struct Case {
  const char* name;
  int64_t heads, kv_heads, m, p, block;
  bool causal;
  int64_t window = 0;  // sliding window (0: none)
};

class Equivalence : public ::testing::TestWithParam<Case> {};

TEST_P(Equivalence, AllCascadesMatchDirectAttention) {
  const Case& k = GetParam();
  AttentionShape s;
  s.batch = 2;
  s.heads = k.heads;
  s.kv_heads = k.kv_heads;
  s.e = 5;
  s.f = 3;
  s.m = k.m;
  s.p = k.p;
  s.block = k.block;
  s.causal = k.causal;
  s.window = k.window;
  std::vector<DenseTensor<double>> results;
  for (auto v : {AttentionCascade::k3Pass, AttentionCascade::k2Pass, AttentionCascade::k1Pass,
                 AttentionCascade::kSplit}) {
    auto c = workloads::build_cascade(workloads::attention_spec(s, v));
    auto in = seeded_inputs<double>(c, 11);
    // Scale the scores up so the softmax is far from uniform and the running max matters.
    for (auto& x : in["Q"].data) x *= 4;
    auto out = interpret<double>(c, in);
    auto want = reference_attention(s, in["Q"], in["K"], in["V"], 2);
    const auto& got = out["AV"];
    ASSERT_EQ(got.extents, want.extents);
    double max_rel = 0;
    for (size_t i = 0; i < got.data.size(); ++i)
      max_rel = std::max(max_rel, std::fabs(got.data[i] - want.data[i]) / std::max(std::fabs(want.data[i]), 1e-3));
    EXPECT_LT(max_rel, 1e-5) << k.name << " " << workloads::attention_cascade_name(v);
    results.push_back(got);
  }
  for (size_t i = 0; i < results[0].data.size(); ++i) {
    EXPECT_NEAR(results[1].data[i], results[0].data[i], 1e-9);
    EXPECT_NEAR(results[2].data[i], results[0].data[i], 1e-9);
    EXPECT_NEAR(results[3].data[i], results[0].data[i], 1e-9);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Equivalence,
    ::testing::Values(Case{"mha_75", 3, 3, 75, 75, 15, false}, Case{"mha_75_causal", 3, 3, 75, 75, 15, true},
                      Case{"gqa_45", 4, 2, 45, 45, 9, true}, Case{"mqa_63", 3, 1, 63, 63, 7, false},
                      Case{"cross_35x20", 2, 2, 35, 20, 5, false}, Case{"prefix_causal_35x20", 2, 2, 35, 20, 5, true},
                      Case{"decode_105", 3, 3, 105, 1, 21, true},
                      // Sliding windows: blocks wholly before the window (the 1-pass running
                      // max still -inf there), a window not a multiple of the block, GQA, a
                      // prefix (M > P), and a window that covers everything.
                      Case{"window_7_of_45", 2, 2, 45, 45, 5, true, 7},
                      Case{"window_12_gqa", 4, 2, 40, 40, 8, true, 12},
                      Case{"window_prefix_35x20", 2, 2, 35, 20, 5, true, 9},
                      Case{"window_wider_than_keys", 2, 1, 20, 20, 4, true, 64}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

// By hand: with q = 0 every visible score is 0, so each query averages the
// values of the keys it sees. V = 0..7, causal, a window of 3: query p sees
// keys max(0, p - 2)..p, so AV = 0, 0.5, 1, 2, 3, 4, 5, 6.
TEST(SlidingWindow, EachQueryAveragesTheKeysItSees) {
  AttentionShape s;
  s.e = s.f = 1;
  s.m = s.p = 8;
  s.causal = true;
  s.window = 3;
  DenseTensor<double> q({1, 1, 1, 8}), k({1, 1, 1, 8}), v({1, 1, 1, 8});
  for (int64_t i = 0; i < 8; ++i) {
    k.data[static_cast<size_t>(i)] = static_cast<double>(i % 3);
    v.data[static_cast<size_t>(i)] = static_cast<double>(i);
  }
  const auto av = reference_attention(s, q, k, v, 1);
  const std::vector<double> want{0, 0.5, 1, 2, 3, 4, 5, 6};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_DOUBLE_EQ(av.data[i], want[i]) << i;
  // The cascades give the same on the hand case.
  s.block = 4;
  for (auto form : {AttentionCascade::k3Pass, AttentionCascade::k2Pass, AttentionCascade::k1Pass,
                    AttentionCascade::kSplit}) {
    const auto out = interpret<double>(workloads::build_cascade(workloads::attention_spec(s, form)),
                                       TensorSet<double>{{"Q", q}, {"K", k}, {"V", v}});
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(out.at("AV").data[i], want[i], 1e-12) << workloads::attention_cascade_name(form) << " " << i;
  }
}

// A decode step with a sliding window attends over the last `window` keys: its
// KV cache holds window - 1 entries, not seq_len - 1; without one, seq_len - 1.
TEST(SlidingWindow, DecodeCacheHoldsTheWindow) {
  auto cache = [](const std::string& window) {
    const auto w = workloads::load_workload_text(
        "model: {name: m, layers: 1, d_model: 8, heads: 2, head_dim: 4, ffn_dim: 8, kind: decoder" + window +
            "}\ninstance: {scope: layer, phase: decode, seq_len: 100, attention: [3pass]}\n",
        "m.yaml");
    const auto& c = w.variants.front().cascade;
    return c.ranks[static_cast<size_t>(c.find_rank("C"))].size;
  };
  EXPECT_EQ(cache(", sliding_window: 16"), 15);
  EXPECT_EQ(cache(""), 99);
  EXPECT_EQ(cache(", sliding_window: 400"), 99);
}

}  // namespace
}  // namespace einflow::golden
