// The sweep's on-chip footprint metric, worked by hand on a fused chain.
#include <gtest/gtest.h>

#include <string>

#include "tests/tools/sweep_testing.h"

namespace einflow::sweep {
namespace {

using namespace einflow::sweep::testing;

// DRAM above a buffer of `words` 16-bit words above one PE (mac, add).
std::string buffer_arch(const std::string& name, int words) {
  return write_sweep(name + ".arch.yaml", "architecture:\n  name: " + name +
                                              "\n  clock_mhz: 1000\n  tree:\n    name: DRAM\n    class: dram\n"
                                              "    bandwidth_gbps: 0\n    children:\n      - name: Buffer\n"
                                              "        class: sram\n        size_words: " + std::to_string(words) +
                                              "\n        children:\n          - {name: PE, class: compute, ops: {mac: {}, add: {}}}\n");
}

// T = A * A; U = T + C; Z = U * `last` over M = 8.
std::string chain(const std::string& name, const std::string& last) {
  return write_sweep(name + ".workload.yaml", "cascade:\n  name: " + name +
                                                  "\n  ranks: {M: 8}\n  inputs: {A: [M], C: [M]}\n  einsums:\n"
                                                  "    - T[m] = A[m] * A[m]\n    - U[m] = T[m] + C[m]\n    - Z[m] = U[m] * " +
                                                  last + "\n");
}

// The on-chip footprint of a fused mapping: T = A * A, U = T + C, Z = U * U
// over 2 shared iterations of 4-element tiles, T and U retained in a 12-word
// buffer (what the mapping rules ask for U's three tiles). U overwrites T in
// place, so the buffer peaks at 8 words (by hand, as in
// tests/sim/group_test.cpp): 16 bytes of 16-bit words.
TEST(Sweep, OnChipFootprintOfAFusedMapping) {
  const std::string arch = buffer_arch("fp", 12);
  const std::string work = chain("fp", "U[m]");
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

// A sweep of the COSMA mapper over its budgets (hand-worked): T = A*A;
// U = T + C; Z = U*A, 16 bytes each (8 fp16). The order is forced; U's step
// holds T, C, U and A (waiting for Z): 64 bytes, the least peak. The
// tightest budget is 48 (U's step without A): A leaves and is loaded again,
// 16 bytes beyond the compulsory 48 (A, C loaded; Z written).
TEST(Sweep, CosmaMapperOverItsBudgets) {
  const std::string arch = buffer_arch("cosma", 64);
  const std::string work = chain("cosma", "A[m]");
  const std::string mapper = write_sweep("cosma.mapper.yaml", "mapper:\n  algorithm: cosma\n");
  const std::string f = write_sweep("cosma.sweep.yaml", "sweep:\n  mode: analytical\n  base: {arch: " + arch +
                                                            ", workload: " + work +
                                                            "}\n  axes: [{key: mapper.budget, values: [tightest, min-peak]}]\n"
                                                            "  designs: [{name: cosma, mapper: " + mapper + "}]\n"
                                                            "  metrics: [dram_bytes]\n");
  const std::string dir = temp_dir("cosma");
  const Shell r = sh(kBin + " sweep " + f + " --out " + dir);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto recs = read_store(store_path(dir)).records;
  ASSERT_EQ(recs.size(), 2u);
  for (const auto& rec : recs) {
    ASSERT_EQ(rec.status(), results::OK) << rec.error();
    const auto& fig = rec.total().figures();
    const bool tight = rec.axes(0).value() == "tightest";
    EXPECT_EQ(fig.at("budget_bytes"), tight ? 48 : 64);
    EXPECT_EQ(fig.at("compulsory_bytes"), 48);
    EXPECT_EQ(fig.at("cosma_noncompulsory_bytes"), tight ? 16 : 0);
    EXPECT_EQ(fig.at("cosma_optimal"), 1);
    EXPECT_EQ(rec.total().dram_bytes(), tight ? 64 : 48);
  }
}

}  // namespace
}  // namespace einflow::sweep
