#include "workloads/parser.h"

#include <gtest/gtest.h>

#include <cmath>

namespace einflow::workloads {
namespace {

std::string parse_error(const std::string& text) {
  try {
    parse_einsum(text, SourceLoc{"f", 7, 5});
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Parser, MatmulWithDefaultSum) {
  RawEinsum e = parse_einsum("QK[m,p] = Q[e,p] * K[e,m]", SourceLoc{"f", 1, 1});
  EXPECT_EQ(e.output.tensor.text, "QK");
  ASSERT_EQ(e.inputs.size(), 2u);
  EXPECT_EQ(e.inputs[1].tensor.text, "K");
  EXPECT_EQ(e.inputs[1].tensor.loc.col, 20);
  EXPECT_EQ(e.reduce, Reduce::kNone);  // resolved to sum later
  ASSERT_EQ(e.nodes.size(), 3u);
  EXPECT_EQ(e.nodes.back().op, Op::kMul);
}

TEST(Parser, NamedReductionVersusBinaryMax) {
  RawEinsum r = parse_einsum("LM[m1,p] = max(m0) QK[m1,m0,p]", SourceLoc{});
  EXPECT_EQ(r.reduce, Reduce::kMax);
  ASSERT_EQ(r.reduce_vars.size(), 1u);
  EXPECT_EQ(r.reduce_vars[0].text, "m0");
  RawEinsum b = parse_einsum("RM[m1+1,p] = max(RM[m1,p], LM[m1,p])", SourceLoc{});
  EXPECT_EQ(b.reduce, Reduce::kNone);
  EXPECT_EQ(b.nodes.back().op, Op::kMax);
  ASSERT_EQ(b.output.index[0].terms.size(), 2u);
  EXPECT_EQ(b.output.index[0].terms[1].coef, 1);
  EXPECT_TRUE(b.output.index[0].terms[1].names.empty());  // the constant 1
}

TEST(Parser, IndexExpressionsMasksAndFill) {
  RawEinsum e = parse_einsum("BQK[m1,m0,p] = Q[e,p] * K[e, m1*M0+m0] where m1*M0+m0 <= p+3 else -inf",
                             SourceLoc{});
  const RawIndex& idx = e.inputs[1].index[1];
  ASSERT_EQ(idx.terms.size(), 2u);
  EXPECT_EQ(idx.terms[0].names.size(), 2u);  // m1 * M0
  ASSERT_EQ(e.mask.size(), 1u);
  EXPECT_EQ(e.mask[0].cmp, Cmp::kLe);
  ASSERT_TRUE(e.fill.has_value());
  EXPECT_TRUE(std::isinf(*e.fill) && *e.fill < 0);
}

TEST(Parser, PrecedenceAndUnaryMinus) {
  RawEinsum e = parse_einsum("Y[p] = -X[p] + A[p] * B[p] / 2", SourceLoc{});
  // post-order: X neg A B * 2 / +
  ASSERT_EQ(e.nodes.size(), 8u);
  EXPECT_EQ(e.nodes[1].op, Op::kNeg);
  EXPECT_EQ(e.nodes[4].op, Op::kMul);
  EXPECT_EQ(e.nodes[6].op, Op::kDiv);
  EXPECT_EQ(e.nodes[7].op, Op::kAdd);
}

TEST(Parser, ErrorsPointAtTheToken) {
  // The text starts at column 5 of line 7.
  EXPECT_EQ(parse_error("QK[m,p] = Q[e,p] * "), "f:7:24: expected a tensor, a number, a function or '(', got the end of the line");
  EXPECT_EQ(parse_error("QK[m,p] Q[e,p]"), "f:7:13: expected '=' after the output tensor, got 'Q'");
  EXPECT_EQ(parse_error("Y[p] = expp(X[p])"), "f:7:12: unknown function 'expp' (did you mean 'exp'?)");
  EXPECT_EQ(parse_error("Y[p] = X[p] $ 2"), "f:7:17: unexpected character '$'");
  EXPECT_EQ(parse_error("Y[p] = X[p,]"), "f:7:16: expected an index variable, a rank size or an integer, got ']'");
  EXPECT_EQ(parse_error("Y[p] = X[p] X[p]"), "f:7:17: expected an operator or the end of the line, got 'X'");
  EXPECT_EQ(parse_error("Y[p] = max(X[p] Z[p])"),
            "f:7:21: expected ',' between the two operands of max, got 'Z'");
}

TEST(Parser, LinesCollectAllErrors) {
  try {
    parse_einsum_lines("A[p] = B[p]\n# comment\nC[p] = (B[p]\n\nD[p] = B[p] +\n", "c.ein");
    FAIL();
  } catch (const UserError& e) {
    ASSERT_EQ(e.diagnostics().size(), 2u);
    EXPECT_EQ(e.diagnostics()[0].loc.line, 3);
    EXPECT_EQ(e.diagnostics()[1].loc.line, 5);
  }
}

}  // namespace
}  // namespace einflow::workloads
