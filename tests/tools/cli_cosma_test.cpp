// einflow map with the COSMA mapper (mappers/cosma): the files it writes, its
// figures beside the arena baselines, and its input errors (exit 2, located).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/tools/cli_testing.h"

namespace {

using namespace einflow::cli_testing;

std::string mapper(const std::string& name, const std::string& body) {
  return write_temp(name, "mapper:\n" + body);
}

// The tiny attention's whole layer at the tightest budget: COSMA's schedule
// is optimal, checked, and never worse than either arena baseline.
TEST(Cli, CosmaSchedulesALayer) {
  const std::string dir = ::testing::TempDir() + "cosma-layer";
  std::filesystem::remove_all(dir);  // no file of an earlier run counts
  std::filesystem::remove_all(dir + "-peak");
  const std::string m = mapper("cosma-tightest.yaml", "  algorithm: cosma\n  budget: tightest\n  max_seconds: 60\n");
  const Result r = run("map --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt +
                       "tiny.yaml --set instance.scope=layer --variant 1pass --mapper " + m + " --out " + dir);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("arena + Belady, given order"), std::string::npos) << r.out;
  for (const char* f : {"memory_schedule.yaml", "stats.json"}) EXPECT_TRUE(std::filesystem::exists(dir + "/" + f)) << f;
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(dir + "/stats.json"));
  // A baseline's schedule is written when it has one (its figure then too).
  EXPECT_EQ(std::filesystem::exists(dir + "/arena_given.yaml"), j.contains("arena_given_noncompulsory_bytes"));
  EXPECT_EQ(std::filesystem::exists(dir + "/arena_min_peak.yaml"), j.contains("arena_min_peak_noncompulsory_bytes"));
  EXPECT_EQ(j["status"], "optimal");
  EXPECT_EQ(j["budget_bytes"], j["tightest_budget_bytes"]);
  // The arena may find no schedule at the tightest budget (no gap around a
  // tensor waiting for its updater); where it has one, COSMA's is no worse.
  for (const char* arena : {"arena_given_noncompulsory_bytes", "arena_min_peak_noncompulsory_bytes"})
    if (j.contains(arena)) {
      EXPECT_LE(j["cosma_noncompulsory_bytes"].get<double>(), j[arena].get<double>()) << arena;
    }
  EXPECT_DOUBLE_EQ(j["cosma_lower_bound_bytes"].get<double>(), j["cosma_noncompulsory_bytes"].get<double>());
  // At the least peak footprint nothing beyond the compulsory moves.
  const std::string peak = mapper("cosma-peak.yaml", "  algorithm: cosma\n  budget: min-peak\n");
  const Result p = run("map --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt +
                       "tiny.yaml --set instance.scope=layer --variant 1pass --mapper " + peak + " --out " + dir + "-peak");
  ASSERT_EQ(p.code, 0) << p.out;
  const nlohmann::json q = nlohmann::json::parse(std::ifstream(dir + "-peak/stats.json"));
  EXPECT_EQ(q["cosma_noncompulsory_bytes"].get<double>(), 0);
  EXPECT_GE(q["arena_given_noncompulsory_bytes"].get<double>(), 0);  // at the least peak the arena has a schedule
  for (const char* f : {"memory_schedule.yaml", "arena_given.yaml", "arena_min_peak.yaml"})
    EXPECT_TRUE(std::filesystem::exists(dir + "-peak/" + f)) << f;
}

TEST(Cli, CosmaInputErrorsExitTwo) {
  const std::string base = "map --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt + "tiny.yaml --variant 1pass --out " +
                           ::testing::TempDir() + "cosma-bad --mapper ";
  const Result wrong = run(base + mapper("anneal-budget.yaml", "  algorithm: annealing\n  budget: tightest\n"));
  EXPECT_EQ(wrong.code, 2) << wrong.out;
  EXPECT_NE(wrong.out.find("anneal-budget.yaml:3:11"), std::string::npos) << wrong.out;
  EXPECT_NE(wrong.out.find("budget goes with algorithm: cosma"), std::string::npos) << wrong.out;
  const Result name = run(base + mapper("bad-budget.yaml", "  algorithm: cosma\n  budget: roomy\n"));
  EXPECT_EQ(name.code, 2) << name.out;
  EXPECT_NE(name.out.find("expected arch, tightest, min-peak, mean"), std::string::npos) << name.out;
  const Result small = run(base + mapper("small-budget.yaml", "  algorithm: cosma\n  budget: 16\n"));
  EXPECT_EQ(small.code, 2) << small.out;
  EXPECT_NE(small.out.find("small-budget.yaml:3:11"), std::string::npos) << small.out;
  EXPECT_NE(small.out.find("cannot hold the largest operator"), std::string::npos) << small.out;
  // Tensors of 2^62 bytes: counted, not overflowed.
  const std::string huge = write_temp("huge.yaml", "cascade:\n  name: huge\n  ranks: {M: 2147483648, K: 1073741824}\n"
                                                   "  inputs: {A: [M, K]}\n  einsums:\n    - Z[m] = A[m,k]\n");
  const Result big = run("map --arch " + kAtt + "fusemax-4x4.yaml --workload " + huge + " --out " + ::testing::TempDir() +
                         "cosma-huge --mapper " + mapper("cosma.yaml", "  algorithm: cosma\n"));
  EXPECT_EQ(big.code, 2) << big.out;
  EXPECT_NE(big.out.find("huge.yaml:2:3"), std::string::npos) << big.out;
  const Result order = run(base + mapper("bad-order.yaml", "  algorithm: cosma\n  order: any\n"));
  EXPECT_EQ(order.code, 2) << order.out;
  EXPECT_NE(order.out.find("expected free"), std::string::npos) << order.out;
}

}  // namespace
