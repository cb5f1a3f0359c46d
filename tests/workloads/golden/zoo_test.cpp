// Every model in configs/workloads loads and its layer runs at a small size,
// matching the direct implementation, in prefill and (for decoders) decode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "workloads/golden/check.h"

namespace einflow::golden {
namespace {

std::vector<std::string> zoo_files() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(EINFLOW_SOURCE_DIR) + "/configs/workloads"))
    if (e.path().extension() == ".yaml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Zoo, HoldsEveryModelOfTheReference) {
  // reference/models.md lists eleven models; subquadratic.md adds Mistral,
  // Mixtral, DeepSeek-V2-Lite, GLA-1.3B, Mamba-1.4B and 2.8B.
  EXPECT_GE(zoo_files().size(), 17u);
}

class ZooTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ZooTest, LayerRunsAtSmallSizeAndMatchesDirect) {
  using workloads::Override;
  // One variant at two tokens keeps the biggest layers (Llama-3-8B) to seconds.
  // The first form of the model's mixer (softmax: 1pass; GLA, linear: parallel; Mamba: recurrent).
  const workloads::Workload plain = workloads::load_workload(GetParam());
  const workloads::Mixer mixer = plain.model->mixer;
  const std::string form = mixer == workloads::Mixer::kSoftmax ? "1pass"
                                                               : workloads::attention_cascade_name(
                                                                     workloads::mixer_cascades(mixer).front());
  std::vector<Override> small{{"instance.scope", "layer"}, {"instance.batch", "1"}, {"instance.seq_len", "4"},
                              {"instance.block", "2"},     {"instance.phase", "prefill"},
                              {"instance.attention", "[" + form + "]"}};
  // An MoE model's FFNs shrink (256 wide, experts 64): the touched experts'
  // weights at full size would not fit a test machine's memory in double.
  if (plain.model->experts > 0) {
    small.push_back({"model.ffn_dim", "256"});
    small.push_back({"model.expert_ffn_dim", "64"});
  }
  workloads::Workload w = workloads::load_workload(GetParam(), small);
  CheckOptions opt;
  opt.threads = 2;
  CheckReport rep = check_workload(w, opt);
  EXPECT_TRUE(rep.passed) << GetParam();
  EXPECT_EQ(rep.variants.size(), 1u);
  if (w.model->kind == workloads::ModelKind::kEncoder) return;
  small[4].value = "decode";
  if (mixer != workloads::Mixer::kSoftmax) small[5].value = "[recurrent]";
  workloads::Workload d = workloads::load_workload(GetParam(), small);
  opt.variant = mixer == workloads::Mixer::kSoftmax ? "1pass" : "recurrent";
  CheckReport drep = check_workload(d, opt);
  EXPECT_TRUE(drep.passed) << GetParam() << " decode";
}

INSTANTIATE_TEST_SUITE_P(Models, ZooTest, ::testing::ValuesIn(zoo_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = std::filesystem::path(info.param).stem().string();
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace einflow::golden
