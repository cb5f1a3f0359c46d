// The MoE FFN's direct implementation, token by token.
#include <cmath>

#include "workloads/golden/reference_internal.h"
#include "workloads/scalar_ops.h"

namespace einflow::golden {

namespace {

// y += scale * (act(x W1[e]) * (x W3[e])) W2[e] for the gated FFN of width n
// whose weights start at expert e of [.., D, n] / [.., n, D] tensors.
template <class T>
void gated_ffn(workloads::FfnKind kind, const T* x, int64_t d, int64_t n, const T* w1, const T* w3, const T* w2,
               double scale, std::vector<double>& y) {
  std::vector<double> a(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    double h1 = 0, h3 = 0;
    for (int64_t i = 0; i < d; ++i) {
      h1 += static_cast<double>(x[i]) * static_cast<double>(w1[i * n + j]);
      h3 += static_cast<double>(x[i]) * static_cast<double>(w3[i * n + j]);
    }
    a[static_cast<size_t>(j)] = static_cast<double>(ffn_activation<T>(kind, static_cast<T>(h1))) * h3;
  }
  for (int64_t i = 0; i < d; ++i) {
    double o = 0;
    for (int64_t j = 0; j < n; ++j) o += a[static_cast<size_t>(j)] * static_cast<double>(w2[j * d + i]);
    y[static_cast<size_t>(i)] += scale * o;
  }
}

}  // namespace

template <class T>
std::vector<T> moe_ffn(const workloads::ModelSpec& m, const workloads::InstanceSpec& inst, const TensorSet<T>& in,
                       const std::vector<T>& x, int64_t rows, int64_t t0) {
  const workloads::MoeShape s = workloads::moe_shape(m, inst);
  const int64_t d = m.d_model, ne = m.expert_ffn_dim > 0 ? m.expert_ffn_dim : m.ffn_dim, ex = s.experts;
  const T* wr = get(in, "WR").data.data();
  std::vector<T> out(static_cast<size_t>(rows * d));
  std::vector<double> logit(static_cast<size_t>(ex)), y(static_cast<size_t>(d));
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x.data() + r * d;
    const int64_t t = t0 + r, group = t / s.capacity;
    for (int64_t e = 0; e < ex; ++e) {
      double v = 0;
      for (int64_t i = 0; i < d; ++i) v += static_cast<double>(xr[i]) * static_cast<double>(wr[i * ex + e]);
      logit[static_cast<size_t>(e)] = v;
    }
    double top = logit[0];
    for (double v : logit) top = std::max(top, v);
    // The gate's denominator: the chosen experts' (topk_softmax) or all of them.
    double z = 0;
    for (int64_t j = 0; j < s.top_k; ++j) z += std::exp(logit[static_cast<size_t>(j * s.groups + group)] - top);
    if (m.gate_softmax_first) {
      z = 0;
      for (double v : logit) z += std::exp(v - top);
    }
    std::fill(y.begin(), y.end(), 0.0);
    for (int64_t j = 0; j < s.top_k; ++j) {
      const int64_t e = j * s.groups + group;
      const double gate = std::exp(logit[static_cast<size_t>(e)] - top) / z;
      gated_ffn<T>(m.ffn_kind, xr, d, ne, get(in, "W1E").data.data() + e * d * ne,
                   get(in, "W3E").data.data() + e * d * ne, get(in, "W2E").data.data() + e * ne * d, gate, y);
    }
    if (m.shared_experts > 0)
      gated_ffn<T>(m.ffn_kind, xr, d, m.shared_experts * ne, get(in, "W1S").data.data(), get(in, "W3S").data.data(),
                   get(in, "W2S").data.data(), 1.0, y);
    for (int64_t i = 0; i < d; ++i) out[static_cast<size_t>(r * d + i)] = static_cast<T>(y[static_cast<size_t>(i)]);
  }
  return out;
}

template std::vector<float> moe_ffn<float>(const workloads::ModelSpec&, const workloads::InstanceSpec&,
                                           const TensorSet<float>&, const std::vector<float>&, int64_t, int64_t);
template std::vector<double> moe_ffn<double>(const workloads::ModelSpec&, const workloads::InstanceSpec&,
                                             const TensorSet<double>&, const std::vector<double>&, int64_t, int64_t);

}  // namespace einflow::golden
