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

// What a decode step keeps in the DRAM (dram_resident.cpp): an input (weights,
// the KV cache), or a tensor written only by copies, one of them from such a
// tensor (K and V: the cache read where it lies, the new token appended).
bool dram_resident(const Cascade& cascade, int tensor);
// A copy whose source lies in the DRAM: the cache read in place.
bool in_place_copy(const Cascade& cascade, const Einsum& einsum);
// A copy of a new value into a resident tensor: the new token appended to the cache.
bool cache_append(const Cascade& cascade, const Einsum& einsum);

// A vector-matrix product over a DRAM-resident operand (what PIM units run):
// the product of two operands (a constant factor allowed) summed over ranks
// both index. The matrix is the resident operand (the larger when both are).
// Its reduced ranks give each GEMV's columns; the output ranks only the matrix
// indexes its rows; the ranks both index independent GEMVs (heads); the ranks
// only the other operand (or only the output) has, vectors one after another.
// Never a step of a recurrence.
struct VectorMatrix {
  bool ok = false;
  int64_t rows = 1, cols = 1, matrices = 1, vectors = 1;
  int matrix_input = -1;  // which of the Einsum's inputs is the matrix
};
VectorMatrix vector_matrix(const Cascade& cascade, const Einsum& einsum);

EinsumOps einsum_ops(const Cascade& cascade, int einsum);
EinsumOps cascade_ops(const Cascade& cascade);  // sum over all Einsums

}  // namespace einflow::workloads
