// Internal to the builders: pieces shared by the attention and layer builders.
#pragma once

#include <string>
#include <vector>

#include "workloads/spec_writer.h"
#include "workloads/transformer.h"

namespace einflow::workloads::detail {

// Index variables of the head ranks: "b,h" for MHA; "b,g,j" (queries) and "b,g"
// (keys, values) when G key/value heads are shared by J = H/G query heads each.
struct HeadIndex {
  std::string query;
  std::string kv;
};
HeadIndex head_index(const AttentionShape& s);
// The head ranks ("B","H" or "B","G","J" / "B","G") followed by `rest`.
std::vector<std::string> head_ranks(const AttentionShape& s, bool query,
                                    std::vector<std::string> rest);

struct AttentionNames {
  std::string q, k, v, av;
  std::string gate = "GX";  // GLA's gate input
};

void declare_attention_ranks(SpecWriter& w, const AttentionShape& s);
// Emits the cascade computing AV from Q, K, V (which the caller provides).
void emit_attention(SpecWriter& w, const AttentionShape& s, AttentionCascade variant,
                    const AttentionNames& names);
// The linear mixers' forms (mixers.cpp), called by emit_attention.
void emit_linear_attention(SpecWriter& w, const AttentionShape& s, AttentionCascade variant,
                           const AttentionNames& names);
// A linear mixer's decode step: from Q, KN, VN, SP (GX) to AV and S. With
// `io`, declares those inputs and outputs (the attention alone); a layer
// computes them and declares its own.
void emit_linear_decode(SpecWriter& w, const AttentionShape& s, bool io = true);
// Whether the softmax cascade partitions M into M1 x M0 (M0: the block; the
// linear mixers' chunkwise forms declare their own chunk ranks).
bool partitioned(AttentionCascade a);
// Throws UserError when mixer `m` is not written as cascade `a`.
void check_mixer_cascade(Mixer m, AttentionCascade a, const SourceLoc& loc);
// The activation of an FFN kind applied to the expression `x` (the gated
// kinds' activation, without the gate's product).
std::string ffn_activation(FfnKind k, const std::string& x);
// RoPE's pair rotation: OUT[pre rh, t] and OUT[pre rh+RH, t] from the two
// halves IN[pre 0|1, rh, t] by the tables RCOS/RSIN [RH, P] at t (times
// `scale` unless empty).
void emit_rotation(SpecWriter& w, const std::string& in, const std::string& out, const std::string& pre,
                   const std::string& t, const std::string& scale);
// An MoE FFN (model.experts > 0) from `y` [B,D,P] to `out` [B,D,P] (moe.cpp).
void emit_moe_ffn(SpecWriter& w, const ModelSpec& m, const InstanceSpec& inst, const std::string& y,
                  const std::string& out);
// Multi-head latent attention from `x` [B,D,P] to the projected output `out`
// [B,D,P] (mla.cpp); `shape` is attention_shape's for the instance's form.
// Decode reads the cache LATC [B,CL,C], KRC [B,RR,C] and writes LATN, KRN.
void emit_mla(SpecWriter& w, const ModelSpec& m, const InstanceSpec& inst, AttentionCascade variant,
              const AttentionShape& shape, const std::string& x, const std::string& out);
// Throws UserError when the shape is impossible.
void check_attention_shape(const AttentionShape& s, const SourceLoc& loc);

}  // namespace einflow::workloads::detail
