#include "workloads/build_context.h"

namespace einflow::workloads {

Cascade build_cascade(const CascadeSpec& spec) {
  detail::BuildContext ctx(spec);
  ctx.cascade.name = spec.name;
  ctx.cascade.loc = spec.loc;
  detail::resolve_ranks(ctx);
  ctx.diags.throw_if_any();
  detail::resolve_declared_tensors(ctx);
  detail::resolve_einsums(ctx);
  ctx.diags.throw_if_any();

  // Name each Einsum after its output tensor; "T#k" when T has several writers.
  Cascade& c = ctx.cascade;
  std::vector<int> writes(c.tensors.size(), 0), seen(c.tensors.size(), 0);
  for (const auto& e : c.einsums) ++writes[e.output.tensor];
  for (auto& e : c.einsums) {
    int t = e.output.tensor;
    e.name = c.tensors[t].name;
    if (writes[t] > 1) e.name += "#" + std::to_string(++seen[t]);
  }
  detail::check_shapes(ctx);
  ctx.diags.throw_if_any();
  detail::order_einsums(ctx);
  ctx.diags.throw_if_any();
  return std::move(ctx.cascade);
}

}  // namespace einflow::workloads
