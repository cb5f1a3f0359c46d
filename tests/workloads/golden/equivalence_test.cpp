// The three attention cascades compute softmax(QK^T)V: each agrees with the
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

namespace einflow::golden {
namespace {

using workloads::AttentionCascade;
using workloads::AttentionShape;

struct Case {
  const char* name;
  int64_t heads, kv_heads, m, p, block;
  bool causal;
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
  std::vector<DenseTensor<double>> results;
  for (auto v : {AttentionCascade::k3Pass, AttentionCascade::k2Pass, AttentionCascade::k1Pass}) {
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
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Equivalence,
    ::testing::Values(Case{"mha_75", 3, 3, 75, 75, 15, false}, Case{"mha_75_causal", 3, 3, 75, 75, 15, true},
                      Case{"gqa_45", 4, 2, 45, 45, 9, true}, Case{"mqa_63", 3, 1, 63, 63, 7, false},
                      Case{"cross_35x20", 2, 2, 35, 20, 5, false}, Case{"prefix_causal_35x20", 2, 2, 35, 20, 5, true},
                      Case{"decode_105", 3, 3, 105, 1, 21, true}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace einflow::golden
