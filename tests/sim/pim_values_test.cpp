// The PIM units' arithmetic (sim/cycle/pim_values.h): the floating-point
// formats' rounding worked by hand, integer-valued GEMVs exact on both
// devices, and the error of random ones within the forward error bound.
#include <gtest/gtest.h>

#include <cmath>

#include "arch/dram_standard.h"
#include "sim/cycle/pim_values.h"
#include "workloads/golden/interpreter.h"
#include "workloads/workload.h"

namespace einflow::sim::cycle {
namespace {

// BF16 keeps 8 significant bits: 1 + 2^-8 is halfway between 1 and 1 + 2^-7
// and rounds to the even one (1); 1 + 3 2^-9 rounds up to 1 + 2^-7. FP16 keeps
// 11: 1 + 2^-11 ties to 1, 2049 rounds to 2048 (ties to even), 65520 overflows
// (halfway past 65504); in subnormals the quantum is 2^-24: 2^-25 ties to 0,
// 3 2^-26 rounds to 2^-24, 3 2^-25 (1.5 quanta) ties to 2^-23.
TEST(PimValues, FormatsRoundToNearestEven) {
  EXPECT_EQ(round_bf16(1 + std::ldexp(1.0, -8)), 1.0);
  EXPECT_EQ(round_bf16(1 + 3 * std::ldexp(1.0, -9)), 1 + std::ldexp(1.0, -7));
  EXPECT_EQ(round_bf16(-3.0), -3.0);
  EXPECT_EQ(round_fp16(1 + std::ldexp(1.0, -11)), 1.0);
  EXPECT_EQ(round_fp16(2049.0), 2048.0);
  EXPECT_EQ(round_fp16(2051.0), 2052.0);
  EXPECT_TRUE(std::isinf(round_fp16(65520.0)));
  EXPECT_EQ(round_fp16(65504.0), 65504.0);
  EXPECT_EQ(round_fp16(std::ldexp(1.0, -25)), 0.0);
  EXPECT_EQ(round_fp16(3 * std::ldexp(1.0, -26)), std::ldexp(1.0, -24));
  EXPECT_EQ(round_fp16(3 * std::ldexp(1.0, -25)), std::ldexp(1.0, -23));  // 1.5 quanta: a tie, to even
  EXPECT_EQ(round_fp32(1 + std::ldexp(1.0, -24)), 1.0);
  EXPECT_EQ(round_fp32(0.1), static_cast<double>(0.1f));
}

workloads::Workload gemv(int64_t m, int64_t k, double scale) {
  return workloads::load_workload_text("cascade:\n  name: g\n  ranks: {M: " + std::to_string(m) + ", K: " +
                                           std::to_string(k) + "}\n  inputs:\n    W: {ranks: [M, K], scale: " +
                                           std::to_string(scale) + "}\n    x: {ranks: [K], scale: " +
                                           std::to_string(scale) + "}\n  einsums:\n    - y[m] = W[m, k] * x[k]\n",
                                       "g");
}

// Small integers are exact in BF16 and FP16 and their sums stay exact in the
// accumulators: the devices' values equal the golden interpreter's.
TEST(PimValues, IntegerGemvIsExactOnBothDevices) {
  const workloads::Workload w = gemv(40, 3000, 1);
  const workloads::Cascade& c = w.variants.front().cascade;
  golden::TensorSet<double> in = golden::seeded_inputs<double>(c, 3);
  for (auto& [name, t] : in)
    for (double& v : t.data) v = std::round(v * 3);  // -3 .. 3
  const golden::TensorSet<double> want = golden::interpret<double>(c, in);
  for (const char* dev : {"HBM2-PIM", "GDDR6-AiM", "GDDR6-PIM-GPT"}) {
    SCOPED_TRACE(dev);
    const PimValues v = run_with_pim(c, in, {{0, 0}}, *arch::find_dram_standard(dev));
    ASSERT_EQ(v.checks.size(), 1u);
    EXPECT_EQ(v.checks[0].max_abs_error, 0.0);
    EXPECT_EQ(v.tensors.at("y").data, want.at("y").data);
  }
}

// Random operands: the error is real (BF16 rounds them) and within the bound.
TEST(PimValues, RandomGemvWithinTheBound) {
  const workloads::Workload w = gemv(64, 2500, 1);
  const workloads::Cascade& c = w.variants.front().cascade;
  const golden::TensorSet<double> in = golden::seeded_inputs<double>(c, 5);
  for (const char* dev : {"HBM2-PIM", "GDDR6-AiM"}) {
    SCOPED_TRACE(dev);
    const PimValues v = run_with_pim(c, in, {{0, 0}}, *arch::find_dram_standard(dev));
    EXPECT_GT(v.checks[0].max_abs_error, 0.0);
    EXPECT_TRUE(v.checks[0].ok()) << v.checks[0].worst_ratio;
    EXPECT_EQ(v.checks[0].elements, 64);
  }
}

// A constant factor (a scale) multiplies the device's sums too; an operand
// that overflows the format (FP16 past 65504) gives infinities and NaNs, which
// fail the check.
TEST(PimValues, ConstantFactorsAndOverflow) {
  const workloads::Workload w = workloads::load_workload_text(
      "cascade:\n  name: g\n  ranks: {M: 8, K: 64}\n  inputs: {W: [M, K], x: [K]}\n  einsums:\n"
      "    - y[m] = W[m, k] * x[k] * 2\n",
      "g");
  const workloads::Cascade& c = w.variants.front().cascade;
  golden::TensorSet<double> in = golden::seeded_inputs<double>(c, 1);
  for (auto& [name, t] : in)
    for (double& v : t.data) v = std::round(v * 3);
  const golden::TensorSet<double> want = golden::interpret<double>(c, in);
  const arch::DramStandard hbm = *arch::find_dram_standard("HBM2-PIM");
  const PimValues v = run_with_pim(c, in, {{0, 0}}, hbm);
  EXPECT_TRUE(v.checks[0].ok());
  EXPECT_EQ(v.tensors.at("y").data, want.at("y").data);
  for (double& e : in.at("x").data) e *= 1e6;  // FP16 operands overflow
  EXPECT_FALSE(run_with_pim(c, in, {{0, 0}}, hbm).checks[0].ok());
}

}  // namespace
}  // namespace einflow::sim::cycle
