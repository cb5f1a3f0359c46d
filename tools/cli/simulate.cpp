// einflow simulate --arch A --workload W --mapping M [--verify] [--no-data]
// [--json]: the cycle model of a mapped Einsum, carrying real values; --verify
// compares the output with the golden interpreter (exit 1 on a mismatch, naming
// the tensor and the first differing coordinates).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "arch/arch.h"
#include "common/text.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/mapping/mapping.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/verify.h"
#include "tools/cli/commands.h"
#include "tools/cli/options.h"
#include "tools/cli/stats_json.h"
#include "workloads/golden/interpreter.h"

namespace einflow::cli {

namespace {

struct SimulateOptions {
  std::string arch_file, mapping_file;
  bool verify = false, no_data = false, json = false;
  uint64_t seed = 1;
  double tolerance = 1e-9;
};

std::string index_text(const std::vector<int64_t>& idx) {
  std::string s = "[";
  for (size_t i = 0; i < idx.size(); ++i) s += (i ? ", " : "") + std::to_string(idx[i]);
  return s + "]";
}

int run_simulate(const WorkloadOptions& wopt, const SimulateOptions& o) {
  if (mapping::is_cascade_mapping_file(o.mapping_file))
    throw UserError(SourceLoc{o.mapping_file, 1, 1}, "cascade_mapping",
                    "the cycle model runs single-Einsum mappings (`mapping:`) so far; evaluate "
                    "cascade mappings "
                    "with `einflow evaluate`");
  arch::Architecture a = arch::load_arch(o.arch_file);
  workloads::Workload w = load(wopt);
  std::string variant =
      wopt.variant.empty() ? mapping::mapping_variant(o.mapping_file) : wopt.variant;
  const workloads::Variant& v = pick_variant(w, variant, o.mapping_file);
  if (o.verify && o.no_data)
    throw UserError(SourceLoc{"--verify", 0, 0},
                    "--verify needs the values that --no-data leaves out");
  mapping::Mapping m = mapping::load_mapping(o.mapping_file, v.cascade, a);
  mapping::MappingStatus st = mapping::validate_mapping(m, v.cascade, a);
  if (!st.ok) {
    std::cerr << st.loc.str() << ": invalid mapping: " << st.reason << "\n";
    return 1;
  }
  const workloads::Einsum& e = v.cascade.einsums[static_cast<size_t>(m.einsum)];
  const workloads::Tensor& out_t = v.cascade.tensors[static_cast<size_t>(e.output.tensor)];
  if (o.verify && out_t.writers.size() > 1)
    throw UserError(e.loc, "--verify compares a tensor with one writer; " + out_t.name + " has " +
                               std::to_string(out_t.writers.size()));

  golden::TensorSet<double> values, golden_all;
  if (!o.no_data) {
    // The Einsum's inputs: the cascade's seeded inputs, or intermediates as the golden run makes
    // them.
    values = golden::seeded_inputs<double>(v.cascade, o.seed);
    golden_all = golden::interpret<double>(v.cascade, values);
    for (const auto& [name, t] : golden_all) values[name] = t;
  }
  sim::cycle::SimOptions so;
  so.functional = !o.no_data;
  sim::cycle::SimResult r = sim::cycle::simulate_mapping(a, v.cascade, m, values, so);

  sim::cycle::Mismatch mm;
  if (o.verify) {
    golden::TensorSet<double> want;
    want[out_t.name] = golden_all.at(out_t.name);
    mm = sim::cycle::compare_tensors(r.outputs, want, o.tolerance);
  }
  if (o.json) {
    nlohmann::json j = stats_json(r.stats);
    j["architecture"] = a.name;
    j["workload"] = w.name;
    j["variant"] = v.name;
    j["einsum"] = m.einsum_name;
    j["model"] = "cycle";
    j["steps"] = r.steps;
    j["stalls"] = r.stalls;
    if (o.verify)
      j["verify"] = {{"passed", mm.ok},
                     {"tensor", out_t.name},
                     {"tolerance", o.tolerance},
                     {"max_abs_error", mm.max_abs_error},
                     {"first_mismatch", mm.ok ? nlohmann::json() : nlohmann::json(mm.index)}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "Einsum " << m.einsum_name << " of " << w.name << " (" << v.name << ") on "
              << a.name << ", unit " << a.nodes[static_cast<size_t>(m.compute)].name
              << ": cycle model, " << r.steps << " steps" << (o.no_data ? ", timing only" : "")
              << "\n";
    print_stats(std::cout, r.stats);
    for (const auto& [cause, cycles] : r.stalls)
      std::cout << "  stall " << cause << ": " << cycles << " cycles\n";
  }
  if (o.verify) {
    if (!mm.ok) {
      std::cerr << "verify: " << mm.tensor << index_text(mm.index) << " = " << mm.got << ", golden "
                << mm.want << " (tolerance " << o.tolerance << " relative)\n";
      return 1;
    }
    if (!o.json)
      std::cout << "verify: " << out_t.name << " matches the golden interpreter (max abs error "
                << mm.max_abs_error << ", tolerance " << o.tolerance << " relative)\n";
  }
  return 0;
}

}  // namespace

Runner add_simulate(CLI::App& app) {
  auto* sub = app.add_subcommand("simulate",
                                 "Cycle model of a mapped Einsum carrying real values (--verify: "
                                 "compare with the golden interpreter)");
  auto wopt = std::make_shared<WorkloadOptions>();
  auto o = std::make_shared<SimulateOptions>();
  sub->add_option("--arch", o->arch_file, "Architecture YAML file")->required();
  add_workload_options(*sub, *wopt, true);
  sub->add_option("--mapping", o->mapping_file, "Mapping YAML file")->required();
  sub->add_flag("--verify", o->verify,
                "Compare the output with the golden interpreter; exit 1 on a mismatch");
  sub->add_flag("--no-data", o->no_data, "Timing and counts only, no values");
  sub->add_option("--seed", o->seed, "Seed of the input values");
  sub->add_option("--tolerance", o->tolerance, "Largest relative error that passes (default 1e-9)");
  sub->add_flag("--json", o->json, "Print one JSON object");
  return [wopt, o]() { return run_simulate(*wopt, *o); };
}

}  // namespace einflow::cli
