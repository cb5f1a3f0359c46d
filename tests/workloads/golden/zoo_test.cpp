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
  // reference/models.md lists eleven models.
  EXPECT_GE(zoo_files().size(), 11u);
}

class ZooTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ZooTest, LayerRunsAtSmallSizeAndMatchesDirect) {
  using workloads::Override;
  // One variant at two tokens keeps the biggest layers (Llama-3-8B) to seconds.
  std::vector<Override> small{{"instance.scope", "layer"}, {"instance.batch", "1"}, {"instance.seq_len", "4"},
                              {"instance.block", "2"},     {"instance.phase", "prefill"},
                              {"instance.attention", "[1pass]"}};
  // An MoE model's FFNs shrink (256 wide, experts 64): the touched experts'
  // weights at full size would not fit a test machine's memory in double.
  if (workloads::load_workload(GetParam()).model->experts > 0) {
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
  workloads::Workload d = workloads::load_workload(GetParam(), small);
  opt.variant = "1pass";
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
