// Simulated DRAM cycles per second of the command-level model alone (issue 5:
// the open DRAM simulators run about 1-2 million DRAM cycles per second on this
// kind of machine). Run: build/dev/tools/bench/einflow_bench_dram.
#include <benchmark/benchmark.h>

#include "arch/dram_standard.h"
#include "sim/cycle/dram/traffic.h"

namespace {

using namespace einflow;

void bench(benchmark::State& state, const char* standard, sim::dram::Pattern pattern) {
  arch::DramStandard s = *arch::find_dram_standard(standard);
  sim::dram::TrafficConfig cfg;
  cfg.pattern = pattern;
  cfg.requests = 200000;
  cfg.outstanding = 32;
  double cycles = 0, wall = 0, bw = 0;
  for (auto _ : state) {
    sim::dram::TrafficResult r = sim::dram::run_traffic(s, cfg);
    cycles += static_cast<double>(r.cycles);
    wall += r.wall_seconds;
    bw = r.bandwidth_gbps;
  }
  state.counters["Mcycles/s"] = cycles / wall / 1e6;
  state.counters["Mchannel-cycles/s"] = cycles * s.channels / wall / 1e6;
  state.counters["GB/s"] = bw;
}

void BM_Ddr4Stream(benchmark::State& st) {
  bench(st, "DDR4-2400", sim::dram::Pattern::kStream);
}
void BM_Ddr4Random(benchmark::State& st) {
  bench(st, "DDR4-2400", sim::dram::Pattern::kRandom);
}
void BM_Hbm2Stream(benchmark::State& st) {
  bench(st, "HBM2", sim::dram::Pattern::kStream);
}
void BM_Hbm2Random(benchmark::State& st) {
  bench(st, "HBM2", sim::dram::Pattern::kRandom);
}
BENCHMARK(BM_Ddr4Stream)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Ddr4Random)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Hbm2Stream)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Hbm2Random)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
