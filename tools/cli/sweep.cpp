// einflow sweep SWEEP.yaml --out DIR [--jobs N] [--resume] [--shard I/N]
//                                   [--slurm [--array N] [--sbatch-opt OPT]...]
// einflow sweep merge DIR... --out DIR
// Expands the sweep (tools/sweep/spec.h), runs its points into DIR/results.pb
// and prints a summary; exit 1 when some point failed (its error is recorded).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>

#include "common/error.h"
#include "tools/cli/commands.h"
#include "tools/cli/options.h"
#include "tools/sweep/runner.h"
#include "tools/sweep/slurm.h"
#include "tools/sweep/spec.h"

namespace einflow::cli {

namespace fs = std::filesystem;

namespace {

void parse_shard(const std::string& text, sweep::RunOptions& o) {
  const size_t slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    size_t used = 0;
    o.shard = std::stoi(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("trailing text");
    o.shards = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) throw std::invalid_argument("trailing text");
  } catch (const std::exception&) {
    throw UserError(SourceLoc{}, "--shard", "expected I/N (e.g. 0/4), got '" + text + "'");
  }
  if (o.shards < 1 || o.shard < 0 || o.shard >= o.shards)
    throw UserError(SourceLoc{}, "--shard", "expected I/N with 0 <= I < N, got '" + text + "'");
}

std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("einflow") : p.string();
}

}  // namespace

Runner add_sweep(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "sweep", "Run a design-space sweep from a SWEEP.yaml into a resumable results store");
  sub->require_subcommand(0, 1);
  auto file = std::make_shared<std::string>();
  auto out_dir = std::make_shared<std::string>();
  auto jobs = std::make_shared<int>(0);
  auto resume = std::make_shared<bool>(false);
  auto shard = std::make_shared<std::string>();
  auto slurm = std::make_shared<bool>(false);
  auto array = std::make_shared<int>(0);
  auto sbatch_opts = std::make_shared<std::vector<std::string>>();
  sub->add_option("SWEEP", *file, "Sweep YAML file");
  sub->add_option("--out", *out_dir, "Output directory (results.pb, sweep.yaml)");
  sub->add_option("--jobs", *jobs, "Threads (0: every hardware thread)");
  sub->add_flag("--resume", *resume,
                "Go on with the results already in DIR, skipping the points they hold");
  sub->add_option("--shard", *shard, "Run only the points whose index is I modulo N (I/N)");
  sub->add_flag("--slurm", *slurm,
                "Write and submit a Slurm job array, one shard per task, and a merge job");
  sub->add_option("--array", *array,
                  "With --slurm: the number of shards (array tasks); default min(points, 16)");
  sub->add_option("--sbatch-opt", *sbatch_opts,
                  "With --slurm: an sbatch option for the scripts (repeatable)");
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json, "Print one JSON object (the run's counts and the store) instead of the lines");

  auto* merge = sub->add_subcommand(
      "merge", "Merge shard stores (deduplicated by config hash) into one directory");
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto merge_out = std::make_shared<std::string>();
  merge->add_option("DIR", *dirs, "Sweep directories")->required();
  merge->add_option("--out", *merge_out, "Output directory")->required();

  return [=]() {
    if (merge->parsed()) {
      const int64_t n = sweep::merge_dirs(*dirs, *merge_out, std::cerr);
      std::cout << "merged " << n << " records from " << dirs->size() << " store(s) into "
                << sweep::store_path(*merge_out) << "\n";
      return 0;
    }
    if (file->empty())
      throw UserError(SourceLoc{}, "SWEEP",
                      "name a sweep file (or: einflow sweep merge DIR... --out DIR)");
    if (out_dir->empty()) throw UserError(SourceLoc{}, "--out", "name an output directory");
    const sweep::SweepSpec spec = sweep::read_sweep(*file);
    const sweep::Expansion ex = sweep::expand(spec);
    if (*slurm) {
      if (!shard->empty())
        throw UserError(SourceLoc{}, "--shard", "--slurm chooses the shards itself");
      sweep::SlurmOptions so;
      so.out_dir = *out_dir;
      so.spec_file = *file;
      so.binary = self_path();
      so.array = *array;
      so.sbatch_opts = *sbatch_opts;
      so.resume = *resume;
      so.submit = on_path("sbatch");
      return sweep::run_slurm(spec, ex, so, std::cout);
    }
    if (*array != 0 || !sbatch_opts->empty())
      throw UserError(SourceLoc{}, "--array", "--array and --sbatch-opt go with --slurm");
    sweep::RunOptions ro;
    ro.out_dir = *out_dir;
    ro.jobs = *jobs;
    ro.resume = *resume;
    ro.progress = stderr_is_terminal();
    if (!shard->empty()) parse_shard(*shard, ro);
    const sweep::RunSummary s = sweep::run_sweep(spec, ex, ro, std::cerr);
    if (*json) {
      const nlohmann::json j{{"sweep", spec.name},       {"points", s.points},   {"filtered", ex.filtered},
                             {"duplicates", ex.duplicates}, {"shard", ro.shard},  {"shards", ro.shards},
                             {"in_shard", s.in_shard},   {"evaluated", s.evaluated}, {"already", s.already},
                             {"failed", s.failed},       {"seconds", s.seconds},
                             {"results", sweep::store_path(*out_dir)}};
      std::cout << j.dump(2) << "\n";
      return s.failed ? 1 : 0;
    }
    std::cout << "sweep " << spec.name << ": " << s.points << " points";
    if (ex.filtered) std::cout << " (" << ex.filtered << " filtered out)";
    if (ex.duplicates) std::cout << " (" << ex.duplicates << " repeated configurations dropped)";
    if (ro.shards > 1)
      std::cout << ", shard " << ro.shard << "/" << ro.shards << " has " << s.in_shard;
    std::cout << "; " << s.evaluated << " evaluated";
    if (s.already) std::cout << ", " << s.already << " already done";
    std::cout << " in " << std::fixed << std::setprecision(2) << s.seconds << " s";
    if (s.failed) std::cout << "; " << s.failed << " failed (errors in the store)";
    std::cout << "\nresults: " << sweep::store_path(*out_dir) << "\n";
    return s.failed ? 1 : 0;
  };
}

}  // namespace einflow::cli
