#include "tools/sweep/slurm.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

#include "common/text.h"
#include "tools/sweep/measured.h"
#include "tools/sweep/runner.h"
#include "tools/sweep/store.h"

namespace einflow::sweep {

namespace fs = std::filesystem;

namespace {

// Single-quoted for bash.
std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shard_dir(const std::string& out, int i) {
  return (fs::path(out) / "shards" / std::to_string(i)).string();
}

// Runs a command, returning its trimmed stdout; a failure is a UserError.
std::string capture(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) throw UserError(SourceLoc{}, "sbatch", "cannot run: " + cmd);
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (status != 0) throw UserError(SourceLoc{}, "sbatch", "'" + cmd + "' failed: " + out);
  return out;
}

void write_file(const std::string& path, const std::string& text, bool executable) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  if (executable)
    fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
}

std::string ranges(const std::vector<int>& xs) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < xs.size();) {
    size_t j = i;
    while (j + 1 < xs.size() && xs[j + 1] == xs[j] + 1) ++j;
    parts.push_back(j == i ? std::to_string(xs[i])
                           : std::to_string(xs[i]) + "-" + std::to_string(xs[j]));
    i = j + 1;
  }
  return join(parts, ",");
}

// The job array's size: --array, the count a resumed submission keeps, else
// up to 16 tasks over the points.
int array_size(const fs::path& count_file, const SlurmOptions& opts, int64_t points) {
  int shards = opts.array;
  if (opts.resume && fs::exists(count_file)) {
    std::ifstream in(count_file);
    in >> shards;
    if (opts.array > 0 && opts.array != shards)
      throw UserError(SourceLoc{count_file.string(), 0, 0}, "--array",
                      "the sweep was submitted as " + std::to_string(shards) +
                          " shards; resume keeps that count");
  } else if (!opts.resume && fs::exists(count_file)) {
    throw UserError(SourceLoc{count_file.string(), 0, 0},
                    "the sweep was already submitted here; add --resume");
  }
  if (shards <= 0) shards = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(points, 16)));
  if (shards > 100000)
    throw UserError(SourceLoc{}, "--array", "expected at most 100000 array tasks");
  return shards;
}

}  // namespace

std::vector<int> incomplete_shards(const Expansion& ex, const std::string& out_dir, int shards) {
  std::vector<int> out;
  for (int i = 0; i < shards; ++i) {
    std::set<std::string> have;
    const std::string store = store_path(shard_dir(out_dir, i));
    if (fs::exists(store))
      for (const auto& r : read_store(store).records) have.insert(r.config_hash());
    for (const auto& p : ex.points)
      if (in_shard(p.index, i, shards) && !have.count(p.config_hash)) {
        out.push_back(i);
        break;
      }
  }
  return out;
}

int run_slurm(const SweepSpec& spec, const Expansion& ex, const SlurmOptions& opts,
              std::ostream& out) {
  // A malformed measurements file would fail every array task once queued: say so before submitting.
  if (!spec.measured_file.empty() && fs::exists(spec.measured_file)) (void)read_measurements(spec.measured_file);
  const fs::path dir = fs::absolute(opts.out_dir);
  const fs::path sdir = dir / "slurm";
  fs::create_directories(sdir);
  const fs::path count_file = sdir / "shards";
  const int shards = array_size(count_file, opts, static_cast<int64_t>(ex.points.size()));
  write_file(count_file.string(), std::to_string(shards) + "\n", false);

  const std::string spec_file = fs::absolute(opts.spec_file).string();
  std::ostringstream job;
  job << "#!/bin/bash\n"
      << "#SBATCH --job-name=einflow-" << spec.name << "\n"
      << "#SBATCH --output=" << (sdir / "shard-%a.log").string() << "\n";
  for (const auto& o : opts.sbatch_opts) job << "#SBATCH " << o << "\n";
  job << "# One shard of the sweep per array task (einflow sweep --shard I/N), into "
      << (dir / "shards").string()
      << "/I.\n# N is fixed when the sweep is first submitted: a resubmission of some shards has a "
         "smaller\n"
      << "# SLURM_ARRAY_TASK_COUNT, and shard I must keep meaning the same points.\n"
      << "set -euo pipefail\n"
      << "shards=" << shards << "\n"
      << "if [ \"${SLURM_ARRAY_TASK_COUNT:-$shards}\" -gt \"$shards\" ]; then echo \"more tasks "
         "than shards\" >&2; exit 2; fi\n"
      << "exec " << quote(opts.binary) << " sweep " << quote(spec_file) << " --out "
      << quote((dir / "shards").string())
      << "/\"$SLURM_ARRAY_TASK_ID\" --resume --shard \"$SLURM_ARRAY_TASK_ID/$shards\""
      << " --jobs \"${SLURM_CPUS_PER_TASK:-1}\"\n";
  write_file((sdir / "sweep.sbatch").string(), job.str(), true);
  std::ostringstream merge;
  merge << "#!/bin/bash\n"
        << "#SBATCH --job-name=einflow-" << spec.name << "-merge\n"
        << "#SBATCH --output=" << (sdir / "merge.log").string() << "\n";
  for (const auto& o : opts.sbatch_opts) merge << "#SBATCH " << o << "\n";
  merge << "# Merges the shards' stores into " << dir.string()
        << "/results.pb once the array is over.\n"
        << "set -euo pipefail\n"
        << "exec " << quote(opts.binary) << " sweep merge " << quote((dir / "shards").string())
        << "/* --out " << quote(dir.string()) << "\n";
  write_file((sdir / "merge.sbatch").string(), merge.str(), true);

  std::vector<int> todo;
  if (opts.resume) {
    todo = incomplete_shards(ex, dir.string(), shards);
  } else {
    for (int i = 0; i < shards; ++i) todo.push_back(i);
  }
  // Shards with no directory yet still need one for the merge's glob.
  for (int i = 0; i < shards; ++i) fs::create_directories(shard_dir(dir.string(), i));
  out << "sweep " << spec.name << ": " << ex.points.size() << " points in " << shards << " shards; "
      << (todo.empty() ? std::string("every shard is complete")
                       : std::to_string(todo.size()) + " to run")
      << "\n";
  if (todo.empty()) {
    const int64_t merged = merge_dirs(
        [&] {
          std::vector<std::string> dirs;
          for (int i = 0; i < shards; ++i) dirs.push_back(shard_dir(dir.string(), i));
          return dirs;
        }(),
        dir.string(), out);
    out << "merged " << merged << " records into " << store_path(dir.string()) << "\n";
    return 0;
  }
  const std::string array = ranges(todo);
  if (!opts.submit) {
    out << "sbatch is not on the PATH; submit the scripts with:\n"
        << "  job=$(sbatch --parsable --array=" << array << " " << (sdir / "sweep.sbatch").string()
        << ")\n"
        << "  sbatch --dependency=afterany:$job " << (sdir / "merge.sbatch").string() << "\n";
    return 0;
  }
  const std::string job_id =
      capture("sbatch --parsable --array=" + array + " " + quote((sdir / "sweep.sbatch").string()));
  const std::string merge_id =
      capture("sbatch --parsable --dependency=afterany:" + job_id.substr(0, job_id.find(';')) +
              " " + quote((sdir / "merge.sbatch").string()));
  std::ofstream(sdir / "jobs.txt", std::ios::app)
      << "array " << job_id << " tasks " << array << "\nmerge " << merge_id << "\n";
  out << "submitted job array " << job_id << " (tasks " << array << ") and merge job " << merge_id
      << "\n"
      << "when they are done: " << dir.string()
      << "/results.pb; resubmit what is missing with --resume --slurm\n";
  return 0;
}

}  // namespace einflow::sweep
