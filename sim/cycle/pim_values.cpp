#include "sim/cycle/pim_values.h"

#include <cmath>
#include <limits>

#include "common/error.h"
#include "sim/analytical/pim_layout.h"
#include "workloads/golden/interpreter.h"
#include "workloads/scalar_ops.h"

namespace einflow::sim::cycle {

double round_to_format(double v, int significand, int min_exponent, double max) {
  if (!std::isfinite(v) || v == 0) return v;
  int e = 0;
  std::frexp(v, &e);  // v = f 2^e, 0.5 <= |f| < 1: the leading bit has weight 2^(e-1)
  const int quantum = std::max(e, min_exponent + 1) - significand;
  const double r = std::ldexp(std::nearbyint(std::ldexp(v, -quantum)), quantum);
  return std::fabs(r) > max ? std::copysign(std::numeric_limits<double>::infinity(), v) : r;
}

double round_fp16(double v) { return round_to_format(v, 11, -14, 65504.0); }
double round_bf16(double v) { return round_to_format(v, 8, -126, 3.3895313892515355e38); }
double round_fp32(double v) { return round_to_format(v, 24, -126, 3.4028234663852886e38); }

namespace {

using workloads::Access;
using workloads::Cascade;
using workloads::Einsum;

int64_t value_of(const workloads::IndexExpr& x, const std::vector<int64_t>& vars) {
  int64_t v = x.constant;
  for (const auto& t : x.terms) v += t.coef * vars[static_cast<size_t>(t.rank)];
  return v;
}

int64_t offset(const Access& a, const golden::DenseTensor<double>& t, const std::vector<int64_t>& vars) {
  int64_t o = 0;
  for (size_t d = 0; d < a.index.size(); ++d) o += value_of(a.index[d], vars) * t.strides[d];
  return o;
}

// Odometer over `ranks` (the first outermost), setting vars; false when done.
bool next(const Cascade& c, const std::vector<int>& ranks, std::vector<int64_t>& vars) {
  for (size_t i = ranks.size(); i-- > 0;) {
    int64_t& v = vars[static_cast<size_t>(ranks[i])];
    if (++v < c.ranks[static_cast<size_t>(ranks[i])].size) return true;
    v = 0;
  }
  return false;
}

bool in_mask(const Einsum& e, const std::vector<int64_t>& vars) {
  for (const auto& m : e.mask)
    if (!workloads::compare(m.cmp, value_of(m.lhs, vars), value_of(m.rhs, vars))) return false;
  return true;
}

// The device's arithmetic on one output's operands, in column order; `terms`
// holds (matrix value, vector value) pairs.
double device_dot(const arch::DramStandard& s, const std::vector<std::pair<double, double>>& terms) {
  const bool aim = s.pim.command_set == arch::PimCommandSet::kAim;
  const size_t lanes = static_cast<size_t>(s.pim.lanes);
  const auto operand = [&](double v) { return s.pim.datatype == "bf16" ? round_bf16(v) : round_fp16(v); };
  if (aim) {
    const size_t chunk = static_cast<size_t>(aim_chunk_values(s));
    double y = 0;
    for (size_t c0 = 0; c0 < terms.size(); c0 += chunk) {
      double acc = 0;
      for (size_t g = c0; g < std::min(terms.size(), c0 + chunk); g += lanes) {
        double tree = 0;  // the adder tree, wide enough to be exact here
        for (size_t i = g; i < std::min(terms.size(), g + lanes); ++i)
          tree += operand(terms[i].first) * operand(terms[i].second);
        acc = round_fp32(acc + round_fp32(tree));
      }
      y = round_fp32(y + round_bf16(acc));  // read out as BF16, added by the host in FP32
    }
    return y;
  }
  std::vector<double> lane(lanes, 0.0);  // GRF_B: FP16 accumulation per lane
  for (size_t i = 0; i < terms.size(); ++i) {
    double& acc = lane[i % lanes];
    acc = round_fp16(acc + round_fp16(operand(terms[i].first) * operand(terms[i].second)));
  }
  double y = 0;
  for (double v : lane) y = round_fp32(y + v);
  return y;
}

// The forward error bound of `n` columns on the device: |error| <= gamma *
// sum |m x| + eta_terms * (sum |m| + sum |x|) + eta_sums. gamma follows
// Higham's gamma_k = k u / (1 - k u) over the roundings on the longest path;
// the eta terms are the absolute errors where values fall into subnormals
// (half the smallest subnormal of each format).
struct Bound {
  double gamma = 0, eta_terms = 0, eta_sums = 0;
};
Bound bound_for(const arch::DramStandard& s, int64_t n) {
  const bool aim = s.pim.command_set == arch::PimCommandSet::kAim;
  const bool bf16 = s.pim.datatype == "bf16";
  const double u_op = std::ldexp(1.0, bf16 ? -8 : -11), eta_op = std::ldexp(1.0, bf16 ? -134 : -25);
  const double u32 = std::ldexp(1.0, -24), eta32 = std::ldexp(1.0, -150);
  const double k = static_cast<double>(n);
  const auto g = [](double steps, double u) { return steps * u / (1 - steps * u); };
  Bound b;
  if (aim) {
    const double chunk = static_cast<double>(aim_chunk_values(s));
    const double chunks = std::ceil(k / chunk);
    // operands (2 roundings), products and the adder tree into FP32 and the
    // accumulation (n / 16 + 2), the BF16 read-out (1), the chunk sums in FP32.
    b.gamma = g(2, u_op) + g(k / 16 + 2 + chunks, u32) + g(1, std::ldexp(1.0, -8));
    b.eta_terms = eta_op;
    b.eta_sums = (k + chunks) * eta32 + chunks * std::ldexp(1.0, -134);
  } else {
    // operands (2) and the product (1) in FP16, n / 16 FP16 additions per lane, 16 FP32 additions.
    b.gamma = g(3, u_op) + g(k / 16, u_op) + g(16, u32);
    b.eta_terms = eta_op;
    b.eta_sums = 2 * k * eta_op + 16 * eta32;
  }
  return b;
}

// The product of the Einsum's constant factors (a scale such as 1/sqrt(d)).
double constant_factor(const Einsum& e) {
  double f = 1;
  for (const workloads::ExprNode& n : e.expr)
    if (n.kind == workloads::ExprNode::Kind::kConst) f *= n.value;
  return f;
}

PimCheck run_one(const Cascade& c, int ei, int matrix, golden::TensorSet<double>& tensors,
                 const golden::TensorSet<double>& inputs, const arch::DramStandard& s) {
  const Einsum& e = c.einsums[static_cast<size_t>(ei)];
  auto find = [&](int t) -> const golden::DenseTensor<double>& {
    const std::string& name = c.tensors[static_cast<size_t>(t)].name;
    auto it = tensors.find(name);
    return it != tensors.end() ? it->second : inputs.at(name);
  };
  const Access& am = e.inputs[static_cast<size_t>(matrix)];
  const Access& ax = e.inputs[static_cast<size_t>(1 - matrix)];
  const golden::DenseTensor<double>& m = find(am.tensor);
  const golden::DenseTensor<double>& x = find(ax.tensor);
  // The golden interpreter's values of this Einsum on the same operands: the
  // check that the operands were gathered, masked and scaled as the Einsum says.
  golden::TensorSet<double> scratch = tensors;
  golden::run_einsum(c, ei, scratch, inputs);
  const workloads::Tensor& ot = c.tensors[static_cast<size_t>(e.output.tensor)];
  const golden::DenseTensor<double> gold = scratch.at(ot.name);
  golden::DenseTensor<double>& out = tensors.at(ot.name);
  const double factor = constant_factor(e);
  PimCheck check;
  check.einsum = e.name;
  std::vector<int64_t> vars(c.ranks.size(), 0);
  std::vector<std::pair<double, double>> terms;
  int64_t cols = 1;
  for (int r : e.reduced_ranks) cols *= c.ranks[static_cast<size_t>(r)].size;
  const Bound b = bound_for(s, cols);
  check.gamma = b.gamma;
  do {
    terms.clear();
    double exact = 0, magnitude = 0, operands = 0;
    for (int r : e.reduced_ranks) vars[static_cast<size_t>(r)] = 0;
    do {
      if (!in_mask(e, vars)) continue;
      const double mv = m.data[static_cast<size_t>(offset(am, m, vars))];
      const double xv = x.data[static_cast<size_t>(offset(ax, x, vars))];
      terms.emplace_back(mv, xv);
      exact += mv * xv;
      magnitude += std::fabs(mv * xv);
      operands += std::fabs(mv) + std::fabs(xv);
    } while (next(c, e.reduced_ranks, vars));
    const size_t at = static_cast<size_t>(offset(e.output, out, vars));
    if (terms.empty()) {  // masked out: the fill, or the sum's identity
      out.data[at] = e.fill.value_or(0.0);
      continue;
    }
    const double y = factor * device_dot(s, terms);
    exact *= factor;
    out.data[at] = y;
    const double scale = std::fabs(factor);
    const double err = std::fabs(y - exact);
    const double bound = scale * (b.gamma * magnitude + b.eta_terms * operands + b.eta_sums);
    // NaN (an overflow to infinity on the device) fails, as does a gathering
    // that disagrees with the golden interpreter's.
    const bool gathered = std::fabs(exact - gold.data[at]) <= 1e-9 * std::max(1.0, scale * magnitude);
    double ratio = bound > 0 ? err / bound : (err > 0 ? 2.0 : 0.0);
    if (!(ratio <= 1e300) || !gathered) ratio = std::numeric_limits<double>::infinity();
    if (std::isnan(err)) check.max_abs_error = std::numeric_limits<double>::quiet_NaN();
    else if (!std::isnan(check.max_abs_error)) check.max_abs_error = std::max(check.max_abs_error, err);
    check.worst_ratio = std::max(check.worst_ratio, ratio);
    ++check.elements;
  } while (next(c, e.output_ranks, vars));
  return check;
}

}  // namespace

PimCheck run_pim_einsum(const Cascade& c, int einsum, int matrix_input, golden::TensorSet<double>& tensors,
                        const arch::DramStandard& s) {
  EINFLOW_ASSERT(s.pim.enabled(), "run_pim_einsum needs a PIM DRAM");
  const golden::TensorSet<double> none;
  golden::run_einsum(c, einsum, tensors, none);  // the output allocated and initialised as the interpreter does
  return run_one(c, einsum, matrix_input, tensors, none, s);
}

PimValues run_with_pim(const Cascade& c, const golden::TensorSet<double>& inputs, const std::vector<PimEinsum>& on_pim,
                       const arch::DramStandard& s) {
  EINFLOW_ASSERT(s.pim.enabled(), "run_with_pim needs a PIM DRAM");
  PimValues v;
  v.tensors = golden::interpret<double>(
      c, inputs, [&](int ei, golden::TensorSet<double>& tensors, const golden::TensorSet<double>& in) {
        for (const PimEinsum& p : on_pim)
          if (p.einsum == ei) {
            v.checks.push_back(run_one(c, ei, p.matrix_input, tensors, in, s));
            return true;
          }
        return false;
      });
  return v;
}

}  // namespace einflow::sim::cycle
