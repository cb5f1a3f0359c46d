// Multi-head latent attention's direct implementation: the latent, the rotary
// key and the per-head keys and values, token by token (the naive form, which
// the absorbed form must equal).
#include <cmath>

#include "workloads/golden/reference_internal.h"

namespace einflow::golden {

namespace {

// rows x cols = x [rows x depth] . W [depth x cols], accumulated in double.
template <class T>
std::vector<double> matmul(const std::vector<double>& x, int64_t rows, int64_t depth, const T* w, int64_t cols) {
  std::vector<double> y(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < depth; ++i) {
      const double xv = x[static_cast<size_t>(r * depth + i)];
      for (int64_t c = 0; c < cols; ++c) y[static_cast<size_t>(r * cols + c)] += xv * static_cast<double>(w[i * cols + c]);
    }
  return y;
}

template <class T>
void rms_rows(std::vector<double>& x, int64_t rows, int64_t cols, const T* g, double eps) {
  for (int64_t r = 0; r < rows; ++r) {
    double ss = 0;
    for (int64_t c = 0; c < cols; ++c) ss += x[static_cast<size_t>(r * cols + c)] * x[static_cast<size_t>(r * cols + c)];
    const double rs = 1.0 / std::sqrt(ss / static_cast<double>(cols) + eps);
    for (int64_t c = 0; c < cols; ++c) x[static_cast<size_t>(r * cols + c)] *= rs * static_cast<double>(g[c]);
  }
}

// Rotates pairs (i, i + half) of each `width`-wide group of row r by the
// tables' column `col`.
template <class T>
void rotate_row(double* row, int64_t groups, int64_t width, const DenseTensor<T>& cs, const DenseTensor<T>& sn,
                int64_t col) {
  const int64_t half = width / 2, np = cs.extents[1];
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t i = 0; i < half; ++i) {
      const double c = static_cast<double>(cs.data[static_cast<size_t>(i * np + col)]);
      const double s = static_cast<double>(sn.data[static_cast<size_t>(i * np + col)]);
      double* a = row + g * width + i;
      double* bq = a + half;
      const double x = *a, y = *bq;
      *a = x * c - y * s;
      *bq = y * c + x * s;
    }
}

}  // namespace

template <class T>
void mla_qkv(const workloads::ModelSpec& m, const workloads::InstanceSpec& inst, const TensorSet<T>& in, int64_t b,
             const std::vector<T>& xin, DenseTensor<T>& q, DenseTensor<T>& k, DenseTensor<T>& v, DenseTensor<T>& latn,
             DenseTensor<T>& krn) {
  const int64_t d = m.d_model, h = m.heads, np = m.head_dim, rr = m.qk_rope_dim, cl = m.kv_lora_rank,
                vd = m.v_head_dim, e = np + rr;
  const bool decode = inst.phase == workloads::Phase::kDecode;
  const int64_t p = decode ? 1 : inst.seq_len, mlen = k.extents[3];
  const auto &cs = get(in, "RCOS"), &sn = get(in, "RSIN");
  std::vector<double> x(xin.begin(), xin.end());
  // Queries.
  std::vector<double> qs = x;
  int64_t qd = d;
  if (m.q_lora_rank > 0) {
    qs = matmul(x, p, d, get(in, "WDQ").data.data(), m.q_lora_rank);
    rms_rows(qs, p, m.q_lora_rank, get(in, "GQ").data.data(), m.norm_eps);
    qd = m.q_lora_rank;
  }
  std::vector<double> qn = matmul(qs, p, qd, get(in, "WQN").data.data(), h * np);
  std::vector<double> qr = matmul(qs, p, qd, get(in, "WQR").data.data(), h * rr);
  const double scale = 1.0 / std::sqrt(static_cast<double>(e));
  for (int64_t t = 0; t < p; ++t) {
    rotate_row(qr.data() + t * h * rr, h, rr, cs, sn, t);
    for (int64_t hh = 0; hh < h; ++hh) {
      for (int64_t i = 0; i < np; ++i)
        q.data[static_cast<size_t>(((b * h + hh) * e + i) * p + t)] =
            static_cast<T>(qn[static_cast<size_t>(t * h * np + hh * np + i)] * scale);
      for (int64_t i = 0; i < rr; ++i)
        q.data[static_cast<size_t>(((b * h + hh) * e + np + i) * p + t)] =
            static_cast<T>(qr[static_cast<size_t>(t * h * rr + hh * rr + i)] * scale);
    }
  }
  // The new tokens' latent and rotary key; decode appends them to the cache.
  std::vector<double> lat = matmul(x, p, d, get(in, "WDKV").data.data(), cl);
  rms_rows(lat, p, cl, get(in, "GKV").data.data(), m.norm_eps);
  std::vector<double> kr = matmul(x, p, d, get(in, "WKR").data.data(), rr);
  for (int64_t t = 0; t < p; ++t) rotate_row(kr.data() + t * rr, 1, rr, cs, sn, t);
  std::vector<double> lat_all(static_cast<size_t>(mlen * cl)), kr_all(static_cast<size_t>(mlen * rr));
  if (decode) {
    const auto &latc = get(in, "LATC"), &krc = get(in, "KRC");
    const int64_t c = mlen - 1;
    for (int64_t j = 0; j < c; ++j) {
      for (int64_t i = 0; i < cl; ++i)
        lat_all[static_cast<size_t>(j * cl + i)] = static_cast<double>(latc.data[static_cast<size_t>((b * cl + i) * c + j)]);
      for (int64_t i = 0; i < rr; ++i)
        kr_all[static_cast<size_t>(j * rr + i)] = static_cast<double>(krc.data[static_cast<size_t>((b * rr + i) * c + j)]);
    }
    for (int64_t i = 0; i < cl; ++i) {
      lat_all[static_cast<size_t>(c * cl + i)] = lat[static_cast<size_t>(i)];
      latn.data[static_cast<size_t>(b * cl + i)] = static_cast<T>(lat[static_cast<size_t>(i)]);
    }
    for (int64_t i = 0; i < rr; ++i) {
      kr_all[static_cast<size_t>(c * rr + i)] = kr[static_cast<size_t>(i)];
      krn.data[static_cast<size_t>(b * rr + i)] = static_cast<T>(kr[static_cast<size_t>(i)]);
    }
  } else {
    lat_all = lat;
    kr_all = kr;
  }
  // Per-head keys [latent . WUK | rotary key] and values latent . WUV.
  std::vector<double> kn = matmul(lat_all, mlen, cl, get(in, "WUK").data.data(), h * np);
  std::vector<double> vv = matmul(lat_all, mlen, cl, get(in, "WUV").data.data(), h * vd);
  for (int64_t j = 0; j < mlen; ++j)
    for (int64_t hh = 0; hh < h; ++hh) {
      for (int64_t i = 0; i < np; ++i)
        k.data[static_cast<size_t>(((b * h + hh) * e + i) * mlen + j)] =
            static_cast<T>(kn[static_cast<size_t>(j * h * np + hh * np + i)]);
      for (int64_t i = 0; i < rr; ++i)
        k.data[static_cast<size_t>(((b * h + hh) * e + np + i) * mlen + j)] =
            static_cast<T>(kr_all[static_cast<size_t>(j * rr + i)]);
      for (int64_t i = 0; i < vd; ++i)
        v.data[static_cast<size_t>(((b * h + hh) * vd + i) * mlen + j)] =
            static_cast<T>(vv[static_cast<size_t>(j * h * vd + hh * vd + i)]);
    }
}

#define EINFLOW_MLA(T)                                                                                             \
  template void mla_qkv<T>(const workloads::ModelSpec&, const workloads::InstanceSpec&, const TensorSet<T>&, int64_t, \
                           const std::vector<T>&, DenseTensor<T>&, DenseTensor<T>&, DenseTensor<T>&, DenseTensor<T>&, \
                           DenseTensor<T>&);
EINFLOW_MLA(float)
EINFLOW_MLA(double)
#undef EINFLOW_MLA

}  // namespace einflow::golden
