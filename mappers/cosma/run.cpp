// The COSMA mapper's budget and order from a mapper file.
#include "mappers/cosma/run.h"

#include "arch/arch.h"
#include "common/error.h"
#include "workloads/cascade.h"

namespace einflow::cosma {

int64_t scratchpad_bytes(const arch::Architecture& a) {
  const std::vector<int> units = a.host_units();
  if (!units.empty())
    for (int n : a.storage_path(units.front())) {
      const arch::Node& node = a.node(n);
      if (a.is_offchip(n) || node.size_words <= 0) continue;
      const double bytes = static_cast<double>(node.size_words) * static_cast<double>(node.instances) * node.word_bits / 8;
      if (bytes > 4e18) throw UserError(node.loc, "node " + node.name + " holds more bytes than a schedule can count");
      return static_cast<int64_t>(bytes);
    }
  throw UserError(a.loc, "architecture " + a.name + " has no bounded on-chip buffer to schedule into; give the mapper a budget");
}

Run run_cosma(const arch::Architecture& a, const workloads::Cascade& c, const search::MapperConfig& cfg) {
  Run r;
  r.graph = op_graph(c);
  r.budget_name = cfg.budget;
  CosmaOptions o;
  PeakOrder peak = min_peak_order(r.graph);  // once: the min-peak and mean budgets and the comparison
  if (cfg.budget == "arch") o.budget = scratchpad_bytes(a);
  else if (cfg.budget == "bytes") o.budget = cfg.budget_bytes;
  else o.budget = named_budget(r.graph, cfg.budget, peak);
  const int64_t need = tightest_budget(r.graph);
  if (o.budget < need)
    throw UserError(cfg.budget_loc.line ? cfg.budget_loc : cfg.loc, "budget",
                    "a budget of " + std::to_string(o.budget) + " bytes cannot hold the largest operator's inputs and outputs (" +
                        std::to_string(need) + " bytes): COSMA does not tile operators");
  o.max_seconds = cfg.max_seconds > 0 ? cfg.max_seconds : 60;
  if (cfg.order == "given") o.fixed_order = r.graph.given_order;
  r.comparison = compare_schedules(r.graph, o, std::move(peak));
  return r;
}

}  // namespace einflow::cosma
