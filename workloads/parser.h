// Parser for the Einsum text notation, one Einsum per line, as written in the
// FuseMax paper:
//
//   QK[m1,m0,p] = Q[e,p] * BK[e,m1,m0]
//   LM[m1,p]    = max(m0) QK[m1,m0,p]
//   RM[m1+1,p]  = max(RM[m1,p], LM[m1,p])
//   RM[0,p]     = -inf
//   BK[e,m1,m0] = K[e, m1*M0+m0]
//   QK[m,p]     = Q[e,p] * K[e,m] where m <= p else -inf
//
// Lower-case names inside brackets are index variables (of the rank with the
// upper-case name); upper-case names elsewhere stand for rank sizes. The parser
// checks syntax only; names are resolved by build_cascade().
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "workloads/cascade.h"

namespace einflow::workloads {

struct Name {
  std::string text;
  SourceLoc loc;
};

// coef * name1 * name2 * ... (no names: a constant term).
struct RawIndexTerm {
  int64_t coef = 1;
  std::vector<Name> names;
};
struct RawIndex {
  std::vector<RawIndexTerm> terms;
  SourceLoc loc;
};
struct RawAccess {
  Name tensor;
  std::vector<RawIndex> index;
  SourceLoc loc;
};
struct RawNode {
  enum class Kind : uint8_t { kConst, kRankSize, kAccess, kUnary, kBinary };
  Kind kind = Kind::kConst;
  Op op = Op::kAdd;
  double value = 0;
  std::string name;  // kRankSize
  int access = -1;   // kAccess: index into RawEinsum::inputs
  int lhs = -1, rhs = -1;
  SourceLoc loc;
};
struct RawComparison {
  RawIndex lhs;
  Cmp cmp = Cmp::kLe;
  RawIndex rhs;
  SourceLoc loc;
};
struct RawEinsum {
  RawAccess output;
  Reduce reduce = Reduce::kNone;  // kNone: not named (sum if anything is reduced)
  std::vector<Name> reduce_vars;  // as named in max(m0)
  SourceLoc reduce_loc;
  std::vector<RawAccess> inputs;
  std::vector<RawNode> nodes;     // post-order, root last
  std::vector<RawComparison> mask;
  std::optional<double> fill;
  std::string text;
  SourceLoc loc;
};

// Parses one Einsum; `start` is where the text begins in its file.
// Throws UserError with the position of the offending token.
RawEinsum parse_einsum(const std::string& text, const SourceLoc& start);

// Parses a block of lines, one Einsum per line; blank lines and '#' comments are
// skipped. Collects every line's error before throwing.
std::vector<RawEinsum> parse_einsum_lines(const std::string& text, const std::string& file,
                                          int first_line = 1);

}  // namespace einflow::workloads
