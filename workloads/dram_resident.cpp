// What lies in the DRAM during a decode step, and which Einsums are
// vector-matrix products over it (analysis.h).
#include <utility>

#include "workloads/analysis.h"

namespace einflow::workloads {

namespace {

int copy_source(const Einsum& e) { return e.inputs[static_cast<size_t>(e.expr[0].access)].tensor; }

}  // namespace

bool dram_resident(const Cascade& c, int tensor) {
  const Tensor& t = c.tensors[static_cast<size_t>(tensor)];
  if (t.kind == TensorKind::kInput) return true;
  if (t.writers.empty()) return false;
  bool from_resident = false;
  for (int w : t.writers) {
    const Einsum& e = c.einsums[static_cast<size_t>(w)];
    if (!is_copy(e)) return false;
    const int src = copy_source(e);
    if (src != tensor && c.tensors[static_cast<size_t>(src)].kind == TensorKind::kInput) from_resident = true;
  }
  return from_resident;
}

bool in_place_copy(const Cascade& c, const Einsum& e) { return is_copy(e) && dram_resident(c, copy_source(e)); }

bool cache_append(const Cascade& c, const Einsum& e) {
  return is_copy(e) && !in_place_copy(c, e) && dram_resident(c, e.output.tensor);
}

VectorMatrix vector_matrix(const Cascade& c, const Einsum& e) {
  VectorMatrix v;
  if (e.inputs.size() != 2 || e.reduced_ranks.empty() || e.reduce != Reduce::kSum) return v;
  // Not a step of a recurrence (it would read what it wrote a step before).
  for (int r : e.iteration_ranks)
    if (c.ranks[static_cast<size_t>(r)].iterative) return v;
  for (const Access& in : e.inputs)
    if (in.tensor == e.output.tensor) return v;
  for (const ExprNode& n : e.expr) {
    if (n.kind == ExprNode::Kind::kUnary) return v;
    if (n.kind == ExprNode::Kind::kBinary && n.op != Op::kMul) return v;
  }
  int m = e.inputs[0].tensor, x = e.inputs[1].tensor;
  const auto elements = [&](int t) { return c.tensors[static_cast<size_t>(t)].elements(); };
  if (!dram_resident(c, m) || (dram_resident(c, x) && elements(x) > elements(m))) std::swap(m, x);
  if (!dram_resident(c, m) || m == x) return v;
  for (int r : e.reduced_ranks) {
    if (!e.indexes(m, r) || !e.indexes(x, r)) return VectorMatrix{};
    v.cols *= c.ranks[static_cast<size_t>(r)].size;
  }
  for (int r : e.output_ranks) {
    const int64_t n = c.ranks[static_cast<size_t>(r)].size;
    const bool in_m = e.indexes(m, r), in_x = e.indexes(x, r);
    if (in_m && in_x) v.matrices *= n;
    else if (in_m) v.rows *= n;
    else v.vectors *= n;  // the other operand's own ranks, or ranks only the output has (the product repeated)
  }
  v.ok = true;
  v.matrix_input = e.inputs[0].tensor == m ? 0 : 1;
  return v;
}

}  // namespace einflow::workloads
