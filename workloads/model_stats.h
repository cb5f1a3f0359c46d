// What a model costs per token, read off its dimensions and its built layer:
// parameters (by part), MACs per token (the layer cascade's own count, times
// the layers, plus the LM head), KV-cache bytes per token and the recurrent
// state a linear mixer carries instead. `einflow describe` prints these.
#pragma once

#include <cstdint>
#include <string>

#include "workloads/transformer.h"

namespace einflow::workloads {

// Bytes per value the builders' tensors hold (fp16).
constexpr int64_t kModelValueBytes = 2;

struct ModelParams {
  int64_t attention = 0;   // per layer: Q, K, V, O projections and their biases
  int64_t ffn = 0;         // per layer: the FFN's projections and biases (an MoE layer's: router, experts, shared)
  int64_t router = 0;      // per MoE layer: d_model x experts
  int64_t expert = 0;      // one routed expert (3 x d_model x expert_ffn_dim)
  int64_t dense_layer = 0; // a dense layer of an MoE model (dense_layers of them), else = layer
  int64_t norms = 0;       // per layer: the norms' scales (and shifts)
  int64_t layer = 0;       // attention + ffn + norms
  int64_t embedding = 0;   // token table (vocab x d_model) and learned positions
  int64_t head = 0;        // LM head (decoders, untied); 0 when tied to the embedding
  int64_t final_norm = 0;  // the norm outside the layers (final for pre-norm, after the embedding for post-norm)
  int64_t total = 0;       // MoE and dense layers + embedding + head + final_norm
  int64_t active = 0;      // used by one token: total less the routed experts it does not pick
  int64_t active_no_embedding = 0;  // the same without the token table (a lookup, not a product)
};

// Parameters of the model as einflow builds it (reference for what is and is
// not counted: workloads/README.md). UserError for mixers whose whole layer is
// not built (GLA, Mamba) and for counts past 64 bits.
ModelParams model_params(const ModelSpec& model);

struct TokenCosts {
  Phase phase = Phase::kDecode;  // decode for decoders (one new token), prefill for encoders
  int64_t context = 0;           // keys the token attends over (the window bounds it)
  int64_t layer_macs = 0;        // per token and layer: the layer cascade's MACs / tokens
  int64_t dense_layer_macs = 0;  // an MoE model's dense layers' (dense_layers of them)
  int64_t head_macs = 0;         // the LM head's (decoders)
  int64_t macs = 0;              // the layers' MACs + head_macs
  int64_t kv_bytes = 0;          // KV cache added per token, all layers (0 for linear mixers)
  int64_t kv_tokens_max = 0;     // a sliding window's bound on cached tokens (0: none)
  int64_t state_bytes = 0;       // a linear mixer's state per sequence, all layers
};

// Per-token costs at the instance's sequence length (the decode step's cache
// for decoders, the prefill's tokens for encoders), batch 1, built from the
// layer cascade (`variant`: the first form the instance lists).
TokenCosts token_costs(const ModelSpec& model, const InstanceSpec& inst);

}  // namespace einflow::workloads
