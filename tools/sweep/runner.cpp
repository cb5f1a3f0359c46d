#include "tools/sweep/runner.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>

#include "common/files.h"
#include "common/progress.h"
#include "tools/sweep/evaluate.h"
#include "tools/sweep/measured.h"
#include "tools/sweep/store.h"

namespace einflow::sweep {

namespace fs = std::filesystem;

std::string store_path(const std::string& dir) {
  return (fs::path(dir) / "results.pb").string();
}
std::string spec_copy_path(const std::string& dir) {
  return (fs::path(dir) / "sweep.yaml").string();
}

namespace {

std::string eta(double seconds) {
  char buf[32];
  if (seconds < 120)
    std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  else if (seconds < 7200)
    std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  else
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  return buf;
}

// The sweep's measured times (measured.h), checked and copied beside the
// results for the report to join; a note when the file does not exist yet.
void keep_measured(const SweepSpec& spec, const std::string& dir, std::ostream& log) {
  const std::string copy = measured_copy_path(dir);
  if (spec.measured_file.empty() || !fs::exists(spec.measured_file)) {
    std::error_code ec;
    fs::remove(copy, ec);  // a copy of a file that is gone is stale
    if (!spec.measured_file.empty())
      log << "note: no measured times at " << spec.measured_file
          << " yet (tools/bench/einflow_bench_cuda --measure FILE writes them on a GPU); the report shows the "
             "model's alone\n";
    return;
  }
  const Measurements m = read_measurements(spec.measured_file);
  write_file_atomic(copy, read_file(spec.measured_file));
  log << "measured: " << m.rows.size() << " row" << (m.rows.size() == 1 ? "" : "s") << " from "
      << spec.measured_file << (m.rows.empty() || m.rows.front().device.empty() ? "" : " (" + m.rows.front().device + ")")
      << ", kept for the report\n";
}

}  // namespace

RunSummary run_sweep(const SweepSpec& spec, const Expansion& ex, const RunOptions& opts,
                     std::ostream& log) {
  const auto t0 = std::chrono::steady_clock::now();
  if (opts.shards < 1 || opts.shard < 0 || opts.shard >= opts.shards)
    throw UserError(SourceLoc{}, "--shard", "expected I/N with 0 <= I < N");
  fs::create_directories(opts.out_dir);
  const std::string store = store_path(opts.out_dir);
  StoreContents have = read_store(store);
  if (!have.warning.empty()) log << "warning: " << have.warning << "\n";
  if (!opts.resume && !have.records.empty())
    throw UserError(SourceLoc{store, 0, 0},
                    "the directory already holds " + std::to_string(have.records.size()) +
                        " results; add --resume to go on with them, or pick another --out");
  write_file_atomic(spec_copy_path(opts.out_dir), spec.text);
  keep_measured(spec, opts.out_dir, log);
  std::set<std::string> done;
  for (const auto& r : have.records) done.insert(r.config_hash());

  RunSummary sum;
  sum.points = static_cast<int64_t>(ex.points.size());
  std::vector<const Point*> todo;
  for (const auto& p : ex.points) {
    if (!in_shard(p.index, opts.shard, opts.shards)) continue;
    ++sum.in_shard;
    if (done.count(p.config_hash))
      ++sum.already;
    else
      todo.push_back(&p);
  }
  for (const auto& r : have.records)
    if (r.status() == results::FAILED && in_shard(r.point(), opts.shard, opts.shards)) ++sum.failed;

  StoreWriter writer(store, have.valid_bytes);
  int threads = opts.jobs > 0 ? opts.jobs
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max(1, std::min<int>(threads, static_cast<int>(todo.size())));
  EvalOptions eo;
  eo.search_threads = threads == 1 ? 0 : 1;  // one level of parallelism at a time
  std::atomic<size_t> next{0};
  std::atomic<int64_t> finished{0}, failed{0};
  std::mutex log_mutex;
  std::exception_ptr fatal;
  // From a handler: keep the first exception, take no more points.
  auto stop = [&]() {
    std::lock_guard<std::mutex> lock(log_mutex);
    if (!fatal) fatal = std::current_exception();
    next = todo.size();
  };
  auto worker = [&]() {
    for (size_t i = next++; i < todo.size(); i = next++) {
      try {
        const Record r = evaluate_point(spec, *todo[i], eo);
        writer.append(r);
        if (r.status() == results::FAILED) {
          ++failed;
          std::lock_guard<std::mutex> lock(log_mutex);
          log << (opts.progress ? "\n" : "") << "point " << r.point() << " (" << r.design()
              << ") failed: " << r.error() << "\n";
        }
      } catch (...) {  // the store itself failed (disk full, ...)
        stop();
        return;
      }
      const int64_t n = ++finished;
      try {
        progress::tick("sweep: points", static_cast<double>(n + sum.already), static_cast<double>(sum.in_shard));
      } catch (...) {  // the embedder stops the sweep: the points stored so far stay
        stop();
        return;
      }
      if (opts.progress) {
        std::lock_guard<std::mutex> lock(log_mutex);
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double rate = secs > 0 ? static_cast<double>(n) / secs : 0;
        char line[128];
        std::snprintf(line, sizeof line, "\rsweep: %lld/%lld points, %.1f/s, ETA %s   ",
                      static_cast<long long>(n + sum.already), static_cast<long long>(sum.in_shard),
                      rate,
                      rate > 0 ? eta(static_cast<double>(todo.size() - n) / rate).c_str() : "?");
        log << line << std::flush;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (opts.progress && !todo.empty()) log << "\n";
  if (fatal) std::rethrow_exception(fatal);
  sum.evaluated = finished;
  sum.failed += failed;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

int64_t merge_dirs(const std::vector<std::string>& dirs, const std::string& out_dir,
                   std::ostream& log) {
  std::vector<std::vector<Record>> stores;
  std::string spec_text;
  for (const auto& d : dirs) {
    if (!fs::exists(store_path(d)))
      throw UserError(SourceLoc{d, 0, 0}, "no results.pb in this directory");
    StoreContents c = read_store(store_path(d));
    if (!c.warning.empty()) log << "warning: " << c.warning << "\n";
    stores.push_back(std::move(c.records));
    if (spec_text.empty()) spec_text = read_file(spec_copy_path(d));
  }
  const std::vector<Record> merged = merge_records(stores);
  fs::create_directories(out_dir);
  write_store(store_path(out_dir), merged);
  if (!spec_text.empty()) write_file_atomic(spec_copy_path(out_dir), spec_text);
  return static_cast<int64_t>(merged.size());
}

}  // namespace einflow::sweep
