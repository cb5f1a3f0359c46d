// The sequence mixers' direct implementations: linear attention and GLA by
// their recurrence, Mamba's selective scan by its recipe.
#include <cmath>

#include "common/error.h"
#include "workloads/golden/reference.h"
#include "workloads/golden/reference_internal.h"
#include "workloads/scalar_ops.h"

namespace einflow::golden {

using workloads::AttentionShape;

// Linear attention and GLA by their recurrence, step by step (independent of
// the parallel and chunkwise forms the builders also write): per head a state
// S[e,f] = a[e] S[e,f] + K[e,t] V[f,t], with a[e] = sigmoid(GX[e,t])^(1/16)
// for GLA and 1 otherwise; a causal query reads the state after its own step,
// otherwise the final state.
template <class T>
DenseTensor<T> reference_linear_attention(const AttentionShape& s, const DenseTensor<T>& q, const DenseTensor<T>& k,
                                          const DenseTensor<T>& v, const DenseTensor<T>* gate) {
  DenseTensor<T> av(query_extents(s, s.f));
  const int64_t group = s.heads / s.kv_heads, L = s.m;
  std::vector<double> state(static_cast<size_t>(s.e * s.f));
  auto at = [](const DenseTensor<T>& t, int64_t head, int64_t rows, int64_t r, int64_t cols, int64_t col) {
    return static_cast<double>(t.data[static_cast<size_t>((head * rows + r) * cols + col)]);
  };
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t h = 0; h < s.heads; ++h) {
      const int64_t kvh = b * s.kv_heads + h / group, qh = b * s.heads + h;
      std::fill(state.begin(), state.end(), 0.0);
      auto read_out = [&](int64_t t) {
        for (int64_t f = 0; f < s.f; ++f) {
          double o = 0;
          for (int64_t e = 0; e < s.e; ++e) o += at(q, qh, s.e, e, s.p, t) * state[static_cast<size_t>(e * s.f + f)];
          av.data[static_cast<size_t>((qh * s.f + f) * s.p + t)] = static_cast<T>(o);
        }
      };
      for (int64_t t = 0; t < L; ++t) {
        for (int64_t e = 0; e < s.e; ++e) {
          const double a =
              gate ? std::exp(std::log(1.0 / (1.0 + std::exp(-at(*gate, kvh, s.e, e, L, t)))) / 16.0) : 1.0;
          for (int64_t f = 0; f < s.f; ++f) {
            double& x = state[static_cast<size_t>(e * s.f + f)];
            x = a * x + at(k, kvh, s.e, e, L, t) * at(v, kvh, s.f, f, L, t);
          }
        }
        if (s.causal) read_out(t);
      }
      if (!s.causal)
        for (int64_t t = 0; t < s.p; ++t) read_out(t);
    }
  return av;
}

// Mamba's selective scan by its recipe, channel by channel and step by step:
// dt = softplus(WDT . (WXD . x) + BDT); B, C from x; h = exp(-dt e^ALOG) h +
// dt B x; y = (C . h + DS x) silu(z).
template <class T>
DenseTensor<T> reference_mamba_scan(const workloads::MambaShape& s, const TensorSet<T>& in) {
  return mamba_scan<T>(s, in, nullptr, nullptr);
}

// The scan from the state `h0` (zeros when null); the last state into `h_end` when given.
template <class T>
DenseTensor<T> mamba_scan(const workloads::MambaShape& s, const TensorSet<T>& in, const DenseTensor<T>* h0,
                          DenseTensor<T>* h_end) {
  const auto& x = get(in, "X");
  const auto& z = get(in, "Z");
  auto val = [](const DenseTensor<T>& t, int64_t i) { return static_cast<double>(t.data[static_cast<size_t>(i)]); };
  const int64_t D = s.channels, N = s.state, R = s.dt_rank, L = s.length;
  DenseTensor<T> y({s.batch, D, L});
  std::vector<double> h(static_cast<size_t>(D * N)), bm(static_cast<size_t>(N)), cm(static_cast<size_t>(N)),
      xd(static_cast<size_t>(R));
  for (int64_t b = 0; b < s.batch; ++b) {
    for (size_t i = 0; i < h.size(); ++i)
      h[i] = h0 ? static_cast<double>(h0->data[static_cast<size_t>(b * D * N) + i]) : 0.0;
    auto xv = [&](int64_t d, int64_t l) { return val(x, (b * D + d) * L + l); };
    for (int64_t l = 0; l < L; ++l) {
      for (int64_t r = 0; r < R; ++r) {
        xd[static_cast<size_t>(r)] = 0;
        for (int64_t d = 0; d < D; ++d) xd[static_cast<size_t>(r)] += val(get(in, "WXD"), d * R + r) * xv(d, l);
      }
      for (int64_t n = 0; n < N; ++n) {
        bm[static_cast<size_t>(n)] = cm[static_cast<size_t>(n)] = 0;
        for (int64_t d = 0; d < D; ++d) {
          bm[static_cast<size_t>(n)] += val(get(in, "WB"), d * N + n) * xv(d, l);
          cm[static_cast<size_t>(n)] += val(get(in, "WC"), d * N + n) * xv(d, l);
        }
      }
      for (int64_t d = 0; d < D; ++d) {
        double pre = val(get(in, "BDT"), d);
        for (int64_t r = 0; r < R; ++r) pre += val(get(in, "WDT"), r * D + d) * xd[static_cast<size_t>(r)];
        const double dt = std::log1p(std::exp(pre));
        double out = 0;
        for (int64_t n = 0; n < N; ++n) {
          double& hs = h[static_cast<size_t>(d * N + n)];
          const double a = -std::exp(val(get(in, "ALOG"), d * N + n));
          hs = std::exp(dt * a) * hs + dt * bm[static_cast<size_t>(n)] * xv(d, l);
          out += cm[static_cast<size_t>(n)] * hs;
        }
        const double zv = val(z, (b * D + d) * L + l);
        out = (out + val(get(in, "DS"), d) * xv(d, l)) * zv / (1.0 + std::exp(-zv));
        y.data[static_cast<size_t>((b * D + d) * L + l)] = static_cast<T>(out);
      }
    }
    if (h_end)
      for (size_t i = 0; i < h.size(); ++i) h_end->data[static_cast<size_t>(b * D * N) + i] = static_cast<T>(h[i]);
  }
  return y;
}

template DenseTensor<float> reference_mamba_scan<float>(const workloads::MambaShape&, const TensorSet<float>&);
template DenseTensor<double> reference_mamba_scan<double>(const workloads::MambaShape&, const TensorSet<double>&);
template DenseTensor<float> reference_linear_attention<float>(const AttentionShape&, const DenseTensor<float>&,
                                                              const DenseTensor<float>&, const DenseTensor<float>&,
                                                              const DenseTensor<float>*);
template DenseTensor<double> reference_linear_attention<double>(const AttentionShape&, const DenseTensor<double>&,
                                                                const DenseTensor<double>&, const DenseTensor<double>&,
                                                                const DenseTensor<double>*);
template DenseTensor<float> mamba_scan<float>(const workloads::MambaShape&, const TensorSet<float>&,
                                               const DenseTensor<float>*, DenseTensor<float>*);
template DenseTensor<double> mamba_scan<double>(const workloads::MambaShape&, const TensorSet<double>&,
                                                const DenseTensor<double>*, DenseTensor<double>*);

template <class T>
TensorSet<T> mamba_layer(const workloads::ModelSpec& m, const workloads::InstanceSpec& inst, const TensorSet<T>& in) {
  const bool decode = inst.phase == workloads::Phase::kDecode;
  workloads::MambaShape s = workloads::mamba_shape(m, inst);
  const int64_t L = decode ? 1 : s.length, dm = m.d_model, D = s.channels, K = m.conv_kernel, B = s.batch;
  auto val = [](const DenseTensor<T>& t, int64_t i) { return static_cast<double>(t.data[static_cast<size_t>(i)]); };
  const auto &x = get(in, "X"), &g1 = get(in, "G1"), &wix = get(in, "WIX"), &wiz = get(in, "WIZ"),
             &cw = get(in, "CW"), &cb = get(in, "CB"), &wout = get(in, "WOUT");
  TensorSet<T> out;
  out["Y"] = DenseTensor<T>({B, dm, L});
  if (decode) {
    out["H"] = DenseTensor<T>({B, D, s.state});
    out["XCN"] = DenseTensor<T>({B, D, K - 1});
  }
  for (int64_t b = 0; b < B; ++b) {
    // Normalised input, projections.
    std::vector<double> xn(static_cast<size_t>(L * dm)), xi(static_cast<size_t>(L * D)), z(xi.size());
    for (int64_t l = 0; l < L; ++l) {
      double ss = 0;
      for (int64_t i = 0; i < dm; ++i) ss += val(x, (b * dm + i) * L + l) * val(x, (b * dm + i) * L + l);
      const double rs = 1.0 / std::sqrt(ss / static_cast<double>(dm) + m.norm_eps);
      for (int64_t i = 0; i < dm; ++i) xn[static_cast<size_t>(l * dm + i)] = val(x, (b * dm + i) * L + l) * rs * val(g1, i);
      for (int64_t c = 0; c < D; ++c) {
        double a = 0, zz = 0;
        for (int64_t i = 0; i < dm; ++i) {
          a += xn[static_cast<size_t>(l * dm + i)] * val(wix, i * D + c);
          zz += xn[static_cast<size_t>(l * dm + i)] * val(wiz, i * D + c);
        }
        xi[static_cast<size_t>(l * D + c)] = a;
        z[static_cast<size_t>(l * D + c)] = zz;
      }
    }
    // The causal convolution over the previous K - 1 inputs and these.
    TensorSet<T> scan_in;
    for (const char* p : {"WXD", "WDT", "BDT", "WB", "WC", "ALOG", "DS"}) scan_in[p] = get(in, p);
    DenseTensor<T> xs({1, D, L}), zt({1, D, L});
    auto padded = [&](int64_t j, int64_t c) {  // position j of the K - 1 + L inputs
      if (j >= K - 1) return xi[static_cast<size_t>((j - (K - 1)) * D + c)];
      return decode ? val(get(in, "XCP"), (b * D + c) * (K - 1) + j) : 0.0;
    };
    for (int64_t l = 0; l < L; ++l)
      for (int64_t c = 0; c < D; ++c) {
        double a = val(cb, c);
        for (int64_t w = 0; w < K; ++w) a += padded(l + w, c) * val(cw, c * K + w);
        xs.data[static_cast<size_t>(c * L + l)] = static_cast<T>(workloads::silu(a));
        zt.data[static_cast<size_t>(c * L + l)] = static_cast<T>(z[static_cast<size_t>(l * D + c)]);
      }
    scan_in["X"] = xs;
    scan_in["Z"] = zt;
    workloads::MambaShape one = s;
    one.batch = 1;
    one.length = L;
    DenseTensor<T> h0({1, D, s.state}), h1({1, D, s.state});
    if (decode)
      for (int64_t i = 0; i < D * s.state; ++i) h0.data[static_cast<size_t>(i)] = get(in, "HP").data[static_cast<size_t>(b * D * s.state + i)];
    DenseTensor<T> ym = mamba_scan<T>(one, scan_in, decode ? &h0 : nullptr, &h1);
    for (int64_t l = 0; l < L; ++l)
      for (int64_t i = 0; i < dm; ++i) {
        double o = 0;
        for (int64_t c = 0; c < D; ++c) o += val(ym, c * L + l) * val(wout, c * dm + i);
        out["Y"].data[static_cast<size_t>((b * dm + i) * L + l)] = static_cast<T>(val(x, (b * dm + i) * L + l) + o);
      }
    if (decode) {
      for (int64_t i = 0; i < D * s.state; ++i) out["H"].data[static_cast<size_t>(b * D * s.state + i)] = h1.data[static_cast<size_t>(i)];
      for (int64_t c = 0; c < D; ++c)
        for (int64_t j = 0; j < K - 1; ++j)
          out["XCN"].data[static_cast<size_t>((b * D + c) * (K - 1) + j)] = static_cast<T>(padded(j + 1, c));
    }
  }
  return out;
}

template TensorSet<float> mamba_layer<float>(const workloads::ModelSpec&, const workloads::InstanceSpec&,
                                             const TensorSet<float>&);
template TensorSet<double> mamba_layer<double>(const workloads::ModelSpec&, const workloads::InstanceSpec&,
                                               const TensorSet<double>&);

}  // namespace einflow::golden
