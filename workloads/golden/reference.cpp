#include "workloads/golden/reference.h"

#include <cmath>

#include "common/error.h"
#include "workloads/golden/kernels.h"
#include "workloads/golden/reference_internal.h"
#include "workloads/scalar_ops.h"

namespace einflow::golden {

using workloads::AttentionShape;
using workloads::FfnKind;
using workloads::InstanceSpec;
using workloads::ModelSpec;
using workloads::NormKind;
using workloads::NormPosition;
using workloads::Phase;
using workloads::Scope;

namespace {

template <class T>
using Mat = std::vector<T>;

// Token-major copy of batch b of a [B, X, P] tensor: P x X.
template <class T>
Mat<T> tokens(const DenseTensor<T>& t, int64_t b) {
  int64_t x = t.extents[1], p = t.extents[2];
  Mat<T> out(static_cast<size_t>(x * p));
  transpose(x, p, t.data.data() + b * x * p, out.data());
  return out;
}

template <class T>
class LayerReference {
 public:
  LayerReference(const ModelSpec& m, const InstanceSpec& inst, const TensorSet<T>& in, int threads)
      : m_m(m), m_inst(inst), m_in(in), m_threads(threads),
        m_shape(m.mixer == workloads::Mixer::kMamba ? AttentionShape{} : workloads::attention_shape(m, inst)) {
    m_d = m.d_model;
    m_hq = m.heads;
    m_g = m.kv_heads;
    m_e = m.head_dim;
    m_f = m_shape.f;
    m_p = m_shape.p;
    m_mlen = m_shape.m;
  }

  TensorSet<T> run() {
    TensorSet<T> out;
    int64_t batch = m_inst.batch;
    switch (m_inst.scope) {
      case Scope::kAttention:
        if (m_m.mixer == workloads::Mixer::kMamba && m_inst.phase == Phase::kDecode)
          decode_mamba(out);
        else if (m_m.mixer == workloads::Mixer::kMamba)
          out["Y"] = reference_mamba_scan(workloads::mamba_shape(m_m, m_inst), m_in);
        else if (m_shape.mixer != workloads::Mixer::kSoftmax && m_shape.decode)
          decode_linear(out);
        else if (m_shape.mixer == workloads::Mixer::kSoftmax)
          out["AV"] = reference_attention(m_shape, get(m_in, "Q"), get(m_in, "K"), get(m_in, "V"), m_threads);
        else
          out["AV"] = reference_linear_attention(m_shape, get(m_in, "Q"), get(m_in, "K"), get(m_in, "V"),
                                                 m_shape.mixer == workloads::Mixer::kGla ? &get(m_in, "GX") : nullptr);
        break;
      case Scope::kNorm:
        out["Y"] = DenseTensor<T>({batch, m_d, m_p});
        for (int64_t b = 0; b < batch; ++b) store_tokens(out["Y"], b, norm(tokens(get(m_in, "X"), b), 1));
        break;
      case Scope::kFfn:
        out["Y"] = DenseTensor<T>({batch, m_d, m_p});
        for (int64_t b = 0; b < batch; ++b) store_tokens(out["Y"], b, ffn(tokens(get(m_in, "X"), b), b));
        break;
      case Scope::kOutputProjection: {
        out["O"] = DenseTensor<T>({batch, m_d, m_p});
        const auto& av = get(m_in, "AV");
        for (int64_t b = 0; b < batch; ++b) store_tokens(out["O"], b, out_proj(av_tokens(av, b)));
        break;
      }
      case Scope::kQkvProjection:
      case Scope::kLayer:
        if (m_m.mixer == workloads::Mixer::kMamba) return mamba_layer(m_m, m_inst, m_in);
        run_layer(out);
        break;
    }
    return out;
  }

 private:
  // X[p x d] -> normalised, with parameters G<k> (and BT<k>).
  Mat<T> norm(const Mat<T>& x, int k) {
    Mat<T> y(x.size());
    const T* gamma = get(m_in, "G" + std::to_string(k)).data.data();
    T eps = static_cast<T>(m_m.norm_eps);
    if (m_m.norm == NormKind::kLayerNorm)
      layernorm_rows(m_p, m_d, x.data(), gamma, get(m_in, "BT" + std::to_string(k)).data.data(), eps, y.data());
    else
      rmsnorm_rows(m_p, m_d, x.data(), gamma, eps, y.data());
    return y;
  }

  // y[rows x cols] = x[rows x depth] W[depth x cols] (+ bias[cols])
  Mat<T> linear(const Mat<T>& x, int64_t rows, int64_t depth, const std::string& w, int64_t cols,
                const std::string& bias, bool with_bias) {
    Mat<T> y(static_cast<size_t>(rows * cols));
    gemm(rows, cols, depth, x.data(), depth, get(m_in, w).data.data(), cols, y.data(), cols, false, m_threads);
    if (with_bias) {
      const T* bv = get(m_in, bias).data.data();
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) y[i * cols + j] += bv[j];
    }
    return y;
  }

  // The FFN of batch element b's tokens (an MoE's routing numbers a decode
  // step's tokens by batch element).
  Mat<T> ffn(const Mat<T>& x, int64_t b) {
    if (m_m.experts > 0) return moe_ffn(m_m, m_inst, m_in, x, m_p, m_inst.phase == Phase::kDecode ? b : 0);
    int64_t n = m_m.ffn_dim;
    const bool bias = m_m.ffn_bias;
    Mat<T> h1 = linear(x, m_p, m_d, "W1", n, "W1B", bias);
    if (workloads::gated(m_m.ffn_kind)) {
      Mat<T> h3 = linear(x, m_p, m_d, "W3", n, "", false);
      for (size_t i = 0; i < h1.size(); ++i) h1[i] = ffn_activation(m_m.ffn_kind, h1[i]) * h3[i];
    } else {
      for (auto& v : h1) v = ffn_activation(m_m.ffn_kind, v);
    }
    return linear(h1, m_p, n, "W2", m_d, "W2B", bias);
  }

  // RoPE on a P x (heads*E) projection, token p at row p of the tables
  // CS/SN [RH, P]: pairs (i, i + RH) rotate by the token's angle.
  void rotate(Mat<T>& x, int64_t heads) {
    if (m_m.position != workloads::Position::kRope) return;
    const auto& cs = get(m_in, "RCOS");
    const auto& sn = get(m_in, "RSIN");
    const int64_t rh = cs.extents[0], np = cs.extents[1];
    for (int64_t p = 0; p < m_p; ++p)
      for (int64_t h = 0; h < heads; ++h) {
        T* row = x.data() + (p * heads + h) * m_e;
        for (int64_t i = 0; i < rh; ++i) {
          const T c = cs.data[static_cast<size_t>(i * np + p)], sv = sn.data[static_cast<size_t>(i * np + p)];
          const T a = row[i], bv = row[i + rh];
          row[i] = a * c - bv * sv;
          row[i + rh] = bv * c + a * sv;
        }
      }
  }

  // AV[b,h,f,p] -> P x (H*F)
  Mat<T> av_tokens(const DenseTensor<T>& av, int64_t b, int64_t f = 0) {
    int64_t hf = m_hq * (f > 0 ? f : m_e);
    Mat<T> out(static_cast<size_t>(m_p * hf));
    transpose(hf, m_p, av.data.data() + b * hf * m_p, out.data());
    return out;
  }

  Mat<T> out_proj(const Mat<T>& av) { return linear(av, m_p, m_hq * m_e, "WO", m_d, "WOB", m_m.output_bias); }

  void store_tokens(DenseTensor<T>& t, int64_t b, const Mat<T>& x) {
    int64_t cols = t.extents[1];
    transpose(m_p, cols, x.data(), t.data.data() + b * cols * m_p);
  }

  // Stores a P x (heads*dim) projection into a [B, heads.., dim, tokens] tensor.
  void store_heads(DenseTensor<T>& t, int64_t b, const Mat<T>& x, int64_t heads, int64_t tok, int64_t tok_extent,
                   int64_t tok_offset, int64_t dim = 0) {
    int64_t e = dim > 0 ? dim : m_e;
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < e; ++i)
        for (int64_t p = 0; p < tok; ++p)
          t.data[static_cast<size_t>(((b * heads + h) * e + i) * tok_extent + tok_offset + p)] =
              x[static_cast<size_t>(p * heads * e + h * e + i)];
  }

  void run_layer(TensorSet<T>& out) {
    if (m_m.kv_lora_rank > 0) {
      run_mla_layer(out);
      return;
    }
    int64_t batch = m_inst.batch;
    bool decode = m_inst.phase == Phase::kDecode;
    bool pre = m_m.norm_position == NormPosition::kPre;
    const bool linear_mixer = m_m.mixer != workloads::Mixer::kSoftmax, gla = m_m.mixer == workloads::Mixer::kGla;
    DenseTensor<T> q(query_extents(m_shape, m_e)), k({batch, m_g, m_e, m_mlen}), v({batch, m_g, m_f, m_mlen});
    DenseTensor<T> kn({batch, m_g, m_e, 1}), vn({batch, m_g, m_f, 1}), gx({batch, m_g, m_e, m_p});
    std::vector<Mat<T>> x_tok(batch), xin_tok(batch);
    T scale = T(1) / std::sqrt(static_cast<T>(m_e));
    for (int64_t b = 0; b < batch; ++b) {
      x_tok[b] = tokens(get(m_in, "X"), b);
      xin_tok[b] = pre && m_inst.scope == Scope::kLayer ? norm(x_tok[b], 1) : x_tok[b];
      Mat<T> qp = linear(xin_tok[b], m_p, m_d, "WQ", m_hq * m_e, "WQB", m_m.qkv_bias);
      for (auto& val : qp) val *= scale;
      rotate(qp, m_hq);
      store_heads(q, b, qp, m_hq, m_p, m_p, 0);
      Mat<T> kp = linear(xin_tok[b], m_p, m_d, "WK", m_g * m_e, "WKB", m_m.qkv_bias);
      rotate(kp, m_g);
      Mat<T> vp = linear(xin_tok[b], m_p, m_d, "WV", m_g * m_f, "WVB", m_m.qkv_bias);
      if (gla) {
        // GLA's gate input: the rank-16 projection and its bias.
        Mat<T> gl = linear(xin_tok[b], m_p, m_d, "WG1", 16, "", false);
        Mat<T> gp = linear(gl, m_p, 16, "WG2", m_g * m_e, "", false);
        const T* bg = get(m_in, "BG").data.data();
        for (int64_t i = 0; i < m_p; ++i)
          for (int64_t j = 0; j < m_g * m_e; ++j) gp[static_cast<size_t>(i * m_g * m_e + j)] += bg[j];
        store_heads(gx, b, gp, m_g, m_p, m_p, 0);
      }
      if (!decode) {
        store_heads(k, b, kp, m_g, m_p, m_mlen, 0);
        store_heads(v, b, vp, m_g, m_p, m_mlen, 0, m_f);
        continue;
      }
      store_heads(kn, b, kp, m_g, 1, 1, 0);
      store_heads(vn, b, vp, m_g, 1, 1, 0, m_f);
      if (linear_mixer) continue;
      store_heads(k, b, kp, m_g, 1, m_mlen, m_mlen - 1);
      store_heads(v, b, vp, m_g, 1, m_mlen, m_mlen - 1);
      const auto& kc = get(m_in, "KC");
      const auto& vc = get(m_in, "VC");
      int64_t c = m_mlen - 1;
      for (int64_t g = 0; g < m_g; ++g)
        for (int64_t i = 0; i < m_e; ++i)
          for (int64_t j = 0; j < c; ++j) {
            k.data[static_cast<size_t>(((b * m_g + g) * m_e + i) * m_mlen + j)] =
                kc.data[static_cast<size_t>(((b * m_g + g) * m_e + i) * c + j)];
            v.data[static_cast<size_t>(((b * m_g + g) * m_e + i) * m_mlen + j)] =
                vc.data[static_cast<size_t>(((b * m_g + g) * m_e + i) * c + j)];
          }
    }
    if (m_inst.scope == Scope::kQkvProjection) {
      out["Q"] = q;
      out["K"] = k;
      out["V"] = v;
      return;
    }
    if (linear_mixer && decode) {
      // One step of the recurrence from the state SP.
      DenseTensor<T> st({batch, m_g, m_e, m_f}), av(query_extents(m_shape, m_f));
      linear_step(q, kn, vn, get(m_in, "SP"), gla ? &gx : nullptr, st, av);
      out["Y"] = finish_layer(av, x_tok, xin_tok, m_f, "WOB", m_m.output_bias);
      out["S"] = std::move(st);
      return;
    }
    DenseTensor<T> av = linear_mixer ? reference_linear_attention(m_shape, q, k, v, gla ? &gx : nullptr)
                                     : reference_attention(m_shape, q, k, v, m_threads);
    out["Y"] = finish_layer(av, x_tok, xin_tok, m_f, "WOB", m_m.output_bias);
    if (decode) {
      out["KN"] = kn;
      out["VN"] = vn;
    }
  }

  // GLA's output on AV rows [P x H*f]: each head's RMSNorm (scale GN) times
  // the swish gate silu(xin WRG).
  void gla_output(Mat<T>& avt, const Mat<T>& xin, int64_t f) {
    Mat<T> rg = linear(xin, m_p, m_d, "WRG", m_hq * f, "", false);
    const T* gn = get(m_in, "GN").data.data();
    for (int64_t p = 0; p < m_p; ++p)
      for (int64_t h = 0; h < m_hq; ++h) {
        T* row = avt.data() + (p * m_hq + h) * f;
        double ss = 0;
        for (int64_t i = 0; i < f; ++i) ss += static_cast<double>(row[i]) * static_cast<double>(row[i]);
        const T rs = static_cast<T>(1.0 / std::sqrt(ss / static_cast<double>(f) + m_m.norm_eps));
        for (int64_t i = 0; i < f; ++i)
          row[i] = row[i] * rs * gn[i] * workloads::silu(rg[static_cast<size_t>((p * m_hq + h) * f + i)]);
      }
  }

  // The layer after its attention AV [B,H,f,P]: output projection, residuals,
  // norms and FFN.
  DenseTensor<T> finish_layer(const DenseTensor<T>& av, const std::vector<Mat<T>>& x_tok,
                              const std::vector<Mat<T>>& xin_tok, int64_t f, const std::string& wo_bias, bool bias) {
    const bool pre = m_m.norm_position == NormPosition::kPre;
    DenseTensor<T> y({m_inst.batch, m_d, m_p});
    for (int64_t b = 0; b < m_inst.batch; ++b) {
      Mat<T> avt = av_tokens(av, b, f);
      if (m_m.mixer == workloads::Mixer::kGla) gla_output(avt, xin_tok[b], f);
      Mat<T> o = linear(avt, m_p, m_hq * f, "WO", m_d, wo_bias, bias);
      Mat<T> r1(o.size());
      for (size_t i = 0; i < o.size(); ++i) r1[i] = x_tok[b][i] + o[i];
      Mat<T> result(o.size());
      if (m_m.parallel_residual) {
        Mat<T> fo = ffn(norm(x_tok[b], 2), b);
        for (size_t i = 0; i < o.size(); ++i) result[i] = x_tok[b][i] + o[i] + fo[i];
      } else if (pre) {
        Mat<T> fo = ffn(norm(r1, 2), b);
        for (size_t i = 0; i < o.size(); ++i) result[i] = r1[i] + fo[i];
      } else {
        Mat<T> y1 = norm(r1, 1);
        Mat<T> fo = ffn(y1, b);
        Mat<T> r2(o.size());
        for (size_t i = 0; i < o.size(); ++i) r2[i] = y1[i] + fo[i];
        result = norm(r2, 2);
      }
      store_tokens(y, b, result);
    }
    return y;
  }

  // A latent-attention layer: its attention in the naive layout, then the rest.
  void run_mla_layer(TensorSet<T>& out) {
    const int64_t batch = m_inst.batch, h = m_m.heads, e = m_m.head_dim + m_m.qk_rope_dim, vd = m_m.v_head_dim;
    AttentionShape ns = m_shape;
    ns.kv_heads = h;
    ns.e = e;
    ns.f = vd;
    DenseTensor<T> q({batch, h, e, m_p}), k({batch, h, e, m_mlen}), v({batch, h, vd, m_mlen});
    DenseTensor<T> latn({batch, m_m.kv_lora_rank, 1}), krn({batch, m_m.qk_rope_dim, 1});
    std::vector<Mat<T>> x_tok(batch);
    const bool pre = m_m.norm_position == NormPosition::kPre;
    for (int64_t b = 0; b < batch; ++b) {
      x_tok[b] = tokens(get(m_in, "X"), b);
      mla_qkv(m_m, m_inst, m_in, b, pre ? norm(x_tok[b], 1) : x_tok[b], q, k, v, latn, krn);
    }
    out["Y"] = finish_layer(reference_attention(ns, q, k, v, m_threads), x_tok, x_tok, vd, "", false);
    if (m_inst.phase == Phase::kDecode) {
      out["LATN"] = latn;
      out["KRN"] = krn;
    }
  }

  const ModelSpec& m_m;
  const InstanceSpec& m_inst;
  const TensorSet<T>& m_in;
  int m_threads;
  AttentionShape m_shape;

  // A linear mixer's decode step: the state S = a SP + k v (a: GLA's decay), AV = q . S.
  void decode_linear(TensorSet<T>& out) {
    const AttentionShape& s = m_shape;
    DenseTensor<T> st({s.batch, s.kv_heads, s.e, s.f}), av(query_extents(s, s.f));
    linear_step(get(m_in, "Q"), get(m_in, "KN"), get(m_in, "VN"), get(m_in, "SP"),
                s.mixer == workloads::Mixer::kGla ? &get(m_in, "GX") : nullptr, st, av);
    out["AV"] = std::move(av);
    out["S"] = std::move(st);
  }

  void linear_step(const DenseTensor<T>& q, const DenseTensor<T>& kn, const DenseTensor<T>& vn,
                   const DenseTensor<T>& sp, const DenseTensor<T>* gx, DenseTensor<T>& st, DenseTensor<T>& av) {
    const AttentionShape& s = m_shape;
    const int64_t group = s.heads / s.kv_heads;
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t g = 0; g < s.kv_heads; ++g) {
        const int64_t kvh = b * s.kv_heads + g;
        for (int64_t e = 0; e < s.e; ++e) {
          const double a = gx ? std::exp(std::log(1.0 / (1.0 + std::exp(-static_cast<double>(gx->data[static_cast<size_t>(kvh * s.e + e)])))) / 16.0) : 1.0;
          for (int64_t f = 0; f < s.f; ++f) {
            const size_t i = static_cast<size_t>((kvh * s.e + e) * s.f + f);
            st.data[i] = static_cast<T>(a * static_cast<double>(sp.data[i]) +
                                        static_cast<double>(kn.data[static_cast<size_t>(kvh * s.e + e)]) *
                                            static_cast<double>(vn.data[static_cast<size_t>(kvh * s.f + f)]));
          }
        }
        for (int64_t j = 0; j < group; ++j) {
          const int64_t qh = b * s.heads + g * group + j;
          for (int64_t f = 0; f < s.f; ++f) {
            double o = 0;
            for (int64_t e = 0; e < s.e; ++e)
              o += static_cast<double>(q.data[static_cast<size_t>(qh * s.e + e)]) *
                   static_cast<double>(st.data[static_cast<size_t>((kvh * s.e + e) * s.f + f)]);
            av.data[static_cast<size_t>(qh * s.f + f)] = static_cast<T>(o);
          }
        }
      }
  }

  // Mamba's decode step: the scan of one token from the state HP.
  void decode_mamba(TensorSet<T>& out) {
    workloads::MambaShape s = workloads::mamba_shape(m_m, m_inst);
    s.length = 1;
    DenseTensor<T> h({s.batch, s.channels, s.state});
    out["Y"] = mamba_scan(s, m_in, &get(m_in, "HP"), &h);
    out["H"] = std::move(h);
  }
  int64_t m_d = 0, m_hq = 0, m_g = 0, m_e = 0, m_f = 0, m_p = 0, m_mlen = 0;
};

}  // namespace

template <class T>
DenseTensor<T> reference_attention(const AttentionShape& s, const DenseTensor<T>& q, const DenseTensor<T>& k,
                                   const DenseTensor<T>& v, int threads) {
  if (s.mixer != workloads::Mixer::kSoftmax) return reference_linear_attention<T>(s, q, k, v, nullptr);
  DenseTensor<T> av(query_extents(s, s.f));
  int64_t group = s.heads / s.kv_heads;
  std::vector<T> qh(static_cast<size_t>(s.p * s.e)), kh(static_cast<size_t>(s.m * s.e)),
      vh(static_cast<size_t>(s.m * s.f)), oh(static_cast<size_t>(s.p * s.f));
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t h = 0; h < s.heads; ++h) {
      int64_t g = h / group;
      transpose(s.e, s.p, q.data.data() + (b * s.heads + h) * s.e * s.p, qh.data());
      transpose(s.e, s.m, k.data.data() + (b * s.kv_heads + g) * s.e * s.m, kh.data());
      transpose(s.f, s.m, v.data.data() + (b * s.kv_heads + g) * s.f * s.m, vh.data());
      attention_head(s.p, s.m, s.e, s.f, qh.data(), kh.data(), vh.data(), s.causal, oh.data(), threads, s.window);
      transpose(s.p, s.f, oh.data(), av.data.data() + (b * s.heads + h) * s.f * s.p);
    }
  return av;
}

template <class T>
TensorSet<T> reference_outputs(const ModelSpec& model, const InstanceSpec& inst, const TensorSet<T>& inputs,
                               int threads) {
  return LayerReference<T>(model, inst, inputs, threads).run();
}

template TensorSet<float> reference_outputs<float>(const ModelSpec&, const InstanceSpec&, const TensorSet<float>&, int);
template TensorSet<double> reference_outputs<double>(const ModelSpec&, const InstanceSpec&, const TensorSet<double>&,
                                                     int);
template DenseTensor<float> reference_attention<float>(const AttentionShape&, const DenseTensor<float>&,
                                                       const DenseTensor<float>&, const DenseTensor<float>&, int);
template DenseTensor<double> reference_attention<double>(const AttentionShape&, const DenseTensor<double>&,
                                                         const DenseTensor<double>&, const DenseTensor<double>&, int);

}  // namespace einflow::golden
