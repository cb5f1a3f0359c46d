// Multi-head latent attention (DeepSeek-V2) as a cascade: the query (through
// its own latent or directly), the KV latent and the shared rotary key, and
// the attention in its naive form (per-head keys and values expanded from the
// latent) or its absorbed form (the key up-projection folded into the query,
// the value's into the output, attention over the latent itself: one shared
// key and value for all heads, as decode runs it).
#include <cmath>

#include "common/text.h"
#include "workloads/builders/emit.h"

namespace einflow::workloads::detail {

namespace {

std::string inv_sqrt(int64_t n) { return format_double(1.0 / std::sqrt(static_cast<double>(n))); }

// RMSNorm of IN[b,r,t] over rank `rank` (variable r) with scale G: OUT.
void rms(SpecWriter& w, const ModelSpec& m, const std::string& in, const std::string& out, const std::string& rank,
         const std::string& r, const std::string& g, const std::string& t) {
  w.input(g, {rank});
  w.einsum("SS" + out + "[b," + t + "] = " + in + "[b," + r + "," + t + "] * " + in + "[b," + r + "," + t + "]");
  w.einsum("RS" + out + "[b," + t + "] = rsqrt(SS" + out + "[b," + t + "] / " + rank + " + " +
           format_double(m.norm_eps) + ")");
  w.einsum(out + "[b," + r + "," + t + "] = " + in + "[b," + r + "," + t + "] * RS" + out + "[b," + t + "] * " + g +
           "[" + r + "]");
}

}  // namespace

void emit_mla(SpecWriter& w, const ModelSpec& m, const InstanceSpec& inst, AttentionCascade variant,
              const AttentionShape& shape, const std::string& x, const std::string& out) {
  const bool decode = inst.phase == Phase::kDecode, absorbed = mla_absorbed(m, inst);
  const double d_scale = 1.0 / std::sqrt(static_cast<double>(m.d_model));
  const std::string scale = inv_sqrt(m.head_dim + m.qk_rope_dim);
  w.rank("CL", m.kv_lora_rank);
  w.rank("NP", m.head_dim);
  w.rank("RR", m.qk_rope_dim);
  w.rank("RX", 2);
  w.rank("RH", m.qk_rope_dim / 2);
  if (absorbed) {
    w.rank("H", m.heads);
    w.rank("VH", m.v_head_dim);
  }
  w.input("RCOS", {"RH", "P"});
  w.input("RSIN", {"RH", "P"});
  // Queries: QN (non-rotary) and QR (rotary), both scaled by 1/sqrt(NP + RR).
  std::string qsrc = x, qr = "d", qrank = "D";
  double q_scale = d_scale;
  if (m.q_lora_rank > 0) {
    w.rank("QL", m.q_lora_rank);
    w.input("WDQ", {"D", "QL"}, d_scale);
    w.einsum("CQ[b,ql,p] = " + x + "[b,d,p] * WDQ[d,ql]");
    rms(w, m, "CQ", "CQN", "QL", "ql", "GQ", "p");
    qsrc = "CQN", qr = "ql", qrank = "QL";
    q_scale = 1.0 / std::sqrt(static_cast<double>(m.q_lora_rank));
  }
  w.input("WQN", {qrank, "H", "NP"}, q_scale);
  w.input("WQR", {qrank, "H", "RR"}, q_scale);
  w.einsum("QNU[b,h,np,p] = " + qsrc + "[b," + qr + ",p] * WQN[" + qr + ",h,np]");
  w.einsum("QN[b,h,np,p] = QNU[b,h,np,p] * " + scale);
  w.einsum("QRU[b,h,rx,rh,p] = " + qsrc + "[b," + qr + ",p] * WQR[" + qr + ",h,rx*RH+rh]");
  w.declare("QR", {"B", "H", "RR", "P"});
  emit_rotation(w, "QRU", "QR", "b,h,", "p", scale);
  // The latent and the rotary key of this workload's new tokens (prefill:
  // every key; decode: the new token, appended to the cache).
  const std::string t = decode ? "p" : "m", lat = decode ? "LATN" : "LAT", kr = decode ? "KRN" : "KR";
  w.input("WDKV", {"D", "CL"}, d_scale);
  w.einsum("CKV[b,cl," + t + "] = " + x + "[b,d," + t + "] * WDKV[d,cl]");
  rms(w, m, "CKV", lat, "CL", "cl", "GKV", t);
  w.input("WKR", {"D", "RR"}, d_scale);
  w.einsum("KRU[b,rx,rh," + t + "] = " + x + "[b,d," + t + "] * WKR[d,rx*RH+rh]");
  w.declare(kr, {"B", "RR", decode ? "P" : "M"});
  emit_rotation(w, "KRU", kr, "b,", t, "");
  if (decode) {
    w.input("LATC", {"B", "CL", "C"});
    w.input("KRC", {"B", "RR", "C"});
    w.declare("LAT", {"B", "CL", "M"});
    w.declare("KR", {"B", "RR", "M"});
    w.einsum("LAT[b,cl,c] = LATC[b,cl,c]");
    w.einsum("LAT[b,cl,M-1] = LATN[b,cl,0]");
    w.einsum("KR[b,rr,c] = KRC[b,rr,c]");
    w.einsum("KR[b,rr,M-1] = KRN[b,rr,0]");
  }
  const double l_scale = 1.0 / std::sqrt(static_cast<double>(m.kv_lora_rank));
  w.input("WUK", {"CL", "H", "NP"}, l_scale);
  if (!absorbed) {
    // Every head's key [nope | rope] and value from the latent.
    w.input("WUV", {"CL", "H", "F"}, l_scale);
    w.declare("Q", {"B", "H", "E", "P"});
    w.einsum("Q[b,h,np,p] = QN[b,h,np,p]");
    w.einsum("Q[b,h,rr+NP,p] = QR[b,h,rr,p]");
    w.einsum("KN[b,h,np,m] = LAT[b,cl,m] * WUK[cl,h,np]");
    w.declare("K", {"B", "H", "E", "M"});
    w.einsum("K[b,h,np,m] = KN[b,h,np,m]");
    w.einsum("K[b,h,rr+NP,m] = KR[b,rr,m]");
    w.einsum("V[b,h,f,m] = LAT[b,cl,m] * WUV[cl,h,f]");
    emit_attention(w, shape, variant, AttentionNames{"Q", "K", "V", "AV"});
    w.input("WO", {"H", "F", "D"}, 1.0 / std::sqrt(static_cast<double>(m.heads * m.v_head_dim)));
    w.einsum(out + "[b,d,p] = AV[b,h,f,p] * WO[h,f,d]");
    return;
  }
  // Absorbed: the query meets the latent through WUK, one key and value
  // (G = 1) for all J = H heads, and WUV expands the attended latent.
  w.input("WUV", {"CL", "H", "VH"}, l_scale);
  w.einsum("QA[b,h,cl,p] = QN[b,h,np,p] * WUK[cl,h,np]");
  w.declare("Q", {"B", "G", "J", "E", "P"});
  w.einsum("Q[b,g,j,cl,p] = QA[b,j,cl,p]");
  w.einsum("Q[b,g,j,rr+CL,p] = QR[b,j,rr,p]");
  w.declare("K", {"B", "G", "E", "M"});
  w.einsum("K[b,g,cl,m] = LAT[b,cl,m]");
  w.einsum("K[b,g,rr+CL,m] = KR[b,rr,m]");
  w.einsum("V[b,g,f,m] = LAT[b,f,m]");
  emit_attention(w, shape, variant, AttentionNames{"Q", "K", "V", "AV"});
  w.einsum("AVU[b,h,vh,p] = AV[b,0,h,f,p] * WUV[f,h,vh]");
  w.input("WO", {"H", "VH", "D"}, 1.0 / std::sqrt(static_cast<double>(m.heads * m.v_head_dim)));
  w.einsum(out + "[b,d,p] = AVU[b,h,vh,p] * WO[h,vh,d]");
}

}  // namespace einflow::workloads::detail
