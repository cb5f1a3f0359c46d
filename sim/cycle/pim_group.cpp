#include "sim/cycle/pim_group.h"

#include <utility>

#include "sim/analytical/pim_layer.h"
#include "workloads/analysis.h"
#include "workloads/golden/interpreter.h"

namespace einflow::sim::cycle {

namespace {

PimCommandTimer& command_timer() {
  static PimCommandTimer timer;
  return timer;
}

}  // namespace

void register_pim_command_timer(PimCommandTimer timer) { command_timer() = std::move(timer); }

analytical::GroupStats simulate_pim_group(const arch::Architecture& a, const workloads::Cascade& c,
                                          const mapping::FusionGroup& g, const SimOptions& o,
                                          golden::TensorSet<double>& root, std::vector<PimCheck>& checks) {
  const mapping::Mapping& tile = g.tiles.at(0);
  const workloads::Einsum& e = c.einsums[static_cast<size_t>(tile.einsum)];
  const arch::DramStandard& s = *a.node(a.dram()).dram_standard;
  const workloads::VectorMatrix v = workloads::vector_matrix(c, e);
  analytical::GroupStats gs;
  if (!v.ok) {
    gs.stats = analytical::cache_copy_stats(a, c, e, tile.loc);
    if (o.functional) golden::run_einsum(c, tile.einsum, root, golden::TensorSet<double>{});
    return gs;
  }
  const PimLayout layout = pim_layout_named(tile.pim_layout).value_or(PimLayout::kRounds);
  analytical::require_pim_layout_fits(s, e, v, layout, tile.loc);
  const analytical::PimVmmCost cost = o.pim_timer         ? o.pim_timer(v, layout)
                                      : command_timer() ? command_timer()(s, v, layout)
                                                        : analytical::pim_vmm_cost(s, v, layout);
  gs.stats = analytical::pim_vmm_stats(a, e, cost, tile.loc);
  if (o.functional) checks.push_back(run_pim_einsum(c, tile.einsum, v.matrix_input, root, s));
  return gs;
}

SimResult simulate_pim_mapping(const arch::Architecture& a, const workloads::Cascade& c, const mapping::Mapping& m,
                               const golden::TensorSet<double>& inputs, const SimOptions& o) {
  mapping::FusionGroup g;
  g.einsums = {m.einsum};
  g.tiles = {m};
  golden::TensorSet<double> root = o.functional ? inputs : golden::TensorSet<double>{};
  SimResult r;
  r.stats = simulate_pim_group(a, c, g, o, root, r.pim_checks).stats;
  r.steps = 1;
  if (o.functional) {
    const std::string& out = c.tensors[static_cast<size_t>(c.einsums[static_cast<size_t>(m.einsum)].output.tensor)].name;
    r.outputs[out] = root.at(out);
  }
  return r;
}

}  // namespace einflow::sim::cycle
