// Analyses read off a cascade alone: FuseMax's pass counts, the state each
// recurrence carries, and the operations each Einsum performs (with masks
// counted exactly).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "workloads/cascade.h"

namespace einflow::workloads {

// Passes over `rank` (a top rank, possibly partitioned): the number of traversals
// of its fiber the cascade needs. An Einsum traverses the fiber when it iterates
// the rank or all of its partition leaves. A tensor that has lost every part of
// the rank but depends on it (GM[p] = max(m) QK[m,p]) is complete only after the
// traversal that fed it, so a traversal that consumes it starts a new pass.
RankPasses passes_over(const Cascade& cascade, int rank);
// passes_over() for every top rank.
std::vector<RankPasses> pass_counts(const Cascade& cascade);

// Operation counts of one Einsum over its (masked) iteration space.
struct EinsumOps {
  int64_t points = 0;              // iteration points that satisfy the mask
  int64_t macs = 0;                // multiply feeding a sum reduction, counted once
  std::array<int64_t, kNumOps> ops{};  // every other operation, by Op

  int64_t flops() const;           // 2 per MAC, 1 per other op
  EinsumOps& operator+=(const EinsumOps& o);
};

// Points of the Einsum's iteration space for which every mask comparison holds.
// Exact; throws UserError if the masked ranks are too large to count.
int64_t masked_points(const Cascade& cascade, const Einsum& einsum);

// Whether the Einsum copies one input (a single access, nothing reduced).
bool is_copy(const Einsum& einsum);

// The state a recurrence carries: each tensor its Einsums write along the
// recurrence's iterative rank (S[m1+1] from S[m1]), one entry of it per step
// (its other ranks), and that entry per batch and head (without the B, H, G
// and J ranks of the builders): linear attention's d_k x d_v per head,
// Mamba's channels x state.
struct RecurrentState {
  int rank = -1;                // the iterative rank
  int tensor = -1;
  std::vector<int> ranks;       // the tensor's other ranks
  int64_t elements = 0;         // per step
  int64_t per_head = 0;         // per step, batch and head
};
std::vector<RecurrentState> recurrent_states(const Cascade& cascade);

EinsumOps einsum_ops(const Cascade& cascade, int einsum);
EinsumOps cascade_ops(const Cascade& cascade);  // sum over all Einsums

}  // namespace einflow::workloads
