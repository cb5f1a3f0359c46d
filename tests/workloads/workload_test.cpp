#include <gtest/gtest.h>

#include "tests/workloads/helpers.h"

namespace einflow::workloads {
namespace {

using testing::error_of;

const char* kModel = R"(model:
  name: Tiny
  layers: 2
  d_model: 16
  heads: 4
  kv_heads: 2
  head_dim: 4
  ffn_dim: 32
  ffn_kind: swiglu
  norm: rmsnorm
  norm_position: pre
  bias: false
  kind: decoder
instance:
  scope: layer
  batch: 2
  seq_len: 12
  block: 4
)";

TEST(Workload, ModelBuildsOneVariantPerAttentionCascade) {
  Workload w = load_workload_text(kModel, "m.yaml");
  EXPECT_EQ(w.variant_names(), (std::vector<std::string>{"3pass", "2pass", "1pass"}));
  ASSERT_TRUE(w.instance.has_value());
  EXPECT_TRUE(w.instance->causal);  // decoders are causal
}

TEST(Workload, OverridesApply) {
  Workload w = load_workload_text(kModel, "m.yaml", {parse_override("instance.attention=[1pass]"),
                                                     parse_override("instance.phase=decode")});
  EXPECT_EQ(w.variant_names(), (std::vector<std::string>{"1pass"}));
  EXPECT_EQ(w.instance->phase, Phase::kDecode);
  EXPECT_THROW(parse_override("no-equals-sign"), UserError);
}

TEST(Workload, ModelErrorsAreLocated) {
  std::string bad = std::string(kModel) + "  phase: decodee\n";
  EXPECT_EQ(error_of(bad), "t.yaml:19:10: instance.phase: expected one of prefill, decode, got 'decodee' (did you mean 'decode'?)");
  std::string y = kModel;
  y.replace(y.find("ffn_kind: swiglu"), 16, "ffn_knd: swiglu");
  EXPECT_EQ(error_of(y), "t.yaml:9:3: model.ffn_knd: unknown key 'ffn_knd' (did you mean 'ffn_kind'?)");
}

TEST(Workload, ExactlyOneForm) {
  EXPECT_EQ(error_of("name: x\n"), "t.yaml:1:1: a workload has exactly one of 'cascade', 'variants' or 'model' (0 given)");
}

TEST(Workload, HandWrittenVariantsWithReference) {
  std::string y = R"(variants:
  direct:
    ranks: {M: 6, P: 2}
    inputs: {X: [M, P]}
    einsums: ["S[p] = X[m,p]"]
  blocked:
    ranks: {M: 6, M0: 3, P: 2}
    partitions: {M: [M1, M0]}
    inputs: {X: [M, P]}
    einsums:
      - "L[m1,p] = X[m1*M0+m0,p]"
      - "S[p] = L[m1,p]"
reference: direct
)";
  Workload w = load_workload_text(y, "v.yaml");
  EXPECT_EQ(w.reference_variant, "direct");
  EXPECT_EQ(w.variants.size(), 2u);
  std::string bad = y.substr(0, y.size() - 7) + "drect\n";
  EXPECT_EQ(error_of(bad), "t.yaml:13:12: reference: no variant named 'drect' (did you mean 'direct'?)");
  // The one selection rule: named, or the only one; several and none named is an
  // error that lists them (the reference variant is not a silent default).
  const SourceLoc at{"m.yaml", 2, 3};
  EXPECT_EQ(w.select_variant("blocked", at, "variant", "").name, "blocked");
  try {
    w.select_variant("", at, "variant", "name one with --variant");
    ADD_FAILURE() << "no error for an ambiguous choice";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "m.yaml:2:3: variant: the workload has several variants (direct, blocked); name one with --variant");
  }
  try {
    w.select_variant("blocekd", at, "variant", "");
    ADD_FAILURE() << "no error for an unknown variant";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "m.yaml:2:3: variant: no variant named 'blocekd'; the workload has direct, blocked (did you mean 'blocked'?)");
  }
  const Workload one = load_workload_text("cascade: {ranks: {P: 2}, inputs: {X: [P]}, einsums: [\"Y[p] = X[p]\"]}\n", "o.yaml");
  EXPECT_EQ(&one.select_variant("", at, "variant", ""), &one.variants.front());
}

}  // namespace
}  // namespace einflow::workloads
