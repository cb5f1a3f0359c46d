// Evaluations per second of the analytical model (issue 3's speed target:
// 200,000 per second per core). Run: build/dev/tools/bench/einflow_bench_model.
#include <benchmark/benchmark.h>

#include <string>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "sim/analytical/nest_model.h"
#include "workloads/workload.h"

namespace {

using namespace einflow;

const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tools/bench/data/";

void bench(benchmark::State& state, const std::string& arch_file, const std::string& workload,
           const std::string& map_file) {
  arch::Architecture a = arch::load_arch(arch_file);
  workloads::Cascade c = workloads::load_workload(workload).variants.front().cascade;
  mapping::Mapping m = mapping::load_mapping(map_file, c, a);
  mapping::MappingStatus st = mapping::validate_mapping(m, c, a);
  if (!st.ok) {
    state.SkipWithError(st.reason.c_str());
    return;
  }
  sim::analytical::NestModel model(a, c, m.einsum, m.compute);
  sim::analytical::Nest nest = model.nest_of(m);
  sim::analytical::NestResult r;
  for (auto _ : state) {
    model.evaluate(nest, r);
    benchmark::DoNotOptimize(r.energy_pj);
  }
  state.counters["evals/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["cycles"] = static_cast<double>(r.cycles);
}

void BM_Matmul3Level(benchmark::State& state) {
  bench(state, kData + "three-level.arch.yaml", kData + "matmul.yaml", kData + "matmul-3level.map.yaml");
}
BENCHMARK(BM_Matmul3Level);

void BM_Conv7RankEyeriss(benchmark::State& state) {
  bench(state, std::string(EINFLOW_SOURCE_DIR) + "/configs/arch/eyeriss-like.yaml", kData + "conv-alexnet3.yaml",
        kData + "conv-eyeriss.map.yaml");
}
BENCHMARK(BM_Conv7RankEyeriss);

}  // namespace

BENCHMARK_MAIN();
