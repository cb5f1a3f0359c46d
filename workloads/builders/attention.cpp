// The three attention cascades of FuseMax (reference/fusemax.md) and the split
// form of Flash-Decoding and LeanAttention, with batch and head ranks, GQA/MQA
// sharing of K and V, and an optional causal mask.
#include <algorithm>

#include "workloads/builders/emit.h"

namespace einflow::workloads {

const char* attention_cascade_name(AttentionCascade a) {
  switch (a) {
    case AttentionCascade::k3Pass: return "3pass";
    case AttentionCascade::k2Pass: return "2pass";
    case AttentionCascade::k1Pass: return "1pass";
    case AttentionCascade::kParallel: return "parallel";
    case AttentionCascade::kChunkwise: return "chunkwise";
    case AttentionCascade::kRecurrent: return "recurrent";
    case AttentionCascade::kSplit: return "split";
  }
  return "?";
}

int64_t default_block(int64_t m) {
  for (int64_t b = std::min<int64_t>(256, m); b >= 1; --b)
    if (m % b == 0) return b;
  return 1;
}

namespace detail {

HeadIndex head_index(const AttentionShape& s) {
  if (s.kv_heads == s.heads) return HeadIndex{"b,h", "b,h"};
  return HeadIndex{"b,g,j", "b,g"};
}

std::vector<std::string> head_ranks(const AttentionShape& s, bool query,
                                    std::vector<std::string> rest) {
  std::vector<std::string> out{"B"};
  if (s.kv_heads == s.heads) out.push_back("H");
  else if (query) out.insert(out.end(), {"G", "J"});
  else out.push_back("G");
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

void declare_attention_ranks(SpecWriter& w, const AttentionShape& s) {
  w.rank("B", s.batch);
  if (s.kv_heads == s.heads) {
    w.rank("H", s.heads);
  } else {
    w.rank("G", s.kv_heads);
    w.rank("J", s.heads / s.kv_heads);
  }
  w.rank("E", s.e);
  w.rank("F", s.f);
  w.rank("M", s.m);
  w.rank("P", s.p);
}

// The split form: per split M1, one pass over its M0 keys (its max LM, sum of
// exponentials SLD and unnormalized output SLNV: the partial state), then the
// states merged across M1: each weighted by exp(LM - GM), summed, divided once.
void emit_split(SpecWriter& w, const std::string& q, const std::string& k, const AttentionNames& n,
                const std::string& mask) {
  w.einsum("BQK[" + q + ",m1,m0,p] = " + n.q + "[" + q + ",e,p] * BK[" + k + ",e,m1,m0]" +
           (mask.empty() ? "" : mask + " else -inf"));
  w.einsum("LM[" + q + ",m1,p] = max(m0) BQK[" + q + ",m1,m0,p]");
  // A split with every key masked has LM = -inf; the mask keeps exp(-inf - -inf) out.
  w.einsum("SLN[" + q + ",m1,m0,p] = exp(BQK[" + q + ",m1,m0,p] - LM[" + q + ",m1,p])" +
           (mask.empty() ? "" : mask + " else 0"));
  w.einsum("SLD[" + q + ",m1,p] = SLN[" + q + ",m1,m0,p]");
  w.einsum("SLNV[" + q + ",m1,f,p] = SLN[" + q + ",m1,m0,p] * BV[" + k + ",f,m1,m0]");
  w.einsum("GM[" + q + ",p] = max(m1) LM[" + q + ",m1,p]");
  w.einsum("SW[" + q + ",m1,p] = exp(LM[" + q + ",m1,p] - GM[" + q + ",p])");
  w.einsum("SD[" + q + ",p] = SW[" + q + ",m1,p] * SLD[" + q + ",m1,p]");
  w.einsum("NV[" + q + ",f,p] = SW[" + q + ",m1,p] * SLNV[" + q + ",m1,f,p]");
  w.einsum(n.av + "[" + q + ",f,p] = NV[" + q + ",f,p] / SD[" + q + ",p]");
}

void emit_attention(SpecWriter& w, const AttentionShape& s, AttentionCascade variant,
                    const AttentionNames& n) {
  if (s.mixer != Mixer::kSoftmax) {
    emit_linear_attention(w, s, variant, n);
    return;
  }
  HeadIndex hi = head_index(s);
  const std::string& q = hi.query;
  const std::string& k = hi.kv;
  int64_t offset = s.m - s.p;
  // A sliding window hides the keys more than `window` - 1 before the query's own.
  const bool windowed = s.causal && s.window > 0 && s.window < s.m;
  bool masked = s.causal && (offset < s.m - 1 || windowed);
  std::string off = offset == 0 ? "" : (offset > 0 ? "+" : "") + std::to_string(offset);
  auto shifted = [&](int64_t by) {
    const int64_t x = offset + by;
    return x == 0 ? std::string() : (x > 0 ? "+" : "") + std::to_string(x);
  };
  // The window's first key for query p: p + offset - window + 1.
  const std::string first = shifted(1 - s.window);
  if (variant == AttentionCascade::k3Pass) {
    std::string mask = masked ? " where m <= p" + off + (windowed ? " and m >= p" + first : "") : "";
    w.einsum("QK[" + q + ",m,p] = " + n.q + "[" + q + ",e,p] * " + n.k + "[" + k + ",e,m]" +
             (masked ? mask + " else -inf" : ""));
    w.einsum("GM[" + q + ",p] = max(m) QK[" + q + ",m,p]");
    w.einsum("SN[" + q + ",m,p] = exp(QK[" + q + ",m,p] - GM[" + q + ",p])");
    w.einsum("SD[" + q + ",p] = SN[" + q + ",m,p]");
    w.einsum("A[" + q + ",m,p] = SN[" + q + ",m,p] / SD[" + q + ",p]");
    w.einsum(n.av + "[" + q + ",f,p] = A[" + q + ",m,p] * " + n.v + "[" + k + ",f,m]");
    return;
  }
  w.partition("M", {"M1", "M0"});
  std::string mask =
      masked ? " where m1*M0+m0 <= p" + off + (windowed ? " and m1*M0+m0 >= p" + first : "") : "";
  w.einsum("BK[" + k + ",e,m1,m0] = " + n.k + "[" + k + ",e,m1*M0+m0]");
  w.einsum("BV[" + k + ",f,m1,m0] = " + n.v + "[" + k + ",f,m1*M0+m0]");
  if (variant == AttentionCascade::kSplit) {
    emit_split(w, q, k, n, masked ? mask : "");
    return;
  }
  if (variant == AttentionCascade::k2Pass) {
    w.einsum("BQK[" + q + ",m1,m0,p] = " + n.q + "[" + q + ",e,p] * BK[" + k + ",e,m1,m0]" +
             (masked ? mask + " else -inf" : ""));
    w.einsum("LM[" + q + ",m1,p] = max(m0) BQK[" + q + ",m1,m0,p]");
    // A fully masked block has LM = -inf; the mask keeps exp(-inf - -inf) out.
    w.einsum("SLN[" + q + ",m1,m0,p] = exp(BQK[" + q + ",m1,m0,p] - LM[" + q + ",m1,p])" +
             (masked ? mask + " else 0" : ""));
    w.einsum("SLD[" + q + ",m1,p] = SLN[" + q + ",m1,m0,p]");
    w.einsum("GM[" + q + ",p] = max(m1) LM[" + q + ",m1,p]");
    w.einsum("SPD[" + q + ",m1,p] = SLD[" + q + ",m1,p] * exp(LM[" + q + ",m1,p] - GM[" + q + ",p])");
    w.einsum("SD[" + q + ",p] = SPD[" + q + ",m1,p]");
    w.einsum("A[" + q + ",m1,m0,p] = SLN[" + q + ",m1,m0,p] * exp(LM[" + q + ",m1,p] - GM[" + q +
             ",p]) / SD[" + q + ",p]");
    w.einsum(n.av + "[" + q + ",f,p] = A[" + q + ",m1,m0,p] * BV[" + k + ",f,m1,m0]");
    return;
  }
  w.einsum("QK[" + q + ",m1,m0,p] = " + n.q + "[" + q + ",e,p] * BK[" + k + ",e,m1,m0]" +
           (masked ? mask + " else -inf" : ""));
  w.einsum("LM[" + q + ",m1,p] = max(m0) QK[" + q + ",m1,m0,p]");
  w.einsum("RM[" + q + ",0,p] = -inf");
  w.einsum("RM[" + q + ",m1+1,p] = max(RM[" + q + ",m1,p], LM[" + q + ",m1,p])");
  // With a window, the blocks before it leave the running max at -inf: their
  // terms are 0 (no exp(-inf - -inf)). RM[m1+1] is finite once block m1 ends at
  // or after the window's first key.
  const std::string seen = windowed ? " where m1*M0+M0-1 >= p" + first + " else 0" : "";
  w.einsum("SLN[" + q + ",m1,m0,p] = exp(QK[" + q + ",m1,m0,p] - RM[" + q + ",m1+1,p])" +
           (windowed ? mask + " else 0" : ""));
  w.einsum("SLD[" + q + ",m1,p] = SLN[" + q + ",m1,m0,p]");
  w.einsum("PRM[" + q + ",m1,p] = exp(RM[" + q + ",m1,p] - RM[" + q + ",m1+1,p])" + seen);
  w.einsum("SPD[" + q + ",m1,p] = PRM[" + q + ",m1,p] * RD[" + q + ",m1,p]");
  w.einsum("RD[" + q + ",0,p] = 0");
  w.einsum("RD[" + q + ",m1+1,p] = SPD[" + q + ",m1,p] + SLD[" + q + ",m1,p]");
  w.einsum("SLNV[" + q + ",m1,f,p] = SLN[" + q + ",m1,m0,p] * BV[" + k + ",f,m1,m0]");
  w.einsum("SPNV[" + q + ",m1,f,p] = PRM[" + q + ",m1,p] * RNV[" + q + ",m1,f,p]");
  w.einsum("RNV[" + q + ",0,f,p] = 0");
  w.einsum("RNV[" + q + ",m1+1,f,p] = SPNV[" + q + ",m1,f,p] + SLNV[" + q + ",m1,f,p]");
  w.einsum(n.av + "[" + q + ",f,p] = RNV[" + q + ",M1,f,p] / RD[" + q + ",M1,p]");
}

void check_attention_shape(const AttentionShape& s, const SourceLoc& loc) {
  Diagnostics d;
  auto positive = [&](int64_t v, const char* what) {
    if (v < 1) d.error(loc, std::string(what) + " must be at least 1, got " + std::to_string(v));
  };
  positive(s.batch, "batch");
  positive(s.heads, "heads");
  positive(s.kv_heads, "kv_heads");
  positive(s.e, "head_dim");
  positive(s.m, "the key length M");
  positive(s.p, "the query length P");
  if (s.heads >= 1 && s.kv_heads >= 1 && s.heads % s.kv_heads != 0)
    d.error(loc, "heads (" + std::to_string(s.heads) + ") must be a multiple of kv_heads (" +
                     std::to_string(s.kv_heads) + ")");
  if (s.block < 1 || (s.m >= 1 && s.m % s.block != 0))
    d.error(loc, "block M0 = " + std::to_string(s.block) + " must divide the key length M = " +
                     std::to_string(s.m));
  if (s.causal && s.m < s.p)
    d.error(loc, "a causal attention needs at least as many keys (" + std::to_string(s.m) +
                     ") as queries (" + std::to_string(s.p) + ")");
  if (s.window < 0) d.error(loc, "sliding_window must be positive, got " + std::to_string(s.window));
  if (s.window > 0 && !s.causal) d.error(loc, "a sliding window needs a causal attention (a decoder model)");
  if (s.window > 0 && s.mixer != Mixer::kSoftmax) d.error(loc, "a sliding window is for softmax attention");
  if (s.mixer != Mixer::kSoftmax && !s.decode && s.m != s.p)
    d.error(loc, std::string("a ") + mixer_name(s.mixer) + " mixer attends within one sequence: " +
                     std::to_string(s.p) + " queries and " + std::to_string(s.m) + " keys");
  d.throw_if_any();
}

bool partitioned(AttentionCascade a) {
  return a == AttentionCascade::k2Pass || a == AttentionCascade::k1Pass || a == AttentionCascade::kSplit;
}

void check_mixer_cascade(Mixer m, AttentionCascade a, const SourceLoc& loc) {
  const std::vector<AttentionCascade> ok = mixer_forms(m, Phase::kPrefill);
  if (std::find(ok.begin(), ok.end(), a) != ok.end()) return;
  std::string names;
  for (AttentionCascade x : ok) names += std::string(names.empty() ? "" : ", ") + attention_cascade_name(x);
  throw UserError(loc, std::string("a ") + mixer_name(m) + " mixer is written as " + names + ", not " +
                           attention_cascade_name(a));
}

}  // namespace detail

CascadeSpec attention_spec(const AttentionShape& shape, AttentionCascade variant) {
  AttentionShape s = shape;
  if (s.block == 0) s.block = default_block(s.m);
  detail::check_attention_shape(s, SourceLoc{"<builder:attention>", 0, 0});
  detail::check_mixer_cascade(s.mixer, variant, SourceLoc{"<builder:attention>", 0, 0});
  SpecWriter w("attention", std::string(s.mixer == Mixer::kSoftmax ? "attention-" : std::string(mixer_name(s.mixer)) + "-") +
                                attention_cascade_name(variant));
  detail::declare_attention_ranks(w, s);
  if (s.mixer != Mixer::kSoftmax && s.decode) {
    detail::emit_linear_decode(w, s);
    return w.take();
  }
  if (detail::partitioned(variant)) w.rank("M0", s.block);
  w.input("Q", detail::head_ranks(s, true, {"E", "P"}));
  w.input("K", detail::head_ranks(s, false, {"E", "M"}));
  w.input("V", detail::head_ranks(s, false, {"F", "M"}));
  if (s.mixer == Mixer::kGla) w.input("GX", detail::head_ranks(s, false, {"E", "M"}), 4.0);
  detail::emit_attention(w, s, variant, detail::AttentionNames{"Q", "K", "V", "AV"});
  w.output("AV");
  return w.take();
}

}  // namespace einflow::workloads
