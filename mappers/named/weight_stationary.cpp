// The weight-stationary GEMM design (TPU-like): each contraction alone on the
// 2D array, its weight spread over the array and held there while the other
// operand streams through. The weight is the input that the output's first
// rank (tokens, rows: M) does not index; its output ranks go across the
// array's columns (x) and its reduced ranks down the rows (y), the canonical
// tiler puts the streaming rank in the level above, and keeps what fits.
// A design family in one file: it registers itself (EINFLOW_REGISTER_DESIGNS).
#include <memory>

#include "mappers/mapping/unit_ops.h"
#include "mappers/named/named.h"

namespace einflow::named {

namespace {

// The tiler's request that makes Einsum e's weight stationary on the array.
TileRequest weight_stationary(const workloads::Cascade& c, const workloads::Einsum& e) {
  TileRequest req;
  const int stream = e.output_ranks.empty() ? -1 : e.output_ranks.front();
  for (const auto& in : e.inputs) {
    if (stream >= 0 && in.uses(stream)) continue;
    for (int r : e.output_ranks)
      if (in.uses(r)) req.x_ranks.push_back(c.ranks[static_cast<size_t>(r)].name);
    for (int r : e.reduced_ranks)
      if (in.uses(r)) req.y_ranks.push_back(c.ranks[static_cast<size_t>(r)].name);
    break;
  }
  return req;
}

mapping::Plan weight_stationary_plan(const Design& d, const arch::Architecture& a, const workloads::Workload& w,
                                     const std::string& variant, const SourceLoc& where) {
  const workloads::Variant& v = w.select_variant(variant, where, "variant", "name one with --variant");
  auto cascade = std::make_shared<const workloads::Cascade>(v.cascade);
  const workloads::Cascade& c = *cascade;
  const int unit = find_array_units(a).array2d;
  mapping::Plan plan;
  for (int e : c.topo_order) {
    const workloads::Einsum& es = c.einsums[static_cast<size_t>(e)];
    if (!mapping::is_contraction(c, e))
      throw UserError(where, "design " + d.name + " maps contractions; Einsum " + es.name + " of " + c.name +
                                 " is not one");
    mapping::Mapping m = canonical_tile(a, c, e, unit, weight_stationary(c, es));
    const mapping::MappingStatus st = mapping::validate_mapping(m, c, a);
    if (!st.ok)
      throw UserError(where, "design " + d.name + " cannot run Einsum " + es.name + " on " + a.name + ": " + st.reason);
    plan.parts.push_back({cascade, std::nullopt, std::move(m)});
  }
  return plan;
}

const std::vector<Design>& gemm_designs() {
  static const std::vector<Design> list = {
      {"weight-stationary", "",
       "each contraction on the 2D array, its weight held in the PEs while the other operand streams (TPU-like)",
       false, false, false, "gemm", weight_stationary_plan, {}},
  };
  return list;
}

}  // namespace

EINFLOW_REGISTER_DESIGNS(gemm, "gemm", gemm_designs())

}  // namespace einflow::named
