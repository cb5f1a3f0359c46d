// The mapper inside its loop (issue 4): mappings evaluated per second per core
// during a search, and the time a search needs to reach a given EDP on the
// Eyeriss-like preset, for a ResNet-style convolution and a 1024^3 matmul.
// The EDP target is 1.10x the best EDP that a long reference search (annealing
// and genetic, 200,000 evaluations each) finds, computed once per problem;
// each timed run has a budget of 100,000 evaluations on one thread.
// Run: build/dev/tools/bench/einflow_bench_search --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <string>

#include "arch/arch.h"
#include "mappers/search/driver.h"
#include "mappers/search/search.h"
#include "workloads/workload.h"

namespace {

using namespace einflow;

const std::string kRoot = std::string(EINFLOW_SOURCE_DIR);

struct Problem {
  arch::Architecture arch;
  workloads::Cascade cascade;
  int unit = -1;
};

const Problem& problem(const std::string& workload) {
  static std::map<std::string, Problem> cache;
  auto it = cache.find(workload);
  if (it != cache.end()) return it->second;
  Problem& p = cache[workload];
  p.arch = arch::load_arch(kRoot + "/configs/arch/eyeriss-like.yaml");
  p.cascade = workloads::load_workload(kRoot + "/tools/bench/data/" + workload).variants.front().cascade;
  p.unit = p.arch.compute_units().front();
  return p;
}

search::MapperConfig config(const std::string& algorithm, int64_t evaluations, uint64_t seed) {
  search::MapperConfig c;
  c.algorithm = algorithm;
  c.max_evaluations = evaluations;
  c.threads = 1;
  c.seed = seed;
  return c;
}

double reference_edp(const std::string& workload) {
  static std::map<std::string, double> cache;
  auto it = cache.find(workload);
  if (it != cache.end()) return it->second;
  const Problem& p = problem(workload);
  double best = search::kInvalid;
  for (const char* algo : {"annealing", "genetic"}) {
    search::MapperConfig c = config(algo, 200000, 99);
    c.threads = 0;
    search::Mapspace space(p.arch, p.cascade, 0, p.unit, c);
    search::SearchResult r = search::run_search(space, c);
    if (!r.top.empty()) best = std::min(best, r.top[0].cost);
  }
  return cache[workload] = best;
}

void evals_per_second(benchmark::State& state, const std::string& workload, const char* algorithm) {
  const Problem& p = problem(workload);
  search::MapperConfig c = config(algorithm, 20000, 1);
  search::Mapspace space(p.arch, p.cascade, 0, p.unit, c);
  int64_t evaluated = 0, valid = 0;
  for (auto _ : state) {
    search::SearchResult r = search::run_search(space, c);
    evaluated += r.evaluated;
    valid += r.valid;
  }
  state.counters["evals/s"] = benchmark::Counter(static_cast<double>(evaluated), benchmark::Counter::kIsRate);
  state.counters["model_evals/s"] = benchmark::Counter(static_cast<double>(valid), benchmark::Counter::kIsRate);
}

void time_to_edp(benchmark::State& state, const std::string& workload, const char* algorithm) {
  const Problem& p = problem(workload);
  const double target = 1.10 * reference_edp(workload);
  double reached_evals = 0, reached_seconds = 0;
  int runs = 0, hits = 0;
  for (auto _ : state) {
    search::MapperConfig c = config(algorithm, 100000, static_cast<uint64_t>(runs + 1));
    search::Mapspace space(p.arch, p.cascade, 0, p.unit, c);
    double at_seconds = -1, at_evals = -1;
    search::ProgressFn progress = [&](const search::Progress& pr) {
      if (at_seconds < 0 && pr.best_cost <= target) {
        at_seconds = pr.seconds;
        at_evals = static_cast<double>(pr.evaluated);
      }
    };
    c.patience = 0;
    search::run_search(space, c, progress);
    ++runs;
    if (at_seconds >= 0) {
      ++hits;
      reached_seconds += at_seconds;
      reached_evals += at_evals;
    }
  }
  state.counters["hit_rate"] = static_cast<double>(hits) / runs;
  state.counters["s_to_target"] = hits ? reached_seconds / hits : -1;
  state.counters["evals_to_target"] = hits ? reached_evals / hits : -1;
  state.counters["target_edp"] = target;
}

void BM_SearchEvalsConvRandom(benchmark::State& s) { evals_per_second(s, "conv-resnet.yaml", "random"); }
void BM_SearchEvalsConvAnnealing(benchmark::State& s) { evals_per_second(s, "conv-resnet.yaml", "annealing"); }
void BM_SearchEvalsMatmulAnnealing(benchmark::State& s) { evals_per_second(s, "matmul-1024.yaml", "annealing"); }
void BM_TimeToEdpConvAnnealing(benchmark::State& s) { time_to_edp(s, "conv-resnet.yaml", "annealing"); }
void BM_TimeToEdpConvGenetic(benchmark::State& s) { time_to_edp(s, "conv-resnet.yaml", "genetic"); }
void BM_TimeToEdpMatmulAnnealing(benchmark::State& s) { time_to_edp(s, "matmul-1024.yaml", "annealing"); }
void BM_TimeToEdpMatmulGenetic(benchmark::State& s) { time_to_edp(s, "matmul-1024.yaml", "genetic"); }
void BM_TimeToEdpConvDescent(benchmark::State& s) { time_to_edp(s, "conv-resnet.yaml", "descent"); }
void BM_TimeToEdpMatmulDescent(benchmark::State& s) { time_to_edp(s, "matmul-1024.yaml", "descent"); }
BENCHMARK(BM_SearchEvalsConvRandom)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SearchEvalsConvAnnealing)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SearchEvalsMatmulAnnealing)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TimeToEdpConvAnnealing)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_TimeToEdpConvGenetic)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_TimeToEdpMatmulAnnealing)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_TimeToEdpMatmulGenetic)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_TimeToEdpConvDescent)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_TimeToEdpMatmulDescent)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
BENCHMARK_MAIN();
