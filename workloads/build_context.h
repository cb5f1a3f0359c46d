// Internal to build_cascade(): the state shared by its passes.
#pragma once

#include "common/error.h"
#include "workloads/cascade.h"
#include "workloads/cascade_spec.h"

namespace einflow::workloads::detail {

struct BuildContext {
  const CascadeSpec& spec;
  Cascade cascade;
  Diagnostics diags;
  std::vector<bool> einsum_ok;  // false when an Einsum failed to resolve

  explicit BuildContext(const CascadeSpec& s) : spec(s) {}
};

// Pass 1: ranks, partitions and declared tensors.
void resolve_ranks(BuildContext& ctx);
void resolve_declared_tensors(BuildContext& ctx);
// Pass 2: each Einsum's names, index expressions, reduction, expression and mask.
void resolve_einsums(BuildContext& ctx);
// Pass 3: shapes of written tensors, extents, index ranges, writers' coverage, outputs.
void check_shapes(BuildContext& ctx);
// Pass 4: dependency graph, cycles outside iterative ranks, execution order.
void order_einsums(BuildContext& ctx);

// Smallest and largest value of an index expression over the iteration box.
struct Range {
  int64_t lo = 0;
  int64_t hi = 0;
};
Range index_range(const Cascade& c, const IndexExpr& e);

}  // namespace einflow::workloads::detail
