// COSMA beside its baselines, and the schedule written out.
#include <sstream>

#include "mappers/cosma/cosma.h"

namespace einflow::cosma {

namespace {

// A baseline's traffic by the checker; a schedule it rejects is no result.
Traffic checked(const OpGraph& g, ArenaResult& a, int64_t budget) {
  if (!a.ok) return {};
  const ScheduleCheck c = check_schedule(g, a.schedule, budget);
  if (!c.ok) {
    a.ok = false;
    a.reason = "the arena's schedule fails the checker: " + c.reason;
  }
  return c.traffic;
}

}  // namespace

Comparison compare_schedules(const OpGraph& g, const CosmaOptions& opts, PeakOrder peak) {
  Comparison c;
  c.budget = opts.budget;
  c.tightest = tightest_budget(g);
  c.peak_order = std::move(peak);
  c.given = arena_belady(g, g.given_order, opts.budget);
  c.least_peak = arena_belady(g, c.peak_order.order, opts.budget);
  c.given_traffic = checked(g, c.given, opts.budget);
  c.least_peak_traffic = checked(g, c.least_peak, opts.budget);
  CosmaOptions o = opts;
  if (o.fixed_order.empty() || o.fixed_order == g.given_order)
    if (c.given.ok) o.starts.push_back(c.given.schedule);
  if (o.fixed_order.empty()) {
    if (c.least_peak.ok) o.starts.push_back(c.least_peak.schedule);
    o.hint_orders.push_back(c.peak_order.order);
  }
  c.cosma = solve_cosma(g, o);
  return c;
}

std::vector<std::pair<std::string, double>> comparison_figures(const OpGraph& g, const Comparison& c) {
  auto d = [](int64_t x) { return static_cast<double>(x); };
  std::vector<std::pair<std::string, double>> f = {
      {"budget_bytes", d(c.budget)},
      {"tightest_budget_bytes", d(c.tightest)},
      {"min_peak_bytes", d(c.peak_order.peak)},
      {"min_peak_exact", c.peak_order.exact ? 1 : 0},
      {"compulsory_bytes", d(g.compulsory_bytes())},
      {"operators", d(static_cast<int64_t>(g.ops.size()))},
      {"tensors", d(static_cast<int64_t>(g.tensors.size()))},
  };
  if (c.given.ok) f.emplace_back("arena_given_noncompulsory_bytes", d(c.given_traffic.noncompulsory()));
  if (c.least_peak.ok) f.emplace_back("arena_min_peak_noncompulsory_bytes", d(c.least_peak_traffic.noncompulsory()));
  if (c.cosma.found) {
    f.emplace_back("cosma_noncompulsory_bytes", d(c.cosma.traffic.noncompulsory()));
    f.emplace_back("cosma_spilled_bytes", d(c.cosma.traffic.spilled));
    f.emplace_back("cosma_retrieved_bytes", d(c.cosma.traffic.retrieved));
  }
  f.emplace_back("cosma_lower_bound_bytes", c.cosma.lower_bound);
  f.emplace_back("cosma_optimal", c.cosma.optimal ? 1 : 0);
  f.emplace_back("cosma_time_limit", c.cosma.time_limit ? 1 : 0);
  f.emplace_back("cosma_solve_seconds", c.cosma.seconds);
  f.emplace_back("cosma_columns", d(c.cosma.columns));
  f.emplace_back("cosma_rows", d(c.cosma.rows));
  return f;
}

std::string write_memory_schedule(const OpGraph& g, const MemorySchedule& s, int64_t budget) {
  std::ostringstream o;
  o << "memory_schedule:\n  cascade: " << g.name << "\n  budget_bytes: " << budget << "\n  order:\n";
  for (int op : s.order) o << "    - " << g.ops[static_cast<size_t>(op)].name << "\n";
  o << "  tensors:\n";
  for (size_t v = 0; v < g.tensors.size(); ++v) {
    const OpTensor& t = g.tensors[v];
    o << "    - name: " << t.name << "\n      bytes: " << t.bytes << "\n      role: "
      << (t.role == TensorRole::kInput ? "input" : t.role == TensorRole::kOutput ? "output" : "intermediate") << "\n";
    if (s.spill_step[v] >= 0) o << "      written_at: " << s.spill_step[v] << "\n";
    o << "      stays:";
    bool any = false;
    for (const Stay& y : s.stays)
      if (y.tensor == static_cast<int>(v)) {
        o << "\n        - {first: " << y.first << ", last: " << y.last << ", address: " << y.address
          << ", by: " << (y.loaded ? "load" : "creation") << "}";
        any = true;
      }
    o << (any ? "\n" : " []\n");
  }
  return o.str();
}

}  // namespace einflow::cosma
