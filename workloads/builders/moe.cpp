// Mixture-of-experts FFN as a cascade: the router, the gate, the routed
// experts over the expected number of touched experts, shared experts.
//
// A step's T tokens go to their k experts by a canonical balanced routing: the
// tokens form TQ groups of TC (t = tq TC + tc, padded to TQ x TC), and token
// t's j-th expert is j TQ + tq, so the step touches k TQ experts and each
// computes TC tokens per choice. TQ is chosen so that k TQ is the expected
// number of experts T tokens touch (moe_shape). The router's logits give the
// gate of each chosen expert. A data-dependent top-k would need gathers the
// Einsum language does not have; the canonical routing keeps every cost that
// does not depend on which experts win (MACs, the experts' weights read, the
// tokens each expert sees on average) and is exact under any routing
// for the values it computes.
#include <algorithm>
#include <cmath>

#include "workloads/builders/emit.h"

namespace einflow::workloads {

double expected_experts_touched(int64_t experts, int64_t top_k, int64_t tokens, const std::vector<double>& load) {
  const double e = static_cast<double>(experts), k = static_cast<double>(top_k), t = static_cast<double>(tokens);
  if (load.empty()) return e * (1.0 - std::pow(1.0 - k / e, t));
  double sum = 0;
  for (double w : load) sum += w;
  double touched = 0;
  for (double w : load) {
    const double p = std::min(1.0, k * w / sum);
    touched += 1.0 - std::pow(1.0 - p, t);
  }
  return touched;
}

MoeShape moe_shape(const ModelSpec& m, const InstanceSpec& inst) {
  MoeShape s;
  s.experts = m.experts;
  s.top_k = m.experts_per_token;
  s.tokens = inst.phase == Phase::kDecode ? inst.batch : inst.seq_len;
  s.expected_touched = expected_experts_touched(s.experts, s.top_k, s.tokens, inst.expert_load);
  // k TQ nearest the expectation, at least one group, at most E / k groups
  // and one group per token.
  const int64_t most = std::max<int64_t>(1, std::min(s.experts / s.top_k, s.tokens));
  s.groups = std::clamp<int64_t>(std::llround(s.expected_touched / static_cast<double>(s.top_k)), 1, most);
  s.capacity = (s.tokens + s.groups - 1) / s.groups;
  return s;
}

namespace detail {

void emit_moe_ffn(SpecWriter& w, const ModelSpec& m, const InstanceSpec& inst, const std::string& y,
                  const std::string& out) {
  const MoeShape s = moe_shape(m, inst);
  const bool decode = inst.phase == Phase::kDecode;
  const int64_t ne = m.expert_ffn_dim > 0 ? m.expert_ffn_dim : m.ffn_dim;
  const int64_t padded = s.groups * s.capacity;
  w.rank("EX", s.experts);
  w.rank("KX", s.top_k);
  w.rank("TQ", s.groups);
  w.rank("TC", s.capacity);
  w.rank("TP", padded);
  w.rank("XU", s.touched());
  w.rank("NE", ne);
  // Tensors over the step's tokens: [B, .., TP] in prefill (a sequence's
  // tokens), [.., TP] in decode (the batch's); T names the real tokens' rank.
  const std::string b = decode ? "" : "b,";
  const std::vector<std::string> bb = decode ? std::vector<std::string>{} : std::vector<std::string>{"B"};
  auto with_b = [&](std::vector<std::string> r) {
    r.insert(r.begin(), bb.begin(), bb.end());
    return r;
  };
  const std::string real = decode ? "B-1" : "P-1";
  const std::string tok = "tq*TC+tc", in_range = " where " + tok + " <= " + real;
  // The token buffer: the step's tokens, then zeros up to TQ x TC.
  w.declare("XT", with_b({"D", "TP"}));
  w.einsum(decode ? "XT[d,b] = " + y + "[b,d,p]" : "XT[b,d,p] = " + y + "[b,d,p]");
  if (padded > s.tokens) {
    w.rank("TR", padded - s.tokens);
    w.einsum(std::string("XT[") + b + "d,tr+" + (decode ? "B" : "P") + "] = 0");
  }
  // Router and gate.
  w.input("WR", {"D", "EX"}, 1.0 / std::sqrt(static_cast<double>(m.d_model)));
  w.einsum("RLG[" + b + "ex,tp] = XT[" + b + "d,tp] * WR[d,ex] where tp <= " + real);
  w.einsum("RMX[" + b + "tp] = max(ex) RLG[" + b + "ex,tp]");
  const std::string chosen = "exp(RLG[" + b + "kx*TQ+tq," + tok + "] - RMX[" + b + tok + "])";
  if (m.gate_softmax_first) {
    w.einsum("RSUM[" + b + "tp] = exp(RLG[" + b + "ex,tp] - RMX[" + b + "tp])");
    w.einsum("GATE[" + b + "kx,tq,tc] = " + chosen + " / RSUM[" + b + tok + "]" + in_range);
  } else {
    w.einsum("GEX[" + b + "kx,tq,tc] = " + chosen + in_range);
    w.einsum("GSUM[" + b + "tq,tc] = GEX[" + b + "kx,tq,tc]");
    w.einsum("GATE[" + b + "kx,tq,tc] = GEX[" + b + "kx,tq,tc] / GSUM[" + b + "tq,tc]" + in_range);
  }
  // The routed experts: gated FFNs, expert kx TQ + tq for group tq's choice kx.
  const double in_scale = 1.0 / std::sqrt(static_cast<double>(m.d_model));
  w.input("W1E", {"XU", "D", "NE"}, in_scale);
  w.input("W3E", {"XU", "D", "NE"}, in_scale);
  w.input("W2E", {"XU", "NE", "D"}, 1.0 / std::sqrt(static_cast<double>(ne)));
  const std::string slot = b + "kx,tq,tc", x = "XT[" + b + "d," + tok + "]", ex = "kx*TQ+tq";
  w.einsum("H1E[" + slot + ",ne] = " + x + " * W1E[" + ex + ",d,ne]" + in_range);
  w.einsum("H3E[" + slot + ",ne] = " + x + " * W3E[" + ex + ",d,ne]" + in_range);
  w.einsum("AE[" + slot + ",ne] = " + ffn_activation(m.ffn_kind, "H1E[" + slot + ",ne]") + " * H3E[" + slot + ",ne]" +
           in_range);
  w.einsum("YE[" + slot + ",d] = AE[" + slot + ",ne] * W2E[" + ex + ",ne,d]" + in_range);
  w.declare("YT", with_b({"D", "TP"}));
  w.einsum("YT[" + b + "d," + tok + "] = GATE[" + slot + "] * YE[" + slot + ",d]" + in_range);
  std::string result = decode ? "YT[d,b]" : "YT[b,d,p]";
  // Shared experts: one gated FFN of shared x NE on every token.
  if (m.shared_experts > 0) {
    w.rank("NS", m.shared_experts * ne);
    w.input("W1S", {"D", "NS"}, in_scale);
    w.input("W3S", {"D", "NS"}, in_scale);
    w.input("W2S", {"NS", "D"}, 1.0 / std::sqrt(static_cast<double>(m.shared_experts * ne)));
    w.einsum("H1S[b,ns,p] = " + y + "[b,d,p] * W1S[d,ns]");
    w.einsum("H3S[b,ns,p] = " + y + "[b,d,p] * W3S[d,ns]");
    w.einsum("AS[b,ns,p] = " + ffn_activation(m.ffn_kind, "H1S[b,ns,p]") + " * H3S[b,ns,p]");
    w.einsum("SH[b,d,p] = AS[b,ns,p] * W2S[ns,d]");
    result += " + SH[b,d,p]";
  }
  w.einsum(out + "[b,d,p] = " + result);
}

}  // namespace detail
}  // namespace einflow::workloads
