// einflow pim from the command line: the micro-kernels PIMSimulator's
// benchmarks run, their JSON keys, and the errors a user can make.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/tools/cli_testing.h"

namespace {

using namespace einflow::cli_testing;

nlohmann::json pim_json(const std::string& args) {
  Result r = run("pim " + args + " --json");
  EXPECT_EQ(r.code, 0) << r.out;
  return nlohmann::json::parse(r.out, nullptr, false);
}

// Every documented key, PIM faster than the host on a GEMV, the command
// counts summing to the JSON's, and the PIM run's figures independent of the
// host baseline's mapping.
TEST(Cli, PimMicroKernelsOnBothDevices) {
  const nlohmann::json g = pim_json("--device HBM2-PIM --kernel gemv --shape 4096x4096");
  for (const char* key : {"device", "kernel", "pim_cycles", "baseline_cycles", "speedup", "pim_energy_pj",
                          "baseline_energy_pj", "row_hit_rate", "commands"})
    EXPECT_TRUE(g.contains(key)) << key;
  EXPECT_EQ(g["device"], "HBM2-PIM");
  EXPECT_EQ(g["kernel"], "gemv");
  EXPECT_GT(g["speedup"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(g["speedup"].get<double>(),
                   g["baseline_cycles"].get<double>() / g["pim_cycles"].get<double>());
  EXPECT_EQ(g["commands"]["RD_AB"].get<uint64_t>(), 2048u * 64);
  const nlohmann::json a = pim_json("--device GDDR6-AiM --kernel gemv --shape 4096x4096");
  EXPECT_EQ(a["commands"]["MAC16"].get<uint64_t>(), 32u * 4 * 8 * 64);
  EXPECT_GT(a["speedup"].get<double>(), 1.0);
  const nlohmann::json other = pim_json("--device GDDR6-AiM --kernel gemv --shape 4096x4096 --host-mapping ro-ra-ba-bg-co-ch");
  EXPECT_EQ(other["pim_cycles"], a["pim_cycles"]);
  Result text = run("pim --device HBM2-PIM --kernel relu --shape 4M");
  ASSERT_EQ(text.code, 0) << text.out;
  EXPECT_NE(text.out.find("speedup"), std::string::npos) << text.out;
}

TEST(Cli, PimErrorsExitTwo) {
  Result no_pim = run("pim --device HBM2 --kernel gemv --shape 64x64");
  EXPECT_EQ(no_pim.code, 2) << no_pim.out;
  EXPECT_NE(no_pim.out.find("has no PIM units"), std::string::npos) << no_pim.out;
  Result aim_add = run("pim --device GDDR6-AiM --kernel add --shape 1M");
  EXPECT_EQ(aim_add.code, 2) << aim_add.out;
  EXPECT_NE(aim_add.out.find("no AiM form"), std::string::npos) << aim_add.out;
  Result shape = run("pim --device HBM2-PIM --kernel gemv --shape 4096");
  EXPECT_EQ(shape.code, 2) << shape.out;
  EXPECT_NE(shape.out.find("ROWSxCOLS"), std::string::npos) << shape.out;
  Result mapping = run("pim --device HBM2-PIM --kernel add --shape 1M --host-mapping ro-xx");
  EXPECT_EQ(mapping.code, 2) << mapping.out;
}

}  // namespace
