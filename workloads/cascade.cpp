#include "workloads/cascade.h"

#include <cmath>
#include <limits>

#include "common/text.h"

namespace einflow::workloads {

namespace {
struct DTypeInfo {
  DType type;
  const char* name;
  int bytes;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::kFp16, "fp16", 2}, {DType::kBf16, "bf16", 2}, {DType::kFp32, "fp32", 4},
    {DType::kFp64, "fp64", 8}, {DType::kInt8, "int8", 1}, {DType::kInt16, "int16", 2},
    {DType::kInt32, "int32", 4},
};

constexpr const char* kOpNames[kNumOps] = {"+",    "-",    "*",     "/",     "max",  "min",
                                           "neg",  "exp",  "sqrt",  "rsqrt", "recip", "gelu",
                                           "silu", "relu", "tanh",  "sigmoid", "log", "abs"};
}  // namespace

const char* dtype_name(DType t) {
  for (const auto& d : kDTypes)
    if (d.type == t) return d.name;
  return "?";
}

int dtype_bytes(DType t) {
  for (const auto& d : kDTypes)
    if (d.type == t) return d.bytes;
  return 0;
}

std::optional<DType> parse_dtype(const std::string& name) {
  for (const auto& d : kDTypes)
    if (name == d.name) return d.type;
  return std::nullopt;
}

std::vector<std::string> dtype_names() {
  std::vector<std::string> out;
  for (const auto& d : kDTypes) out.push_back(d.name);
  return out;
}

bool is_binary(Op op) { return static_cast<int>(op) <= static_cast<int>(Op::kMin); }

const char* op_name(Op op) { return kOpNames[static_cast<int>(op)]; }

std::optional<Op> unary_by_name(const std::string& name) {
  for (int i = static_cast<int>(Op::kNeg); i < kNumOps; ++i)
    if (name == kOpNames[i]) return static_cast<Op>(i);
  return std::nullopt;
}

std::vector<std::string> unary_names() {
  std::vector<std::string> out;
  for (int i = static_cast<int>(Op::kNeg); i < kNumOps; ++i) out.push_back(kOpNames[i]);
  return out;
}

const char* reduce_name(Reduce r) {
  switch (r) {
    case Reduce::kNone: return "none";
    case Reduce::kSum: return "sum";
    case Reduce::kMax: return "max";
    case Reduce::kMin: return "min";
    case Reduce::kProd: return "prod";
  }
  return "?";
}

double reduce_identity(Reduce r) {
  switch (r) {
    case Reduce::kMax: return -std::numeric_limits<double>::infinity();
    case Reduce::kMin: return std::numeric_limits<double>::infinity();
    case Reduce::kProd: return 1.0;
    default: return 0.0;
  }
}

const char* cmp_name(Cmp c) {
  switch (c) {
    case Cmp::kLe: return "<=";
    case Cmp::kLt: return "<";
    case Cmp::kGe: return ">=";
    case Cmp::kGt: return ">";
    case Cmp::kEq: return "==";
    case Cmp::kNe: return "!=";
  }
  return "?";
}

const char* tensor_kind_name(TensorKind k) {
  switch (k) {
    case TensorKind::kInput: return "input";
    case TensorKind::kIntermediate: return "intermediate";
    case TensorKind::kOutput: return "output";
  }
  return "?";
}

int64_t IndexExpr::coef_of(int rank) const {
  int64_t c = 0;
  for (const auto& t : terms)
    if (t.rank == rank) c += t.coef;
  return c;
}

int64_t Tensor::elements() const {
  int64_t n = 1;
  for (int64_t e : extents) n *= e;
  return n;
}

int Cascade::find_rank(const std::string& n) const {
  for (size_t i = 0; i < ranks.size(); ++i)
    if (ranks[i].name == n) return static_cast<int>(i);
  return -1;
}

int Cascade::find_tensor(const std::string& n) const {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == n) return static_cast<int>(i);
  return -1;
}

std::vector<int> Cascade::inputs() const {
  std::vector<int> out;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].kind == TensorKind::kInput) out.push_back(static_cast<int>(i));
  return out;
}

std::vector<int> Cascade::outputs() const {
  std::vector<int> out;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].kind == TensorKind::kOutput) out.push_back(static_cast<int>(i));
  return out;
}

std::vector<int> Cascade::top_ranks() const {
  std::vector<int> out;
  for (size_t i = 0; i < ranks.size(); ++i)
    if (ranks[i].parent < 0) out.push_back(static_cast<int>(i));
  return out;
}

bool Cascade::in_family(int r, int top) const {
  for (int cur = r; cur >= 0; cur = ranks[cur].parent)
    if (cur == top) return true;
  return false;
}

std::vector<int> Cascade::leaves_of(int top) const {
  if (ranks[top].parts.empty()) return {top};
  std::vector<int> out;
  for (int p : ranks[top].parts) {
    auto sub = leaves_of(p);
    out.insert(out.end(), sub.begin(), sub.end());
  }
  return out;
}

std::string Cascade::index_text(const IndexExpr& e) const {
  std::string s;
  for (const auto& t : e.terms) {
    std::string term = ranks[t.rank].var;
    int64_t c = t.coef;
    if (!s.empty()) {
      s += c < 0 ? "-" : "+";
      c = c < 0 ? -c : c;
    } else if (c < 0) {
      s += "-";
      c = -c;
    }
    if (c != 1) term += "*" + std::to_string(c);
    s += term;
  }
  if (e.constant != 0 || s.empty()) {
    if (!s.empty()) s += e.constant < 0 ? "-" : "+";
    s += std::to_string(s.empty() ? e.constant : std::llabs(e.constant));
  }
  return s;
}

namespace {
std::string access_text(const Cascade& c, const Access& a) {
  std::string s = c.tensors[a.tensor].name + "[";
  for (size_t i = 0; i < a.index.size(); ++i) {
    if (i) s += ",";
    s += c.index_text(a.index[i]);
  }
  return s + "]";
}

int precedence(const ExprNode& n) {
  if (n.kind != ExprNode::Kind::kBinary) return 3;
  if (n.op == Op::kAdd || n.op == Op::kSub) return 1;
  if (n.op == Op::kMul || n.op == Op::kDiv) return 2;
  return 3;  // max(a,b), min(a,b)
}

std::string node_text(const Cascade& c, const Einsum& e, int i) {
  const ExprNode& n = e.expr[i];
  switch (n.kind) {
    case ExprNode::Kind::kConst: return format_double(n.value);
    case ExprNode::Kind::kAccess: return access_text(c, e.inputs[n.access]);
    case ExprNode::Kind::kUnary:
      return std::string(op_name(n.op)) + "(" + node_text(c, e, n.lhs) + ")";
    case ExprNode::Kind::kBinary: {
      if (n.op == Op::kMax || n.op == Op::kMin)
        return std::string(op_name(n.op)) + "(" + node_text(c, e, n.lhs) + ", " +
               node_text(c, e, n.rhs) + ")";
      int p = precedence(n);
      std::string l = node_text(c, e, n.lhs), r = node_text(c, e, n.rhs);
      if (precedence(e.expr[n.lhs]) < p) l = "(" + l + ")";
      // Right operand of - and / needs parentheses at equal precedence too.
      int rp = precedence(e.expr[n.rhs]);
      bool strict = n.op == Op::kSub || n.op == Op::kDiv;
      if (rp < p || (strict && rp == p)) r = "(" + r + ")";
      return l + " " + op_name(n.op) + " " + r;
    }
  }
  return "?";
}
}  // namespace

std::string Cascade::einsum_text(int idx) const {
  const Einsum& e = einsums[idx];
  std::string s = access_text(*this, e.output) + " = ";
  if (e.reduce != Reduce::kNone && e.reduce != Reduce::kSum) {
    std::vector<std::string> vars;
    for (int r : e.reduced_ranks) vars.push_back(ranks[r].var);
    s += std::string(reduce_name(e.reduce)) + "(" + join(vars, ",") + ") ";
  }
  s += node_text(*this, e, static_cast<int>(e.expr.size()) - 1);
  if (!e.mask.empty()) {
    s += " where ";
    for (size_t i = 0; i < e.mask.size(); ++i) {
      if (i) s += " and ";
      s += index_text(e.mask[i].lhs) + " " + cmp_name(e.mask[i].cmp) + " " +
           index_text(e.mask[i].rhs);
    }
    if (e.fill) s += " else " + format_double(*e.fill);
  }
  return s;
}

}  // namespace einflow::workloads
