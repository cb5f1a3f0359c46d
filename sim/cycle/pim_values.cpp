#include "sim/cycle/pim_values.h"

#include <cmath>
#include <limits>

#include "common/error.h"
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
    const size_t chunk = static_cast<size_t>(std::min(s.pim.global_buffer_bytes, s.org.columns * s.access_bytes) / 2);
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

// The forward error bound's factor for `n` columns on the device.
double gamma(const arch::DramStandard& s, int64_t n) {
  const bool aim = s.pim.command_set == arch::PimCommandSet::kAim;
  const double u_op = s.pim.datatype == "bf16" ? std::ldexp(1.0, -8) : std::ldexp(1.0, -11);
  if (aim) {
    const double chunks = std::ceil(static_cast<double>(n) / 1024.0);
    // operands (2), the product's and adder tree's rounding to FP32 and the
    // accumulation (n/16 additions at 2^-24), the BF16 read-out (1), the chunk sums (FP32).
    return 2 * u_op + (static_cast<double>(n) / 16 + 2 + chunks) * std::ldexp(1.0, -24) + std::ldexp(1.0, -8);
  }
  // operands (2), the product's rounding (1) and n/16 FP16 additions per lane, then 16 FP32 additions.
  return 3 * u_op + (static_cast<double>(n) / 16) * std::ldexp(1.0, -11) + 16 * std::ldexp(1.0, -24);
}

PimCheck run_one(const Cascade& c, const Einsum& e, int matrix, golden::TensorSet<double>& tensors,
                 const golden::TensorSet<double>& inputs, const arch::DramStandard& s) {
  auto find = [&](int t) -> const golden::DenseTensor<double>& {
    const std::string& name = c.tensors[static_cast<size_t>(t)].name;
    auto it = tensors.find(name);
    return it != tensors.end() ? it->second : inputs.at(name);
  };
  const Access& am = e.inputs[static_cast<size_t>(matrix)];
  const Access& ax = e.inputs[static_cast<size_t>(1 - matrix)];
  const golden::DenseTensor<double>& m = find(am.tensor);
  const golden::DenseTensor<double>& x = find(ax.tensor);
  const workloads::Tensor& ot = c.tensors[static_cast<size_t>(e.output.tensor)];
  if (!tensors.count(ot.name)) tensors[ot.name] = golden::DenseTensor<double>(ot.extents);
  golden::DenseTensor<double>& out = tensors.at(ot.name);
  PimCheck check;
  check.einsum = e.name;
  std::vector<int64_t> vars(c.ranks.size(), 0);
  std::vector<std::pair<double, double>> terms;
  int64_t cols = 1;
  for (int r : e.reduced_ranks) cols *= c.ranks[static_cast<size_t>(r)].size;
  check.gamma = gamma(s, cols);
  do {
    terms.clear();
    double exact = 0, magnitude = 0;
    for (int r : e.reduced_ranks) vars[static_cast<size_t>(r)] = 0;
    do {
      if (!in_mask(e, vars)) continue;
      const double mv = m.data[static_cast<size_t>(offset(am, m, vars))];
      const double xv = x.data[static_cast<size_t>(offset(ax, x, vars))];
      terms.emplace_back(mv, xv);
      exact += mv * xv;
      magnitude += std::fabs(mv * xv);
    } while (next(c, e.reduced_ranks, vars));
    if (terms.empty()) {  // masked out: the fill, or the sum's identity
      out.data[static_cast<size_t>(offset(e.output, out, vars))] = e.fill.value_or(0.0);
      continue;
    }
    const double y = device_dot(s, terms);
    out.data[static_cast<size_t>(offset(e.output, out, vars))] = y;
    const double err = std::fabs(y - exact);
    check.max_abs_error = std::max(check.max_abs_error, err);
    const double bound = check.gamma * magnitude;
    check.worst_ratio = std::max(check.worst_ratio, bound > 0 ? err / bound : (err > 0 ? 2.0 : 0.0));
    ++check.elements;
  } while (next(c, e.output_ranks, vars));
  return check;
}

}  // namespace

PimValues run_with_pim(const Cascade& c, const golden::TensorSet<double>& inputs, const std::vector<PimEinsum>& on_pim,
                       const arch::DramStandard& s) {
  EINFLOW_ASSERT(s.pim.enabled(), "run_with_pim needs a PIM DRAM");
  PimValues v;
  v.tensors = golden::interpret<double>(
      c, inputs, [&](int ei, golden::TensorSet<double>& tensors, const golden::TensorSet<double>& in) {
        for (const PimEinsum& p : on_pim)
          if (p.einsum == ei) {
            v.checks.push_back(run_one(c, c.einsums[static_cast<size_t>(ei)], p.matrix_input, tensors, in, s));
            return true;
          }
        return false;
      });
  return v;
}

}  // namespace einflow::sim::cycle
