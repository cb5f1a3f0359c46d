// How an Einsum's iteration space projects onto each tensor it touches, in the
// form the capacity check and the analytical model need. Each tensor dimension
// is split into independent "virtual dimensions": terms whose ranges cannot
// overlap (the mixed-radix index m1*M0 + m0) become separate dimensions; terms
// that overlap (the sliding window p + r) form one dimension whose footprint is
// the hull sum(|coef| * (tile - 1)) + 1, exact for unit coefficients.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "workloads/cascade.h"

namespace einflow::mapping {

constexpr int kMaxRanks = 16;     // iteration ranks of one Einsum
constexpr int kMaxTerms = 4;      // terms of one virtual dimension
constexpr int kMaxVdims = 8;      // virtual dimensions of one tensor

struct VDim {
  int n_terms = 0;
  std::array<int8_t, kMaxTerms> rank{};    // local rank (index into iteration_ranks)
  std::array<int64_t, kMaxTerms> coef{};   // coefficient (signed), divided by the gcd of the dimension
};

struct TensorProjection {
  int tensor = -1;          // cascade tensor index
  bool is_output = false;
  int n_vdims = 0;
  std::array<VDim, kMaxVdims> vdims{};
  uint32_t relevant = 0;    // bit r set when local rank r indexes the tensor

  // Words of the footprint of a tile with `tile[r]` iterations of local rank r.
  int64_t footprint(const int64_t* tile) const {
    int64_t words = 1;
    for (int v = 0; v < n_vdims; ++v) words *= extent(v, tile);
    return words;
  }
  int64_t extent(int v, const int64_t* tile) const {
    const VDim& d = vdims[v];
    int64_t e = 1;
    for (int i = 0; i < d.n_terms; ++i) e += (d.coef[i] < 0 ? -d.coef[i] : d.coef[i]) * (tile[d.rank[i]] - 1);
    return e;
  }
};

// Projections of the Einsum's tensors, in einsum_tensors() order (inputs, then
// the output). Throws UserError when the Einsum exceeds the limits above.
std::vector<TensorProjection> project(const workloads::Cascade& cascade, int einsum);

// Local index of cascade rank `rank` in the Einsum's iteration ranks, or -1.
int local_rank(const workloads::Einsum& e, int rank);

}  // namespace einflow::mapping
