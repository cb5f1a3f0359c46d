// Throughput of the golden kernels, in GFLOP/s (Google Benchmark counters).
// Run: build/dev/tools/bench/einflow_bench_golden  (or `cmake --build B --target bench`).
// FLOPs count 2 per multiply-add; softmax counts max, subtract, exp, sum and
// divide as one each (5 per element).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "workloads/golden/kernels.h"

namespace {

std::vector<float> random_floats(size_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(static_cast<double>(gen() >> 11) * 0x1.0p-53 - 0.5);
  return v;
}

void set_gflops(benchmark::State& state, double flops_per_iter) {
  state.counters["GFLOP/s"] = benchmark::Counter(flops_per_iter * 1e-9 * state.iterations(),
                                                 benchmark::Counter::kIsRate);
}

// Square GEMM; the second argument is the thread count (0 = all hardware threads).
void BM_Gemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  auto a = random_floats(n * n, 1), b = random_floats(n * n, 2);
  std::vector<float> c(n * n);
  for (auto _ : state) {
    einflow::golden::gemm<float>(n, n, n, a.data(), n, b.data(), n, c.data(), n, false, threads);
    benchmark::DoNotOptimize(c.data());
  }
  set_gflops(state, 2.0 * n * n * n);
}
BENCHMARK(BM_Gemm)->Args({256, 1})->Args({512, 1})->Args({1024, 1})->Args({1024, 0})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GemmDouble(benchmark::State& state) {
  const int64_t n = state.range(0);
  std::mt19937_64 gen(3);
  std::vector<double> a(n * n), b(n * n), c(n * n);
  for (auto& x : a) x = static_cast<double>(gen() % 1000) / 1000.0;
  for (auto& x : b) x = static_cast<double>(gen() % 1000) / 1000.0;
  for (auto _ : state) {
    einflow::golden::gemm<double>(n, n, n, a.data(), n, b.data(), n, c.data(), n, false, 1);
    benchmark::DoNotOptimize(c.data());
  }
  set_gflops(state, 2.0 * n * n * n);
}
BENCHMARK(BM_GemmDouble)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SoftmaxRows(benchmark::State& state) {
  const int64_t rows = 512, cols = state.range(0);
  auto x0 = random_floats(rows * cols, 4);
  std::vector<float> x(x0.size());
  for (auto _ : state) {
    state.PauseTiming();
    x = x0;
    state.ResumeTiming();
    einflow::golden::softmax_rows<float>(rows, cols, x.data());
    benchmark::DoNotOptimize(x.data());
  }
  set_gflops(state, 5.0 * rows * cols);
}
BENCHMARK(BM_SoftmaxRows)->Arg(512)->Arg(4096)->Unit(benchmark::kMicrosecond);

// One BERT-Base head (E = F = 64) at sequence length M = P.
void BM_AttentionHead(benchmark::State& state) {
  const int64_t len = state.range(0), e = 64;
  const int threads = static_cast<int>(state.range(1));
  auto q = random_floats(len * e, 5), k = random_floats(len * e, 6), v = random_floats(len * e, 7);
  std::vector<float> out(len * e);
  for (auto _ : state) {
    einflow::golden::attention_head<float>(len, len, e, e, q.data(), k.data(), v.data(), false,
                                           out.data(), threads);
    benchmark::DoNotOptimize(out.data());
  }
  set_gflops(state, 2.0 * 2.0 * len * len * e + 5.0 * len * len);
}
BENCHMARK(BM_AttentionHead)->Args({512, 1})->Args({2048, 1})->Args({2048, 0})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
