// einflow map --arch A --workload W [--mapper P] --out DIR: searches the best
// mapping of every Einsum of a cascade (each on its own, unfused) and writes,
// per Einsum, DIR/<Einsum>/mapping.yaml, stats.json, top.csv and top/<k>.yaml,
// then DIR/summary.json. Each Einsum's files are written as soon as it is done.
// --rerank K simulates the analytical top K on the cycle model (timing only)
// and orders them by the cost it measures; mapping.yaml is then its best.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "arch/arch.h"
#include "common/text.h"
#include "mappers/cascade/block_search.h"
#include "mappers/cascade/cascade_search.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/named/named.h"
#include "mappers/search/driver.h"
#include "mappers/search/objective.h"
#include "mappers/search/search_output.h"
#include "sim/analytical/group_model.h"
#include "sim/analytical/nest_model.h"
#include "sim/cycle/rerank.h"
#include "tools/cli/commands.h"
#include "tools/cli/map_cosma.h"
#include "tools/cli/options.h"
#include "sim/analytical/residency.h"
#include "tools/cli/stats_json.h"

namespace einflow::cli {

namespace fs = std::filesystem;

namespace {


// algorithm: optimal: what the best is optimal over and the partial mappings
// made (in stats.json, per second of the search too); with objective: pareto,
// the front of latency and energy in front.csv and each point's mapping in
// front/NN.yaml.
void write_optimal(const cascade::CascadeSearchResult& r, const workloads::Cascade& c, const arch::Architecture& a,
                   const fs::path& dir, nlohmann::json& j) {
  const cascade::OptimalCounts& n = r.counts;
  const double secs = std::max(r.seconds, 1e-9);
  j["optimal_over"] = r.optimal_space;
  j["partial_mappings"] = {{"runs", n.runs},         {"runs_bounded", n.runs_bounded},
                           {"generated", n.generated}, {"rejected", n.rejected},
                           {"bounded", n.bounded},   {"costed", n.costed},       {"kept", n.kept},
                           {"joined", n.joined},     {"front", n.front},
                           {"generated_per_second", static_cast<double>(n.generated) / secs},
                           {"kept_per_second", static_cast<double>(n.kept) / secs},
                           {"joined_per_second", static_cast<double>(n.joined) / secs}};
  std::cout << "optimal over: " << r.optimal_space << "\n"
            << "partial mappings: " << n.generated << " generated (" << n.bounded << " bounded, " << n.costed
            << " costed), " << n.kept << " kept, " << n.joined << " joined ("
            << std::llround(static_cast<double>(n.generated) / secs) << ", "
            << std::llround(static_cast<double>(n.kept) / secs) << " and "
            << std::llround(static_cast<double>(n.joined) / secs) << " per second); " << n.runs << " runs searched, " << n.runs_bounded
            << " bounded whole, front of "
            << n.front << "\n";
  if (r.front.empty()) return;
  std::string csv = "point,cycles,energy_pj,groups\n";
  fs::create_directories(dir / "front");
  for (size_t k = 0; k < r.front.size(); ++k) {
    const cascade::FrontPoint& p = r.front[k];
    char name[32];
    std::snprintf(name, sizeof name, "%02zu.yaml", k);
    write_file_atomic(dir / "front" / name, mapping::write_cascade_mapping(p.mapping, c, a));
    std::ostringstream line;
    line << k << "," << p.cycles << "," << std::setprecision(17) << p.energy_pj << "," << p.mapping.groups.size() << "\n";
    csv += line.str();
  }
  write_file_atomic(dir / "front.csv", csv);
  std::cout << "front of latency and energy: " << r.front.size() << " points in " << (dir / "front.csv").string() << "\n";
}

// --fuse: the cascade search over fusion groups, shared loops, retention,
// binding and pipelining; writes DIR/cascade_mapping.yaml and DIR/stats.json.
int map_cascade(const arch::Architecture& a, const workloads::Workload& w, const workloads::Variant& v,
                const search::MapperConfig& cfg, bool with_designs, const std::string& design, const fs::path& dir) {
  cascade::CascadeSearchOptions cc;
  std::vector<std::string> seeded;
  std::vector<std::pair<std::string, std::string>> skipped;  // designs that do not apply, and why
  if (with_designs)
    for (const auto& d : named::attention_designs()) {
      if (d.variant != v.name) continue;
      named::DesignMapping dm = named::try_attention_mapping(d, a, v.cascade);
      if (dm.status.ok) {
        cc.seeds.push_back(std::move(dm.mapping));
        seeded.push_back(d.name);
      } else {
        skipped.emplace_back(d.name, dm.status.reason);
      }
    }
  mapping::CascadeMapping constraint;
  if (!design.empty()) {
    const named::Design* d = &named::design_named(design, SourceLoc{}, "--design");
    if (d->family != "attention")
      throw UserError(SourceLoc{}, "--design",
                      "--fuse --design keeps an attention design's choices; " + d->name + " is a " + d->family +
                          " design (evaluate it with --design)");
    if (d->variant != v.name)
      throw UserError(SourceLoc{}, "--design", "design " + d->name + " runs the " + d->variant + " cascade; pick it with --variant");
    constraint = named::attention_mapping(*d, a, v.cascade);
    cc.constrain_to = &constraint;
  }
  const auto t0 = std::chrono::steady_clock::now();
  // With the mapper's blocks, the chunk size is searched too (one cascade per size).
  cascade::BlockSearch bs = cascade::search_blocks(a, w, v.name, cfg, cc);
  cascade::CascadeSearchResult& r = bs.result;
  const workloads::Variant& chosen = *bs.workload.find_variant(v.name);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.best.variant = w.variants.size() > 1 ? v.name : "";
  fs::create_directories(dir);
  write_file_atomic(dir / "cascade_mapping.yaml", mapping::write_cascade_mapping(r.best, chosen.cascade, a));
  sim::analytical::set_residency(r.stats, sim::analytical::dram_residency(a, w, chosen.cascade));
  nlohmann::json j = stats_json(r.stats);
  j["workload"] = w.name;
  j["variant"] = v.name;
  j["architecture"] = a.name;
  j["evaluated"] = r.evaluated;
  j["valid"] = r.valid;
  j["search_seconds"] = secs;
  j["groups"] = r.best.groups.size();
  j["seeds"] = seeded;
  j["skipped_designs"] = nlohmann::json::object();
  for (const auto& [name, why] : skipped) j["skipped_designs"][name] = why;
  j["algorithm"] = cfg.algorithm;
  j["stopped_by"] = r.stopped_by;
  j["rejected"] = r.rejected;
  j["best_is_seed"] = r.from_seed;
  if (bs.block > 0) {
    j["block"] = bs.block;
    for (const auto& [b, what] : bs.tried) j["blocks_tried"][std::to_string(b)] = what;
  }
  if (!r.optimal_space.empty()) write_optimal(r, chosen.cascade, a, dir, j);
  write_file_atomic(dir / "stats.json", j.dump(2) + "\n");
  std::cout << "cascade " << chosen.cascade.name << ": " << r.evaluated << " evaluated, " << r.valid << " valid in "
            << std::fixed << std::setprecision(2) << secs << " s; best " << r.stats.cycles << " cycles, "
            << std::setprecision(4) << std::scientific << r.stats.energy_pj << " pJ, " << std::fixed
            << r.best.groups.size() << " group(s)"
            << (!r.from_seed                ? ""
                : r.optimal_space.empty() ? " (a seed design)"
                                          : " (the incumbent, outside the stated space: nothing in it does better)")
            << "\n";
  for (const auto& [name, why] : skipped) std::cout << "design " << name << " not a seed: " << why << "\n";
  if (bs.block > 0) {
    std::cout << "chunk size " << bs.block << " (instance.block) of";
    for (const auto& [b, what] : bs.tried) std::cout << " " << b << " [" << what << "]";
    std::cout << "\n";
  }
  print_capacity(std::cout, r.stats);
  std::cout << "wrote " << dir.string() << "\n";
  return 0;
}

// The per-Einsum search of each of `einsums`, one after another: each
// Einsum's directory (search::write_einsum_search), a line each on stdout, and
// summary.json over all of them. Exit 1 when some Einsum has no valid mapping.
int map_einsums(const arch::Architecture& a, const workloads::Workload& w, const workloads::Variant& v,
                const search::MapperConfig& cfg, const std::vector<int>& einsums, int rerank,
                const std::string& out_dir) {
  const workloads::Cascade& c = v.cascade;
  fs::create_directories(out_dir);
  const bool tty = stderr_is_terminal();
  nlohmann::json summary;
  summary["architecture"] = a.name;
  summary["workload"] = w.name;
  summary["variant"] = v.name;
  summary["algorithm"] = cfg.algorithm;
  summary["seed"] = cfg.seed;
  int64_t total_cycles = 0;
  double total_energy = 0;
  int status = 0;
  for (int ei : einsums) {
    const std::string& name = c.einsums[ei].name;
    search::ProgressFn progress;
    if (tty)
      progress = [&](const search::Progress& p) {
        std::fprintf(stderr, "\r%s: %lld evaluated, %lld valid, %.0f/s, best cost %.4g   ", name.c_str(),
                     static_cast<long long>(p.evaluated), static_cast<long long>(p.valid),
                     p.seconds > 0 ? static_cast<double>(p.evaluated) / p.seconds : 0.0, p.best_cost);
      };
    search::EinsumSearch s = search::search_einsum(a, c, ei, cfg, progress);
    if (tty) std::fprintf(stderr, "\n");
    const search::SearchResult& r = s.result;
    std::cout << "Einsum " << name << ": mapspace ~10^" << std::fixed << std::setprecision(1)
              << s.space->log10_size() << " points, " << r.evaluated << " evaluated, " << r.valid << " valid in "
              << std::fixed << std::setprecision(2) << r.seconds << " s (" << r.stopped_by << ")";
    if (r.top.empty()) {
      std::cout << "; no valid mapping\n";
      status = 1;
      continue;
    }
    // --rerank: the cycle model's order of the first K; the rest keep the analytical one.
    std::vector<search::CycleFigures> reranked;
    if (rerank > 0) {
      for (const auto& x :
           sim::cycle::rerank(a, c, search::top_mappings(s, rerank), [&](const sim::Stats& st) {
             return search::objective(st.cycles, st.energy_pj, cfg.latency_weight, cfg.energy_weight);
           }))
        reranked.push_back({x.index, x.stats, x.stalls});
      std::cout << "; re-ranked the top " << reranked.size() << " on the cycle model: analytical #"
                << reranked.front().index + 1 << " is best (" << reranked.front().stats.cycles << " cycles)";
    }
    const search::BestMapping best = search::write_einsum_search(
        fs::path(out_dir) / name, a, c, w.variants.size() > 1 ? v.name : "", s, reranked);
    const sim::Stats& st = best.stats;
    total_cycles += st.cycles;
    total_energy += st.energy_pj;
    const std::string& unit = a.nodes[static_cast<size_t>(best.mapping.compute)].name;
    summary["einsums"][name] = {
        {"cycles", st.cycles}, {"energy_pj", st.energy_pj}, {"unit", unit}, {"utilization", st.utilization}};
    std::cout << "; best " << st.cycles << " cycles, " << std::setprecision(4) << std::scientific << st.energy_pj
              << " pJ on " << unit << std::fixed << "\n";
  }
  summary["cycles"] = total_cycles;
  summary["energy_pj"] = total_energy;
  write_file_atomic(fs::path(out_dir) / "summary.json", summary.dump(2) + "\n");
  std::cout << "wrote " << out_dir << "\n";
  return status;
}

}  // namespace

Runner add_map(CLI::App& app) {
  auto* sub = app.add_subcommand("map", "Search the best mapping of each Einsum (mapspace, constraints, search)");
  auto opt = std::make_shared<WorkloadOptions>();
  auto arch_file = std::make_shared<std::string>();
  auto mapper_file = std::make_shared<std::string>();
  auto out_dir = std::make_shared<std::string>();
  auto einsum = std::make_shared<std::string>();
  sub->add_option("--arch", *arch_file, "Architecture YAML file")->required();
  add_workload_options(*sub, *opt, true);
  sub->add_option("--mapper", *mapper_file, "Mapper YAML (search, objective, constraints); default: annealing, EDP");
  sub->add_option("--einsum", *einsum, "Only this Einsum");
  sub->add_option("--out", *out_dir, "Output directory")->required();
  auto rerank = std::make_shared<int>(0);
  sub->add_option("--rerank", *rerank, "Re-rank each Einsum's analytical top K on the cycle model (timing only)");
  auto fuse = std::make_shared<bool>(false);
  auto designs = std::make_shared<bool>(false);
  auto design = std::make_shared<std::string>();
  sub->add_flag("--fuse", *fuse, "Search the whole cascade: fusion groups, shared loops, retention, binding, pipelining");
  sub->add_flag("--designs", *designs, "With --fuse on attention: start from the named designs too (FuseMax, FLAT, ...)");
  sub->add_option("--design", *design,
                  "With --fuse on attention: keep this named design's groups, binding, retention and pipelining; search the rest");
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json,
                "Print one JSON object, the summary the search writes (DIR/summary.json; with --fuse or cosma, "
                "DIR/stats.json), instead of the lines");
  auto summary = std::make_shared<std::string>("summary.json");  // the file --json prints
  auto run = [=]() {
    arch::Architecture a = arch::load_arch(*arch_file);
    workloads::Workload w = load(*opt);
    search::MapperConfig cfg =
        mapper_file->empty() ? search::load_mapper_config_text("mapper: {}\n", "<default mapper>")
                             : search::load_mapper_config(*mapper_file);
    const workloads::Variant& v =
        w.select_variant(opt->variant, SourceLoc{opt->file, 0, 0}, "--variant", "name one with --variant");
    const workloads::Cascade& c = v.cascade;
    if (*rerank < 0) throw UserError(SourceLoc{}, "--rerank", "expected K >= 1");
    if (cfg.algorithm == "cosma" || *fuse) *summary = "stats.json";
    if (cfg.algorithm == "cosma") {  // the whole cascade's memory schedule, with or without --fuse
      if (*rerank || *designs || !design->empty() || !einsum->empty())
        throw UserError(cfg.algorithm_loc, "algorithm", "cosma schedules the whole cascade: no --rerank, --design(s) or --einsum");
      return map_cosma(a, w, v, cfg, *out_dir);
    }
    if (*fuse && *rerank) throw UserError(SourceLoc{}, "--rerank", "--rerank goes with the per-Einsum search, not --fuse");
    if (*fuse) return map_cascade(a, w, v, cfg, *designs, *design, *out_dir);
    if (!design->empty() || *designs) throw UserError(SourceLoc{}, "--design", "--design and --designs go with --fuse");
    std::vector<int> einsums;
    for (size_t i = 0; i < c.einsums.size(); ++i)
      if (einsum->empty() || c.einsums[i].name == *einsum) einsums.push_back(static_cast<int>(i));
    if (einsums.empty()) {
      std::vector<std::string> names;
      for (const auto& e : c.einsums) names.push_back(e.name);
      throw UserError(SourceLoc{opt->file, 0, 0}, "--einsum",
                      "no Einsum '" + *einsum + "' (" + join(names, ", ") + ")" + did_you_mean(*einsum, names));
    }
    const int rc = map_einsums(a, w, v, cfg, einsums, *rerank, *out_dir);
    sim::Stats capacity;
    sim::analytical::set_residency(capacity, sim::analytical::dram_residency(a, w, c));
    print_capacity(std::cout, capacity);
    return rc;
  };
  return [=]() {
    if (!*json) return run();
    // The lines go nowhere; the summary file is the one JSON object.
    struct Silence {
      std::ostream null{nullptr};
      std::streambuf* saved = std::cout.rdbuf(null.rdbuf());
      ~Silence() { std::cout.rdbuf(saved); }
    };
    int rc = 0;
    {
      Silence quiet;
      rc = run();
    }
    std::cout << read_file((fs::path(*out_dir) / *summary).string());
    return rc;
  };
}

}  // namespace einflow::cli
