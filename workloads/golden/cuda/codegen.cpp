#include "workloads/golden/cuda/codegen.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace einflow::golden::cuda {

namespace {

using workloads::Cascade;
using workloads::Einsum;
using workloads::ExprNode;
using workloads::IndexExpr;
using workloads::Op;
using workloads::Reduce;

// What every kernel file begins with: the target's keywords and the scalar
// operators, each as workloads/scalar_ops.h defines it.
std::string prelude(Target target, const std::string& scalar) {
  std::ostringstream o;
  if (target == Target::kCuda) {
    o << "#define EF_FN __device__ __forceinline__\n"
         "#define EF_INF __longlong_as_double(0x7ff0000000000000LL)\n"
         "#define EF_NAN __longlong_as_double(0x7ff8000000000000LL)\n";
  } else {
    o << "#include <cmath>\n"
         "using std::erf; using std::exp; using std::sqrt; using std::tanh; using std::log; using std::fabs;\n"
         "using std::round;\n"
         "#define EF_FN static inline\n"
         "#define EF_INF HUGE_VAL\n"
         "#define EF_NAN NAN\n";
  }
  o << "typedef long long ef_i64;\n"
    << "typedef " << scalar << " ef_t;\n"
    << "EF_FN ef_t ef_max(ef_t a, ef_t b) { return (a < b) ? b : a; }\n"
       "EF_FN ef_t ef_min(ef_t a, ef_t b) { return (b < a) ? b : a; }\n"
       "EF_FN ef_t ef_neg(ef_t a) { return -a; }\n"
       "EF_FN ef_t ef_exp(ef_t a) { return exp(a); }\n"
       "EF_FN ef_t ef_sqrt(ef_t a) { return sqrt(a); }\n"
       "EF_FN ef_t ef_rsqrt(ef_t a) { return (ef_t)1 / sqrt(a); }\n"
       "EF_FN ef_t ef_recip(ef_t a) { return (ef_t)1 / a; }\n"
       "EF_FN ef_t ef_gelu(ef_t a) { return (ef_t)0.5 * a * ((ef_t)1 + erf(a / sqrt((ef_t)2))); }\n"
       "EF_FN ef_t ef_silu(ef_t a) { return a / ((ef_t)1 + exp(-a)); }\n"
       "EF_FN ef_t ef_relu(ef_t a) { return a > (ef_t)0 ? a : (ef_t)0; }\n"
       "EF_FN ef_t ef_tanh(ef_t a) { return tanh(a); }\n"
       "EF_FN ef_t ef_sigmoid(ef_t a) { return (ef_t)1 / ((ef_t)1 + exp(-a)); }\n"
       "EF_FN ef_t ef_log(ef_t a) { return log(a); }\n"
       "EF_FN ef_t ef_abs(ef_t a) { return fabs(a); }\n"
       "EF_FN ef_t ef_sat(ef_t v, double lo, double hi) {\n"
       "  const double r = round((double)v);\n"
       "  return (ef_t)(r < lo ? lo : r > hi ? hi : r);\n"
       "}\n";
  return o.str();
}

// A constant, exactly: hexadecimal floating point keeps every bit and the sign
// of zero; infinities and NaN by the prelude's macros.
std::string number(double v) {
  if (std::isnan(v)) return "((ef_t)EF_NAN)";
  if (std::isinf(v)) return v < 0 ? "(-(ef_t)EF_INF)" : "((ef_t)EF_INF)";
  char buf[48];
  std::snprintf(buf, sizeof buf, "((ef_t)%a)", v);
  return buf;
}

// Text for a // comment: one line.
std::string one_line(std::string s) {
  for (char& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return s;
}

std::string var(int rank) { return "v" + std::to_string(rank); }

// An index expression over the iteration variables.
std::string index(const IndexExpr& e) {
  std::string s = "(" + std::to_string(e.constant) + "LL";
  for (const auto& t : e.terms) s += " + " + std::to_string(t.coef) + "LL * " + var(t.rank);
  return s + ")";
}

// The offset of an access in its row-major tensor.
std::string offset(const Cascade& c, const workloads::Access& a) {
  const std::vector<int64_t>& ext = c.tensors[static_cast<size_t>(a.tensor)].extents;
  std::string s = "0LL";
  int64_t stride = 1;
  for (size_t d = ext.size(); d-- > 0;) {
    s += " + " + std::to_string(stride) + "LL * " + index(a.index[d]);
    stride *= ext[d];
  }
  return s;
}

// A unary operator's function in the prelude: "ef_" and the operator's name.
std::string unary_fn(Op op) { return std::string("ef_") + workloads::op_name(op); }

std::string binary(Op op, const std::string& a, const std::string& b) {
  switch (op) {
    case Op::kAdd: return a + " + " + b;
    case Op::kSub: return a + " - " + b;
    case Op::kMul: return a + " * " + b;
    case Op::kDiv: return a + " / " + b;
    case Op::kMax: return "ef_max(" + a + ", " + b + ")";
    case Op::kMin: return "ef_min(" + a + ", " + b + ")";
    default: return a;
  }
}


std::string mask(const Einsum& e) {
  std::string s;
  for (const auto& m : e.mask) s += (s.empty() ? "" : " && ") + ("(" + index(m.lhs) + " " + workloads::cmp_name(m.cmp) + " " + index(m.rhs) + ")");
  return s.empty() ? "true" : s;
}

// The saturation of an integer output, "" for a floating-point one.
std::string saturate(workloads::DType t, const std::string& v) {
  switch (t) {
    case workloads::DType::kInt8: return "ef_sat(" + v + ", -128.0, 127.0)";
    case workloads::DType::kInt16: return "ef_sat(" + v + ", -32768.0, 32767.0)";
    case workloads::DType::kInt32: return "ef_sat(" + v + ", -2147483648.0, 2147483647.0)";
    default: return "";
  }
}

// Decodes thread `tid` into the output ranks' variables (row-major; the fixed
// rank, when it is one of them, takes the launch's value instead).
std::string decode(const Cascade& c, const std::vector<int>& ranks, int fixed_rank, const char* indent) {
  std::ostringstream o;
  o << indent << "ef_i64 rest = tid;\n";
  for (size_t k = ranks.size(); k-- > 0;) {
    const int r = ranks[k];
    if (r == fixed_rank) {
      o << indent << "const ef_i64 " << var(r) << " = fixed;\n";
      continue;
    }
    const int64_t n = c.ranks[static_cast<size_t>(r)].size;
    o << indent << "const ef_i64 " << var(r) << " = rest % " << n << "LL; rest /= " << n << "LL;\n";
  }
  o << indent << "(void)rest;\n";
  return o.str();
}

int64_t threads(const Cascade& c, const std::vector<int>& ranks, int fixed_rank) {
  int64_t n = 1;
  for (int r : ranks)
    if (r != fixed_rank) n *= c.ranks[static_cast<size_t>(r)].size;
  return n;
}

std::string fold(const Einsum& e, workloads::DType t) {
  std::string f;
  switch (e.reduce) {
    case Reduce::kSum: f = "acc = acc + val;"; break;
    case Reduce::kMax: f = "acc = ef_max(acc, val);"; break;
    case Reduce::kMin: f = "acc = ef_min(acc, val);"; break;
    case Reduce::kProd: f = "acc = acc * val;"; break;
    case Reduce::kNone: f = "acc = val;"; break;
  }
  const std::string s = saturate(t, "acc");
  return s.empty() ? f : f + " acc = " + s + ";";
}

void emit_init(std::ostringstream& o, const Cascade& c, const Einsum& e, const std::string& name, bool serial) {
  const auto dtype = c.tensors[static_cast<size_t>(e.output.tensor)].dtype;
  const char* in = serial ? "    " : "  ";
  std::ostringstream p;
  p << decode(c, e.output_ranks, -1, in);
  for (int r : e.reduced_ranks) p << in << "const ef_i64 " << var(r) << " = 0;\n";
  const double identity = workloads::reduce_identity(e.reduce);
  const std::string sat = saturate(dtype, number(e.fill.value_or(0.0)));
  const std::string fill = sat.empty() ? number(e.fill.value_or(0.0)) : sat;
  p << in << "const bool in = " << (e.fill ? mask(e) : "true") << ";\n"
    << in << "T[" << e.output.tensor << "][" << offset(c, e.output) << "] = in ? " << number(identity) << " : " << fill
    << ";\n";
  o << "EF_FN void " << name << "_body(ef_t* const* T, ef_i64 " << (serial ? "one" : "tid") << ") {\n";
  if (serial)
    o << "  (void)one;\n  for (ef_i64 tid = 0; tid < " << threads(c, e.output_ranks, -1) << "LL; ++tid) {\n"
      << p.str() << "  }\n";
  else
    o << p.str();
  o << "}\n";
}

// Whether distinct points of the output ranks write distinct output
// elements: every output rank in one index only, and in each index the terms'
// coefficients a mixed radix (each larger than the span of the smaller ones:
// m1*M0 + m0 is, i + j is not). When not, one thread runs the points in order.
bool injective(const Cascade& c, const Einsum& e) {
  std::vector<int> seen;
  for (const auto& ix : e.output.index) {
    std::vector<std::pair<int64_t, int>> terms;  // (|coef|, rank)
    for (const auto& t : ix.terms) {
      if (std::find(seen.begin(), seen.end(), t.rank) != seen.end()) return false;
      seen.push_back(t.rank);
      terms.emplace_back(t.coef < 0 ? -t.coef : t.coef, t.rank);
    }
    std::sort(terms.begin(), terms.end());
    int64_t span = 0;
    for (const auto& [coef, rank] : terms) {
      if (coef == 0 || coef <= span) return false;
      span += coef * (c.ranks[static_cast<size_t>(rank)].size - 1);
    }
  }
  return seen.size() == e.output_ranks.size();
}

void emit_run(std::ostringstream& o, const Cascade& c, const Einsum& e, const std::string& name, int fixed_rank,
              bool serial) {
  const auto dtype = c.tensors[static_cast<size_t>(e.output.tensor)].dtype;
  std::ostringstream p;  // one output point's work
  const char* in = serial ? "    " : "  ";
  p << decode(c, e.output_ranks, fixed_rank, in) << in << "const ef_i64 out = " << offset(c, e.output) << ";\n"
    << in << "ef_t acc = T[" << e.output.tensor << "][out];\n";
  std::string indent = in;
  for (int r : e.reduced_ranks) {
    if (r == fixed_rank) {
      p << indent << "{ const ef_i64 " << var(r) << " = fixed;\n";
    } else {
      p << indent << "for (ef_i64 " << var(r) << " = 0; " << var(r) << " < " << c.ranks[static_cast<size_t>(r)].size
        << "LL; ++" << var(r) << ") {\n";
    }
    indent += "  ";
  }
  p << indent << "if (" << mask(e) << ") {\n";
  for (size_t n = 0; n < e.expr.size(); ++n) {
    const ExprNode& x = e.expr[n];
    p << indent << "  const ef_t x" << n << " = ";
    switch (x.kind) {
      case ExprNode::Kind::kConst: p << number(x.value); break;
      case ExprNode::Kind::kAccess: {
        const workloads::Access& a = e.inputs[static_cast<size_t>(x.access)];
        p << "T[" << a.tensor << "][" << offset(c, a) << "]";
        break;
      }
      case ExprNode::Kind::kUnary: p << unary_fn(x.op) << "(x" << x.lhs << ")"; break;
      case ExprNode::Kind::kBinary:
        p << binary(x.op, "x" + std::to_string(x.lhs), "x" + std::to_string(x.rhs));
        break;
    }
    p << ";\n";
  }
  p << indent << "  const ef_t val = x" << e.expr.size() - 1 << ";\n"
    << indent << "  " << fold(e, dtype) << "\n" << indent << "}\n";
  for (size_t k = 0; k < e.reduced_ranks.size(); ++k) {
    indent.resize(indent.size() - 2);
    p << indent << "}\n";
  }
  p << in << "T[" << e.output.tensor << "][out] = acc;\n";
  o << "EF_FN void " << name << "_body(ef_t* const* T, ef_i64 " << (serial ? "one" : "tid")
    << ", ef_i64 fixed) {\n  (void)fixed;\n";
  if (serial)
    o << "  (void)one;\n  for (ef_i64 tid = 0; tid < " << threads(c, e.output_ranks, fixed_rank) << "LL; ++tid) {\n"
      << p.str() << "  }\n";
  else
    o << p.str();
  o << "}\n";
}

// The entry points: a CUDA kernel (a thread per index) or a host loop.
void emit_entry(std::ostringstream& o, Target target, const std::string& name, bool fixed) {
  const std::string fixed_param = fixed ? ", ef_i64 fixed" : "";
  const std::string fixed_arg = fixed ? ", fixed" : "";
  if (target == Target::kCuda) {
    o << "extern \"C\" __global__ void " << name << "(ef_t* const* T, ef_i64 n" << fixed_param << ") {\n"
      << "  const ef_i64 tid = (ef_i64)blockIdx.x * blockDim.x + threadIdx.x;\n"
      << "  if (tid < n) " << name << "_body(T, tid" << fixed_arg << ");\n}\n";
  } else {
    o << "extern \"C\" void " << name << "(ef_t* const* T, ef_i64 n" << fixed_param << ") {\n"
      << "  for (ef_i64 tid = 0; tid < n; ++tid) " << name << "_body(T, tid" << fixed_arg << ");\n}\n";
  }
}

}  // namespace

Source generate(const Cascade& c, Target target, const std::string& scalar) {
  Source src;
  std::vector<int> loop_of(c.einsums.size(), -1);
  for (const auto& g : c.exec_groups)
    for (int e : g.einsums) loop_of[static_cast<size_t>(e)] = g.loop_rank;
  std::ostringstream o;
  o << "// Generated by einflow from cascade " << one_line(c.name) << " (workloads/golden/cuda/codegen.h).\n"
    << prelude(target, scalar);
  src.kernels.resize(c.einsums.size());
  for (size_t i = 0; i < c.einsums.size(); ++i) {
    const Einsum& e = c.einsums[i];
    Source::Kernel& k = src.kernels[i];
    k.init = "ef_init_" + std::to_string(i);
    k.run = "ef_run_" + std::to_string(i);
    const bool serial = !injective(c, e);  // several points write one element: in order, on one thread
    k.init_threads = serial ? 1 : threads(c, e.output_ranks, -1);
    k.run_threads = serial ? 1 : threads(c, e.output_ranks, loop_of[i]);
    o << "// Einsum " << one_line(e.name) << ": " << one_line(e.text) << "\n";
    emit_init(o, c, e, k.init, serial);
    emit_entry(o, target, k.init, false);
    emit_run(o, c, e, k.run, loop_of[i], serial);
    emit_entry(o, target, k.run, true);
  }
  src.text = o.str();
  return src;
}

}  // namespace einflow::golden::cuda
