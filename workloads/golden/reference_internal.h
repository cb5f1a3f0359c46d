// Internal to the direct implementations (reference.cpp, reference_mixers.cpp).
#pragma once

#include <string>
#include <vector>

#include <cmath>

#include "common/error.h"
#include "workloads/golden/tensor.h"
#include "workloads/scalar_ops.h"
#include "workloads/transformer.h"

namespace einflow::golden {

// The activation of an FFN kind (a gated kind's, without the gate's product);
// the tanh forms as the builders write them.
template <class T>
T ffn_activation(workloads::FfnKind k, T v) {
  switch (k) {
    case workloads::FfnKind::kGelu: case workloads::FfnKind::kGeglu: return workloads::gelu(v);
    case workloads::FfnKind::kRelu: return v > T(0) ? v : T(0);
    case workloads::FfnKind::kSwiglu: case workloads::FfnKind::kSilu: return workloads::silu(v);
    case workloads::FfnKind::kGeluTanh: case workloads::FfnKind::kGegluTanh: {
      const T c = std::sqrt(T(2) / std::acos(T(-1)));
      return T(0.5) * v * (T(1) + std::tanh(c * (v + T(0.044715) * v * v * v)));
    }
  }
  return v;
}

// [B, H, dim, P], or [B, G, J, dim, P] when G key/value heads are shared (same layout).
inline std::vector<int64_t> query_extents(const workloads::AttentionShape& s, int64_t dim) {
  if (s.kv_heads == s.heads) return {s.batch, s.heads, dim, s.p};
  return {s.batch, s.kv_heads, s.heads / s.kv_heads, dim, s.p};
}

template <class T>
const DenseTensor<T>& get(const TensorSet<T>& set, const std::string& name) {
  auto it = set.find(name);
  EINFLOW_ASSERT(it != set.end(), "reference input '" + name + "' missing");
  return it->second;
}

// Mamba's scan from the state `h0` (zeros when null); the last state into `h_end` when given.
template <class T>
DenseTensor<T> mamba_scan(const workloads::MambaShape& s, const TensorSet<T>& in, const DenseTensor<T>* h0,
                          DenseTensor<T>* h_end);

}  // namespace einflow::golden

namespace einflow::golden {

// An MoE FFN (model.experts > 0) on `rows` token rows x[rows x d] (row-major),
// the first being token t0 of its step (prefill: the sequence's position;
// decode: the batch index), by the canonical routing of moe_shape: token t's
// j-th expert is j TQ + t / TC; the gate from the router's logits.
template <class T>
std::vector<T> moe_ffn(const workloads::ModelSpec& m, const workloads::InstanceSpec& inst, const TensorSet<T>& in,
                       const std::vector<T>& x, int64_t rows, int64_t t0);

}  // namespace einflow::golden

namespace einflow::golden {

// Multi-head latent attention's queries, keys and values for batch element b,
// in the naive layout (every head's key [nope | rope], its value), from the
// normalised input rows xin [P x d]: Q [B,H,NP+RR,P] (scaled by
// 1/sqrt(NP+RR)), K [B,H,NP+RR,M], V [B,H,v,M]. Decode reads the cache
// LATC/KRC and stores the new token's latent and rotary key in latn/krn.
template <class T>
void mla_qkv(const workloads::ModelSpec& m, const workloads::InstanceSpec& inst, const TensorSet<T>& in, int64_t b,
             const std::vector<T>& xin, DenseTensor<T>& q, DenseTensor<T>& k, DenseTensor<T>& v, DenseTensor<T>& latn,
             DenseTensor<T>& krn);

}  // namespace einflow::golden

namespace einflow::golden {

// A whole Mamba layer (mamba_layer_spec), batch element by batch element:
// outputs Y, and H and XCN in decode.
template <class T>
TensorSet<T> mamba_layer(const workloads::ModelSpec& m, const workloads::InstanceSpec& inst, const TensorSet<T>& in);

}  // namespace einflow::golden
