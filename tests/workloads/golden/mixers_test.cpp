// Linear attention and gated linear attention (GLA) in their three forms
// (parallel, chunkwise, recurrent), and Mamba's selective scan: the direct
// recurrences on hand-worked values, every form against them within 1e-9
// relative in double on shapes with several chunks, heads, GQA, batch 2,
// causal and not, and the errors a wrong form or shape gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "common/error.h"
#include "workloads/analysis.h"
#include "workloads/cascade_spec.h"
#include "workloads/golden/check.h"
#include "workloads/golden/interpreter.h"
#include "workloads/golden/reference.h"
#include "workloads/workload.h"

namespace einflow::golden {
namespace {

using workloads::AttentionCascade;
using workloads::AttentionShape;
using workloads::Mixer;

AttentionShape scalar_shape(Mixer mixer, int64_t length, bool causal) {
  AttentionShape s;
  s.e = s.f = 1;
  s.m = s.p = length;
  s.causal = causal;
  s.mixer = mixer;
  return s;
}

DenseTensor<double> row(std::vector<double> v) {
  DenseTensor<double> t({1, 1, 1, static_cast<int64_t>(v.size())});
  t.data = std::move(v);
  return t;
}

// By hand, one dimension: S_t = S_(t-1) + k_t v_t = 1, 3, 6 for k = 1 and
// v = 1, 2, 3; causal o_t = q_t S_t = 1, 6, 18 (q = 1, 2, 3); otherwise every
// query reads S = 6: 6, 12, 18.
TEST(Mixers, LinearRecurrenceByHand) {
  const auto q = row({1, 2, 3}), k = row({1, 1, 1}), v = row({1, 2, 3});
  EXPECT_EQ(reference_linear_attention<double>(scalar_shape(Mixer::kLinear, 3, true), q, k, v, nullptr).data,
            (std::vector<double>{1, 6, 18}));
  EXPECT_EQ(reference_linear_attention<double>(scalar_shape(Mixer::kLinear, 3, false), q, k, v, nullptr).data,
            (std::vector<double>{6, 12, 18}));
}

// By hand: GX = 0 gives the decay a = sigmoid(0)^(1/16) = 0.5^(1/16) each
// step; with q = k = v = 1, S_1 = 1 and S_2 = a + 1, S_3 = a^2 + a + 1.
TEST(Mixers, GatedRecurrenceByHand) {
  const double a = std::pow(0.5, 1.0 / 16);
  const auto ones = row({1, 1, 1}), gate = row({0, 0, 0});
  const auto o = reference_linear_attention(scalar_shape(Mixer::kGla, 3, true), ones, ones, ones, &gate).data;
  ASSERT_EQ(o.size(), 3u);
  EXPECT_NEAR(o[0], 1, 1e-15);
  EXPECT_NEAR(o[1], a + 1, 1e-15);
  EXPECT_NEAR(o[2], a * a + a + 1, 1e-15);
}

struct Case {
  const char* name;
  Mixer mixer;
  int64_t heads, kv_heads, length, chunk;
  bool causal;
};

class MixerForms : public ::testing::TestWithParam<Case> {};

// Every form against the direct recurrence, through the builders as a model
// workload would build them.
TEST_P(MixerForms, EveryFormMatchesTheRecurrence) {
  const Case& k = GetParam();
  AttentionShape s;
  s.batch = 2;
  s.heads = k.heads;
  s.kv_heads = k.kv_heads;
  s.e = 4;
  s.f = 3;
  s.m = s.p = k.length;
  s.block = k.chunk;
  s.causal = k.causal;
  s.mixer = k.mixer;
  for (AttentionCascade form : workloads::mixer_cascades(k.mixer)) {
    const auto c = workloads::build_cascade(workloads::attention_spec(s, form));
    const auto in = seeded_inputs<double>(c, 5);
    const auto out = interpret<double>(c, in);
    const auto want =
        reference_linear_attention(s, in.at("Q"), in.at("K"), in.at("V"), k.mixer == Mixer::kGla ? &in.at("GX") : nullptr);
    const auto& got = out.at("AV");
    ASSERT_EQ(got.extents, want.extents);
    double scale = 0, worst = 0;
    for (double x : want.data) scale = std::max(scale, std::fabs(x));
    for (size_t i = 0; i < got.data.size(); ++i)
      worst = std::max(worst, std::fabs(got.data[i] - want.data[i]) / std::max(std::fabs(want.data[i]), 1e-2 * scale));
    EXPECT_LT(worst, 1e-9) << k.name << " " << workloads::attention_cascade_name(form);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, MixerForms,
    ::testing::Values(Case{"linear_mha_causal", Mixer::kLinear, 3, 3, 12, 4, true},
                      Case{"linear_gqa_causal", Mixer::kLinear, 4, 2, 15, 5, true},
                      Case{"linear_mqa_not_causal", Mixer::kLinear, 2, 1, 9, 3, false},
                      Case{"gla_mha_causal", Mixer::kGla, 2, 2, 12, 3, true},
                      Case{"gla_gqa_causal_one_chunk", Mixer::kGla, 4, 2, 6, 6, true},
                      Case{"gla_gqa_not_causal", Mixer::kGla, 4, 2, 10, 5, false},
                      Case{"gla_rows_as_chunks", Mixer::kGla, 1, 1, 7, 1, true},
                      // Chunks of 18 rows: two sub-chunks of 9 each (the largest divisor up to 16).
                      Case{"gla_secondary_chunks", Mixer::kGla, 2, 1, 36, 18, true},
                      Case{"gla_secondary_chunks_of_16", Mixer::kGla, 1, 1, 64, 32, true}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

// The chunkwise and recurrent forms make one pass over the sequence; the
// recurrence is over the chunks (chunkwise) or the steps (recurrent).
TEST(Mixers, OnePassOverTheSequence) {
  AttentionShape s;
  s.e = s.f = 2;
  s.m = s.p = 8;
  s.block = 4;
  s.causal = true;
  s.mixer = Mixer::kGla;
  for (AttentionCascade form : {AttentionCascade::kChunkwise, AttentionCascade::kRecurrent}) {
    const auto c = workloads::build_cascade(workloads::attention_spec(s, form));
    const auto passes = workloads::pass_counts(c);
    for (const auto& rp : passes) {
      if (c.ranks[static_cast<size_t>(rp.rank)].name == "M") {
        EXPECT_EQ(rp.passes, 1) << attention_cascade_name(form);
      }
    }
  }
}

// The state each form carries, as `einflow describe` reports it: linear
// attention's d_k x d_v per head (over the chunks or the steps), GLA's running
// log-decay (d_k), Mamba's channels x state per sequence.
TEST(Mixers, StatesTheRecurrencesCarry) {
  AttentionShape s;
  s.batch = 2;
  s.heads = 4;
  s.kv_heads = 2;
  s.e = 5;
  s.f = 3;
  s.m = s.p = 8;
  s.block = 4;
  s.causal = true;
  s.mixer = Mixer::kGla;
  auto states = [](const workloads::Cascade& c) {
    std::map<std::string, std::pair<int64_t, int64_t>> out;  // tensor -> (values, per head)
    for (const auto& st : workloads::recurrent_states(c))
      out[c.tensors[static_cast<size_t>(st.tensor)].name] = {st.elements, st.per_head};
    return out;
  };
  const auto chunk = states(workloads::build_cascade(workloads::attention_spec(s, AttentionCascade::kChunkwise)));
  using Values = std::pair<int64_t, int64_t>;
  EXPECT_EQ(chunk.at("S"), Values(2 * 2 * 5 * 3, 5 * 3));
  EXPECT_EQ(chunk.at("CG"), Values(2 * 2 * 5, 5));
  EXPECT_EQ(chunk.size(), 2u);
  s.mixer = Mixer::kLinear;
  const auto rec = states(workloads::build_cascade(workloads::attention_spec(s, AttentionCascade::kRecurrent)));
  EXPECT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec.at("S").second, 15);
  EXPECT_TRUE(states(workloads::build_cascade(workloads::attention_spec(s, AttentionCascade::kParallel))).empty());
  workloads::MambaShape m;
  m.batch = 2;
  m.channels = 6;
  m.state = 4;
  m.dt_rank = 1;
  m.length = 5;
  EXPECT_EQ(states(workloads::build_cascade(workloads::mamba_spec(m))).at("H"), Values(2 * 6 * 4, 6 * 4));
}

// Column t of a [..., rows, L] tensor as a [..., rows, 1] one.
DenseTensor<double> column(const DenseTensor<double>& t, int64_t at) {
  std::vector<int64_t> ext = t.extents;
  const int64_t L = ext.back();
  ext.back() = 1;
  DenseTensor<double> out(ext);
  for (size_t i = 0; i < out.data.size(); ++i) out.data[i] = t.data[i * static_cast<size_t>(L) + static_cast<size_t>(at)];
  return out;
}

// Decode steps, each from the state the previous one wrote (zeros first),
// give the prefill's outputs token by token: the parallel form for linear
// attention and GLA (GQA, batch 2), the scan for Mamba.
TEST(Mixers, DecodeStepsReplayThePrefill) {
  for (Mixer mixer : {Mixer::kLinear, Mixer::kGla}) {
    AttentionShape s;
    s.batch = 2;
    s.heads = 4;
    s.kv_heads = 2;
    s.e = 3;
    s.f = 2;
    s.m = s.p = 6;
    s.causal = true;
    s.mixer = mixer;
    const auto pre = workloads::build_cascade(workloads::attention_spec(s, AttentionCascade::kParallel));
    const auto in = seeded_inputs<double>(pre, 3);
    const auto want = interpret<double>(pre, in).at("AV");
    AttentionShape d = s;
    d.decode = true;
    d.p = 1;
    const auto step = workloads::build_cascade(workloads::attention_spec(d, AttentionCascade::kRecurrent));
    DenseTensor<double> state({2, 2, 3, 2});
    for (int64_t t = 0; t < s.m; ++t) {
      TensorSet<double> x{{"Q", column(in.at("Q"), t)}, {"KN", column(in.at("K"), t)}, {"VN", column(in.at("V"), t)},
                          {"SP", state}};
      if (mixer == Mixer::kGla) x["GX"] = column(in.at("GX"), t);
      auto out = interpret<double>(step, x);
      const auto got = out.at("AV"), expected = column(want, t);
      for (size_t i = 0; i < got.data.size(); ++i)
        EXPECT_NEAR(got.data[i], expected.data[i], 1e-12 * (1 + std::fabs(expected.data[i]))) << mixer_name(mixer) << " " << t;
      state = out.at("S");
    }
  }
  workloads::MambaShape m;
  m.batch = 2;
  m.channels = 5;
  m.state = 3;
  m.dt_rank = 2;
  m.length = 6;
  const auto scan = workloads::build_cascade(workloads::mamba_spec(m));
  const auto in = seeded_inputs<double>(scan, 4);
  const auto want = interpret<double>(scan, in).at("Y");
  const auto step = workloads::build_cascade(workloads::mamba_decode_spec(m));
  DenseTensor<double> h({2, 5, 3});
  for (int64_t t = 0; t < m.length; ++t) {
    TensorSet<double> x = in;
    x["X"] = column(in.at("X"), t);
    x["Z"] = column(in.at("Z"), t);
    x["HP"] = h;
    auto out = interpret<double>(step, x);
    const auto expected = column(want, t);
    for (size_t i = 0; i < expected.data.size(); ++i)
      EXPECT_NEAR(out.at("Y").data[i], expected.data[i], 1e-12 * (1 + std::fabs(expected.data[i]))) << "mamba " << t;
    h = out.at("H");
  }
}

std::string model_yaml(const std::string& mixer, const std::string& instance) {
  return "model: {name: tiny, layers: 1, d_model: 8, heads: 2, kv_heads: 2, head_dim: 2, ffn_dim: 8, kind: decoder, "
         "mixer: " + mixer + "}\ninstance: {" + instance + "}\n";
}

std::string error_of(const std::string& text) {
  try {
    workloads::load_workload_text(text, "mixer.yaml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Mixers, FormsAndShapesTheyCannotTake) {
  EXPECT_NE(error_of(model_yaml("gla", "scope: attention, seq_len: 8, attention: [1pass]"))
                .find("mixer.yaml:2:53: instance.attention: unknown cascade '1pass' for the gla mixer; one of parallel, "
                      "chunkwise, recurrent"),
            std::string::npos)
      << error_of(model_yaml("gla", "scope: attention, seq_len: 8, attention: [1pass]"));
  EXPECT_NE(error_of(model_yaml("softmax", "scope: attention, seq_len: 8, attention: [recurrent]"))
                .find("unknown cascade 'recurrent' for the softmax mixer; one of 3pass, 2pass, 1pass"),
            std::string::npos);
  EXPECT_NE(error_of(model_yaml("linear", "scope: qkv_projection, phase: decode, seq_len: 8"))
                .find("the linear mixer's decode projections (gate, state) are part of its layer"),
            std::string::npos);
  EXPECT_NE(error_of(model_yaml("linear", "scope: attention, phase: decode, seq_len: 8, attention: [chunkwise]"))
                .find("for the linear mixer's decode step; one of recurrent"),
            std::string::npos);
  EXPECT_NE(error_of(model_yaml("gla", "scope: output_projection, seq_len: 8")).find("are part of its layer"),
            std::string::npos);
  // A model without `attention:` gets every form of its mixer.
  const auto w = workloads::load_workload_text(model_yaml("linear", "scope: attention, seq_len: 8, block: 4"), "m.yaml");
  EXPECT_EQ(w.variant_names(), (std::vector<std::string>{"parallel", "chunkwise", "recurrent"}));
}

// By hand, one channel, one state, two steps: WXD = 0 so DT = softplus(BDT =
// 0) = ln 2; A = -exp(ALOG = 0) = -1, so exp(DT A) = 1/2; WB = WC = 1 so B = C
// = x = 1, 2. h1 = ln2 * 1 * 1 = ln2, h2 = ln2/2 + ln2 * 2 * 2 = 4.5 ln2; with
// DS = 1 and Z = 1 (silu(1) = 1 / (1 + e^-1)): y1 = (1 * ln2 + 1) silu(1),
// y2 = (2 * 4.5 ln2 + 2) silu(1). The cascade and the direct scan both.
TEST(Mixers, MambaScanByHand) {
  workloads::MambaShape s;
  s.channels = s.state = s.dt_rank = 1;
  s.length = 2;
  TensorSet<double> in;
  auto set = [&](const char* name, std::vector<int64_t> extents, std::vector<double> v) {
    in[name] = DenseTensor<double>(std::move(extents));
    in[name].data = std::move(v);
  };
  set("X", {1, 1, 2}, {1, 2});
  set("Z", {1, 1, 2}, {1, 1});
  set("WXD", {1, 1}, {0});
  set("WDT", {1, 1}, {1});
  set("BDT", {1}, {0});
  set("WB", {1, 1}, {1});
  set("WC", {1, 1}, {1});
  set("ALOG", {1, 1}, {0});
  set("DS", {1}, {1});
  const double ln2 = std::log(2.0), silu1 = 1 / (1 + std::exp(-1.0));
  const std::vector<double> want{(ln2 + 1) * silu1, (9 * ln2 + 2) * silu1};
  const auto direct = reference_mamba_scan<double>(s, in).data;
  const auto cascade = interpret<double>(workloads::build_cascade(workloads::mamba_spec(s)), in).at("Y").data;
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(direct[i], want[i], 1e-14);
    EXPECT_NEAR(cascade[i], want[i], 1e-14);
  }
}

// A Mamba model's scan (expand 2, a dt_rank of ceil(d_model / 16)) against the
// direct scan, as `einflow check` runs it; one pass over L.
TEST(Mixers, MambaModelAgreesWithTheDirectScan) {
  const auto w = workloads::load_workload_text(
      "model: {name: tiny-mamba, layers: 1, d_model: 20, kind: decoder, mixer: mamba, state_dim: 3}\n"
      "instance: {scope: attention, batch: 2, seq_len: 9}\n",
      "mamba.yaml");
  ASSERT_EQ(w.variant_names(), (std::vector<std::string>{"recurrent"}));
  const auto& c = w.variants.front().cascade;
  EXPECT_EQ(c.ranks[static_cast<size_t>(c.find_rank("D"))].size, 40);
  EXPECT_EQ(c.ranks[static_cast<size_t>(c.find_rank("R"))].size, 2);
  const CheckReport r = check_workload(w, CheckOptions{});
  EXPECT_TRUE(r.passed) << r.variants.front().max_rel;
  EXPECT_EQ(r.reference, "direct implementation");
  for (const auto& rp : workloads::pass_counts(c)) {
    if (c.ranks[static_cast<size_t>(rp.rank)].name == "L") {
      EXPECT_EQ(rp.passes, 1);
    }
  }
  EXPECT_NE(error_of("model: {name: m, layers: 1, d_model: 8, kind: decoder, mixer: mamba}\ninstance: {scope: ffn}\n")
                .find("a Mamba layer has no ffn; its scopes are layer and attention"),
            std::string::npos);
  // An inner width past 64 bits is a located error, not a wrapped product.
  EXPECT_NE(error_of("model: {name: m, layers: 1, d_model: 4611686018427387904, kind: decoder, mixer: mamba, "
                     "expand: 4}\ninstance: {scope: attention, seq_len: 8}\n")
                .find("mixer.yaml:1:8: model.expand: the inner width expand x d_model = 4 x 4611686018427387904 "
                      "overflows 64 bits"),
            std::string::npos);
}

}  // namespace
}  // namespace einflow::golden
