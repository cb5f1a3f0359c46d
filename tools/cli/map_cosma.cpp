// einflow map with `algorithm: cosma` in the mapper file: the cascade's
// memory schedule (COSMA's ILP) beside the arena baselines; writes
// DIR/memory_schedule.yaml (COSMA's), DIR/arena_given.yaml,
// DIR/arena_min_peak.yaml and DIR/stats.json.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "common/files.h"
#include "common/text.h"
#include "mappers/cosma/run.h"
#include "tools/cli/map_cosma.h"
#include "tools/cli/stats_json.h"

namespace einflow::cli {

namespace fs = std::filesystem;

namespace {

std::string mib(double bytes) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(3) << bytes / (1024.0 * 1024.0) << " MiB";
  return o.str();
}

}  // namespace

int map_cosma(const arch::Architecture& a, const workloads::Workload& w, const workloads::Variant& v,
              const search::MapperConfig& cfg, const std::string& out) {
  const cosma::Run run = cosma::run_cosma(a, v.cascade, cfg);
  const cosma::Comparison& c = run.comparison;
  const cosma::OpGraph& g = run.graph;
  const fs::path dir(out);
  fs::create_directories(dir);
  if (c.cosma.found) write_file_atomic(dir / "memory_schedule.yaml", cosma::write_memory_schedule(g, c.cosma.schedule, c.budget));
  if (c.given.ok) write_file_atomic(dir / "arena_given.yaml", cosma::write_memory_schedule(g, c.given.schedule, c.budget));
  if (c.least_peak.ok)
    write_file_atomic(dir / "arena_min_peak.yaml", cosma::write_memory_schedule(g, c.least_peak.schedule, c.budget));
  nlohmann::json j;
  j["workload"] = w.name;
  j["variant"] = v.name;
  j["architecture"] = a.name;
  j["algorithm"] = "cosma";
  j["budget"] = run.budget_name;
  j["order"] = cfg.order;
  j["status"] = c.cosma.optimal ? "optimal" : c.cosma.found ? "time limit: incumbent" : c.cosma.infeasible ? "infeasible" : "no schedule";
  for (const auto& [k, x] : cosma::comparison_figures(g, c)) j[k] = x;
  write_file_atomic(dir / "stats.json", j.dump(2) + "\n");
  std::cout << "cascade " << g.name << ": " << g.ops.size() << " operators, " << g.tensors.size() << " tensors; "
            << "compulsory traffic " << mib(static_cast<double>(g.compulsory_bytes())) << "\n"
            << "budgets: tightest " << mib(static_cast<double>(c.tightest)) << ", min-peak " << mib(static_cast<double>(c.peak_order.peak))
            << (c.peak_order.exact ? "" : " (greedy: an upper bound)") << "; scheduling into " << mib(static_cast<double>(c.budget))
            << " (" << run.budget_name << ")\n";
  std::cout << "non-compulsory traffic:\n";
  std::cout << "  arena + Belady, given order:    "
            << (c.given.ok ? mib(static_cast<double>(c.given_traffic.noncompulsory())) : "none: " + c.given.reason) << "\n";
  std::cout << "  arena + Belady, min-peak order: "
            << (c.least_peak.ok ? mib(static_cast<double>(c.least_peak_traffic.noncompulsory())) : "none: " + c.least_peak.reason)
            << "\n";
  if (c.cosma.found)
    std::cout << "  COSMA (" << (c.cosma.optimal ? "optimal" : "incumbent at the time limit, bound " + mib(c.cosma.lower_bound))
              << "):  " << mib(static_cast<double>(c.cosma.traffic.noncompulsory())) << " (" << c.cosma.columns << " columns, "
              << c.cosma.rows << " rows, " << std::setprecision(2) << std::fixed << c.cosma.seconds << " s)\n";
  else
    std::cout << "  COSMA: no schedule within " << cfg.max_seconds << " s\n";
  std::cout << "wrote " << dir.string() << "\n";
  return c.cosma.found ? 0 : 1;
}

}  // namespace einflow::cli
