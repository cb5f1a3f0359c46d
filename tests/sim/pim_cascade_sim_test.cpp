// A cascade mapping with an Einsum bound to the DRAM's PIM unit on the cycle
// model (sim/cycle/pim_group.h): the product timed command by command, its
// values by the device's arithmetic, the rest on the host's cycle model.
#include <gtest/gtest.h>

#include <cmath>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "sim/cycle/cascade_sim.h"
#include "sim/analytical/pim_layer.h"
#include "sim/cycle/pim/pim_kernel.h"
#include "workloads/golden/interpreter.h"
#include "workloads/workload.h"

namespace einflow::sim::cycle {
namespace {

const std::string kArch = std::string(EINFLOW_SOURCE_DIR) + "/configs/arch/";

const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/pim/";

TEST(PimCascadeSim, TheProductRunsCommandByCommandWithTheDevicesArithmetic) {
  // y = W x on the banks, z = y + b on the ASIC.
  const workloads::Workload w = workloads::load_workload(kData + "gemv.yaml");
  const workloads::Cascade& c = w.variants.front().cascade;
  const arch::Architecture a = arch::load_arch(kArch + "pim-gpt.yaml");
  const mapping::CascadeMapping m = mapping::load_cascade_mapping(kData + "gemv-mapping.yaml", c, a);
  ASSERT_TRUE(mapping::validate_cascade_mapping(m, c, a).ok);
  const arch::DramStandard& s = *a.node(a.dram()).dram_standard;
  SimOptions o;
  o.pim_timer = [&](const workloads::VectorMatrix& v, PimLayout layout) {
    const pim::PimRun r = pim::run_pim_vmm(s, v.rows, v.cols, v.matrices, v.vectors, layout);
    analytical::PimVmmCost cost;
    cost.seconds = static_cast<double>(r.cycles) * s.timing.tck_ns * 1e-9;
    cost.inbank_bytes = static_cast<double>(r.inbank_bytes);
    cost.offchip_bytes = static_cast<double>(r.offchip_bytes);
    cost.unit_ops = static_cast<double>(r.unit_ops);
    return cost;
  };
  o.record_activity = true;
  const golden::TensorSet<double> inputs = golden::seeded_inputs<double>(c, 7);
  const CascadeSimResult r = simulate_cascade(a, c, m, inputs, o);
  // Time: the command-level run's cycles of tCK (0.5 ns) at the architecture's 1 GHz.
  const pim::PimRun one = pim::run_pim_vmm(s, 256, 512, 1, 1, PimLayout::kRowStream);
  const int64_t pim_cycles = static_cast<int64_t>(std::ceil(static_cast<double>(one.cycles) * s.timing.tck_ns - 1e-9));
  ASSERT_EQ(r.stats.per_einsum.size(), 2u);
  EXPECT_EQ(r.stats.per_einsum[0].unit, "PIM");
  EXPECT_EQ(r.stats.per_einsum[0].cycles, pim_cycles);
  // The trace shows the PIM unit busy for its group, from the start.
  ASSERT_FALSE(r.activity.empty());
  EXPECT_EQ(r.activity[0].unit, "PIM");
  EXPECT_EQ(r.activity[0].name, "y");
  EXPECT_DOUBLE_EQ(r.activity[0].start, 0);
  EXPECT_DOUBLE_EQ(r.activity[0].end, static_cast<double>(pim_cycles));
  // Values: y by the device's arithmetic, within its bound; z from that y.
  ASSERT_EQ(r.pim_checks.size(), 1u);
  EXPECT_TRUE(r.pim_checks[0].ok());
  EXPECT_EQ(r.pim_checks[0].elements, 256);
  const PimValues want = run_with_pim(c, inputs, {{0, 0}}, s);
  for (const char* t : {"y", "z"}) {
    const auto& got = r.tensors.at(t).data;
    const auto& exp = want.tensors.at(t).data;
    ASSERT_EQ(got.size(), exp.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_DOUBLE_EQ(got[i], exp[i]) << t << "[" << i << "]";
  }
  // The device rounds: y is not the exact product.
  const golden::TensorSet<double> exact = golden::interpret<double>(c, inputs);
  double moved = 0;
  for (size_t i = 0; i < 256; ++i) moved = std::max(moved, std::fabs(r.tensors.at("y").data[i] - exact.at("y").data[i]));
  EXPECT_GT(moved, 0);
}

}  // namespace
}  // namespace einflow::sim::cycle
