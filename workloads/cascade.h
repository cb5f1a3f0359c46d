// The Einsum-cascade IR (DESIGN §3): ranks with sizes and partitions, tensors,
// and an ordered list of extended Einsums. A Cascade is immutable once built by
// build_cascade() (cascade_spec.h), which validates everything first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace einflow::workloads {

// Element types a tensor may hold.
enum class DType : uint8_t { kFp16, kBf16, kFp32, kFp64, kInt8, kInt16, kInt32 };
const char* dtype_name(DType t);
int dtype_bytes(DType t);
inline bool dtype_is_integer(DType t) {
  return t == DType::kInt8 || t == DType::kInt16 || t == DType::kInt32;
}
std::optional<DType> parse_dtype(const std::string& name);
std::vector<std::string> dtype_names();

// Scalar operators of an expression. Binary: add..min. Unary: the rest.
enum class Op : uint8_t {
  kAdd, kSub, kMul, kDiv, kMax, kMin,
  kNeg, kExp, kSqrt, kRsqrt, kRecip, kGelu, kSilu, kRelu, kTanh, kSigmoid, kLog, kAbs,
};
constexpr int kNumOps = 18;
bool is_binary(Op op);
const char* op_name(Op op);  // "+", "-", "*", "/", "max", "min", "neg", "exp", ...
// The unary function named `name` ("exp", ...), if any.
std::optional<Op> unary_by_name(const std::string& name);
std::vector<std::string> unary_names();

// How the ranks absent from the output are combined.
enum class Reduce : uint8_t { kNone, kSum, kMax, kMin, kProd };
const char* reduce_name(Reduce r);  // "none", "sum", "max", "min", "prod"
// The identity of the reduction (0, -inf, +inf, 1); 0 for kNone.
double reduce_identity(Reduce r);

// An affine index: constant + sum of coef * (index variable of rank `rank`).
struct IndexTerm {
  int rank = -1;
  int64_t coef = 0;
};
struct IndexExpr {
  std::vector<IndexTerm> terms;
  int64_t constant = 0;
  SourceLoc loc;

  // A single variable with coefficient 1 and no constant.
  bool is_plain_var() const { return terms.size() == 1 && terms[0].coef == 1 && constant == 0; }
  bool is_constant() const { return terms.empty(); }
  // The coefficient of `rank`'s variable (0 when absent).
  int64_t coef_of(int rank) const;
};

// A read or write of a tensor element.
struct Access {
  int tensor = -1;
  std::vector<IndexExpr> index;  // one per tensor rank
  SourceLoc loc;

  // Whether some index uses rank `rank`'s variable.
  bool uses(int rank) const {
    for (const auto& ix : index)
      if (ix.coef_of(rank) != 0) return true;
    return false;
  }
};

// One node of an expression tree. Nodes are stored in post-order, root last.
struct ExprNode {
  enum class Kind : uint8_t { kConst, kAccess, kUnary, kBinary };
  Kind kind = Kind::kConst;
  Op op = Op::kAdd;
  double value = 0;  // kConst
  int access = -1;   // kAccess: index into Einsum::inputs
  int lhs = -1;      // kUnary / kBinary: node index
  int rhs = -1;      // kBinary: node index
};

// lhs <= rhs, lhs < rhs, ... over index variables; part of a mask.
enum class Cmp : uint8_t { kLe, kLt, kGe, kGt, kEq, kNe };
const char* cmp_name(Cmp c);
struct Comparison {
  IndexExpr lhs;
  Cmp cmp = Cmp::kLe;
  IndexExpr rhs;
};

struct Einsum {
  std::string name;  // the output tensor's name; "T#k" when T has several writers
  Access output;
  std::vector<Access> inputs;
  std::vector<ExprNode> expr;       // post-order, root last
  Reduce reduce = Reduce::kNone;
  std::vector<int> output_ranks;    // ranks of the output's index variables, in LHS order
  std::vector<int> reduced_ranks;   // ranks iterated but absent from the output
  std::vector<int> iteration_ranks; // output_ranks then reduced_ranks
  std::vector<Comparison> mask;     // all must hold; points outside are skipped
  std::optional<double> fill;       // value of masked-out output points (map Einsums)
  std::string text;                 // the source line
  SourceLoc loc;

  const ExprNode& root() const { return expr.back(); }
  // Whether its accesses of tensor `tensor` (read or written) use rank `rank`'s variable.
  bool indexes(int tensor, int rank) const {
    if (output.tensor == tensor && output.uses(rank)) return true;
    for (const auto& a : inputs)
      if (a.tensor == tensor && a.uses(rank)) return true;
    return false;
  }
  // Whether it reads tensor `tensor`.
  bool reads(int tensor) const {
    for (const auto& a : inputs)
      if (a.tensor == tensor) return true;
    return false;
  }
};

struct Rank {
  std::string name;      // upper case first letter: "M", "M1"
  std::string var;       // its index variable: "m", "m1"
  int64_t size = 0;
  int parent = -1;       // the rank this one partitions, or -1
  std::vector<int> parts;  // partition of this rank, outermost first (M -> M1, M0)
  bool iterative = false;  // some tensor holds size+1 entries along it (recurrences)
  SourceLoc loc;
};

enum class TensorKind : uint8_t { kInput, kIntermediate, kOutput };
const char* tensor_kind_name(TensorKind k);

struct Tensor {
  std::string name;
  std::vector<int> ranks;
  std::vector<int64_t> extents;  // entries along each rank (size, or size+1 when iterative)
  DType dtype = DType::kFp16;
  TensorKind kind = TensorKind::kIntermediate;
  double init_scale = 1.0;       // inputs: seeded values lie in [-scale, scale)
  std::vector<int> writers;      // einsum indices, in cascade order
  std::vector<int> readers;
  SourceLoc loc;

  int64_t elements() const;      // product of extents (validated not to overflow)
};

// One group of the execution order: a single Einsum, or a strongly connected set
// of Einsums that runs as a loop over an iterative rank (a recurrence).
struct ExecGroup {
  std::vector<int> einsums;  // in dependency order
  int loop_rank = -1;        // iterative rank of the loop, or -1
};

// Number of traversals of a rank's fiber that the cascade needs (FuseMax's passes).
struct RankPasses {
  int rank = -1;
  int passes = 0;
  std::vector<int> pass_of_einsum;  // per einsum: 0 when it does not traverse the rank
};

class Cascade {
 public:
  std::string name;
  std::vector<Rank> ranks;
  std::vector<Tensor> tensors;
  std::vector<Einsum> einsums;
  std::vector<int> topo_order;       // einsum indices, dependencies first
  std::vector<ExecGroup> exec_groups;
  SourceLoc loc;

  int find_rank(const std::string& name) const;    // -1 when absent
  int find_tensor(const std::string& name) const;  // -1 when absent
  const Rank& rank(int i) const { return ranks.at(i); }
  const Tensor& tensor(int i) const { return tensors.at(i); }
  std::vector<int> inputs() const;   // tensor indices of kind kInput
  std::vector<int> outputs() const;  // tensor indices of kind kOutput
  // The ranks a pass analysis is made for: those that are not a partition part.
  std::vector<int> top_ranks() const;
  // True when `r` is `top` or one of its (transitive) parts.
  bool in_family(int r, int top) const;
  // Ranks with no parts inside `top`'s partition tree (top itself if unpartitioned).
  std::vector<int> leaves_of(int top) const;

  // The Einsum as text, with rank sizes resolved: "QK[m,p] = Q[e,p] * K[e,m]".
  std::string einsum_text(int einsum) const;
  std::string index_text(const IndexExpr& e) const;
};

}  // namespace einflow::workloads
