// The weight-stationary GEMM design, worked by hand on tests/data/gemm: Z = A B
// with M = 8, K = N = 4 on a 4 x 4 PE array. B's 16 weights spread one per PE
// (N across the columns, K down the rows) and stay there: each is read from
// the buffer and filled into its PE once (16), while A streams, each of its 32
// words read once and multicast along a row; each PE does one MAC per cycle,
// so the 128 MACs take M = 8 cycles at full utilization, and Z's 32 sums are
// reduced down the columns into 32 updates of the buffer.
#include <gtest/gtest.h>

#include "arch/arch.h"
#include "mappers/named/named.h"
#include "sim/analytical/plan.h"
#include "workloads/workload.h"

namespace einflow::named {
namespace {

const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/gemm/";

int64_t accesses(const sim::Stats& s, const std::string& level, const std::string& tensor, char kind) {
  for (const auto& l : s.per_level)
    if (l.name == level)
      for (const auto& t : l.tensors)
        if (t.tensor == tensor) return kind == 'r' ? t.accesses.reads : kind == 'f' ? t.accesses.fills : t.accesses.updates;
  return -1;
}

TEST(WeightStationary, WeightsStayInThePEsWhileTheInputsStream) {
  const Design* d = find_design("weight-stationary");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->family, "gemm");
  const arch::Architecture a = arch::load_arch(kData + "ws-4x4.yaml");
  const workloads::Workload w = workloads::load_workload(kData + "gemm.yaml");
  const mapping::Plan plan = design_plan(*d, a, w, "", SourceLoc{});
  ASSERT_EQ(plan.parts.size(), 1u);
  const sim::Stats s = sim::analytical::evaluate_plan(a, plan).stats;
  EXPECT_EQ(s.cycles, 8);
  EXPECT_DOUBLE_EQ(s.utilization.at("MAC"), 1.0);
  EXPECT_EQ(accesses(s, "Buffer", "B", 'r'), 16);
  EXPECT_EQ(accesses(s, "PE", "B", 'f'), 16);
  EXPECT_EQ(accesses(s, "Buffer", "A", 'r'), 32);
  EXPECT_EQ(accesses(s, "Buffer", "Z", 'u'), 32);
}

// Every design is in the registry, the attention family in FuseMax's order;
// the GEMM design says why it does not map attention.
TEST(WeightStationary, ARegisteredFamilyBesideTheAttentionDesigns) {
  std::vector<std::string> names;
  for (const Design* d : designs()) names.push_back(d->name);
  // Families by name (attention, gemm, gpu-attention, pim), each in its own order.
  EXPECT_EQ(names, (std::vector<std::string>{"unfused", "flat", "cascade", "architecture", "fusemax",
                                             "weight-stationary", "standard", "flash1", "flash2", "flash-decoding",
                                             "lean", "pim", "host-only"}));
  const arch::Architecture a = arch::load_arch(std::string(EINFLOW_SOURCE_DIR) + "/tests/data/attention/fusemax-4x4.yaml");
  const workloads::Workload att = workloads::load_workload(std::string(EINFLOW_SOURCE_DIR) + "/tests/data/attention/tiny.yaml");
  try {
    design_plan(*find_design("weight-stationary"), a, att, "3pass", SourceLoc{"w.yaml", 1, 1});
    ADD_FAILURE() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("design weight-stationary maps contractions; Einsum"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace einflow::named
