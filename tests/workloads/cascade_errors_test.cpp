// Every validation error of build_cascade, with its file:line:col.
#include <gtest/gtest.h>

#include "tests/workloads/helpers.h"

namespace einflow::workloads {
namespace {

using testing::cascade_yaml;
using testing::error_of;

TEST(CascadeErrors, UndefinedTensorSuggestsName) {
  std::string y = cascade_yaml("{E: 4, P: 3}", "{Q: [E, P], K: [E, P]}", {"S[p] = Q[e,p] * Kx[e,p]"});
  EXPECT_EQ(error_of(y), "t.yaml:6:23: undefined tensor 'Kx': neither an input nor written by any Einsum (did you mean 'K'?)");
}

TEST(CascadeErrors, UnknownIndexVariable) {
  std::string y = cascade_yaml("{E: 4, P: 3}", "{Q: [E, P]}", {"S[p] = Q[x,p]"});
  EXPECT_EQ(error_of(y), "t.yaml:6:16: unknown index variable 'x' (no rank named 'X')");
}

TEST(CascadeErrors, RankMismatchInCount) {
  std::string y = cascade_yaml("{E: 4, P: 3}", "{Q: [E, P]}", {"S[p] = Q[e,e,p]"});
  EXPECT_EQ(error_of(y), "t.yaml:6:14: rank mismatch: 'Q' has 2 ranks [E,P] but is indexed with 3");
}

TEST(CascadeErrors, RankMismatchInSize) {
  std::string y = cascade_yaml("{E: 4, P: 3}", "{Q: [E, P]}", {"S[e] = Q[p,e]"});
  std::string err = error_of(y);
  // Index 1 reads a prefix of E with p (allowed); index 2 reads P with the larger e.
  EXPECT_NE(err.find("t.yaml:6:18: rank mismatch: index 2 of 'Q' is rank P (size 3) but is indexed by 'e' of rank E (size 4)"),
            std::string::npos)
      << err;
}

TEST(CascadeErrors, SmallerRankReadsAPrefix) {
  // S[p] = Q[p, 0]: the first 3 of E's 4 entries.
  std::string y = cascade_yaml("{E: 4, P: 3}", "{Q: [E, P]}", {"S[p] = Q[p,0]"});
  EXPECT_EQ(error_of(y), "");
}

TEST(CascadeErrors, IndexOutOfRange) {
  std::string y = cascade_yaml("{E: 4, P: 3}", "{Q: [E, P]}", {"S[e,p] = Q[e,p+1]"});
  EXPECT_EQ(error_of(y), "t.yaml:6:20: index 2 of 'Q' ranges over 1..3 but rank P has 3 entries (0..2)");
}

TEST(CascadeErrors, ReducedRankNotReducible) {
  std::string y = cascade_yaml("{M: 4, P: 3}", "{X: [M, P]}", {"G[p] = max(p) X[m,p]"});
  std::string err = error_of(y);
  EXPECT_NE(err.find("t.yaml:6:18: 'p' indexes the output, so it cannot be reduced"), std::string::npos) << err;
  EXPECT_NE(err.find("t.yaml:6:14: 'm' is absent from the output and must be reduced too: list it in max(...)"),
            std::string::npos)
      << err;
}

TEST(CascadeErrors, ReductionOverRankNotOnTheRight) {
  std::string y = cascade_yaml("{M: 4, P: 3}", "{X: [M, P]}", {"G[m,p] = max(e) X[m,p]"});
  EXPECT_EQ(error_of(y), "t.yaml:6:20: unknown index variable 'e'");
}

TEST(CascadeErrors, CycleOutsideIterativeRanks) {
  std::string y = cascade_yaml("{P: 3}", "{X: [P]}", {"A[p] = X[p] + B[p]", "B[p] = A[p] * 2"});
  EXPECT_EQ(error_of(y), "t.yaml:6:7: cycle outside iterative ranks: A -> B -> A (a recurrence must read an "
                         "earlier iteration, e.g. X[m1,p] while writing X[m1+1,p])");
}

TEST(CascadeErrors, PartitionThatDoesNotDivide) {
  std::string y = cascade_yaml("{M: 10, M0: 4, P: 3}", "{X: [M, P]}", {"Y[m1,m0,p] = X[m1*M0+m0,p]"},
                               "  partitions: {M: [M1, M0]}\n");
  EXPECT_EQ(error_of(y), "t.yaml:5:16: partition M = M1 x M0: the given part sizes (product 4) do not divide M = 10");
}

TEST(CascadeErrors, PartitionProductMismatch) {
  std::string y = cascade_yaml("{M: 10, M1: 2, M0: 4, P: 3}", "{X: [M, P]}", {"Y[m1,m0,p] = X[m1*M0+m0,p]"},
                               "  partitions: {M: [M1, M0]}\n");
  EXPECT_EQ(error_of(y), "t.yaml:5:16: partition M = M1 x M0: the parts multiply to 8, not M = 10");
}

TEST(CascadeErrors, RecurrenceWithoutInitialValue) {
  std::string y = cascade_yaml("{M: 4, P: 3}", "{X: [M, P]}", {"S[m+1,p] = S[m,p] + X[m,p]"});
  std::string err = error_of(y);
  EXPECT_NE(err.find("'S' is never written at index 0 of rank M (a recurrence needs an initial value"),
            std::string::npos)
      << err;
}

TEST(CascadeErrors, OverlappingWriters) {
  std::string y = cascade_yaml("{P: 3}", "{X: [P]}", {"A[p] = X[p]", "A[0] = 1"});
  std::string err = error_of(y);
  EXPECT_NE(err.find("t.yaml:7:7: 'A' is written here and by the Einsum at t.yaml:6:7 over overlapping entries"),
            std::string::npos)
      << err;
}

TEST(CascadeErrors, ElseNeedsOutputOnlyMask) {
  std::string y = cascade_yaml("{E: 2, P: 3}", "{X: [E, P]}", {"A[p] = X[e,p] where e <= p else 0"});
  EXPECT_NE(error_of(y).find("the mask may only use output ranks, but it uses 'e'"), std::string::npos);
}

TEST(CascadeErrors, ManyErrorsAreAllReported) {
  std::string y = cascade_yaml("{P: 3, Bad: 0}", "{X: [P, Q]}", {"A[p] = X[p]"});
  std::string err = error_of(y);
  EXPECT_NE(err.find("rank 'Bad' must have a size of at least 1"), std::string::npos) << err;
}

TEST(CascadeErrors, OverflowSizedProblem) {
  std::string y = cascade_yaml("{A: 4G, B: 4G, C: 4G}", "{X: [A, B], Y: [B, C]}", {"Z[a,c] = X[a,b] * Y[b,c]"});
  std::string err = error_of(y);
  EXPECT_NE(err.find("more elements than 64 bits can count"), std::string::npos) << err;
}

TEST(CascadeErrors, UnknownKeysInCascadeFile) {
  std::string y = "cascade:\n  name: t\n  ranks: {P: 3}\n  input: {X: [P]}\n  einsums: [\"A[p] = X[p]\"]\n";
  std::string err = error_of(y);
  EXPECT_NE(err.find("t.yaml:4:3: cascade.input: unknown key 'input' (did you mean 'inputs'?)"), std::string::npos) << err;
  EXPECT_NE(err.find("t.yaml:2:3: cascade.inputs: missing required key 'inputs'"), std::string::npos) << err;
}

TEST(CascadeErrors, ParseErrorInsideYamlListPointsIntoTheLine) {
  std::string y = cascade_yaml("{P: 3}", "{X: [P]}", {"A[p] = X[p] +"});
  EXPECT_EQ(error_of(y), "t.yaml:6:20: cascade.einsums[0]: expected a tensor, a number, a function or '(', got the end of the line");
}

}  // namespace
}  // namespace einflow::workloads
