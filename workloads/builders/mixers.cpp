// Linear attention and gated linear attention (GLA) in three forms each
// (reference/subquadratic.md), per head, with the batch and head ranks and
// GQA sharing of the attention builders. Queries and keys are one sequence
// (P = M); unscaled, as the attention-only softmax cascades are.
//
//   parallel:  QK[m,p] = sum_e Q[e,p] K[e,m] D(m,p) (m <= p when causal); AV = QK V
//   recurrent: S[m+1] = a(m) S[m] + K[m] (x) V[m] over the iterative rank M;
//              AV[p] = Q[p] . S[p+1] (causal) or Q[p] . S[M] (not)
//   chunkwise: chunks of C = M0 rows, the chunk index M1 iterative: the state
//              S[m1] carried between chunks (inter-chunk), a C x C masked
//              product inside a chunk (intra-chunk), their sum.
//
// GLA's decay: g[k,e,m] = log sigmoid(GX[k,e,m]) / 16 (rank-16 gate's
// temperature), CG[k,e,m] = sum of g over the steps before m (CG[0] = 0), and
// D(m,p) = exp(CG[p+1] - CG[m+1]) per key dimension e: the product of the
// decays after step m up to step p. Linear attention: D = 1.
#include "workloads/builders/emit.h"

namespace einflow::workloads {

const char* mixer_name(Mixer m) {
  switch (m) {
    case Mixer::kSoftmax: return "softmax";
    case Mixer::kLinear: return "linear";
    case Mixer::kGla: return "gla";
  }
  return "?";
}

std::vector<AttentionCascade> mixer_cascades(Mixer m) {
  if (m == Mixer::kSoftmax) return {AttentionCascade::k3Pass, AttentionCascade::k2Pass, AttentionCascade::k1Pass};
  return {AttentionCascade::kParallel, AttentionCascade::kChunkwise, AttentionCascade::kRecurrent};
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

void emit_chunkwise(SpecWriter& w, const AttentionShape& s, const AttentionNames& n, const HeadIndex& hi) {
  const std::string& q = hi.query;
  const std::string& k = hi.kv;
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
  if (s.mixer == Mixer::kGla) {
    w.einsum("DC[" + k + ",m1,e] = exp(CG[" + k + ",e,m1*M0+M0] - CG[" + k + ",e,m1*M0])");
    w.einsum("S[" + k + ",m1+1,e,f] = DC[" + k + ",m1,e] * S[" + k + ",m1,e,f] + KVC[" + k + ",m1,e,f]");
  } else {
    w.einsum("S[" + k + ",m1+1,e,f] = S[" + k + ",m1,e,f] + KVC[" + k + ",m1,e,f]");
  }
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

}  // namespace detail

}  // namespace einflow::workloads
