// Running a sweep as a Slurm job array: one shard per array task, each into
// DIR/shards/<task>/, then a job that merges the shards into DIR (it waits
// for the array with --dependency=afterany).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "tools/sweep/spec.h"

namespace einflow::sweep {

struct SlurmOptions {
  std::string out_dir;
  std::string spec_file;
  std::string binary;                    // the einflow executable the tasks run
  int array = 0;                         // shards (array tasks); 0: min(points, 16)
  std::vector<std::string> sbatch_opts;  // extra "#SBATCH" options, e.g. "--partition=debug"
  bool resume = false;                   // resubmit only the incomplete shards
  bool submit = true;  // sbatch is there (else the scripts are written, not submitted)
};

// Writes DIR/slurm/sweep.sbatch and merge.sbatch and submits them with
// opts.submit (job ids in DIR/slurm/jobs.txt). With resume, only the
// shards that miss some of their points are resubmitted; when none does, the
// shards are merged here. Returns the exit code.
int run_slurm(const SweepSpec& spec, const Expansion& points, const SlurmOptions& opts,
              std::ostream& out);

// The shards (of `shards`) whose store under DIR/shards/ lacks some of their points.
std::vector<int> incomplete_shards(const Expansion& points, const std::string& out_dir, int shards);

}  // namespace einflow::sweep
