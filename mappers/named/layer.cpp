// A named design over a whole workload (named.h: design_plan): the attention on
// the design, then a layer's linear layers on the 2D array.
#include <algorithm>

#include "mappers/mapping/unit_ops.h"
#include "mappers/named/named.h"

namespace einflow::named {

namespace {

// Whether Einsum e reads a weight: an input without the batch rank.
bool reads_weight(const workloads::Cascade& c, int e) {
  const int B = c.find_rank("B");
  for (const auto& in : c.einsums[static_cast<size_t>(e)].inputs) {
    const auto& t = c.tensors[static_cast<size_t>(in.tensor)];
    if (t.kind == workloads::TensorKind::kInput &&
        std::find(t.ranks.begin(), t.ranks.end(), B) == t.ranks.end())
      return true;
  }
  return false;
}

// The linear layers of a layer cascade, in dependency order, each a part of its own.
void add_linear_layers(const arch::Architecture& a,
                       const std::shared_ptr<const workloads::Cascade>& layer,
                       mapping::Plan& plan) {
  const workloads::Cascade& c = *layer;
  const ArrayUnits units = find_array_units(a);
  for (int e : c.topo_order) {
    if (!mapping::is_contraction(c, e) || !reads_weight(c, e)) continue;
    TileRequest req;
    req.x_ranks = {"P", "M"};
    std::vector<int> reduced = c.einsums[static_cast<size_t>(e)].reduced_ranks;
    std::stable_sort(reduced.begin(), reduced.end(), [&](int x, int y) {
      return c.ranks[static_cast<size_t>(x)].size > c.ranks[static_cast<size_t>(y)].size;
    });
    for (int r : reduced) req.y_ranks.push_back(c.ranks[static_cast<size_t>(r)].name);
    mapping::Mapping m = canonical_tile(a, c, e, units.array2d, req);
    const mapping::MappingStatus st = mapping::validate_mapping(m, c, a);
    if (!st.ok)
      throw UserError(a.loc, "linear layer " + c.einsums[static_cast<size_t>(e)].name +
                                 " cannot run on " + a.name + ": " + st.reason);
    plan.parts.push_back({layer, std::nullopt, std::move(m)});
  }
}

}  // namespace

mapping::Plan design_plan(const Design& d, const arch::Architecture& a,
                          const workloads::Workload& w, const std::string& variant,
                          const SourceLoc& where) {
  if (d.model)
    throw UserError(where, "design " + d.name + " is costed by a model of its own (" + d.family +
                               ": thread blocks on SMs, not a mapping): `einflow evaluate --design " + d.name +
                               "` and analytical sweeps run it; the cycle model and plans do not");
  EINFLOW_ASSERT(d.plan != nullptr, "design " + d.name + " has no plan");
  return d.plan(d, a, w, variant, where);
}

mapping::Plan attention_plan(const Design& d, const arch::Architecture& a,
                             const workloads::Workload& w, const std::string& variant,
                             const SourceLoc& where) {
  const bool layer = w.instance && w.instance->scope == workloads::Scope::kLayer;
  const workloads::Workload attention =
      layer ? workloads::with_scope(w, workloads::Scope::kAttention) : w;
  const workloads::Variant& v =
      attention.select_variant(variant.empty() ? d.variant : variant, where, "variant",
                               "name one with the design's variant");
  mapping::Plan plan;
  auto cascade = std::make_shared<const workloads::Cascade>(v.cascade);
  plan.parts.push_back({cascade, attention_mapping(d, a, *cascade), std::nullopt});
  if (layer)
    add_linear_layers(a, std::make_shared<const workloads::Cascade>(w.variants.front().cascade),
                      plan);
  return plan;
}

}  // namespace einflow::named
