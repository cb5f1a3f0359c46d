// Running a sweep's points on threads into DIR/results.pb, resumably, and
// merging shard stores.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "tools/sweep/spec.h"

namespace einflow::sweep {

struct RunOptions {
  std::string out_dir;
  int jobs = 0;         // threads; 0: every hardware thread
  bool resume = false;  // skip points already in the store (else a non-empty store is an error)
  int shard = 0, shards = 1;
  bool progress = false;  // a progress line on stderr
};

struct RunSummary {
  int64_t points = 0;     // of the whole sweep
  int64_t in_shard = 0;   // of this shard
  int64_t already = 0;    // found in the store
  int64_t evaluated = 0;  // run now
  int64_t failed = 0;     // records of this shard with status FAILED (old and new)
  double seconds = 0;
};

// The store of a sweep directory, and its copy of the sweep file.
std::string store_path(const std::string& dir);
std::string spec_copy_path(const std::string& dir);

// Whether point `index` belongs to shard `shard` of `shards`.
inline bool in_shard(int64_t index, int shard, int shards) {
  return index % shards == shard;
}

RunSummary run_sweep(const SweepSpec& spec, const Expansion& points, const RunOptions& opts,
                     std::ostream& log);

// Merges the stores of several sweep directories into `out_dir` (records
// deduplicated by config hash); returns how many records it wrote.
int64_t merge_dirs(const std::vector<std::string>& dirs, const std::string& out_dir,
                   std::ostream& log);

}  // namespace einflow::sweep
