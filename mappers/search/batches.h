// The one loop behind every search, per Einsum (driver.cpp) and per cascade
// (mappers/cascade): tell the starting points, then ask fixed-size batches,
// score each batch on the threads (each point on its own, the model read-only),
// tell the costs back in the order asked, and stop on the evaluation budget, the
// patience, the time limit or the end of the space. The result depends on the
// seed and not on the thread count (unless a time limit stops it). An exception
// thrown while scoring (an input fault such as a model limit) is rethrown here,
// the first one in asking order.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/progress.h"
#include "mappers/search/mapper_config.h"
#include "mappers/search/search.h"

namespace einflow::search {

struct Progress {
  int64_t evaluated = 0, valid = 0;
  double best_cost = 0, seconds = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

struct BatchesRun {
  int64_t evaluated = 0;   // points asked and scored (starting points included)
  int64_t valid = 0;       // of which costed (cost != kInvalid)
  double seconds = 0;
  std::string stopped_by;  // "space exhausted", "evaluations", "time" or "patience"
};

// The threads a search uses: config.threads, or every hardware thread for 0.
inline int search_threads(const MapperConfig& config) {
  return config.threads > 0 ? config.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Scores points[i] into scored[i] for every i on up to `threads` threads.
template <class Point, class Scored, class ScoreFn>
void score_all(const std::vector<Point>& points, std::vector<Scored>& scored, int threads, const ScoreFn& score) {
  scored.assign(points.size(), Scored{});
  std::vector<std::exception_ptr> failed(points.size());
  const int used = std::min<int>(threads, static_cast<int>(points.size() / 16) + 1);
  auto work = [&](int t) {
    for (size_t i = static_cast<size_t>(t); i < points.size(); i += static_cast<size_t>(used)) try {
        scored[i] = score(points[i]);
      } catch (...) {
        failed[i] = std::current_exception();
      }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < used; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  for (const auto& e : failed)
    if (e) std::rethrow_exception(e);
}

// Runs `search` from `starts`. score(point) -> Scored (with a `cost` member,
// kInvalid when rejected) runs on the threads; seen(point, scored) runs on
// this thread, in asking order, for every point scored.
template <class Point, class Scored, class ScoreFn, class SeenFn>
BatchesRun run_batches(SearchOf<Point>& search, const MapperConfig& config, const std::vector<Point>& starts,
                       const ScoreFn& score, const SeenFn& seen, const ProgressFn& progress = {}) {
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&]() { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  const int threads = search_threads(config);
  BatchesRun run;
  int64_t last_improvement = 0;
  double best = kInvalid;
  std::vector<Point> batch;
  std::vector<Scored> scored;
  std::vector<double> costs;
  auto score_batch = [&]() {
    score_all(batch, scored, threads, score);
    costs.resize(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      costs[i] = scored[i].cost;
      ++run.evaluated;
      seen(batch[i], scored[i]);
      if (scored[i].cost == kInvalid) continue;
      ++run.valid;
      if (scored[i].cost < best) {
        best = scored[i].cost;
        last_improvement = run.evaluated;
      }
    }
  };
  if (!starts.empty()) {
    batch = starts;
    score_batch();
    search.start(batch, costs);
  }
  while (true) {
    int64_t n = config.batch;
    if (config.max_evaluations > 0) n = std::min<int64_t>(n, config.max_evaluations - run.evaluated);
    if (n <= 0) {
      run.stopped_by = "evaluations";
      break;
    }
    batch.clear();
    search.ask(static_cast<int>(n), batch);
    if (batch.empty()) {
      run.stopped_by = "space exhausted";
      break;
    }
    score_batch();
    search.tell(batch, costs);
    if (progress) progress({run.evaluated, run.valid, best, elapsed()});
    progress::tick("search: evaluations", static_cast<double>(run.evaluated),
                   static_cast<double>(std::max<int64_t>(config.max_evaluations, 0)));
    if (config.patience > 0 && run.evaluated - last_improvement >= config.patience) {
      run.stopped_by = "patience";
      break;
    }
    if (config.max_seconds > 0 && elapsed() >= config.max_seconds) {
      run.stopped_by = "time";
      break;
    }
  }
  run.seconds = elapsed();
  return run;
}

}  // namespace einflow::search
