// einflow pim from the command line: the micro-kernels PIMSimulator's
// benchmarks run, their JSON keys, and the errors a user can make.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

// describe shows a PIM DRAM's units: on GDDR6-AiM, 16 units (one per bank)
// x 32 channels of 16 BF16 lanes, one MAC16 per tCCD_L (2 cycles of 0.5 ns):
// 8192 lanes x 1 GHz x 2 = 16.4 TFLOPS, the vendor's 1 TFLOPS for each of the
// 16 chips (2 channels each); on HBM2-PIM, 8 PCUs x 64 pseudo-channels.
TEST(Cli, DescribeShowsThePimUnits) {
  const std::string arch = std::string(EINFLOW_SOURCE_DIR) + "/configs/examples/pim-gemv-aim/arch.yaml";
  Result text = run("describe " + arch);
  ASSERT_EQ(text.code, 0) << text.out;
  EXPECT_NE(text.out.find("PIM (aim): 16 units per channel x 32 channels, 16 bf16 lanes"), std::string::npos)
      << text.out;
  Result js = run("describe " + arch + " --json");
  ASSERT_EQ(js.code, 0) << js.out;
  const nlohmann::json j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j["nodes"][0]["pim"]["lanes"], 8192);
  EXPECT_NEAR(j["nodes"][0]["pim"]["peak_macs_per_second"].get<double>() * 2, 16 * 1.024e12, 1e6);
  Result hbm = run("describe " + std::string(EINFLOW_SOURCE_DIR) + "/configs/examples/pim-gemv-hbm2-pim/arch.yaml");
  EXPECT_NE(hbm.out.find("PIM (hbm-pim): 8 units per channel x 64 channels"), std::string::npos) << hbm.out;
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

// The PIM designs through a sweep: the design model's figures and the
// deployment reach results.csv (fig_*, deploy_*), and on pim-gpt a GPT-2 decode
// step is faster on PIM than on the same GDDR6 read by the host.
TEST(Cli, PimDesignsThroughASweep) {
  const std::string cfg = std::string(EINFLOW_SOURCE_DIR) + "/configs/";
  const std::string sweep = write_temp("pim-sweep.yaml", R"(
sweep:
  name: pim-small
  mode: analytical
  base:
    arch: )" + cfg + R"(arch/pim-gpt.yaml
    workload: )" + cfg + R"(workloads/gpt2-small.yaml
    set: {workload.instance.scope: layer, workload.instance.phase: decode, workload.instance.batch: 1,
          workload.instance.seq_len: 128, workload.instance.attention: [3pass]}
  axes:
    - {key: arch.GDDR6.channels, values: [4, 8]}
  designs:
    - {name: pim, design: pim}
    - {name: host, design: host-only}
  metrics: [seconds, energy_pj]
  report: {baseline: host}
)");
  const std::string out = ::testing::TempDir() + "pim-sweep-out";
  std::filesystem::remove_all(out);
  Result r = run("sweep " + sweep + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  Result rep = run("report " + out + " --format csv");
  ASSERT_EQ(rep.code, 0) << rep.out;
  std::ifstream in(out + "/results.csv");
  std::string header;
  std::getline(in, header);
  for (const char* col : {"fig_row_hit_rate", "fig_non_vmm_share", "deploy_decode_seconds_per_token", "speedup_vs_host"})
    EXPECT_NE(header.find(col), std::string::npos) << col;
  auto split = [](const std::string& text) {
    std::vector<std::string> cells;
    std::stringstream ss(text);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
    return cells;
  };
  const std::vector<std::string> cols = split(header);
  const auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
  };
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    const std::vector<std::string> cells = split(line);
    ASSERT_GT(cells.size(), col("speedup_vs_host")) << line;
    EXPECT_EQ(cells[col("status")], "ok") << line;
    if (cells[col("design")] == "pim") {
      EXPECT_GT(std::stod(cells[col("speedup_vs_host")]), 1.0) << line;
      EXPECT_GT(std::stod(cells[col("fig_row_hit_rate")]), 0.9) << line;
    }
  }
  EXPECT_EQ(rows, 4);
}

// map --fuse binds the decode step's products to the PIM unit (the mapping
// names it and the layout), and simulate --verify runs that mapping on the
// cycle model: each PIM Einsum within the device's error bound, the outputs
// matching the golden interpreter with the device's arithmetic on them.
TEST(Cli, MapFuseBindsToPimAndSimulateVerifiesIt) {
  const std::string cfg = std::string(EINFLOW_SOURCE_DIR) + "/configs/";
  const std::string workload = " --workload " + cfg + "examples/gpt2-decode-pim-gpt/workload.yaml";
  const std::string arch = " --arch " + cfg + "arch/pim-gpt.yaml";
  const std::string mapper = write_temp("pim-mapper.yaml", "mapper:\n  algorithm: annealing\n  max_evaluations: 2000\n");
  const std::string out = ::testing::TempDir() + "pim-map-out";
  std::filesystem::remove_all(out);
  Result m = run("map --fuse" + arch + workload + " --mapper " + mapper + " --out " + out);
  ASSERT_EQ(m.code, 0) << m.out;
  std::ifstream in(out + "/cascade_mapping.yaml");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("compute: PIM"), std::string::npos);
  EXPECT_NE(text.str().find("layout: row-stream"), std::string::npos);
  Result r = run("simulate" + arch + workload + " --mapping " + out + "/cascade_mapping.yaml --verify --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.contains("verify")) << r.out;
  EXPECT_TRUE(j["verify"]["passed"].get<bool>());
  ASSERT_GE(j["verify"]["pim_einsums"].size(), 6u);
  for (const auto& ch : j["verify"]["pim_einsums"]) EXPECT_TRUE(ch["ok"].get<bool>()) << ch.dump();
  EXPECT_NE(j["verify"]["against"].get<std::string>().find("PIM units' arithmetic"), std::string::npos);
}

// A single-Einsum mapping on the PIM unit: the cycle model runs it command by
// command, as `einflow pim` runs the same GEMV (10450 tCK of 0.5 ns: 5225
// cycles at 1 GHz), and its values pass --verify.
TEST(Cli, ASingleMappingOnThePimUnit) {
  const std::string ex = std::string(EINFLOW_SOURCE_DIR) + "/configs/examples/pim-gemv-aim/";
  const std::string mapping = write_temp("pim-single.yaml", "mapping:\n  einsum: y\n  compute: PIM\n  layout: rounds\n");
  Result r = run("simulate --arch " + ex + "arch.yaml --workload " + ex + "workload.yaml --mapping " + mapping +
                 " --verify --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  const nlohmann::json k = pim_json("--device GDDR6-AiM --kernel gemv --shape 4096x4096");
  EXPECT_EQ(j["cycles"].get<int64_t>(), (k["pim_cycles"].get<int64_t>() + 1) / 2);
  EXPECT_TRUE(j["verify"]["passed"].get<bool>());
  ASSERT_EQ(j["verify"]["pim_einsums"].size(), 1u);
  // A layout the device lacks: HBM-PIM runs its own GEMV, rounds only.
  const std::string hbm = std::string(EINFLOW_SOURCE_DIR) + "/configs/examples/pim-gemv-hbm2-pim/";
  const std::string stream = write_temp("pim-stream.yaml", "mapping:\n  einsum: y\n  compute: PIM\n  layout: row-stream\n");
  Result bad = run("simulate --arch " + hbm + "arch.yaml --workload " + hbm + "workload.yaml --mapping " + stream);
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.out.find("row-stream layout needs AiM's commands"), std::string::npos) << bad.out;
}

}  // namespace
