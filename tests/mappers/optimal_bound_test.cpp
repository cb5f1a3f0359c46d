// The optimal search's floors (mappers/cascade/optimal_bound.h), against
// hand calculation: the busiest unit's least time over every assignment of
// work to units, and the DRAM traffic every group of some Einsums must move.
// (That no floor ever exceeds a costed group is checked on every point the
// search costs, in optimal_test.cpp's enumerations and the bench.)
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "arch/arch.h"
#include "mappers/cascade/optimal_bound.h"
#include "workloads/workload.h"

namespace einflow::cascade {
namespace {

const double kInf = std::numeric_limits<double>::infinity();

// Two positions that take 10 cycles on unit 0 and 40 on unit 1. Whole
// assignments: 20 (both on unit 0). Fractional: unit 0 takes 1.6 positions
// (16 cycles), unit 1 the other 0.4 (16 cycles): 16, which the bound finds at
// the weights (0.8, 0.2) where 0.8 x 10 = 0.2 x 40. The sum spread evenly
// (10) and the largest single least work (10) are weaker.
TEST(OptimalBound, BusiestUnitIsTheFractionalAssignmentsMakespan) {
  EXPECT_DOUBLE_EQ(busiest_unit_floor({{10, 40}, {10, 40}}), 16);
}

// On one unit the work adds up; a position that only one unit can run puts
// its work there.
TEST(OptimalBound, BusiestUnitOnOneUnitAndWithUnitsThatCannot) {
  EXPECT_DOUBLE_EQ(busiest_unit_floor({{3}, {4}, {5}}), 12);
  // 5 only on unit 0, 7 only on unit 1: no sharing, the larger is the floor.
  EXPECT_DOUBLE_EQ(busiest_unit_floor({{5, kInf}, {kInf, 7}}), 7);
  // Three equal positions on two equal units: 1.5 positions each.
  EXPECT_DOUBLE_EQ(busiest_unit_floor({{2, 2}, {2, 2}, {2, 2}}), 3);
  EXPECT_DOUBLE_EQ(busiest_unit_floor({}), 0);
}

// A DRAM of 2 words a cycle (4 GB/s of 16-bit words at 1 GHz), 3 pJ a read,
// 5 a write and 7 an update, under a buffer and one array.
const char* kArch = R"(architecture:
  name: dram-costs
  clock_mhz: 1000
  word_bits: 16
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 4
    read_pj: 3
    write_pj: 5
    update_pj: 7
    children:
      - name: Buffer
        class: sram
        size_words: 64
        children:
          - name: PE
            class: regfile
            size_words: 4
            children:
              - name: Array
                class: compute
                ops: {mac: {}, add: {}, exp: {}}
)";

// Z = A x B over K (A 4 x 8, its M index a mixed radix of M1 and M0; B 8),
// Y = exp(Z) (an output), W = X through a window (a halo: X[p+r]), V = Y
// masked (an output).
const char* kCascade = R"(cascade:
  name: traffic
  ranks: {M: 4, M0: 2, K: 8, P: 3, R: 2, H: 4}
  partitions: {M: [M1, M0]}
  inputs: {A: [M, K], B: [K], X: [H]}
  outputs: [Y, W, V]
  einsums:
    - Z[m1,m0] = A[m1*M0+m0,k] * B[k]
    - Y[m1,m0] = exp(Z[m1,m0])
    - W[p] = X[p+r]
    - V[m1,m0] = Y[m1,m0] where m1 <= m0 else 0
)";

TEST(OptimalBound, CompulsoryTrafficIsWhatAGroupMustReadAndWrite) {
  const arch::Architecture a = arch::load_arch_text(kArch, "dram-costs.yaml");
  const workloads::Workload w = workloads::load_workload_text(kCascade, "traffic.yaml");
  const workloads::Cascade& c = w.variants[0].cascade;
  const GroupBounds b(a, c);
  // Z alone: reads A (32 words) and B (8), writes Z (4, which Y reads
  // outside): 44 words, 22 cycles; 40 x 3 + 4 x 5 (a write is cheaper than
  // an update) = 140 pJ.
  const Cost z = b.compulsory({0});
  EXPECT_EQ(z.cycles, 22);
  EXPECT_DOUBLE_EQ(z.energy, 140);
  // Z and Y: the same reads, and Y (an output) written, not Z: the same.
  const Cost zy = b.compulsory({0, 1});
  EXPECT_EQ(zy.cycles, 22);
  EXPECT_DOUBLE_EQ(zy.energy, 140);
  // Y alone: reads Z (4), writes Y (4): 4 cycles, 12 + 20 pJ.
  const Cost y = b.compulsory({1});
  EXPECT_EQ(y.cycles, 4);
  EXPECT_DOUBLE_EQ(y.energy, 32);
  // W reads X through a window, which need not cover it: only W's write
  // (3 words, 1.5 cycles floored).
  const Cost win = b.compulsory({2});
  EXPECT_EQ(win.cycles, 1);
  EXPECT_DOUBLE_EQ(win.energy, 15);
  // V is masked: neither its read of Y nor its write counts.
  const Cost v = b.compulsory({3});
  EXPECT_EQ(v.cycles, 0);
  EXPECT_DOUBLE_EQ(v.energy, 0);
}

}  // namespace
}  // namespace einflow::cascade
