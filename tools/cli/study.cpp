// einflow study STUDY.yaml --out DIR: the named-design comparison (FuseMax's
// ablation) over models x sequence lengths x designs x scopes, evaluated with
// the analytical model. Writes DIR/results.csv (one row per point),
// DIR/summary.md (means against the baseline design) and the attention
// mapping of every point under DIR/mappings/.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "arch/arch.h"
#include "common/text.h"
#include "common/yaml_node.h"
#include "mappers/mapping/unit_ops.h"
#include "mappers/named/named.h"
#include "sim/analytical/group_model.h"
#include "tools/cli/commands.h"
#include "tools/cli/options.h"
#include "workloads/workload.h"

namespace einflow::cli {

namespace fs = std::filesystem;

namespace {

struct StudyDesign {
  const named::Design* design = nullptr;
  std::string arch_file;
  arch::Architecture arch;
};

struct Study {
  std::string name;
  std::vector<std::pair<std::string, std::string>> models;  // label, file
  int64_t batch = 1;
  std::vector<int64_t> seq_lens;
  std::vector<StudyDesign> designs;
  std::vector<std::string> scopes;
  std::string baseline;
};

std::string stem(const std::string& file) { return fs::path(file).stem().string(); }

Study read_study(const std::string& path) {
  Diagnostics d;
  YamlNode doc = YamlNode::load_file(path);
  Study s;
  const fs::path dir = fs::path(path).parent_path();
  auto resolve = [&](const std::string& f) { return fs::path(f).is_absolute() ? f : (dir / f).string(); };
  if (doc.expect_map(d)) doc.check_keys({"study"}, d);
  if (!doc.require("study", d)) d.throw_if_any();
  YamlNode n = doc["study"];
  if (!n.expect_map(d)) d.throw_if_any();
  n.check_keys({"name", "models", "batch", "seq_len", "designs", "scopes", "baseline"}, d);
  for (const char* key : {"models", "seq_len", "designs"}) n.require(key, d);
  s.name = n.has("name") ? n["name"].as_string(d).value_or(stem(path)) : stem(path);
  if (n.has("models"))
    if (auto files = n["models"].as_string_list(d))
      for (const auto& f : *files) {
        const std::string file = resolve(f);
        if (!fs::exists(file)) d.error(n["models"].loc(), n["models"].path(), "no workload file " + file);
        s.models.emplace_back(stem(f), file);
      }
  if (n.has("batch")) {
    auto b = n["batch"].as_int(d);
    if (b && *b < 1) d.error(n["batch"].loc(), n["batch"].path(), "expected a positive batch");
    else if (b) s.batch = *b;
  }
  if (n.has("seq_len") && n["seq_len"].expect_sequence(d))
    for (size_t i = 0; i < n["seq_len"].size(); ++i) {
      YamlNode x = n["seq_len"].at(i);
      auto v = x.as_int(d);
      if (v && *v < 1) d.error(x.loc(), x.path(), "expected a positive length");
      else if (v) s.seq_lens.push_back(*v);
    }
  if (n.has("designs") && n["designs"].expect_sequence(d))
    for (size_t i = 0; i < n["designs"].size(); ++i) {
      YamlNode x = n["designs"].at(i);
      if (!x.expect_map(d)) continue;
      x.check_keys({"name", "arch"}, d);
      if (!x.require("name", d) || !x.require("arch", d)) continue;
      StudyDesign sd;
      auto name = x["name"].as_string(d);
      auto arch = x["arch"].as_string(d);
      if (!name || !arch) continue;
      sd.design = named::find_design(*name);
      if (!sd.design) {
        std::vector<std::string> names;
        for (const auto& nd : named::attention_designs()) names.push_back(nd.name);
        d.error(x["name"].loc(), x["name"].path(),
                "no design '" + *name + "' (" + join(names, ", ") + ")" + did_you_mean(*name, names));
        continue;
      }
      sd.arch_file = resolve(*arch);
      if (!fs::exists(sd.arch_file)) {
        d.error(x["arch"].loc(), x["arch"].path(), "no architecture file " + sd.arch_file);
        continue;
      }
      s.designs.push_back(std::move(sd));
    }
  s.scopes = {"attention", "end_to_end"};
  if (n.has("scopes"))
    if (auto scopes = n["scopes"].as_string_list(d)) {
      s.scopes.clear();
      for (const auto& sc : *scopes) {
        if (sc != "attention" && sc != "end_to_end")
          d.error(n["scopes"].loc(), n["scopes"].path(), "unknown scope '" + sc + "' (attention, end_to_end)");
        s.scopes.push_back(sc);
      }
    }
  if (n.has("baseline")) {
    s.baseline = n["baseline"].as_string(d).value_or("");
    bool found = false;
    for (const auto& sd : s.designs) found = found || sd.design->name == s.baseline;
    if (!found) d.error(n["baseline"].loc(), n["baseline"].path(), "the baseline '" + s.baseline + "' is not a design of the study");
  }
  d.throw_if_any();
  for (auto& sd : s.designs) sd.arch = arch::load_arch(sd.arch_file);
  return s;
}

struct Row {
  std::string model, design, scope, arch;
  int64_t seq_len = 0;
  sim::Stats stats;
  int64_t buffer_peak_words = 0;
  std::vector<std::string> spilled;
};

void add(sim::Stats& total, const sim::Stats& x) {
  std::map<std::string, double> work;
  for (const auto& [u, f] : total.utilization) work[u] += f * static_cast<double>(total.cycles);
  for (const auto& [u, f] : x.utilization) work[u] += f * static_cast<double>(x.cycles);
  total.cycles += x.cycles;
  total.seconds += x.seconds;
  total.energy_pj += x.energy_pj;
  total.dram_bytes += x.dram_bytes;
  for (const auto& [u, w] : work) total.utilization[u] = total.cycles ? w / static_cast<double>(total.cycles) : 0;
}

// The linear layers of a layer cascade: contractions that read a weight (an
// input without the batch rank).
std::vector<int> linear_einsums(const workloads::Cascade& c) {
  const int B = c.find_rank("B");
  std::vector<int> out;
  for (int e : c.topo_order) {
    const bool mac = mapping::is_contraction(c, e);
    bool weight = false;
    for (const auto& in : c.einsums[e].inputs) {
      const auto& t = c.tensors[in.tensor];
      weight = weight || (t.kind == workloads::TensorKind::kInput &&
                          std::find(t.ranks.begin(), t.ranks.end(), B) == t.ranks.end());
    }
    if (mac && weight) out.push_back(e);
  }
  return out;
}

// The linear layers, each alone on the 2D array with canonical tiles: tokens
// across the columns, the largest reduced ranks down the rows.
sim::Stats linear_layers(const arch::Architecture& a, const workloads::Cascade& c) {
  const named::ArrayUnits units = named::find_array_units(a);
  sim::Stats total;
  for (int e : linear_einsums(c)) {
    named::TileRequest req;
    req.x_ranks = {"P", "M"};
    std::vector<int> reduced = c.einsums[e].reduced_ranks;
    std::stable_sort(reduced.begin(), reduced.end(), [&](int x, int y) { return c.ranks[x].size > c.ranks[y].size; });
    for (int r : reduced) req.y_ranks.push_back(c.ranks[r].name);
    mapping::FusionGroup g;
    g.einsums = {e};
    g.tiles = {named::canonical_tile(a, c, e, units.array2d, req)};
    const mapping::MappingStatus st = mapping::validate_mapping(g.tiles[0], c, a);
    if (!st.ok) throw UserError(a.loc, "linear layer " + c.einsums[e].name + " cannot run on " + a.name + ": " + st.reason);
    add(total, sim::analytical::evaluate_group(a, c, g).stats);
  }
  return total;
}

workloads::Workload load_model(const std::string& file, const std::string& scope, int64_t batch, int64_t seq_len) {
  return workloads::load_workload(file, {{"instance.scope", scope},
                                         {"instance.batch", std::to_string(batch)},
                                         {"instance.seq_len", std::to_string(seq_len)},
                                         {"instance.phase", "prefill"},
                                         {"instance.causal", "false"}});
}

std::string len_label(int64_t n) {
  if (n % (1024 * 1024) == 0) return std::to_string(n / (1024 * 1024)) + "M";
  if (n % 1024 == 0) return std::to_string(n / 1024) + "K";
  return std::to_string(n);
}


}  // namespace

Runner add_study(CLI::App& app) {
  auto* sub = app.add_subcommand("study", "Named-design comparison (FuseMax vs FLAT vs unfused) from a study YAML");
  auto file = std::make_shared<std::string>();
  auto out_dir = std::make_shared<std::string>();
  auto jobs = std::make_shared<int>(0);
  sub->add_option("STUDY", *file, "Study YAML file")->required();
  sub->add_option("--out", *out_dir, "Output directory")->required();
  sub->add_option("--jobs", *jobs, "Threads (0: every hardware thread)");
  return [=]() {
    const auto t0 = std::chrono::steady_clock::now();
    Study s = read_study(*file);
    fs::create_directories(fs::path(*out_dir) / "mappings");

    struct Task {
      size_t model, len;
    };
    std::vector<Task> tasks;
    for (size_t m = 0; m < s.models.size(); ++m)
      for (size_t l = 0; l < s.seq_lens.size(); ++l) tasks.push_back({m, l});
    std::vector<std::vector<Row>> rows(tasks.size());
    std::vector<std::string> errors(tasks.size());
    std::atomic<size_t> next{0};
    auto worker = [&]() {
      for (size_t i = next++; i < tasks.size(); i = next++) {
        try {
          const auto& [label, mfile] = s.models[tasks[i].model];
          const int64_t len = s.seq_lens[tasks[i].len];
          const workloads::Workload att = load_model(mfile, "attention", s.batch, len);
          std::optional<workloads::Workload> layer;
          if (std::find(s.scopes.begin(), s.scopes.end(), "end_to_end") != s.scopes.end())
            layer = load_model(mfile, "layer", s.batch, len);
          std::map<std::string, sim::Stats> linear;  // per architecture
          for (const auto& sd : s.designs) {
            const workloads::Variant* v = att.find_variant(sd.design->variant);
            if (!v) throw UserError(SourceLoc{mfile, 0, 0}, "the model has no " + sd.design->variant + " attention variant");
            const mapping::CascadeMapping m = named::attention_mapping(*sd.design, sd.arch, v->cascade);
            const sim::analytical::CascadeStats cs = sim::analytical::evaluate_cascade(sd.arch, v->cascade, m);
            write_file_atomic(fs::path(*out_dir) / "mappings" / (label + "_" + len_label(len) + "_" + sd.design->name + ".yaml"),
                       "# " + sd.design->name + ": " + sd.design->description + "\n# " + label + ", batch " +
                           std::to_string(s.batch) + ", M = P = " + std::to_string(len) + ", on " + sd.arch.name + "\n" +
                           mapping::write_cascade_mapping(m, v->cascade, sd.arch));
            Row r;
            r.model = label;
            r.seq_len = len;
            r.design = sd.design->name;
            r.arch = sd.arch.name;
            r.stats = cs.stats;
            for (const auto& g : cs.groups) {
              for (const auto& [level, words] : g.peak_words)
                if (sd.arch.nodes[sd.arch.find(level)].instances == 1) r.buffer_peak_words = std::max(r.buffer_peak_words, words);
              for (const auto& t : g.spilled)
                if (std::find(r.spilled.begin(), r.spilled.end(), t) == r.spilled.end()) r.spilled.push_back(t);
            }
            for (const auto& scope : s.scopes) {
              Row x = r;
              x.scope = scope;
              if (scope == "end_to_end") {
                if (!linear.count(sd.arch_file))
                  linear[sd.arch_file] = linear_layers(sd.arch, layer->variants.front().cascade);
                add(x.stats, linear[sd.arch_file]);
              }
              rows[i].push_back(x);
            }
          }
        } catch (const std::exception& e) {
          errors[i] = e.what();
        }
      }
    };
    int threads = *jobs > 0 ? *jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::min<int>(threads, static_cast<int>(tasks.size()));
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    for (const auto& e : errors)
      if (!e.empty()) throw UserError(SourceLoc{*file, 0, 0}, e);

    // results.csv
    std::vector<std::string> units;
    for (const auto& sd : s.designs)
      for (int u : sd.arch.compute_units())
        if (std::find(units.begin(), units.end(), sd.arch.nodes[u].name) == units.end())
          units.push_back(sd.arch.nodes[u].name);
    std::ostringstream csv;
    csv << "model,seq_len,design,scope,cycles,seconds,energy_pj,dram_bytes";
    for (const auto& u : units) csv << ",util_" << u;
    csv << ",arch,buffer_peak_bytes,spilled\n";
    csv << std::setprecision(10);
    std::vector<const Row*> all;
    for (const auto& list : rows)
      for (const auto& r : list) all.push_back(&r);
    std::stable_sort(all.begin(), all.end(), [](const Row* x, const Row* y) { return x->scope < y->scope; });
    for (const Row* r : all) {
      csv << r->model << "," << r->seq_len << "," << r->design << "," << r->scope << "," << r->stats.cycles << ","
          << r->stats.seconds << "," << r->stats.energy_pj << "," << r->stats.dram_bytes;
      for (const auto& u : units) {
        auto it = r->stats.utilization.find(u);
        csv << "," << (it == r->stats.utilization.end() ? 0.0 : it->second);
      }
      csv << "," << r->arch << "," << r->buffer_peak_words * 2 << "," << join(r->spilled, " ") << "\n";
    }
    write_file_atomic(fs::path(*out_dir) / "results.csv", csv.str());

    // summary.md: per scope and design, the arithmetic means over the points of
    // the speedup and energy ratio against the baseline, and of the utilizations.
    std::ostringstream md;
    const std::string base = s.baseline.empty() ? s.designs.front().design->name : s.baseline;
    md << "# Study " << s.name << "\n\n" << s.models.size() << " models x " << s.seq_lens.size()
       << " sequence lengths, batch " << s.batch << "; means over the points, against `" << base << "`.\n";
    for (const auto& scope : s.scopes) {
      md << "\n## " << scope << "\n\n| design | speedup | energy | ";
      for (const auto& u : units) md << "util " << u << " | ";
      md << "\n|---|---|---|";
      for (size_t i = 0; i < units.size(); ++i) md << "---|";
      md << "\n";
      for (const auto& sd : s.designs) {
        double speedup = 0, energy = 0;
        std::map<std::string, double> util;
        int n = 0;
        for (const auto& list : rows) {
          const Row *r = nullptr, *b = nullptr;
          for (const auto& x : list) {
            if (x.scope != scope) continue;
            if (x.design == sd.design->name) r = &x;
            if (x.design == base) b = &x;
          }
          if (!r || !b) continue;
          speedup += static_cast<double>(b->stats.cycles) / static_cast<double>(r->stats.cycles);
          energy += r->stats.energy_pj / b->stats.energy_pj;
          for (const auto& u : units) util[u] += r->stats.utilization.count(u) ? r->stats.utilization.at(u) : 0;
          ++n;
        }
        if (n == 0) continue;
        md << "| " << sd.design->name << " | " << std::fixed << std::setprecision(2) << speedup / n << "x | "
           << std::setprecision(0) << 100 * energy / n << "% | ";
        for (const auto& u : units) md << std::setprecision(0) << 100 * util[u] / n << "% | ";
        md << "\n";
      }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    md << "\nEvaluated " << all.size() << " rows in " << std::fixed << std::setprecision(2) << secs << " s on "
       << threads << " thread(s).\n";
    write_file_atomic(fs::path(*out_dir) / "summary.md", md.str());
    std::cout << md.str();
    std::cout << "results: " << (fs::path(*out_dir) / "results.csv").string() << "\n";
    return 0;
  };
}

}  // namespace einflow::cli
