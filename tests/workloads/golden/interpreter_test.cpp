// The interpreter on cases worked out by hand.
#include "workloads/golden/interpreter.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/workloads/helpers.h"

namespace einflow::golden {
namespace {

using workloads::Cascade;
using workloads::testing::cascade_from;
using workloads::testing::cascade_yaml;

DenseTensor<double> make(std::vector<int64_t> ext, std::vector<double> values) {
  DenseTensor<double> t(std::move(ext));
  t.data = std::move(values);
  return t;
}

TEST(Interpreter, Matmul) {
  Cascade c = cascade_from(cascade_yaml("{I: 2, J: 2, K: 2}", "{A: [I, K], B: [K, J]}", {"C[i,j] = A[i,k] * B[k,j]"}));
  TensorSet<double> in{{"A", make({2, 2}, {1, 2, 3, 4})}, {"B", make({2, 2}, {5, 6, 7, 8})}};
  auto out = interpret<double>(c, in);
  EXPECT_EQ(out["C"].data, (std::vector<double>{19, 22, 43, 50}));
}

TEST(Interpreter, PrefixSumRecurrence) {
  Cascade c = cascade_from(cascade_yaml("{M: 4}", "{X: [M]}", {"S[0] = 0", "S[m+1] = S[m] + X[m]"}));
  ASSERT_EQ(c.exec_groups.size(), 2u);
  EXPECT_EQ(c.exec_groups[1].loop_rank, c.find_rank("M"));
  auto out = interpret<double>(c, {{"X", make({4}, {1, 2, 3, 4})}});
  EXPECT_EQ(out["S"].data, (std::vector<double>{0, 1, 3, 6, 10}));
}

TEST(Interpreter, MaskedMaxAndFill) {
  Cascade c = cascade_from(cascade_yaml("{M: 3, P: 3}", "{X: [M, P]}",
                                        {"G[p] = max(m) X[m,p] where m <= p", "A[m,p] = X[m,p] where m <= p else -7"}));
  // X[m,p] = 10*m + p, so the visible maximum for query p is X[p,p] = 11 p.
  std::vector<double> x;
  for (int m = 0; m < 3; ++m)
    for (int p = 0; p < 3; ++p) x.push_back(10 * m + p);
  auto out = interpret<double>(c, {{"X", make({3, 3}, x)}});
  EXPECT_EQ(out["G"].data, (std::vector<double>{0, 11, 22}));
  EXPECT_EQ(out["A"].data, (std::vector<double>{0, 1, 2, -7, 11, 12, -7, -7, 22}));
}

TEST(Interpreter, SoftmaxByHand) {
  // One query, two keys with scores 0 and ln 3: weights 1/4 and 3/4; values 10 and 20 give 17.5.
  Cascade c = cascade_from(cascade_yaml("{M: 2, P: 1}", "{S: [M, P], V: [M]}",
                                        {"G[p] = max(m) S[m,p]", "N[m,p] = exp(S[m,p] - G[p])", "D[p] = N[m,p]",
                                         "O[p] = N[m,p] / D[p] * V[m]"}));
  auto out = interpret<double>(c, {{"S", make({2, 1}, {0.0, std::log(3.0)})}, {"V", make({2}, {10, 20})}});
  EXPECT_NEAR(out["O"].data[0], 17.5, 1e-12);
}

TEST(Interpreter, PartitionIndexExpressionIsAReshape) {
  Cascade c = cascade_from(cascade_yaml("{M: 6, M0: 3}", "{K: [M]}", {"BK[m1,m0] = K[m1*M0+m0]"},
                                        "  partitions: {M: [M1, M0]}\n"));
  auto out = interpret<double>(c, {{"K", make({6}, {0, 1, 2, 3, 4, 5})}});
  EXPECT_EQ(out["BK"].extents, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(out["BK"].data, (std::vector<double>{0, 1, 2, 3, 4, 5}));
}

TEST(Interpreter, SeededInputsAreDeterministicAndScaled) {
  Cascade c = cascade_from(cascade_yaml("{P: 64}", "{X: {ranks: [P], scale: 0.5}}", {"Y[p] = X[p]"}));
  auto a = seeded_inputs<double>(c, 7), b = seeded_inputs<double>(c, 7), d = seeded_inputs<double>(c, 8);
  EXPECT_EQ(a["X"].data, b["X"].data);
  EXPECT_NE(a["X"].data, d["X"].data);
  for (double v : a["X"].data) {
    EXPECT_GE(v, -0.5);
    EXPECT_LT(v, 0.5);
  }
}

TEST(Interpreter, MissingInputIsUserError) {
  Cascade c = cascade_from(cascade_yaml("{P: 2}", "{X: [P]}", {"Y[p] = X[p]"}));
  EXPECT_THROW(interpret<double>(c, {}), UserError);
}

}  // namespace
}  // namespace einflow::golden
