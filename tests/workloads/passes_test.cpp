// Pass counts (FuseMax §3): the 3-, 2- and 1-pass attention cascades traverse M
// 3, 2 and 1 times; every other rank once.
#include <gtest/gtest.h>

#include "workloads/analysis.h"
#include "workloads/cascade_spec.h"
#include "workloads/transformer.h"

namespace einflow::workloads {
namespace {

int passes(const Cascade& c, const std::string& rank) {
  return passes_over(c, c.find_rank(rank)).passes;
}

class PassesTest : public ::testing::TestWithParam<bool> {};

TEST_P(PassesTest, AttentionCascades) {
  AttentionShape s;
  s.batch = 2;
  s.heads = 2;
  s.kv_heads = 2;
  s.e = s.f = 4;
  s.m = s.p = 12;
  s.block = 4;
  s.causal = GetParam();
  Cascade c3 = build_cascade(attention_spec(s, AttentionCascade::k3Pass));
  Cascade c2 = build_cascade(attention_spec(s, AttentionCascade::k2Pass));
  Cascade c1 = build_cascade(attention_spec(s, AttentionCascade::k1Pass));
  EXPECT_EQ(passes(c3, "M"), 3);
  EXPECT_EQ(passes(c2, "M"), 2);
  EXPECT_EQ(passes(c1, "M"), 1);
  for (const Cascade* c : {&c3, &c2, &c1}) {
    EXPECT_EQ(passes(*c, "P"), 1);
    EXPECT_EQ(passes(*c, "E"), 1);
    EXPECT_EQ(passes(*c, "B"), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(CausalAndNot, PassesTest, ::testing::Values(false, true));

TEST(Passes, WhichEinsumRunsInWhichPass) {
  AttentionShape s;
  s.m = s.p = 8;
  s.e = s.f = 2;
  Cascade c = build_cascade(attention_spec(s, AttentionCascade::k3Pass));
  RankPasses rp = passes_over(c, c.find_rank("M"));
  auto pass_of = [&](const std::string& name) {
    for (size_t i = 0; i < c.einsums.size(); ++i)
      if (c.einsums[i].name == name) return rp.pass_of_einsum[i];
    return -1;
  };
  // QK and its max in pass 1; exp and the sum in pass 2; the division and AV in pass 3.
  EXPECT_EQ(pass_of("QK"), 1);
  EXPECT_EQ(pass_of("GM"), 1);
  EXPECT_EQ(pass_of("SN"), 2);
  EXPECT_EQ(pass_of("SD"), 2);
  EXPECT_EQ(pass_of("A"), 3);
  EXPECT_EQ(pass_of("AV"), 3);
}

TEST(Passes, OneShotReductionIsOnePass) {
  AttentionShape s;
  s.m = s.p = 8;
  s.e = s.f = 2;
  Cascade c = build_cascade(attention_spec(s, AttentionCascade::k1Pass));
  EXPECT_EQ(c.ranks[c.find_rank("M1")].iterative, true);
  ASSERT_EQ(pass_counts(c).size(), c.top_ranks().size());
}

}  // namespace
}  // namespace einflow::workloads
