// einflow simulate --arch A --workload W (--mapping M | --design NAME) [--verify]
// [--no-data] [--trace FILE] [--json]: the cycle model of a mapped Einsum
// (`mapping:`) or of a whole cascade (`cascade_mapping:`, or a named attention
// design; on a layer workload, the design's whole plan), carrying real values. --verify compares
// the outputs with the golden interpreter (exit 1 on a mismatch, naming the tensor and the first
// differing coordinates); --trace writes a Chrome/Perfetto trace of the units and the DRAM.
#include <optional>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "arch/arch.h"
#include "common/text.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/mapping/mapping.h"
#include "mappers/named/named.h"
#include "sim/analytical/group_model.h"
#include "sim/analytical/nest_model.h"
#include "sim/analytical/plan.h"
#include "sim/cycle/cascade_sim.h"
#include "sim/cycle/dram/dram_link.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/plan_sim.h"
#include "sim/cycle/verify.h"
#include "tools/cli/commands.h"
#include "tools/cli/simulate_pim.h"
#include "tools/cli/options.h"
#include "sim/analytical/residency.h"
#include "tools/cli/stats_json.h"
#include "workloads/analysis.h"
#include "workloads/golden/cuda/run.h"
#include "tools/cli/trace.h"
#include "workloads/golden/interpreter.h"
#include "workloads/golden/reference.h"

namespace einflow::cli {

namespace {

struct SimulateOptions {
  std::string arch_file, mapping_file, design, trace_file;
  std::vector<std::string> design_sets;  // --design-set KEY=VALUE
  bool verify = false, no_data = false, json = false, no_fast_forward = false, dram_timing = false;
  uint64_t seed = 1;
  double tolerance = 1e-9;
  std::string golden = "cpu";  // what computes the golden values: cpu, cuda, cuda-host
};

// The golden values of the cascade: the interpreter, or the CUDA backend's
// kernels (on a GPU, or built for the host), located at --golden when it fails.
golden::TensorSet<double> golden_values(const SimulateOptions& o, const workloads::Cascade& c,
                                        const golden::TensorSet<double>& values) {
  if (o.golden == "cpu") return golden::interpret<double>(c, values);
  try {
    return o.golden == "cuda" ? golden::cuda::run_on_gpu(c, values) : golden::cuda::run_on_host(c, values);
  } catch (const UserError& e) {
    throw UserError(SourceLoc{"--golden", 0, 0}, e.diagnostics().front().message);
  }
}

std::string index_text(const std::vector<int64_t>& idx) {
  std::string s = "[";
  for (size_t i = 0; i < idx.size(); ++i) s += (i ? ", " : "") + std::to_string(idx[i]);
  return s + "]";
}

// What one run produced, single Einsum or cascade alike.
struct Run {
  std::string what;  // "Einsum QK" or "cascade X, 3 group(s)"
  sim::Stats stats, analytical;
  std::map<std::string, int64_t> stalls, bank_conflicts;
  int64_t dram_timing_cycles = 0;
  int64_t steps = 0;  // single Einsum: steps; cascade: tile executions
  bool fast_forwarded = false;
  std::vector<sim::cycle::Activity> activity;
  golden::TensorSet<double> outputs;
  std::vector<std::string> compared;  // the tensors --verify compares
  std::vector<sim::cycle::PimEinsum> on_pim;   // vector-matrix products on the DRAM's PIM unit
  std::vector<sim::cycle::PimCheck> pim_checks;  // their values against their error bounds
};

// What single-Einsum and cascade results have in common.
template <class Result>
void take_common(Run& run, Result& r) {
  run.stats = r.stats;
  run.stalls = r.stalls;
  run.bank_conflicts = r.bank_conflicts;
  run.dram_timing_cycles = r.dram_timing_cycles;
  run.fast_forwarded = r.fast_forwarded;
  run.activity = std::move(r.activity);
}

// A named design's plan (named::design_plan: on a layer, the attention, then
// the linear layers), part by part; --verify checks each part's outputs
// against the golden interpreter of its cascade.
int simulate_design_plan(const arch::Architecture& a, const workloads::Workload& w,
                          const named::Design& d, const std::string& variant,
                          const SimulateOptions& o) {
  if (o.dram_timing || !o.trace_file.empty())
    throw UserError(
        SourceLoc{"--design", 0, 0},
        "--dram-timing and --trace follow one cascade or Einsum; a layer design runs several: "
        "simulate its attention with --set instance.scope=attention");
  if (o.golden != "cpu")
    throw UserError(SourceLoc{"--golden", 0, 0},
                    "--golden " + o.golden + " verifies one mapping or cascade; a design's plan verifies its parts on "
                    "the interpreter: give --mapping, or drop --golden");
  const mapping::Plan plan = named::design_plan(d, a, w, variant, SourceLoc{"--design", 0, 0});
  sim::cycle::SimOptions so;
  so.functional = !o.no_data;
  so.fast_forward = !o.no_fast_forward;
  sim::cycle::PlanSimResult r = sim::cycle::simulate_plan(a, plan, so, o.seed);
  sim::analytical::set_residency(r.stats, sim::analytical::dram_residency(a, w, *plan.parts.front().cascade));
  const sim::analytical::CascadeStats an = sim::analytical::evaluate_plan(a, plan);
  sim::cycle::Mismatch mm;
  std::vector<std::string> compared;
  for (size_t i = 0; o.verify && mm.ok && i < r.runs.size(); ++i) {
    const sim::cycle::PlanPartRun& run = r.runs[i];
    for (const auto& [name, t] : run.want) compared.push_back(name);
    const sim::cycle::Mismatch m =
        sim::cycle::verify_outputs(*plan.parts[i].cascade, run.got, run.want, o.tolerance).mismatch;
    mm.max_abs_error = std::max(mm.max_abs_error, m.max_abs_error);
    if (!m.ok) mm = m;
  }
  if (o.json) {
    nlohmann::json j = stats_json(r.stats, a.name, w.name, "design", d.name);
    j["model"] = "cycle";
    j["stalls"] = r.stalls;
    j["fast_forwarded"] = r.fast_forwarded;
    j["analytical_cycles"] = an.stats.cycles;
    nlohmann::json parts = nlohmann::json::array();
    for (size_t i = 0; i < r.runs.size(); ++i)
      parts.push_back({{"part", r.runs[i].what},
                       {"cycles", r.parts[i].stats.cycles},
                       {"analytical_cycles", an.groups[i].stats.cycles}});
    j["parts"] = parts;
    if (o.verify)
      j["verify"] = {{"passed", mm.ok},
                     {"tensors", compared},
                     {"against", "the golden interpreter"},
                     {"tolerance", o.tolerance},
                     {"max_abs_error", mm.max_abs_error}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "design " << d.name << " of " << w.name << " on " << a.name << ": cycle model, "
              << r.runs.size() << " part(s) one after another" << (o.no_data ? ", timing only" : "")
              << "\n";
    for (size_t i = 0; i < r.runs.size(); ++i)
      std::cout << "  " << r.runs[i].what << ": " << r.parts[i].stats.cycles
                << " cycles (analytical " << an.groups[i].stats.cycles << ")\n";
    print_stats(std::cout, r.stats);
    std::cout << printf_string("  analytical model: %lld cycles\n", static_cast<long long>(an.stats.cycles));
    for (const auto& [cause, cycles] : r.stalls)
      std::cout << "  stall " << cause << ": " << cycles << " cycles\n";
  }
  if (!o.verify) return 0;
  if (!mm.ok) {
    std::cerr << "verify: " << mm.tensor << index_text(mm.index) << " = " << mm.got
              << ", the golden interpreter gives " << mm.want << " (tolerance " << o.tolerance
              << " relative)\n";
    return 1;
  }
  if (!o.json)
    std::cout << "verify: " << join(compared, ", ")
              << " match the golden interpreter (max abs error " << mm.max_abs_error
              << ", tolerance " << o.tolerance << " relative)\n";
  return 0;
}

// --dram-timing: the command-level DRAM of the architecture's DRAM node times
// the DRAM's link (null without the option).
std::unique_ptr<sim::dram::DramLink> dram_link_for(const arch::Architecture& a, bool dram_timing) {
  if (!dram_timing) return nullptr;
  if (a.dram() < 0)
    throw UserError(a.loc, "--dram-timing needs a DRAM node (class dram); '" + a.name + "' has none");
  const arch::Node& dram = a.node(a.dram());
  if (!dram.dram_standard)
    throw UserError(dram.loc, "--dram-timing needs the DRAM node '" + dram.name +
                                  "' to name a standard (standard: DDR4-2400, HBM2, ...)");
  return std::make_unique<sim::dram::DramLink>(dram, a.clock_mhz);
}

// A cascade mapping (a file's, or a named attention design's) on the cycle
// model; false, with the reason on stderr, when the mapping is invalid.
bool run_cascade(const arch::Architecture& a, const workloads::Cascade& c, const named::Design* design,
                 const std::string& mapping_file, const golden::TensorSet<double>& values,
                 const sim::cycle::SimOptions& so, Run& run) {
  const mapping::CascadeMapping m =
      design ? named::attention_mapping(*design, a, c) : mapping::load_cascade_mapping(mapping_file, c, a);
  const mapping::MappingStatus st = mapping::validate_cascade_mapping(m, c, a);
  if (!st.ok) {
    std::cerr << st.loc.str() << ": invalid mapping: " << st.reason << "\n";
    return false;
  }
  sim::cycle::CascadeSimResult r = sim::cycle::simulate_cascade(a, c, m, values, so);
  run.what = "cascade " + c.name + (design ? " (design " + design->name + ")" : "") + ", " +
             std::to_string(m.groups.size()) + " group(s)";
  take_common(run, r);
  run.analytical = sim::analytical::evaluate_cascade(a, c, m).stats;
  run.steps = r.executions;
  run.outputs = std::move(r.tensors);
  run.on_pim = pim_einsums(a, c, m);
  run.pim_checks = std::move(r.pim_checks);
  for (const auto& t : c.tensors)
    if (t.kind == workloads::TensorKind::kOutput) run.compared.push_back(t.name);
  return true;
}

// One mapped Einsum on the cycle model, its inputs the cascade's seeded
// inputs or intermediates as the golden run makes them; false, with the reason
// on stderr, when the mapping is invalid.
bool run_einsum(const arch::Architecture& a, const workloads::Cascade& c, const std::string& mapping_file,
                const golden::TensorSet<double>& golden_all, bool verify, const sim::cycle::SimOptions& so,
                Run& run) {
  const mapping::Mapping m = mapping::load_mapping(mapping_file, c, a);
  const mapping::MappingStatus st = mapping::validate_mapping(m, c, a);
  if (!st.ok) {
    std::cerr << st.loc.str() << ": invalid mapping: " << st.reason << "\n";
    return false;
  }
  sim::cycle::SimResult r = sim::cycle::simulate_mapping(a, c, m, golden_all, so);
  run.what = "Einsum " + m.einsum_name + ", unit " + a.nodes[static_cast<size_t>(m.compute)].name;
  take_common(run, r);
  run.analytical = sim::analytical::evaluate_mapping(a, c, m);
  run.steps = r.steps;
  run.outputs = std::move(r.outputs);
  run.pim_checks = std::move(r.pim_checks);
  const workloads::Einsum& e = c.einsums[static_cast<size_t>(m.einsum)];
  const workloads::VectorMatrix v = workloads::vector_matrix(c, e);
  if (a.is_pim(m.compute) && v.ok) run.on_pim.push_back({m.einsum, v.matrix_input});
  const workloads::Tensor& out_t = c.tensors[static_cast<size_t>(e.output.tensor)];
  if (verify && out_t.writers.size() > 1)
    throw UserError(e.loc, "--verify compares a tensor with one writer; " + out_t.name + " has " +
                               std::to_string(out_t.writers.size()) + " (simulate the cascade mapping)");
  run.compared.push_back(out_t.name);
  return true;
}

// What simulate prints about one run, and its context.
struct Printed {
  const arch::Architecture& a;
  const workloads::Workload& w;
  const workloads::Variant& v;
  const Run& run;
  bool cascade;
  const sim::dram::DramLink* dram_link;
  const sim::cycle::Verification& ver;
  std::vector<std::string> exact_compared;  // the compared tensors that are integer data
};

void print_json(const Printed& p, const SimulateOptions& o) {
  const Run& run = p.run;
  nlohmann::json j = stats_json(run.stats, p.a.name, p.w.name, "variant", p.v.name);
  j["model"] = "cycle";
  j[p.cascade ? "executions" : "steps"] = run.steps;
  j["stalls"] = run.stalls;
  j["bank_conflict_cycles"] = run.bank_conflicts;
  if (p.dram_link) {
    const sim::dram::DramLinkStats ds = p.dram_link->stats();
    j["dram_timing"] = {{"standard", p.a.node(p.a.dram()).dram_standard->name},
                        {"transfers", ds.transfers},
                        {"read_lines", ds.read_lines},
                        {"write_lines", ds.write_lines},
                        {"row_hit_rate", ds.channels.row_hit_rate()},
                        {"activates", ds.channels.count(sim::dram::Command::kAct)},
                        {"refreshes", ds.channels.count(sim::dram::Command::kRef)},
                        {"busy_cycles", ds.cycles},
                        {"peak_bandwidth_cycles", ds.peak_cycles},
                        {"cycles_over_peak", run.dram_timing_cycles},
                        {"energy_pj", ds.energy_pj}};
  }
  j["fast_forwarded"] = run.fast_forwarded;
  j["analytical_cycles"] = run.analytical.cycles;
  const sim::cycle::Mismatch& mm = p.ver.mismatch;
  if (o.verify)
    j["verify"] = {{"passed", mm.ok},
                   {"tensors", run.compared},
                   {"against", p.ver.against},
                   {"tolerance", o.tolerance},
                   {"exact", p.exact_compared},
                   {"max_abs_error", mm.max_abs_error},
                   {"first_mismatch",
                    mm.ok ? nlohmann::json() : nlohmann::json{{"tensor", mm.tensor}, {"index", mm.index}}}};
  if (o.verify && !run.pim_checks.empty()) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& ch : run.pim_checks)
      checks.push_back({{"einsum", ch.einsum}, {"elements", ch.elements}, {"max_abs_error", ch.max_abs_error},
                        {"bound_factor", ch.gamma}, {"worst_error_over_bound", ch.worst_ratio}, {"ok", ch.ok()}});
    j["verify"]["pim_einsums"] = checks;
    j["verify"]["passed"] = mm.ok && std::all_of(run.pim_checks.begin(), run.pim_checks.end(),
                                                 [](const sim::cycle::PimCheck& ch) { return ch.ok(); });
  }
  std::cout << j.dump(2) << "\n";
}

void print_text(const Printed& p, const SimulateOptions& o) {
  const Run& run = p.run;
  const double gap = run.analytical.cycles > 0
                         ? static_cast<double>(run.stats.cycles - run.analytical.cycles) / run.analytical.cycles
                         : 0.0;
  std::cout << run.what << " of " << p.w.name << " (" << p.v.name << ") on " << p.a.name << ": cycle model, "
            << run.steps << (p.cascade ? " tile executions" : " steps") << (o.no_data ? ", timing only" : "")
            << (run.fast_forwarded ? (p.cascade ? ", tile timing fast-forwarded" : ", steady state fast-forwarded")
                                   : "")
            << "\n";
  print_stats(std::cout, run.stats);
  std::cout << printf_string("  analytical model: %lld cycles (cycle model %+.1f%%)\n",
              static_cast<long long>(run.analytical.cycles), 100 * gap);
  for (const auto& [cause, cycles] : run.stalls) std::cout << "  stall " << cause << ": " << cycles << " cycles\n";
  for (const auto& [node, cycles] : run.bank_conflicts)
    std::cout << "  bank conflicts in " << node << ": " << cycles << " link cycles\n";
  if (!p.dram_link) return;
  const sim::dram::DramLinkStats ds = p.dram_link->stats();
  std::cout << printf_string(
      "  DRAM timing (%s): %llu transfers, %llu + %llu lines read + written, row hits %.1f%%, "
      "%llu ACT, %llu REF, %.0f pJ; %lld cycles over the peak bandwidth's %.0f\n",
      p.a.node(p.a.dram()).dram_standard->name.c_str(), static_cast<unsigned long long>(ds.transfers),
      static_cast<unsigned long long>(ds.read_lines), static_cast<unsigned long long>(ds.write_lines),
      100.0 * ds.channels.row_hit_rate(), static_cast<unsigned long long>(ds.channels.count(sim::dram::Command::kAct)),
      static_cast<unsigned long long>(ds.channels.count(sim::dram::Command::kRef)), ds.energy_pj,
      static_cast<long long>(run.dram_timing_cycles), ds.peak_cycles);
}

// --verify's last word: exit 1 with the first mismatch, or the match line.
int print_verify(const Printed& p, const SimulateOptions& o) {
  if (!o.verify) return 0;
  if (!print_pim_checks(p.run.pim_checks, o.json)) {
    std::cerr << "verify: a PIM Einsum's values exceed the device's error bound\n";
    return 1;
  }
  const sim::cycle::Mismatch& mm = p.ver.mismatch;
  std::ostringstream tol;
  tol << "tolerance " << o.tolerance << " relative";
  if (!mm.ok) {
    std::cerr << "verify: " << mm.tensor << index_text(mm.index) << " = " << mm.got << ", " << p.ver.against
              << " gives " << mm.want << " (" << (p.ver.exact.count(mm.tensor) ? "exact, integer data" : tol.str())
              << ")\n";
    return 1;
  }
  // Integer tensors compare exactly, the others within the tolerance.
  const std::string tolerance_text = p.exact_compared.empty() ? tol.str()
                                     : p.exact_compared.size() == p.run.compared.size()
                                         ? std::string("exact, integer data")
                                         : tol.str() + ", integer tensors exact";
  if (!o.json)
    std::cout << "verify: " << join(p.run.compared, ", ") << (p.run.compared.size() == 1 ? " matches " : " match ")
              << p.ver.against << " (max abs error " << mm.max_abs_error << ", " << tolerance_text << ")\n";
  return 0;
}

int run_simulate(const WorkloadOptions& wopt, const SimulateOptions& o) {
  if (o.mapping_file.empty() == o.design.empty())
    throw UserError(SourceLoc{"--mapping", 0, 0}, "give either --mapping FILE or --design NAME");
  if (o.verify && o.no_data)
    throw UserError(SourceLoc{"--verify", 0, 0}, "--verify needs the values that --no-data leaves out");
  arch::Architecture a = arch::load_arch(o.arch_file);
  workloads::Workload w = load(wopt);
  std::optional<named::Design> with_sets;
  const named::Design* design = nullptr;
  std::string variant = wopt.variant;
  if (!o.design.empty()) {
    with_sets = named::design_with_sets(o.design, o.design_sets);
    design = &*with_sets;
    if (design->family == "pim") {
      if (o.dram_timing || !o.trace_file.empty() || o.golden != "cpu" || o.no_data)
        throw UserError(SourceLoc{"--design", 0, 0}, "design",
                        "the PIM designs run their PIM Einsums on the PIM command model with the golden interpreter's "
                        "values for the rest: --dram-timing, --trace, --golden and --no-data do not apply");
      return simulate_pim(a, w, *design, PimSimulateOptions{o.verify, o.json, o.seed, variant});
    }
    // An attention design on an attention cascade runs below as one cascade
    // (with --dram-timing, --trace and the independent answer); every other
    // design, or a whole layer, runs as the design's plan.
    if (design->family != "attention" || (w.instance && w.instance->scope == workloads::Scope::kLayer))
      return simulate_design_plan(a, w, *design, variant, o);
    if (variant.empty()) variant = design->variant;
  } else if (variant.empty()) {
    variant = mapping::mapping_variant(o.mapping_file);
  }
  const workloads::Variant& v =
      w.select_variant(variant, SourceLoc{design ? std::string("--design") : o.mapping_file, 0, 0},
                       "mapping.variant", "name one with --variant or in the mapping");
  const workloads::Cascade& c = v.cascade;
  golden::TensorSet<double> values, golden_all;
  if (!o.no_data) {
    values = golden::seeded_inputs<double>(c, o.seed);
    golden_all = golden_values(o, c, values);
    for (const auto& [name, t] : values) golden_all.emplace(name, t);  // an Einsum's inputs may be cascade inputs
  }
  sim::cycle::SimOptions so;
  so.functional = !o.no_data;
  so.record_activity = !o.trace_file.empty();
  so.fast_forward = !o.no_fast_forward;
  const std::unique_ptr<sim::dram::DramLink> dram_link = dram_link_for(a, o.dram_timing);
  so.root_link = dram_link.get();
  Run run;
  const bool cascade = design || mapping::is_cascade_mapping_file(o.mapping_file);
  const bool ok = cascade ? run_cascade(a, c, design, o.mapping_file, values, so, run)
                          : run_einsum(a, c, o.mapping_file, golden_all, o.verify, so, run);
  if (!ok) return 1;
  // --verify: sim::cycle::verify_outputs, with the workload's independent answer for a cascade.
  sim::cycle::Verification ver;
  if (o.verify) {
    golden::TensorSet<double> got, want;
    // With Einsums on PIM, the reference computes them with the device's
    // arithmetic (each is checked against its error bound below); its
    // rounding moves the outputs off the independent answer, so that is not compared.
    const bool pim = !run.on_pim.empty();
    const golden::TensorSet<double> with_pim =
        pim ? sim::cycle::run_with_pim(c, values, run.on_pim, *a.node(a.dram()).dram_standard).tensors
            : golden::TensorSet<double>{};
    for (const auto& name : run.compared) {
      want[name] = pim ? with_pim.at(name) : golden_all.at(name);
      if (run.outputs.count(name)) got[name] = run.outputs.at(name);
    }
    ver = sim::cycle::verify_outputs(
        c, got, want, o.tolerance,
        cascade && !pim ? sim::cycle::independent_answer(w, v, o.seed) : sim::cycle::IndependentAnswer{});
    if (pim) ver.against += " with the PIM units' arithmetic on " + std::to_string(run.on_pim.size()) + " Einsum(s)";
    if (o.golden != "cpu") {  // the oracle was the CUDA backend's kernels
      const std::string by = o.golden == "cuda" ? "the CUDA backend (GPU)" : "the CUDA backend's kernels (host build)";
      const size_t at = ver.against.find("the golden interpreter");
      if (at != std::string::npos) ver.against.replace(at, 22, by);
    }
  }
  if (!o.trace_file.empty()) write_trace(o.trace_file, run.activity, a.clock_mhz);
  sim::analytical::set_residency(run.stats, sim::analytical::dram_residency(a, w, c));
  Printed p{a, w, v, run, cascade, dram_link.get(), ver, {}};
  for (const auto& name : run.compared)
    if (ver.exact.count(name)) p.exact_compared.push_back(name);
  o.json ? print_json(p, o) : print_text(p, o);
  return print_verify(p, o);
}

}  // namespace

Runner add_simulate(CLI::App& app) {
  auto* sub = app.add_subcommand("simulate",
                                 "Cycle model of a mapped Einsum or cascade carrying real values "
                                 "(--verify: compare with golden)");
  auto wopt = std::make_shared<WorkloadOptions>();
  auto o = std::make_shared<SimulateOptions>();
  sub->add_option("--arch", o->arch_file, "Architecture YAML file")->required();
  add_workload_options(*sub, *wopt, true);
  sub->add_option("--mapping", o->mapping_file,
                  "Mapping YAML file (`mapping:` or `cascade_mapping:`)");
  sub->add_option("--design", o->design,
                  "A named attention design instead of a mapping (fusemax, flat, ...)");
  sub->add_option("--design-set", o->design_sets,
                  "A design parameter, e.g. --design-set query_tile=1024 (FLAT: query_tile, offchip, stationary; repeatable)");
  sub->add_flag("--verify", o->verify,
                "Compare the outputs with the golden interpreter; exit 1 on a mismatch");
  sub->add_flag("--no-data", o->no_data, "Timing and counts only, no values");
  sub->add_option("--trace", o->trace_file,
                  "Write a Chrome/Perfetto trace (JSON trace events) of units and DRAM");
  sub->add_flag(
      "--no-fast-forward", o->no_fast_forward,
      "With --no-data: simulate every iteration instead of extrapolating a repeating loop");
  sub->add_flag("--dram-timing", o->dram_timing,
                "Time the DRAM's transfers on the command-level model of its standard");
  sub->add_option("--seed", o->seed, "Seed of the input values");
  sub->add_option("--tolerance", o->tolerance, "Largest relative error that passes (default 1e-9)");
  sub->add_option("--golden", o->golden,
                  "What computes --verify's golden values: cpu (the interpreter), cuda (the CUDA backend on a GPU), "
                  "cuda-host (its kernels built for the host)")
      ->check(CLI::IsMember({"cpu", "cuda", "cuda-host"}));
  sub->add_flag("--json", o->json, "Print one JSON object");
  return [wopt, o]() { return run_simulate(*wopt, *o); };
}

}  // namespace einflow::cli
