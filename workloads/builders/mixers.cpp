// Linear attention and gated linear attention (GLA) in three forms each
// (reference/subquadratic.md), per head, with the batch and head ranks and
// GQA sharing of the attention builders. Queries and keys are one sequence
// (P = M); unscaled, as the attention-only softmax cascades are.
//
//   parallel:  QK[m,p] = sum_e Q[e,p] K[e,m] D(m,p) (m <= p when causal); AV = QK V
//   recurrent: S[m+1] = a(m) S[m] + K[m] (x) V[m] over the iterative rank M;
//              AV[p] = Q[p] . S[p+1] (causal) or Q[p] . S[M] (not)
//   chunkwise: chunks of C rows (instance.block), the chunk index M1
//              iterative: the state S[m1] carried between chunks
//              (inter-chunk), a C x C masked product inside a chunk
//              (intra-chunk), their sum; GLA's with the secondary chunking
//              (sub-chunks of the largest divisor of C up to 16 rows).
//
// GLA's decay: g[k,e,m] = log sigmoid(GX[k,e,m]) / 16 (rank-16 gate's
// temperature), CG[k,e,m] = sum of g over the steps before m (CG[0] = 0), and
// D(m,p) = exp(CG[p+1] - CG[m+1]) per key dimension e: the product of the
// decays after step m up to step p. Linear attention: D = 1.
#include <cmath>
#include <utility>

#include "common/text.h"
#include "workloads/builders/emit.h"

namespace einflow::workloads {

const char* mixer_name(Mixer m) {
  switch (m) {
    case Mixer::kSoftmax: return "softmax";
    case Mixer::kLinear: return "linear";
    case Mixer::kGla: return "gla";
    case Mixer::kMamba: return "mamba";
  }
  return "?";
}

std::vector<AttentionCascade> mixer_cascades(Mixer m, Phase phase) {
  if (m == Mixer::kSoftmax) return {AttentionCascade::k3Pass, AttentionCascade::k2Pass, AttentionCascade::k1Pass};
  if (m == Mixer::kMamba || phase == Phase::kDecode) return {AttentionCascade::kRecurrent};
  return {AttentionCascade::kParallel, AttentionCascade::kChunkwise, AttentionCascade::kRecurrent};
}

std::vector<AttentionCascade> mixer_forms(Mixer m, Phase phase) {
  std::vector<AttentionCascade> forms = mixer_cascades(m, phase);
  if (m == Mixer::kSoftmax) forms.push_back(AttentionCascade::kSplit);
  return forms;
}

namespace detail {

namespace {

// The decay factor between two positions of CG along the key dimension:
// "" for linear attention, " * exp(CG[k,e,to] - CG[k,e,from])" for GLA.
std::string decay(const AttentionShape& s, const std::string& kv, const std::string& to, const std::string& from) {
  if (s.mixer != Mixer::kGla) return "";
  return " * exp(CG[" + kv + ",e," + to + "] - CG[" + kv + ",e," + from + "])";
}

void emit_parallel(SpecWriter& w, const AttentionShape& s, const AttentionNames& n, const HeadIndex& hi) {
  const std::string& q = hi.query;
  const std::string& k = hi.kv;
  w.einsum("QK[" + q + ",m,p] = " + n.q + "[" + q + ",e,p] * " + n.k + "[" + k + ",e,m]" +
           (s.causal ? decay(s, k, "p+1", "m+1") + " where m <= p else 0" : decay(s, k, "M", "m+1")));
  w.einsum(n.av + "[" + q + ",f,p] = QK[" + q + ",m,p] * " + n.v + "[" + k + ",f,m]");
}

void emit_recurrent(SpecWriter& w, const AttentionShape& s, const AttentionNames& n, const HeadIndex& hi) {
  const std::string& q = hi.query;
  const std::string& k = hi.kv;
  w.einsum("KV[" + k + ",m,e,f] = " + n.k + "[" + k + ",e,m] * " + n.v + "[" + k + ",f,m]");
  w.einsum("S[" + k + ",0,e,f] = 0");
  const std::string carried = "S[" + k + ",m,e,f]";
  w.einsum("S[" + k + ",m+1,e,f] = " +
           (s.mixer == Mixer::kGla ? "exp(LG[" + k + ",e,m]) * " + carried : carried) + " + KV[" + k + ",m,e,f]");
  w.einsum(n.av + "[" + q + ",f,p] = " + n.q + "[" + q + ",e,p] * S[" + k + "," + (s.causal ? "p+1" : "M") +
           ",e,f]");
}

// GLA's chunkwise form with the paper's secondary chunking: chunks of C rows
// (M1 of them, the state carried between them as in the plain chunkwise
// form), each cut into MS sub-chunks of M0 rows. Inside a chunk, a query's
// scores with the keys of earlier sub-chunks are a plain product once the
// decays are folded into the query (from its sub-chunk's start to the query)
// and the key (from the key to that start): both exponents are <= 0. Within
// its own sub-chunk the decay depends on the query, the key and e, so those
// scores are computed in full.
void emit_gla_chunkwise(SpecWriter& w, const AttentionShape& s, const AttentionNames& n, const HeadIndex& hi) {
  const std::string& q = hi.query;
  const std::string& k = hi.kv;
  int64_t sub = 1;
  for (int64_t d = std::min<int64_t>(16, s.block); d >= 1; --d)
    if (s.block % d == 0) {
      sub = d;
      break;
    }
  w.rank("M0", sub);
  w.rank("P0", sub);
  w.rank("MS", s.block / sub);
  w.rank("PS", s.block / sub);
  w.partition("M", {"M1", "MS", "M0"});
  w.partition("P", {"P1", "PS", "P0"});
  w.declare(n.av, head_ranks(s, true, {"F", "P"}));
  const std::string t = "m1*MS*M0+ms*M0+m0", chunk_start = "m1*MS*M0", chunk_end = "m1*MS*M0+MS*M0";
  w.einsum("BK[" + k + ",e,m1,ms,m0] = " + n.k + "[" + k + ",e," + t + "]");
  w.einsum("BV[" + k + ",f,m1,ms,m0] = " + n.v + "[" + k + ",f," + t + "]");
  w.einsum("KVC[" + k + ",m1,e,f] = BK[" + k + ",e,m1,ms,m0]" + decay(s, k, chunk_end, t + "+1") + " * BV[" + k +
           ",f,m1,ms,m0]");
  w.einsum("DC[" + k + ",m1,e] = exp(CG[" + k + ",e," + chunk_end + "] - CG[" + k + ",e," + chunk_start + "])");
  w.einsum("S[" + k + ",0,e,f] = 0");
  w.einsum("S[" + k + ",m1+1,e,f] = DC[" + k + ",m1,e] * S[" + k + ",m1,e,f] + KVC[" + k + ",m1,e,f]");
  if (!s.causal) {
    w.einsum(n.av + "[" + q + ",f,p] = " + n.q + "[" + q + ",e,p] * S[" + k + ",M1,e,f]");
    return;
  }
  const std::string tp = "p1*PS*P0+ps*P0+p0", sub_start = "p1*PS*P0+ps*P0";
  const std::string key_in_chunk = "p1*PS*P0+ms*P0+m0";  // a key of the query's chunk, sub-chunk ms
  w.einsum("BQ[" + q + ",e,p1,ps,p0] = " + n.q + "[" + q + ",e," + tp + "]");
  w.einsum("OI[" + q + ",f,p1,ps,p0] = BQ[" + q + ",e,p1,ps,p0]" + decay(s, k, tp + "+1", "p1*PS*P0") + " * S[" + k +
           ",p1,e,f]");
  // Earlier sub-chunks of the chunk: decays folded into the query and the key.
  w.einsum("QF[" + q + ",e,p1,ps,p0] = BQ[" + q + ",e,p1,ps,p0]" + decay(s, k, tp + "+1", sub_start));
  w.einsum("KF[" + k + ",e,p1,ps,ms,m0] = BK[" + k + ",e,p1,ms,m0]" + decay(s, k, sub_start, key_in_chunk + "+1") +
           " where ms < ps else 0");
  w.einsum("AO[" + q + ",p1,ps,p0,ms,m0] = QF[" + q + ",e,p1,ps,p0] * KF[" + k + ",e,p1,ps,ms,m0] where ms < ps else 0");
  w.einsum("OO[" + q + ",f,p1,ps,p0] = AO[" + q + ",p1,ps,p0,ms,m0] * BV[" + k + ",f,p1,ms,m0]");
  // The query's own sub-chunk, in full.
  w.einsum("AD[" + q + ",p1,ps,p0,m0] = BQ[" + q + ",e,p1,ps,p0] * BK[" + k + ",e,p1,ps,m0]" +
           decay(s, k, tp + "+1", sub_start + "+m0+1") + " where m0 <= p0 else 0");
  w.einsum("OD[" + q + ",f,p1,ps,p0] = AD[" + q + ",p1,ps,p0,m0] * BV[" + k + ",f,p1,ps,m0]");
  w.einsum(n.av + "[" + q + ",f," + tp + "] = OI[" + q + ",f,p1,ps,p0] + OO[" + q + ",f,p1,ps,p0] + OD[" + q +
           ",f,p1,ps,p0]");
}

void emit_chunkwise(SpecWriter& w, const AttentionShape& s, const AttentionNames& n, const HeadIndex& hi) {
  if (s.mixer == Mixer::kGla) {
    emit_gla_chunkwise(w, s, n, hi);
    return;
  }
  const std::string& q = hi.query;
  const std::string& k = hi.kv;
  w.rank("M0", s.block);
  w.rank("P0", s.block);
  w.partition("M", {"M1", "M0"});
  w.partition("P", {"P1", "P0"});
  w.declare(n.av, head_ranks(s, true, {"F", "P"}));
  w.einsum("BK[" + k + ",e,m1,m0] = " + n.k + "[" + k + ",e,m1*M0+m0]");
  w.einsum("BV[" + k + ",f,m1,m0] = " + n.v + "[" + k + ",f,m1*M0+m0]");
  // Each chunk's keys and values, decayed to the chunk's end, added to the
  // state the chunk leaves (the state decayed over the whole chunk).
  w.einsum("KVC[" + k + ",m1,e,f] = BK[" + k + ",e,m1,m0]" + decay(s, k, "m1*M0+M0", "m1*M0+m0+1") + " * BV[" + k +
           ",f,m1,m0]");
  w.einsum("S[" + k + ",0,e,f] = 0");
  w.einsum("S[" + k + ",m1+1,e,f] = S[" + k + ",m1,e,f] + KVC[" + k + ",m1,e,f]");
  if (!s.causal) {
    // Every query sees every key: the final state.
    w.einsum(n.av + "[" + q + ",f,p] = " + n.q + "[" + q + ",e,p] * S[" + k + ",M1,e,f]");
    return;
  }
  w.einsum("BQ[" + q + ",e,p1,p0] = " + n.q + "[" + q + ",e,p1*P0+p0]");
  // Inter-chunk: the state before the chunk, decayed to the query's row.
  w.einsum("OI[" + q + ",f,p1,p0] = BQ[" + q + ",e,p1,p0]" + decay(s, k, "p1*P0+p0+1", "p1*P0") + " * S[" + k +
           ",p1,e,f]");
  // Intra-chunk: the masked C x C product of the chunk's queries and keys.
  w.einsum("CA[" + q + ",p1,p0,m0] = BQ[" + q + ",e,p1,p0] * BK[" + k + ",e,p1,m0]" +
           decay(s, k, "p1*P0+p0+1", "p1*P0+m0+1") + " where m0 <= p0 else 0");
  w.einsum("OA[" + q + ",f,p1,p0] = CA[" + q + ",p1,p0,m0] * BV[" + k + ",f,p1,m0]");
  w.einsum(n.av + "[" + q + ",f,p1*P0+p0] = OI[" + q + ",f,p1,p0] + OA[" + q + ",f,p1,p0]");
}

}  // namespace

void emit_linear_attention(SpecWriter& w, const AttentionShape& s, AttentionCascade variant, const AttentionNames& n) {
  const HeadIndex hi = head_index(s);
  if (s.mixer == Mixer::kGla) {
    // The log-decay per key head, dimension and step, and its running sum.
    const std::string& k = hi.kv;
    w.einsum("LG[" + k + ",e,m] = log(sigmoid(" + n.gate + "[" + k + ",e,m])) / 16");
    w.einsum("CG[" + k + ",e,0] = 0");
    w.einsum("CG[" + k + ",e,m+1] = CG[" + k + ",e,m] + LG[" + k + ",e,m]");
  }
  switch (variant) {
    case AttentionCascade::kParallel: emit_parallel(w, s, n, hi); return;
    case AttentionCascade::kRecurrent: emit_recurrent(w, s, n, hi); return;
    case AttentionCascade::kChunkwise: emit_chunkwise(w, s, n, hi); return;
    default: break;
  }
  throw UserError(SourceLoc{"<builder:attention>", 0, 0},
                  std::string("a ") + mixer_name(s.mixer) + " mixer is written as parallel, chunkwise or recurrent, not " +
                      attention_cascade_name(variant));
}

// One decode step: the new token's key and value join the state the previous
// tokens left (decayed for GLA), and its query reads the new state.
void emit_linear_decode(SpecWriter& w, const AttentionShape& s, bool io) {
  const HeadIndex hi = head_index(s);
  const std::string& q = hi.query;
  const std::string& k = hi.kv;
  if (io) {
    w.input("Q", head_ranks(s, true, {"E", "P"}));
    w.input("KN", head_ranks(s, false, {"E", "P"}));
    w.input("VN", head_ranks(s, false, {"F", "P"}));
    w.input("SP", head_ranks(s, false, {"E", "F"}));
    if (s.mixer == Mixer::kGla) w.input("GX", head_ranks(s, false, {"E", "P"}), 4.0);
  }
  std::string carried = "SP[" + k + ",e,f]";
  if (s.mixer == Mixer::kGla) {
    w.einsum("LG[" + k + ",e,p] = log(sigmoid(GX[" + k + ",e,p])) / 16");
    carried = "exp(LG[" + k + ",e,0]) * " + carried;
  }
  w.einsum("S[" + k + ",e,f] = " + carried + " + KN[" + k + ",e,0] * VN[" + k + ",f,0]");
  w.einsum("AV[" + q + ",f,p] = Q[" + q + ",e,p] * S[" + k + ",e,f]");
  if (io) {
    w.output("AV");
    w.output("S");
  }
}

}  // namespace detail

namespace {

// The ranks, inputs and input-dependent parameters of a Mamba scan (or step):
// the low-rank step size and its softplus, B and C, computed from `x`. With
// `io`, declares the ranks B, D, N, R, L and the inputs X and Z (the scan
// alone); a layer declares its own.
void mamba_inputs(SpecWriter& w, const MambaShape& s, const std::string& x = "X", bool io = true) {
  if (io) {
    w.rank("B", s.batch);
    w.rank("D", s.channels);
    w.rank("L", s.length);
    w.input("X", {"B", "D", "L"});
    w.input("Z", {"B", "D", "L"});
  }
  w.rank("N", s.state);
  w.rank("R", s.dt_rank);
  const double fan = 1.0 / std::sqrt(static_cast<double>(s.channels));
  w.input("WXD", {"D", "R"}, fan);
  w.input("WDT", {"R", "D"}, 1.0 / std::sqrt(static_cast<double>(s.dt_rank)));
  w.input("BDT", {"D"});
  w.input("WB", {"D", "N"}, fan);
  w.input("WC", {"D", "N"}, fan);
  w.input("ALOG", {"D", "N"});
  w.input("DS", {"D"});
  w.einsum("XD[b,r,l] = WXD[d,r] * " + x + "[b,d,l]");
  w.einsum("DTR[b,d,l] = WDT[r,d] * XD[b,r,l]");
  w.einsum("DT[b,d,l] = log(1 + exp(DTR[b,d,l] + BDT[d]))");  // softplus
  w.einsum("BM[b,n,l] = WB[d,n] * " + x + "[b,d,l]");
  w.einsum("CM[b,n,l] = WC[d,n] * " + x + "[b,d,l]");
}

// The scan (prefill) or one step from the state HP (decode) of x gated by z into y.
void mamba_scan_einsums(SpecWriter& w, const std::string& x, const std::string& z, const std::string& y,
                        bool decode) {
  if (decode) {
    w.input("HP", {"B", "D", "N"});
    w.einsum("H[b,d,n] = exp(-(DT[b,d,0] * exp(ALOG[d,n]))) * HP[b,d,n] + DT[b,d,0] * BM[b,n,0] * " + x + "[b,d,0]");
    w.einsum("YS[b,d,l] = CM[b,n,l] * H[b,d,n]");
  } else {
    w.einsum("AB[b,d,n,l] = exp(-(DT[b,d,l] * exp(ALOG[d,n])))");
    w.einsum("BX[b,d,n,l] = DT[b,d,l] * BM[b,n,l] * " + x + "[b,d,l]");
    w.einsum("H[b,d,n,0] = 0");
    w.einsum("H[b,d,n,l+1] = AB[b,d,n,l] * H[b,d,n,l] + BX[b,d,n,l]");
    w.einsum("YS[b,d,l] = CM[b,n,l] * H[b,d,n,l+1]");
  }
  w.einsum(y + "[b,d,l] = (YS[b,d,l] + DS[d] * " + x + "[b,d,l]) * silu(" + z + "[b,d,l])");
}

}  // namespace

// Mamba's selective scan (reference/subquadratic.md), one Einsum per step of
// the recipe: the low-rank step size and its softplus, the input-dependent B
// and C, the discretization (exp(DT A) and DT B x), the scan over L, the
// output contraction over the state, the skip and the SiLU gate.
CascadeSpec mamba_spec(const MambaShape& s) {
  Diagnostics d;
  const SourceLoc loc{"<builder:mamba>", 0, 0};
  for (const auto& [v, what] : std::vector<std::pair<int64_t, const char*>>{
           {s.batch, "batch"}, {s.channels, "the inner width"}, {s.state, "state_dim"}, {s.dt_rank, "dt_rank"},
           {s.length, "the sequence length"}})
    if (v < 1) d.error(loc, std::string(what) + " must be at least 1, got " + std::to_string(v));
  d.throw_if_any();
  SpecWriter w("mamba", "mamba-scan");
  mamba_inputs(w, s);
  mamba_scan_einsums(w, "X", "Z", "Y", false);
  w.output("Y");
  return w.take();
}

// One step of the scan from the state the previous tokens left.
CascadeSpec mamba_decode_spec(const MambaShape& shape) {
  MambaShape s = shape;
  s.length = 1;
  SpecWriter w("mamba", "mamba-step");
  mamba_inputs(w, s);
  mamba_scan_einsums(w, "X", "Z", "Y", true);
  w.output("Y");
  w.output("H");
  return w.take();
}

// A Mamba layer: RMSNorm, the input projection to x and z (inner width D),
// the causal depthwise convolution of x (conv_kernel taps, bias, SiLU), the
// selective scan gated by z, the output projection and the residual. Decode
// reads the state HP and the convolution's last conv_kernel - 1 inputs XCP,
// and writes H and XCN.
CascadeSpec mamba_layer_spec(const ModelSpec& m, const InstanceSpec& inst) {
  const bool decode = inst.phase == Phase::kDecode;
  MambaShape s = mamba_shape(m, inst);
  if (decode) s.length = 1;
  SpecWriter w("mamba", m.name + "-layer-" + phase_name(inst.phase) + "-recurrent");
  w.rank("B", s.batch);
  w.rank("DM", m.d_model);
  w.rank("D", s.channels);
  w.rank("L", s.length);
  w.rank("KW", m.conv_kernel);
  w.rank("KP", m.conv_kernel - 1);
  w.rank("LP", s.length + m.conv_kernel - 1);
  const double fan = 1.0 / std::sqrt(static_cast<double>(m.d_model));
  w.input("X", {"B", "DM", "L"});
  w.input("G1", {"DM"});
  w.einsum("SS1[b,l] = X[b,dm,l] * X[b,dm,l]");
  w.einsum("RS1[b,l] = rsqrt(SS1[b,l] / DM + " + format_double(m.norm_eps) + ")");
  w.einsum("XN[b,dm,l] = X[b,dm,l] * RS1[b,l] * G1[dm]");
  w.input("WIX", {"DM", "D"}, fan);
  w.input("WIZ", {"DM", "D"}, fan);
  w.einsum("XI[b,d,l] = XN[b,dm,l] * WIX[dm,d]");
  w.einsum("ZI[b,d,l] = XN[b,dm,l] * WIZ[dm,d]");
  // The convolution's input: the previous conv_kernel - 1 inputs (zeros
  // before the sequence), then this step's.
  w.declare("XIP", {"B", "D", "LP"});
  if (decode) {
    w.input("XCP", {"B", "D", "KP"});
    w.einsum("XIP[b,d,kp] = XCP[b,d,kp]");
  } else {
    w.einsum("XIP[b,d,kp] = 0");
  }
  w.einsum("XIP[b,d,l+KP] = XI[b,d,l]");
  w.input("CW", {"D", "KW"}, 0.5);
  w.input("CB", {"D"}, 0.1);
  w.einsum("XCV[b,d,l] = XIP[b,d,l+kw] * CW[d,kw]");
  w.einsum("XS[b,d,l] = silu(XCV[b,d,l] + CB[d])");
  mamba_inputs(w, s, "XS", false);
  mamba_scan_einsums(w, "XS", "ZI", "YM", decode);
  w.input("WOUT", {"D", "DM"}, 1.0 / std::sqrt(static_cast<double>(s.channels)));
  w.einsum("O[b,dm,l] = YM[b,d,l] * WOUT[d,dm]");
  w.einsum("Y[b,dm,l] = X[b,dm,l] + O[b,dm,l]");
  w.output("Y");
  if (decode) {
    w.einsum("XCN[b,d,kp] = XIP[b,d,kp+1]");
    w.output("H");
    w.output("XCN");
  }
  return w.take();
}

}  // namespace einflow::workloads
