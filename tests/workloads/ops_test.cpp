// Operation counts and exact masked point counts, against hand-computed figures.
#include <gtest/gtest.h>

#include "tests/workloads/helpers.h"
#include "workloads/analysis.h"

namespace einflow::workloads {
namespace {

using testing::cascade_from;
using testing::cascade_yaml;

TEST(Ops, MatmulIsMacs) {
  Cascade c = cascade_from(cascade_yaml("{I: 3, J: 5, K: 7}", "{A: [I, K], B: [K, J]}", {"C[i,j] = A[i,k] * B[k,j]"}));
  EinsumOps ops = einsum_ops(c, 0);
  EXPECT_EQ(ops.points, 3 * 5 * 7);
  EXPECT_EQ(ops.macs, 105);
  EXPECT_EQ(ops.flops(), 210);
}

TEST(Ops, ReductionAndMapOpsCountedPerPoint) {
  Cascade c = cascade_from(cascade_yaml("{M: 4, P: 3}", "{X: [M, P]}",
                                        {"G[p] = max(m) X[m,p]", "S[m,p] = exp(X[m,p] - G[p])", "D[p] = S[m,p] / 2"}));
  EXPECT_EQ(einsum_ops(c, 0).ops[static_cast<int>(Op::kMax)], 12);
  EinsumOps s = einsum_ops(c, 1);
  EXPECT_EQ(s.ops[static_cast<int>(Op::kExp)], 12);
  EXPECT_EQ(s.ops[static_cast<int>(Op::kSub)], 12);
  EinsumOps d = einsum_ops(c, 2);  // a divide per point, then the sum's add
  EXPECT_EQ(d.ops[static_cast<int>(Op::kDiv)], 12);
  EXPECT_EQ(d.ops[static_cast<int>(Op::kAdd)], 12);
  EXPECT_EQ(d.macs, 0);
}

TEST(Ops, ConstantsAreFolded) {
  Cascade c = cascade_from(cascade_yaml("{P: 3, E: 16}", "{X: [P]}", {"Y[p] = X[p] * rsqrt(E) * (2 + 2)"}));
  EinsumOps ops = einsum_ops(c, 0);
  EXPECT_EQ(ops.ops[static_cast<int>(Op::kMul)], 6);  // two multiplies per point, no rsqrt
  EXPECT_EQ(ops.ops[static_cast<int>(Op::kRsqrt)], 0);
  EXPECT_DOUBLE_EQ(c.einsums[0].expr[1].value, 0.25);
}

TEST(Ops, CausalMaskPointsAreExact) {
  // M = P = 4, m <= p: 1 + 2 + 3 + 4 = 10 pairs, times E = 2.
  Cascade c = cascade_from(cascade_yaml("{M: 4, P: 4, E: 2}", "{Q: [E, P], K: [E, M]}",
                                        {"S[m,p] = Q[e,p] * K[e,m] where m <= p else -inf"}));
  EXPECT_EQ(masked_points(c, c.einsums[0]), 20);
  // M = 6 keys, P = 4 queries, m <= p + 2: 3 + 4 + 5 + 6 = 18.
  Cascade d = cascade_from(cascade_yaml("{M: 6, P: 4}", "{X: [M, P]}", {"S[m,p] = X[m,p] where m <= p+2 else 0"}));
  EXPECT_EQ(masked_points(d, d.einsums[0]), 18);
  // Partitioned: m1*3+m0 <= p over M = P = 6: 6*7/2 = 21.
  Cascade e = cascade_from(cascade_yaml("{M: 6, M0: 3, P: 6}", "{X: [M, P]}",
                                        {"S[m1,m0,p] = X[m1*M0+m0,p] where m1*M0+m0 <= p else 0"},
                                        "  partitions: {M: [M1, M0]}\n"));
  EXPECT_EQ(masked_points(e, e.einsums[0]), 21);
  // Strict and equality comparisons: m < p over 4x4 is 6; m == p is 4; m != p is 12.
  for (auto [mask, want] : std::vector<std::pair<std::string, int64_t>>{{"m < p", 6}, {"m == p", 4}, {"m != p", 12},
                                                                        {"m >= p", 10}, {"2*m > p", 10}}) {
    Cascade f = cascade_from(cascade_yaml("{M: 4, P: 4}", "{X: [M, P]}", {"S[m,p] = X[m,p] where " + mask + " else 0"}));
    EXPECT_EQ(masked_points(f, f.einsums[0]), want) << mask;
  }
}

}  // namespace
}  // namespace einflow::workloads
