#include <algorithm>

#include "common/checked.h"
#include "common/text.h"
#include "workloads/build_context.h"

namespace einflow::workloads::detail {

Range index_range(const Cascade& c, const IndexExpr& e) {
  Range r{e.constant, e.constant};
  for (const auto& t : e.terms) {
    int64_t span = t.coef * (c.ranks[t.rank].size - 1);  // sizes were overflow-checked
    if (span < 0) r.lo += span;
    else r.hi += span;
  }
  return r;
}

namespace {

std::string range_text(const Range& r) {
  return r.lo == r.hi ? std::to_string(r.lo)
                      : std::to_string(r.lo) + ".." + std::to_string(r.hi);
}

// Infers the ranks of tensors that were not declared, from their writers' output indices.
void infer_ranks(BuildContext& ctx, size_t n_declared) {
  Cascade& c = ctx.cascade;
  for (size_t ti = n_declared; ti < c.tensors.size(); ++ti) {
    Tensor& t = c.tensors[ti];
    size_t dims = 0;
    bool have_dims = false;
    for (int w : t.writers) {
      size_t n = c.einsums[w].output.index.size();
      if (!have_dims) {
        dims = n;
        have_dims = true;
      } else if (n != dims) {
        ctx.diags.error(c.einsums[w].output.loc, "rank mismatch: '" + t.name + "' is written with " +
                                                     std::to_string(n) + " indices here but " +
                                                     std::to_string(dims) + " elsewhere");
      }
    }
    t.ranks.assign(dims, -1);
    for (size_t d = 0; d < dims; ++d) {
      for (int w : t.writers) {
        const IndexExpr& idx = c.einsums[w].output.index[d];
        if (idx.terms.size() != 1 || idx.terms[0].coef != 1) continue;
        int r = idx.terms[0].rank;
        if (t.ranks[d] < 0) {
          t.ranks[d] = r;
        } else if (t.ranks[d] != r && c.ranks[t.ranks[d]].size != c.ranks[r].size) {
          ctx.diags.error(idx.loc, "rank mismatch: index " + std::to_string(d + 1) + " of '" + t.name +
                                       "' is " + c.ranks[t.ranks[d]].name + " in one Einsum and " +
                                       c.ranks[r].name + " in another");
        }
      }
      if (t.ranks[d] < 0)
        ctx.diags.error(t.loc, "cannot infer rank " + std::to_string(d + 1) + " of '" + t.name +
                                   "' from its writers; declare the tensor under 'tensors'");
    }
  }
}

// True when the access fits the tensor; records errors otherwise.
bool check_access(BuildContext& ctx, const Access& a, bool is_write) {
  Cascade& c = ctx.cascade;
  Tensor& t = c.tensors[a.tensor];
  if (a.index.size() != t.ranks.size()) {
    std::vector<std::string> rn;
    for (int r : t.ranks) rn.push_back(r >= 0 ? c.ranks[r].name : "?");
    ctx.diags.error(a.loc, "rank mismatch: '" + t.name + "' has " + std::to_string(t.ranks.size()) +
                               " ranks [" + join(rn, ",") + "] but is indexed with " +
                               std::to_string(a.index.size()));
    return false;
  }
  bool ok = true;
  for (size_t d = 0; d < a.index.size(); ++d) {
    const IndexExpr& idx = a.index[d];
    int dim_rank = t.ranks[d];
    if (dim_rank < 0) return false;
    // A plain variable of a smaller rank reads a prefix of the dimension (a
    // padded buffer's real part); a larger one is a mistake (often swapped ranks).
    if (!is_write && idx.is_plain_var()) {
      int v = idx.terms[0].rank;
      if (v != dim_rank && c.ranks[v].size > c.ranks[dim_rank].size) {
        ctx.diags.error(idx.loc, "rank mismatch: index " + std::to_string(d + 1) + " of '" + t.name +
                                     "' is rank " + c.ranks[dim_rank].name + " (size " +
                                     std::to_string(c.ranks[dim_rank].size) + ") but is indexed by '" +
                                     c.ranks[v].var + "' of rank " + c.ranks[v].name + " (size " +
                                     std::to_string(c.ranks[v].size) + ")");
        ok = false;
        continue;
      }
    }
    Range r = index_range(c, idx);
    if (r.lo < 0 || r.hi >= t.extents[d]) {
      ctx.diags.error(idx.loc, "index " + std::to_string(d + 1) + " of '" + t.name + "' ranges over " +
                                   range_text(r) + " but rank " + c.ranks[dim_rank].name + " has " +
                                   std::to_string(t.extents[d]) + " entries (0.." +
                                   std::to_string(t.extents[d] - 1) + ")");
      ok = false;
    }
  }
  return ok;
}

void compute_extents(BuildContext& ctx) {
  Cascade& c = ctx.cascade;
  for (auto& t : c.tensors) {
    t.extents.assign(t.ranks.size(), 0);
    for (size_t d = 0; d < t.ranks.size(); ++d)
      if (t.ranks[d] >= 0) t.extents[d] = c.ranks[t.ranks[d]].size;
    for (int w : t.writers) {
      const Access& out = c.einsums[w].output;
      if (out.index.size() != t.ranks.size()) continue;
      for (size_t d = 0; d < out.index.size(); ++d) {
        if (t.ranks[d] < 0) continue;
        Range r = index_range(c, out.index[d]);
        // Only a recurrence's v+1 may write past the rank's size, and by exactly one.
        if (r.hi == t.extents[d] && r.hi == c.ranks[t.ranks[d]].size &&
            !out.index[d].is_constant()) {
          t.extents[d] = r.hi + 1;
          c.ranks[t.ranks[d]].iterative = true;
        }
      }
    }
    int64_t n = 1;
    for (int64_t e : t.extents) {
      auto p = checked_mul(n, e);
      if (!p) {
        ctx.diags.error(t.loc, "tensor '" + t.name + "' has more elements than 64 bits can count");
        n = 0;
        break;
      }
      n = *p;
    }
  }
}

// Writers of one tensor must not overlap, and together must cover every read entry.
void check_writers(BuildContext& ctx) {
  Cascade& c = ctx.cascade;
  for (auto& t : c.tensors) {
    if (t.kind == TensorKind::kInput || t.writers.empty()) continue;
    size_t dims = t.ranks.size();
    std::vector<std::vector<Range>> boxes;
    for (int w : t.writers) {
      std::vector<Range> box;
      for (const auto& idx : c.einsums[w].output.index) box.push_back(index_range(c, idx));
      if (box.size() != dims) return;
      boxes.push_back(box);
    }
    for (size_t a = 0; a < boxes.size(); ++a)
      for (size_t b = a + 1; b < boxes.size(); ++b) {
        bool overlap = true;
        for (size_t d = 0; d < dims; ++d)
          overlap = overlap && boxes[a][d].lo <= boxes[b][d].hi && boxes[b][d].lo <= boxes[a][d].hi;
        if (overlap)
          ctx.diags.error(c.einsums[t.writers[b]].output.loc,
                          "'" + t.name + "' is written here and by the Einsum at " +
                              c.einsums[t.writers[a]].loc.str() + " over overlapping entries");
      }
    for (size_t d = 0; d < dims; ++d) {
      std::vector<Range> spans;
      for (const auto& box : boxes) spans.push_back(box[d]);
      std::sort(spans.begin(), spans.end(), [](const Range& x, const Range& y) { return x.lo < y.lo; });
      int64_t next = 0;
      for (const auto& s : spans) {
        if (s.lo > next) break;
        next = std::max(next, s.hi + 1);
      }
      if (next < t.extents[d]) {
        std::string hint = c.ranks[t.ranks[d]].iterative && next == 0
                               ? " (a recurrence needs an initial value, e.g. " + t.name + "[0,...] = 0)"
                               : "";
        ctx.diags.error(t.loc, "'" + t.name + "' is never written at index " + std::to_string(next) +
                                   " of rank " + c.ranks[t.ranks[d]].name + hint);
      }
    }
  }
}

}  // namespace

void check_shapes(BuildContext& ctx) {
  Cascade& c = ctx.cascade;
  size_t n_declared = ctx.spec.tensors.size();
  for (size_t i = 0; i < c.einsums.size(); ++i) {
    if (!ctx.einsum_ok[i]) continue;
    const Einsum& e = c.einsums[i];
    c.tensors[e.output.tensor].writers.push_back(static_cast<int>(i));
    for (const auto& a : e.inputs) {
      auto& readers = c.tensors[a.tensor].readers;
      if (std::find(readers.begin(), readers.end(), static_cast<int>(i)) == readers.end())
        readers.push_back(static_cast<int>(i));
    }
  }
  infer_ranks(ctx, n_declared);
  if (!ctx.diags.empty()) return;
  compute_extents(ctx);
  for (size_t i = 0; i < c.einsums.size(); ++i) {
    if (!ctx.einsum_ok[i]) continue;
    Einsum& e = c.einsums[i];
    bool ok = check_access(ctx, e.output, true);
    for (const auto& a : e.inputs) ok = check_access(ctx, a, false) && ok;
    int64_t points = 1;
    for (int r : e.iteration_ranks) {
      auto p = checked_mul(points, c.ranks[r].size);
      if (!p) {
        ctx.diags.error(e.loc, "the Einsum's iteration space has more points than 64 bits can count");
        ok = false;
        break;
      }
      points = *p;
    }
    ctx.einsum_ok[i] = ok;
  }
  if (!ctx.diags.empty()) return;
  check_writers(ctx);

  // Outputs: as declared, else every written tensor that nothing reads.
  std::vector<std::string> written;
  for (const auto& t : c.tensors)
    if (!t.writers.empty()) written.push_back(t.name);
  for (const auto& o : ctx.spec.outputs) {
    int t = c.find_tensor(o.text);
    if (t < 0 || c.tensors[t].writers.empty()) {
      ctx.diags.error(o.loc, "output '" + o.text + "' is not written by any Einsum" +
                                 did_you_mean(o.text, written));
      continue;
    }
    c.tensors[t].kind = TensorKind::kOutput;
  }
  if (ctx.spec.outputs.empty())
    for (auto& t : c.tensors)
      if (!t.writers.empty() && t.readers.empty()) t.kind = TensorKind::kOutput;
  for (const auto& t : c.tensors)
    if (t.kind == TensorKind::kInput && t.readers.empty())
      ctx.diags.error(t.loc, "input '" + t.name + "' is never read");
}

}  // namespace einflow::workloads::detail
