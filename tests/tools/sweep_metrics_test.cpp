// The sweep's on-chip footprint metric, worked by hand on a fused chain.
#include <gtest/gtest.h>

#include <string>

#include "tests/tools/sweep_testing.h"

namespace einflow::sweep {
namespace {

using namespace einflow::sweep::testing;

// The on-chip footprint of a fused mapping: T = A * A, U = T + C, Z = U * U
// over 2 shared iterations of 4-element tiles, T and U retained in a 12-word
// buffer (what the mapping rules ask for U's three tiles). U overwrites T in
// place, so the buffer peaks at 8 words (by hand, as in
// tests/sim/group_test.cpp): 16 bytes of 16-bit words.
TEST(Sweep, OnChipFootprintOfAFusedMapping) {
  const std::string arch = write_sweep("fp.arch.yaml", R"(architecture:
  name: fp
  clock_mhz: 1000
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 0
    children:
      - name: Buffer
        class: sram
        size_words: 12
        children:
          - {name: PE, class: compute, ops: {mac: {}, add: {}}}
)");
  const std::string work = write_sweep("fp.workload.yaml", R"(cascade:
  name: map
  ranks: {M: 8}
  inputs: {A: [M], C: [M]}
  einsums:
    - T[m] = A[m] * A[m]
    - U[m] = T[m] + C[m]
    - Z[m] = U[m] * U[m]
)");
  std::string tiles;
  for (const char* e : {"T", "U", "Z"})
    tiles += std::string("        - einsum: ") + e +
             "\n          levels:\n            - target: DRAM\n            - target: Buffer\n"
             "              temporal: [{M: 4}]\n";
  const std::string map = write_sweep("fp.mapping.yaml", "cascade_mapping:\n  groups:\n    - shared: [{M: 2}]\n"
                                                         "      retain: Buffer\n      tiles:\n" + tiles);
  const std::string f = write_sweep("fp.sweep.yaml", "sweep:\n  base: {arch: " + arch + ", workload: " + work +
                                                         "}\n  axes: [{key: arch.clock_mhz, values: [1000]}]\n"
                                                         "  designs: [{name: m, mapping: " + map + "}]\n"
                                                         "  metrics: [cycles, onchip_bytes]\n");
  const std::string dir = temp_dir("footprint");
  const Shell r = sh(kBin + " sweep " + f + " --out " + dir);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto recs = read_store(store_path(dir)).records;
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].status(), results::OK) << recs[0].error();
  EXPECT_EQ(recs[0].total().onchip_bytes(), 16);
}

}  // namespace
}  // namespace einflow::sweep
