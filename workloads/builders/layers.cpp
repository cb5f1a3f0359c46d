// Transformer layers as cascades: norms, projections, attention, FFN, residuals.
#include <algorithm>
#include <cmath>

#include "common/checked.h"
#include "common/text.h"
#include "workloads/builders/emit.h"

namespace einflow::workloads {

const char* scope_name(Scope s) {
  switch (s) {
    case Scope::kAttention: return "attention";
    case Scope::kQkvProjection: return "qkv_projection";
    case Scope::kOutputProjection: return "output_projection";
    case Scope::kFfn: return "ffn";
    case Scope::kNorm: return "norm";
    case Scope::kLayer: return "layer";
  }
  return "?";
}

const char* phase_name(Phase p) { return p == Phase::kPrefill ? "prefill" : "decode"; }

bool mla_absorbed(const ModelSpec& model, const InstanceSpec& inst) {
  if (model.kv_lora_rank == 0) return false;
  if (inst.mla == InstanceSpec::Mla::kDefault) return inst.phase == Phase::kDecode;
  return inst.mla == InstanceSpec::Mla::kAbsorbed;
}

bool gated(FfnKind k) { return k == FfnKind::kSwiglu || k == FfnKind::kGeglu || k == FfnKind::kGegluTanh; }

const char* ffn_kind_name(FfnKind k) {
  switch (k) {
    case FfnKind::kGelu: return "gelu";
    case FfnKind::kRelu: return "relu";
    case FfnKind::kSwiglu: return "swiglu";
    case FfnKind::kGeluTanh: return "gelu_tanh";
    case FfnKind::kSilu: return "silu";
    case FfnKind::kGeglu: return "geglu";
    case FfnKind::kGegluTanh: return "geglu_tanh";
  }
  return "?";
}

std::string detail::ffn_activation(FfnKind k, const std::string& x) {
  switch (k) {
    case FfnKind::kGelu: case FfnKind::kGeglu: return "gelu(" + x + ")";
    case FfnKind::kRelu: return "relu(" + x + ")";
    case FfnKind::kSwiglu: case FfnKind::kSilu: return "silu(" + x + ")";
    case FfnKind::kGeluTanh: case FfnKind::kGegluTanh:
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      return "0.5 * " + x + " * (1 + tanh(" + format_double(std::sqrt(2.0 / std::acos(-1.0))) + " * (" + x + " + 0.044715 * " + x +
             " * " + x + " * " + x + ")))";
  }
  return x;
}

void detail::emit_rotation(SpecWriter& w, const std::string& in, const std::string& out, const std::string& pre,
                           const std::string& t, const std::string& scale) {
  auto at = [&](const std::string& n, const std::string& idx) { return n + "[" + pre + idx + "," + t + "]"; };
  const std::string c = " * RCOS[rh," + t + "]", s = " * RSIN[rh," + t + "]";
  const std::string sc = scale.empty() ? "" : " * " + scale;
  w.einsum(at(out, "rh") + " = (" + at(in, "0,rh") + c + " - " + at(in, "1,rh") + s + ")" + sc);
  w.einsum(at(out, "rh+RH") + " = (" + at(in, "1,rh") + c + " + " + at(in, "0,rh") + s + ")" + sc);
}

AttentionShape attention_shape(const ModelSpec& model, const InstanceSpec& inst) {
  AttentionShape s;
  s.batch = inst.batch;
  s.heads = model.heads;
  s.kv_heads = model.kv_heads;
  s.e = model.head_dim;
  s.f = model.head_dim;
  s.m = inst.seq_len;
  s.p = inst.phase == Phase::kDecode ? 1 : inst.seq_len;
  // A linear mixer's value heads may be wider than its key heads (GLA: d_v = 2 d_k).
  if (model.mixer != Mixer::kSoftmax && model.v_head_dim > 0) s.f = model.v_head_dim;
  s.window = model.sliding_window;
  // A decode step with a sliding window attends over the last `window` keys:
  // its KV cache holds window - 1 of them (a rolling buffer), not seq_len - 1.
  if (inst.phase == Phase::kDecode && s.window > 0) s.m = std::min(s.m, s.window);
  if (model.kv_lora_rank > 0) {
    // Naive: every head's keys [nope | rope] and values expanded; absorbed:
    // one shared key [latent | rope] and value (the latent) for all heads.
    const bool absorbed = mla_absorbed(model, inst);
    s.kv_heads = absorbed ? 1 : model.heads;
    s.e = absorbed ? model.kv_lora_rank + model.qk_rope_dim : model.head_dim + model.qk_rope_dim;
    s.f = absorbed ? model.kv_lora_rank : model.v_head_dim;
  }
  s.causal = inst.causal;
  s.block = inst.block ? inst.block : default_block(s.m);
  s.mixer = model.mixer;
  s.decode = inst.phase == Phase::kDecode;
  detail::check_attention_shape(s, inst.loc);
  return s;
}

namespace {

std::string fmt(double v) { return format_double(v); }

// Writes one layer (or a scope of it) for a model instance.
class LayerWriter {
 public:
  LayerWriter(const ModelSpec& model, const InstanceSpec& inst, AttentionCascade variant)
      : m_model(model), m_inst(inst), m_variant(variant), m_shape(attention_shape(model, inst)),
        m_w(std::string("transformer"), model.name + "-" + scope_name(inst.scope) + "-" +
                                            phase_name(inst.phase) + "-" +
                                            attention_cascade_name(variant)),
        m_hi(detail::head_index(m_shape)) {
    m_mha = m_shape.kv_heads == m_shape.heads;
    m_decode = inst.phase == Phase::kDecode;
  }

  CascadeSpec build() {
    detail::declare_attention_ranks(m_w, m_shape);
    m_w.rank("D", m_model.d_model);
    m_w.rank("N", m_model.ffn_dim);
    // A linear mixer carries its state instead of a KV cache.
    if (m_decode && m_model.mixer == Mixer::kSoftmax) m_w.rank("C", m_shape.m - 1);
    bool has_attention = m_inst.scope == Scope::kAttention || m_inst.scope == Scope::kLayer;
    if (has_attention) detail::check_mixer_cascade(m_model.mixer, m_variant, m_inst.loc);
    const bool projection = m_inst.scope == Scope::kQkvProjection || m_inst.scope == Scope::kOutputProjection;
    if (projection && (m_model.mixer == Mixer::kGla || (m_model.mixer == Mixer::kLinear && m_decode)))
      throw UserError(m_inst.loc, "instance.scope",
                      std::string("the ") + mixer_name(m_model.mixer) + " mixer's " + (m_decode ? "decode " : "") +
                          "projections (gate, state) are part of its layer: use scope layer or attention");
    if (m_model.kv_lora_rank > 0 &&
        (m_inst.scope == Scope::kQkvProjection || m_inst.scope == Scope::kOutputProjection))
      throw UserError(m_inst.loc, "instance.scope",
                      "latent attention's projections are part of its attention: use scope layer (or attention "
                      "for the attention over given Q, K, V)");
    if (detail::partitioned(m_variant) && has_attention) m_w.rank("M0", m_shape.block);
    switch (m_inst.scope) {
      case Scope::kAttention:
        if (m_model.mixer != Mixer::kSoftmax && m_decode) {
          detail::emit_linear_decode(m_w, m_shape);
          break;
        }
        m_w.input("Q", head(true, {"E", "P"}));
        m_w.input("K", head(false, {"E", "M"}));
        m_w.input("V", head(false, {"F", "M"}));
        if (m_model.mixer == Mixer::kGla) m_w.input("GX", head(false, {"E", "M"}), 4.0);
        attention("Q", "K", "V", "AV");
        m_w.output("AV");
        break;
      case Scope::kQkvProjection:
        input_x("X");
        if (m_decode) kv_cache_inputs();
        qkv("X");
        m_w.output("Q");
        m_w.output("K");
        m_w.output("V");
        break;
      case Scope::kOutputProjection:
        m_w.input("AV", head(true, {"F", "P"}));
        output_projection("AV", "O");
        m_w.output("O");
        break;
      case Scope::kFfn:
        input_x("X");
        ffn("X", "Y");
        m_w.output("Y");
        break;
      case Scope::kNorm:
        input_x("X");
        norm("X", "Y", 1);
        m_w.output("Y");
        break;
      case Scope::kLayer:
        layer();
        break;
    }
    return m_w.take();
  }

 private:
  std::vector<std::string> head(bool query, std::vector<std::string> rest) const {
    return detail::head_ranks(m_shape, query, std::move(rest));
  }
  const std::string& qh() const { return m_hi.query; }
  const std::string& kh() const { return m_hi.kv; }
  // Weight ranks over the heads, without the batch rank: "h" or "g,j" / "g".
  std::string wq() const { return m_mha ? "h" : "g,j"; }
  std::string wk() const { return m_mha ? "h" : "g"; }
  std::vector<std::string> wq_ranks() const {
    return m_mha ? std::vector<std::string>{"H"} : std::vector<std::string>{"G", "J"};
  }
  std::vector<std::string> wk_ranks() const {
    return m_mha ? std::vector<std::string>{"H"} : std::vector<std::string>{"G"};
  }
  static std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
  double fan_in(int64_t n) const { return 1.0 / std::sqrt(static_cast<double>(n)); }

  void input_x(const std::string& name) { m_w.input(name, {"B", "D", "P"}); }

  void kv_cache_inputs() {
    m_w.input("KC", head(false, {"E", "C"}));
    m_w.input("VC", head(false, {"F", "C"}));
  }

  void norm(const std::string& in, const std::string& out, int k) {
    std::string s = std::to_string(k);
    std::string eps = fmt(m_model.norm_eps);
    m_w.input("G" + s, {"D"});
    if (m_model.norm == NormKind::kLayerNorm) {
      m_w.input("BT" + s, {"D"});
      m_w.einsum("SM" + s + "[b,p] = " + in + "[b,d,p]");
      m_w.einsum("MU" + s + "[b,p] = SM" + s + "[b,p] / D");
      m_w.einsum("XC" + s + "[b,d,p] = " + in + "[b,d,p] - MU" + s + "[b,p]");
      m_w.einsum("SS" + s + "[b,p] = XC" + s + "[b,d,p] * XC" + s + "[b,d,p]");
      m_w.einsum("RS" + s + "[b,p] = rsqrt(SS" + s + "[b,p] / D + " + eps + ")");
      m_w.einsum(out + "[b,d,p] = XC" + s + "[b,d,p] * RS" + s + "[b,p] * G" + s + "[d] + BT" + s + "[d]");
    } else {
      m_w.einsum("SS" + s + "[b,p] = " + in + "[b,d,p] * " + in + "[b,d,p]");
      m_w.einsum("RS" + s + "[b,p] = rsqrt(SS" + s + "[b,p] / D + " + eps + ")");
      m_w.einsum(out + "[b,d,p] = " + in + "[b,d,p] * RS" + s + "[b,p] * G" + s + "[d]");
    }
  }

  // out[idx] = in[b,d,tok] * W[d,widx] (+ bias[widx]) (* scale)
  void linear(const std::string& out, const std::string& out_idx, const std::string& in,
              const std::string& tok, const std::string& weight, const std::string& widx,
              const std::vector<std::string>& wranks, const std::string& scale = "", bool declare = true) {
    const bool bias = m_model.qkv_bias;
    if (declare) m_w.input(weight, cat({"D"}, wranks), fan_in(m_model.d_model));
    std::string prod = in + "[b,d," + tok + "] * " + weight + "[d," + widx + "]";
    if (!bias && scale.empty()) {
      m_w.einsum(out + "[" + out_idx + "] = " + prod);
      return;
    }
    m_w.einsum(out + "P[" + out_idx + "] = " + prod);
    std::string v = out + "P[" + out_idx + "]";
    if (bias) {
      if (declare) m_w.input(weight + "B", wranks, 0.1);
      v = v + " + " + weight + "B[" + widx + "]";
      if (!scale.empty()) v = "(" + v + ")";
    }
    if (!scale.empty()) v += " * " + scale;
    m_w.einsum(out + "[" + out_idx + "] = " + v);
  }

  bool rope() const { return m_model.position == Position::kRope; }
  int64_t rotary_dim() const { return m_model.rotary_dim > 0 ? m_model.rotary_dim : m_model.head_dim; }

  // RoPE's tables over the pairs (i, i + RH) of the first rotary_dim
  // dimensions and the tokens of this workload (prefill: every position;
  // decode: the new one's).
  void rope_tables() {
    if (!rope()) return;
    m_w.rank("RX", 2);
    m_w.rank("RH", rotary_dim() / 2);
    if (rotary_dim() < m_model.head_dim) m_w.rank("RP", m_model.head_dim - rotary_dim());
    m_w.input("RCOS", {"RH", "P"});
    m_w.input("RSIN", {"RH", "P"});
  }

  // out[heads, e, tok] = the projection of `y` by `weight` (its head index
  // `widx`), rotated under RoPE: the projection writes the rotated dimensions
  // as two halves OU[.., rx, rh, tok] (and the rest as OP), which the rotation
  // reads pairwise.
  void project(const std::string& out, const std::string& heads, const std::string& tok, const std::string& y,
               const std::string& weight, const std::string& widx, const std::vector<std::string>& wranks,
               const std::vector<std::string>& out_ranks, const std::string& scale = "") {
    if (!rope()) {
      linear(out, heads + ",e," + tok, y, tok, weight, widx + ",e", wranks, scale);
      return;
    }
    const std::string u = out + "U", r = out + "R";
    linear(u, heads + ",rx,rh," + tok, y, tok, weight, widx + ",rx*RH+rh", wranks, scale);
    const bool partial = rotary_dim() < m_model.head_dim;
    if (partial) linear(r, heads + ",rp," + tok, y, tok, weight, widx + ",rp+2*RH", wranks, scale, false);
    m_w.declare(out, out_ranks);
    detail::emit_rotation(m_w, u, out, heads + ",", tok, "");
    if (partial) m_w.einsum(out + "[" + heads + ",rp+2*RH," + tok + "] = " + r + "[" + heads + ",rp," + tok + "]");
  }

  void qkv(const std::string& y) {
    rope_tables();
    project("Q", qh(), "p", y, "WQ", wq(), cat(wq_ranks(), {"E"}), head(true, {"E", "P"}), "rsqrt(E)");
    if (!m_decode) {
      // Prefill: keys are the queries' tokens (rank M, of the tables' size P).
      project("K", kh(), "m", y, "WK", wk(), cat(wk_ranks(), {"E"}), head(false, {"E", "M"}));
      linear("V", kh() + ",f,m", y, "m", "WV", wk() + ",f", cat(wk_ranks(), {"F"}));
      gla_gate(y, "m");
      return;
    }
    // Decode: the new token's K (rotated) and V join the cache at position M-1
    // (a linear mixer's update its state instead).
    project("KN", kh(), "p", y, "WK", wk(), cat(wk_ranks(), {"E"}), head(false, {"E", "P"}));
    linear("VN", kh() + ",f,p", y, "p", "WV", wk() + ",f", cat(wk_ranks(), {"F"}));
    if (m_model.mixer == Mixer::kSoftmax) {
      m_w.declare("K", head(false, {"E", "M"}));
      m_w.declare("V", head(false, {"F", "M"}));
      m_w.einsum("K[" + kh() + ",e,c] = KC[" + kh() + ",e,c]");
      m_w.einsum("K[" + kh() + ",e,M-1] = KN[" + kh() + ",e,0]");
      m_w.einsum("V[" + kh() + ",f,c] = VC[" + kh() + ",f,c]");
      m_w.einsum("V[" + kh() + ",f,M-1] = VN[" + kh() + ",f,0]");
    }
    gla_gate(y, "p");
  }

  // GLA's gate input GX [.., E, tok] from the layer input by the paper's
  // rank-16 projection with a bias (the cascade takes log sigmoid(GX) / 16).
  void gla_gate(const std::string& y, const std::string& tok) {
    if (m_model.mixer != Mixer::kGla) return;
    m_w.rank("GR", 16);
    m_w.input("WG1", {"D", "GR"}, fan_in(m_model.d_model));
    m_w.input("WG2", cat({"GR"}, cat(wk_ranks(), {"E"})), 0.25);
    m_w.input("BG", cat(wk_ranks(), {"E"}), 1.0);
    m_w.einsum("GL[b,gr," + tok + "] = " + y + "[b,d," + tok + "] * WG1[d,gr]");
    m_w.einsum("GXP[" + kh() + ",e," + tok + "] = GL[b,gr," + tok + "] * WG2[gr," + wk() + ",e]");
    m_w.einsum("GX[" + kh() + ",e," + tok + "] = GXP[" + kh() + ",e," + tok + "] + BG[" + wk() + ",e]");
  }

  void attention(const std::string& q, const std::string& k, const std::string& v, const std::string& av) {
    if (m_model.mixer != Mixer::kSoftmax && m_decode) {
      // One step of the recurrence from the state SP (the layer's input).
      detail::emit_linear_decode(m_w, m_shape, false);
      return;
    }
    detail::emit_attention(m_w, m_shape, m_variant, detail::AttentionNames{q, k, v, av});
  }

  // GLA's output: a per-head RMSNorm of AV times the swish output gate
  // silu(y WRG); returns the tensor the output projection reads.
  std::string gla_output(const std::string& y, const std::string& av) {
    if (m_model.mixer != Mixer::kGla) return av;
    const std::string a = av + "[" + qh() + ",f,p]";
    m_w.einsum("SSO[" + qh() + ",p] = " + a + " * " + a);
    m_w.einsum("RSO[" + qh() + ",p] = rsqrt(SSO[" + qh() + ",p] / F + " + fmt(m_model.norm_eps) + ")");
    m_w.input("GN", {"F"});
    m_w.input("WRG", cat({"D"}, cat(wq_ranks(), {"F"})), fan_in(m_model.d_model));
    m_w.einsum("RG[" + qh() + ",f,p] = " + y + "[b,d,p] * WRG[d," + wq() + ",f]");
    m_w.einsum("AG[" + qh() + ",f,p] = " + a + " * RSO[" + qh() + ",p] * GN[f] * silu(RG[" + qh() + ",f,p])");
    return "AG";
  }

  void output_projection(const std::string& av, const std::string& out) {
    std::vector<std::string> wr = cat(wq_ranks(), {"F", "D"});
    m_w.input("WO", wr, fan_in(m_model.heads * m_model.head_dim));
    std::string prod = av + "[" + qh() + ",f,p] * WO[" + wq() + ",f,d]";
    if (!m_model.output_bias) {
      m_w.einsum(out + "[b,d,p] = " + prod);
      return;
    }
    m_w.input("WOB", {"D"}, 0.1);
    m_w.einsum(out + "P[b,d,p] = " + prod);
    m_w.einsum(out + "[b,d,p] = " + out + "P[b,d,p] + WOB[d]");
  }

  void ffn(const std::string& y, const std::string& out) {
    if (m_model.experts > 0) {
      detail::emit_moe_ffn(m_w, m_model, m_inst, y, out);
      return;
    }
    const bool bias = m_model.ffn_bias;
    double in_scale = fan_in(m_model.d_model), out_scale = fan_in(m_model.ffn_dim);
    m_w.input("W1", {"D", "N"}, in_scale);
    m_w.einsum("H1[b,n,p] = " + y + "[b,d,p] * W1[d,n]");
    std::string x = "H1[b,n,p]";
    if (bias) {
      m_w.input("W1B", {"N"}, 0.1);
      // The tanh form reads its argument four times: add the bias once.
      if (m_model.ffn_kind == FfnKind::kGeluTanh || m_model.ffn_kind == FfnKind::kGegluTanh) {
        m_w.einsum("HB[b,n,p] = H1[b,n,p] + W1B[n]");
        x = "HB[b,n,p]";
      } else {
        x = "H1[b,n,p] + W1B[n]";
      }
    }
    if (gated(m_model.ffn_kind)) {
      m_w.input("W3", {"D", "N"}, in_scale);
      m_w.einsum("H3[b,n,p] = " + y + "[b,d,p] * W3[d,n]");
      m_w.einsum("A1[b,n,p] = " + detail::ffn_activation(m_model.ffn_kind, x) + " * H3[b,n,p]");
    } else {
      m_w.einsum("A1[b,n,p] = " + detail::ffn_activation(m_model.ffn_kind, x));
    }
    m_w.input("W2", {"N", "D"}, out_scale);
    if (bias) {
      m_w.input("W2B", {"D"}, 0.1);
      m_w.einsum("H2[b,d,p] = A1[b,n,p] * W2[n,d]");
      m_w.einsum(out + "[b,d,p] = H2[b,d,p] + W2B[d]");
    } else {
      m_w.einsum(out + "[b,d,p] = A1[b,n,p] * W2[n,d]");
    }
  }

  void layer() {
    const bool mla = m_model.kv_lora_rank > 0;
    const bool recurrent = m_model.mixer != Mixer::kSoftmax && m_decode;
    input_x("X");
    if (recurrent) m_w.input("SP", head(false, {"E", "F"}));
    else if (m_decode && !mla) kv_cache_inputs();
    bool pre = m_model.norm_position == NormPosition::kPre;
    std::string attn_in = "X";
    if (pre) {
      norm("X", "XN", 1);
      attn_in = "XN";
    }
    if (mla) {
      detail::emit_mla(m_w, m_model, m_inst, m_variant, m_shape, attn_in, "O");
    } else {
      qkv(attn_in);
      attention("Q", "K", "V", "AV");
      output_projection(gla_output(attn_in, "AV"), "O");
    }
    if (m_model.parallel_residual) {
      // x + attn(ln1 x) + ffn(ln2 x): both branches read X.
      norm("X", "RN", 2);
      ffn("RN", "FO");
      m_w.einsum("Y[b,d,p] = X[b,d,p] + O[b,d,p] + FO[b,d,p]");
    } else if (pre) {
      m_w.einsum("R1[b,d,p] = X[b,d,p] + O[b,d,p]");
      norm("R1", "RN", 2);
      ffn("RN", "FO");
      m_w.einsum("Y[b,d,p] = R1[b,d,p] + FO[b,d,p]");
    } else {
      m_w.einsum("R1[b,d,p] = X[b,d,p] + O[b,d,p]");
      norm("R1", "Y1", 1);
      ffn("Y1", "FO");
      m_w.einsum("R2[b,d,p] = Y1[b,d,p] + FO[b,d,p]");
      norm("R2", "Y", 2);
    }
    m_w.output("Y");
    if (recurrent) {
      m_w.output("S");
    } else if (m_decode) {
      m_w.output(mla ? "LATN" : "KN");
      m_w.output(mla ? "KRN" : "VN");
    }
  }

  const ModelSpec& m_model;
  const InstanceSpec& m_inst;
  AttentionCascade m_variant;
  AttentionShape m_shape;
  SpecWriter m_w;
  detail::HeadIndex m_hi;
  bool m_mha = true;
  bool m_decode = false;
};

}  // namespace

MambaShape mamba_shape(const ModelSpec& model, const InstanceSpec& inst) {
  MambaShape s;
  s.batch = inst.batch;
  const auto channels = checked_mul(model.expand, model.d_model);
  if (!channels)
    throw UserError(model.loc, "model.expand",
                    "the inner width expand x d_model = " + std::to_string(model.expand) + " x " +
                        std::to_string(model.d_model) + " overflows 64 bits");
  s.channels = *channels;
  s.state = model.state_dim;
  s.dt_rank = model.dt_rank > 0 ? model.dt_rank : model.d_model / 16 + (model.d_model % 16 != 0 ? 1 : 0);
  s.length = inst.seq_len;
  return s;
}

CascadeSpec transformer_spec(const ModelSpec& model, const InstanceSpec& inst, AttentionCascade variant) {
  if (model.mixer == Mixer::kMamba) {
    // The selective scan alone (scope attention) or the whole layer.
    if (inst.scope != Scope::kAttention && inst.scope != Scope::kLayer)
      throw UserError(inst.loc, "instance.scope",
                      std::string("a Mamba layer has no ") + scope_name(inst.scope) +
                          "; its scopes are layer and attention (the selective scan)");
    detail::check_mixer_cascade(model.mixer, variant, inst.loc);
    if (inst.scope == Scope::kLayer) return mamba_layer_spec(model, inst);
    const bool decode = inst.phase == Phase::kDecode;
    CascadeSpec spec = decode ? mamba_decode_spec(mamba_shape(model, inst)) : mamba_spec(mamba_shape(model, inst));
    spec.name = model.name + "-scan-" + phase_name(inst.phase) + "-recurrent";
    return spec;
  }
  Diagnostics d;
  if (inst.phase == Phase::kDecode && model.kind == ModelKind::kEncoder)
    d.error(inst.loc, "phase 'decode' needs a decoder model; " + model.name + " is an encoder");
  if (inst.phase == Phase::kDecode && inst.seq_len < 2)
    d.error(inst.loc, "a decode step needs a KV cache of at least 2 entries (seq_len >= 2)");
  if (inst.phase == Phase::kDecode && inst.scope == Scope::kNorm)
    d.error(inst.loc, "scope 'norm' has no decode form; use phase 'prefill' with seq_len 1");
  d.throw_if_any();
  return LayerWriter(model, inst, variant).build();
}

}  // namespace einflow::workloads
