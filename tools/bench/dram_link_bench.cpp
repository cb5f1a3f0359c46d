// Memory of the command-level DRAM link over many transfers (issue 16: SystemC
// processes are created once per engine and re-armed, not once per transfer,
// so memory stays flat). Runs 10^5 transfers of 32 words each (reads, and a
// write every fourth transfer) through DDR4-2400 and prints the peak resident
// memory, the SystemC processes and the time after 10^3, 10^4 and 10^5.
// Run: build/dev/tools/bench/einflow_bench_dram_link [TRANSFERS]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "arch/arch.h"
#include "sim/cycle/dram/dram_link.h"
#include "sim/cycle/engine.h"

namespace {

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace einflow;
  const uint64_t transfers = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  const arch::Architecture a = arch::load_arch_text(R"(architecture:
  name: bench
  clock_mhz: 1000
  tree:
    name: DRAM
    class: dram
    standard: DDR4-2400
    children:
      - {name: U, class: compute, ops: {mac: {}}}
)",
                                                    "bench.yaml");
  sim::dram::DramLink link(a.node(a.dram()), a.clock_mhz);
  const auto start = std::chrono::steady_clock::now();
  std::printf("%12s %14s %12s %10s\n", "transfers", "peak RSS KiB", "processes", "seconds");
  double t = 0;
  std::vector<uint64_t> reads(32), writes;
  for (uint64_t i = 1; i <= transfers; ++i) {
    for (size_t w = 0; w < reads.size(); ++w) reads[w] = ((i * 32 + w) * 2) % (uint64_t{1} << 30);
    writes.clear();
    if (i % 4 == 0) writes = reads;
    t += link.transfer(t, reads, writes);
    if (i == 1000 || i == 10000 || i == 100000 || i == transfers)
      std::printf("%12llu %14ld %12zu %10.2f\n", static_cast<unsigned long long>(i), peak_rss_kib(),
                  sim::Engine::processes(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return 0;
}
