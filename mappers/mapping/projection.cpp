#include "mappers/mapping/projection.h"

#include <algorithm>
#include <numeric>

#include "mappers/mapping/mapping.h"

namespace einflow::mapping {

int local_rank(const workloads::Einsum& e, int rank) {
  for (size_t i = 0; i < e.iteration_ranks.size(); ++i)
    if (e.iteration_ranks[i] == rank) return static_cast<int>(i);
  return -1;
}

namespace {

const workloads::Access& access_of(const workloads::Einsum& e, int tensor) {
  if (e.output.tensor == tensor) return e.output;
  for (const auto& a : e.inputs)
    if (a.tensor == tensor) return a;
  return e.output;
}

}  // namespace

std::vector<TensorProjection> project(const workloads::Cascade& c, int einsum) {
  const workloads::Einsum& e = c.einsums[einsum];
  if (e.iteration_ranks.size() > static_cast<size_t>(kMaxRanks))
    throw UserError(e.loc, "Einsum " + e.name + " iterates more than " + std::to_string(kMaxRanks) +
                               " ranks, more than the analytical model supports");
  std::vector<TensorProjection> out;
  for (int t : einsum_tensors(e)) {
    TensorProjection p;
    p.tensor = t;
    p.is_output = (t == e.output.tensor);
    const workloads::Access& acc = access_of(e, t);
    for (const auto& idx : acc.index) {
      struct Term { int rank; int64_t coef; };
      std::vector<Term> terms;
      for (const auto& term : idx.terms) {
        int lr = local_rank(e, term.rank);
        if (lr < 0 || term.coef == 0) continue;
        terms.push_back({lr, term.coef});
      }
      auto mag = [](int64_t v) { return v < 0 ? -v : v; };
      std::sort(terms.begin(), terms.end(), [&](const Term& a, const Term& b) { return mag(a.coef) < mag(b.coef); });
      int64_t span = 0;  // reach of the current virtual dimension
      for (const Term& term : terms) {
        const int64_t size = c.ranks[e.iteration_ranks[term.rank]].size;
        const bool join = p.n_vdims > 0 && mag(term.coef) < span && p.vdims[p.n_vdims - 1].n_terms < kMaxTerms;
        if (!join) {
          if (p.n_vdims == kMaxVdims)
            throw UserError(acc.loc, "tensor " + c.tensors[t].name + " has more index terms than the model supports");
          ++p.n_vdims;
          span = 1;
        }
        VDim& d = p.vdims[p.n_vdims - 1];
        d.rank[d.n_terms] = static_cast<int8_t>(term.rank);
        d.coef[d.n_terms] = term.coef;
        ++d.n_terms;
        span += mag(term.coef) * (size - 1);
        p.relevant |= 1u << term.rank;
      }
    }
    // Measure each virtual dimension in units of the gcd of its coefficients:
    // K[4*m1] holds t distinct words for t values of m1, not a hull of 4t - 3.
    for (int v = 0; v < p.n_vdims; ++v) {
      VDim& d = p.vdims[v];
      int64_t g = 0;
      for (int i = 0; i < d.n_terms; ++i) g = std::gcd(g, d.coef[i] < 0 ? -d.coef[i] : d.coef[i]);
      for (int i = 0; i < d.n_terms; ++i) d.coef[i] /= g;
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace einflow::mapping
