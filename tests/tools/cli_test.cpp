// The einflow binary: exit codes and output contracts of DESIGN §4.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>

namespace {

struct Result {
  int code = -1;
  std::string out;
};

Result run(const std::string& args) {
  std::string cmd = std::string(EINFLOW_BINARY) + " " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

const std::string kBert = std::string(EINFLOW_SOURCE_DIR) + "/configs/workloads/bert-base.yaml";

TEST(Cli, CheckJsonReportsEveryVariant) {
  Result r = run("check " + kBert + " --set instance.seq_len=30 --set instance.block=6 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["passed"].get<bool>());
  for (const char* v : {"3pass", "2pass", "1pass"}) {
    ASSERT_TRUE(j["variants"].contains(v)) << v;
    EXPECT_LT(j["variants"][v]["max_rel_error"].get<double>(), 1e-5);
  }
}

TEST(Cli, DescribeJsonHasPassCounts) {
  Result r = run("describe " + kBert + " --set instance.seq_len=30 --set instance.block=6 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["variants"]["3pass"]["passes"]["M"], 3);
  EXPECT_EQ(j["variants"]["2pass"]["passes"]["M"], 2);
  EXPECT_EQ(j["variants"]["1pass"]["passes"]["M"], 1);
}

TEST(Cli, BadInputExitsTwoWithLocation) {
  std::string f = write_temp("bad.yaml", "cascade:\n  ranks: {P: 3}\n  inputs: {X: [P]}\n  einsums:\n    - Y[p] = Z[p]\n");
  Result r = run("check " + f);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find(f + ":5:14: undefined tensor 'Z'"), std::string::npos) << r.out;
}

TEST(Cli, MalformedYamlExitsTwo) {
  std::string f = write_temp("broken.yaml", "model: [unclosed\n");
  Result r = run("describe " + f);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find(f + ":"), std::string::npos) << r.out;
}

TEST(Cli, MissingFileAndUnknownVariantExitTwo) {
  EXPECT_EQ(run("check /nonexistent.yaml").code, 2);
  Result r = run("check " + kBert + " --variant 4pass");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("no variant named '4pass'"), std::string::npos) << r.out;
}

TEST(Cli, FailedCheckExitsOne) {
  // A hand-written pair of variants that disagree: the check fails with exit code 1.
  std::string f = write_temp("differ.yaml", R"(variants:
  a: {ranks: {P: 4}, inputs: {X: [P]}, einsums: ["Y[p] = X[p] * 2"]}
  b: {ranks: {P: 4}, inputs: {X: [P]}, einsums: ["Y[p] = X[p] * 3"]}
)");
  Result r = run("check " + f);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("MISMATCH"), std::string::npos);
}

TEST(Cli, UnknownOptionExitsTwo) { EXPECT_EQ(run("check --frobnicate").code, 2); }

TEST(Cli, HelpExitsZero) { EXPECT_EQ(run("check --help").code, 0); }

}  // namespace

namespace {

const std::string kConv = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/conv1d/";

TEST(Cli, EvaluateJsonHasTheContractKeysAndPerLevel) {
  Result r = run("evaluate --arch " + kConv + "arch-2level.yaml --workload " + kConv + "conv1d.yaml --mapping " +
                 kConv + "map-2level-ws.yaml --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"cycles", "seconds", "energy_pj", "dram_bytes", "utilization", "per_einsum", "per_level"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["cycles"].get<int64_t>(), 48);
  EXPECT_EQ(j["per_level"]["MainMemory"]["total"]["reads"].get<int64_t>(), 21);
  EXPECT_EQ(j["per_level"]["Buffer"]["total"]["fills"].get<int64_t>(), 21);
  EXPECT_EQ(j["per_level"]["Buffer"]["O"]["updates"].get<int64_t>(), 48);
  EXPECT_DOUBLE_EQ(j["seconds"].get<double>(), 48e-9);  // 1 GHz
}

TEST(Cli, EvaluateInvalidMappingExitsOne) {
  std::string map = write_temp("bad.map.yaml", "mapping:\n  levels:\n    - {target: Buffer, temporal: [{P: 8}, {R: 3}]}\n");
  Result r = run("evaluate --arch " + kConv + "arch-1level.yaml --workload " + kConv + "conv1d.yaml --mapping " + map);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("invalid mapping: the factors of rank P multiply to 8, not to its size 16"), std::string::npos)
      << r.out;
}

TEST(Cli, EvaluateBadInputExitsTwo) {
  std::string map = write_temp("typo.map.yaml", "mapping:\n  levels:\n    - {target: Bufer}\n");
  Result r = run("evaluate --arch " + kConv + "arch-1level.yaml --workload " + kConv + "conv1d.yaml --mapping " + map);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("typo.map.yaml:3:16: mapping.levels[0].target: 'Bufer' is not a storage level"),
            std::string::npos)
      << r.out;
}

TEST(Cli, DescribeArchPrintsTreeEnergyAndArea) {
  Result r = run("describe --arch " + std::string(EINFLOW_SOURCE_DIR) + "/configs/arch/eyeriss-like.yaml");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* s : {"IfmapSpad [regfile] mesh 14 x 12, 168 instances", "GlobalBuffer [sram]", "65536 words (128 KiB)",
                        "total area", "Horowitz ISSCC 2014"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  Result j = run("describe --arch " + std::string(EINFLOW_SOURCE_DIR) + "/configs/arch/tpu-like.yaml --json");
  ASSERT_EQ(j.code, 0) << j.out;
  EXPECT_EQ(nlohmann::json::parse(j.out)["nodes"][3]["instances"].get<int64_t>(), 65536);
}

}  // namespace
