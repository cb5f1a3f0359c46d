// Re-ranking the analytical top K on the cycle model: map --rerank and the
// sweep mode rerank.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/tools/sweep_testing.h"

namespace einflow::sweep {
namespace {

using namespace einflow::sweep::testing;

const std::string kGemm = std::string(EINFLOW_SOURCE_DIR) + "/configs/examples/tpu-gemm/";

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string x; std::getline(ss, x, ',');) out.push_back(x);
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
}

// map --rerank K: the first K rows are in the cycle model's cost order, and the
// chosen mapping's cycle-model figure is what `simulate --no-data` gives for it.
TEST(Rerank, MapOrdersTheTopKByTheCycleModel) {
  const std::string dir = temp_dir("rerank");
  const std::string mapper = ::testing::TempDir() + "rerank.mapper.yaml";
  std::ofstream(mapper) << "mapper:\n  max_evaluations: 2000\n  top_k: 8\n";
  const Shell r = sh(kBin + " map --arch " + kGemm + "arch.yaml --workload " + kGemm +
                     "workload.yaml --mapper " + mapper + " --rerank 5 --out " + dir);
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream csv(dir + "/Z/top.csv");
  std::string line;
  std::getline(csv, line);
  ASSERT_EQ(line,
            "rank,cost,cycles,energy_pj,utilization,analytical_rank,cycle_model_cycles,cycle_model_"
            "energy_pj,file");
  double prev = 0;
  for (int k = 0; k < 5 && std::getline(csv, line); ++k) {
    const auto f = split(line);
    const double cost = std::stod(f[6]) * std::stod(f[7]);  // EDP on the cycle model
    EXPECT_GE(cost, prev * (1 - 1e-12)) << line;
    prev = cost;
  }
  const Shell sim = sh(kBin + " simulate --arch " + kGemm + "arch.yaml --workload " + kGemm +
                       "workload.yaml --mapping " + dir + "/Z/mapping.yaml --no-data --json");
  ASSERT_EQ(sim.code, 0) << sim.out;
  std::ifstream stats(dir + "/Z/stats.json");
  std::stringstream all;
  all << stats.rdbuf();
  const std::string cycles = sim.out.substr(sim.out.find("\"cycles\": ") + 10);
  EXPECT_NE(all.str().find("\"cycles\": " + cycles.substr(0, cycles.find_first_of(",\n"))),
            std::string::npos)
      << all.str() << sim.out;
}

// mode rerank in a sweep: the recorded figures are the cycle model's for the
// mapping the record keeps.
TEST(Rerank, SweepRecordsTheCycleModelOfItsMapping) {
  const std::string f = ::testing::TempDir() + "rerank.sweep.yaml";
  const std::string mapper = ::testing::TempDir() + "rerank.mapper.yaml";
  std::ofstream(mapper) << "mapper:\n  max_evaluations: 1000\n  top_k: 4\n";
  std::ofstream(f) << "sweep:\n  base: {arch: " << kGemm << "arch.yaml, workload: " << kGemm
                   << "workload.yaml}\n"
                   << "  designs: [{name: searched, mapper: " << mapper
                   << "}]\n  mode: rerank\n  rerank: 4\n";
  const std::string dir = temp_dir("rerank-sweep");
  ASSERT_EQ(sh(kBin + " sweep " + f + " --out " + dir).code, 0);
  ASSERT_EQ(sh(kBin + " report " + dir + " --format mappings").code, 0);
  const auto recs = read_store(store_path(dir)).records;
  ASSERT_EQ(recs.size(), 1u);
  const Shell sim =
      sh(kBin + " simulate --arch " + kGemm + "arch.yaml --workload " + kGemm +
         "workload.yaml --mapping " + dir + "/mappings/0-searched.yaml --no-data --json");
  ASSERT_EQ(sim.code, 0) << sim.out;
  EXPECT_NE(sim.out.find("\"cycles\": " + std::to_string(recs[0].total().cycles()) + ","),
            std::string::npos)
      << recs[0].total().cycles() << "\n"
      << sim.out;
  EXPECT_EQ(recs[0].provenance().mode(), "rerank");
}

}  // namespace
}  // namespace einflow::sweep
