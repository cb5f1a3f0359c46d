// The einflow binary: exit codes and output contracts of DESIGN §4.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <sys/wait.h>

#include "tests/tools/cli_testing.h"

namespace {

using namespace einflow::cli_testing;

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

// An architecture file given where a workload goes describes as one (as --arch).
TEST(Cli, DescribeAnArchitectureFileWithoutTheFlag) {
  const std::string arch = std::string(EINFLOW_SOURCE_DIR) + "/configs/arch/fusemax-cloud.yaml";
  Result r = run("describe " + arch);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, run("describe --arch " + arch).out);
  EXPECT_EQ(r.out.rfind("architecture fusemax-cloud", 0), 0u) << r.out;
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

// Conv1D (48 MACs) on one MAC under main memory: the fastest mapping takes 48
// cycles; what map writes evaluates to what it reports.
TEST(Cli, MapWritesTheBestMappingItsStatsAndTopK) {
  std::string mapper = write_temp("lat.mapper.yaml",
                                  "mapper:\n  algorithm: exhaustive\n  objective: latency\n  max_evaluations: 0\n  top_k: 5\n");
  std::string out = ::testing::TempDir() + "map-out";
  Result r = run("map --arch " + kConv + "arch-2level.yaml --workload " + kConv + "conv1d.yaml --mapper " + mapper +
                 " --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream stats_in(out + "/O/stats.json");
  auto stats = nlohmann::json::parse(stats_in);
  EXPECT_EQ(stats["cycles"].get<int64_t>(), 48);
  Result e = run("evaluate --arch " + kConv + "arch-2level.yaml --workload " + kConv + "conv1d.yaml --mapping " + out +
                 "/O/mapping.yaml --json");
  ASSERT_EQ(e.code, 0) << e.out;
  auto j = nlohmann::json::parse(e.out);
  EXPECT_EQ(j["cycles"], stats["cycles"]);
  EXPECT_DOUBLE_EQ(j["energy_pj"].get<double>(), stats["energy_pj"].get<double>());
  std::ifstream csv(out + "/O/top.csv");
  std::string line;
  int rows = -1;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 5);
  std::ifstream summary_in(out + "/summary.json");
  EXPECT_EQ(nlohmann::json::parse(summary_in)["cycles"].get<int64_t>(), 48);
}

TEST(Cli, MapBadMapperExitsTwo) {
  std::string mapper = write_temp("typo.mapper.yaml", "mapper:\n  algorithm: anneal\n");
  Result r = run("map --arch " + kConv + "arch-2level.yaml --workload " + kConv + "conv1d.yaml --mapper " + mapper +
                 " --out " + ::testing::TempDir() + "map-bad");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("typo.mapper.yaml:2:14: mapper.algorithm: no search named 'anneal'"), std::string::npos) << r.out;
}

// Every mapper preset loads and finds a valid mapping (a short run) for a
// convolution on the Eyeriss-like architecture.
TEST(Cli, MapperPresetsRun) {
  const std::string dir = std::string(EINFLOW_SOURCE_DIR) + "/configs/mappers/";
  const std::string conv = write_temp("small-conv.yaml", R"(cascade:
  name: conv
  ranks: {N: 1, K: 16, C: 8, P: 6, Q: 6, R: 3, S: 3, H: 8, W: 8}
  inputs: {Weights: [K, C, R, S], Inputs: [N, C, H, W]}
  einsums:
    - Outputs[n,k,p,q] = Inputs[n,c,p+r,q+s] * Weights[k,c,r,s]
)");
  for (const char* preset : {"default", "genetic-latency", "eyeriss-row-stationary", "descent"}) {
    SCOPED_TRACE(preset);
    std::string limited = write_temp(std::string(preset) + ".yaml", [&] {
      std::ifstream in(dir + preset + ".yaml");
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      return text + "  batch: 64\n";
    }());
    Result r = run("map --arch " + std::string(EINFLOW_SOURCE_DIR) + "/configs/arch/eyeriss-like.yaml --workload " + conv +
                   " --mapper " + limited + " --out " + ::testing::TempDir() + "map-" + preset);
    EXPECT_EQ(r.code, 0) << r.out;
  }
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


namespace {


// The cascade search started from the named designs writes a cascade mapping
// at least as good as FuseMax's (EDP).
TEST(Cli, MapFuseFromTheDesigns) {
  const std::string mapper = write_temp("short.mapper.yaml", "mapper:\n  max_evaluations: 200\n");
  const std::string out = ::testing::TempDir() + "fuse-out";
  Result r = run("map --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt + "tiny.yaml --variant 1pass --fuse --designs"
                 " --mapper " + mapper + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(out + "/stats.json");
  auto j = nlohmann::json::parse(in);
  // FuseMax's own mapping of the tiny attention, from a sweep of the named designs.
  const std::string named = ::testing::TempDir() + "fuse-named";
  run_shell("rm -rf " + named);
  ASSERT_EQ(run("sweep " + kAtt + "designs.yaml --out " + named).code, 0);
  ASSERT_EQ(run("report " + named + " --format json").code, 0);
  std::ifstream fin(named + "/report.json");
  const nlohmann::json rep = nlohmann::json::parse(fin);
  nlohmann::json f;
  for (const auto& rec : rep["records"])
    if (rec["design"] == "fusemax") f = rec;
  ASSERT_EQ(f["cycles"].get<int64_t>(), 348);  // tests/mappers/named_test.cpp works it by hand
  EXPECT_LE(j["cycles"].get<double>() * j["energy_pj"].get<double>(),
            f["cycles"].get<double>() * f["energy_pj"].get<double>() * (1 + 1e-12));
  Result e = run("evaluate --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt + "tiny.yaml --mapping " + out +
                 "/cascade_mapping.yaml --variant 1pass --json");
  ASSERT_EQ(e.code, 0) << e.out;
  EXPECT_EQ(nlohmann::json::parse(e.out)["cycles"], j["cycles"]);
}

// A recurrence cannot spread its carried rank over instances: each would read
// an entry another has not written yet (the cycle model's --verify caught a
// searched mapping doing this).
TEST(Cli, RecurrenceOverSpatialInstancesIsRejected) {
  const std::string map = write_temp("rm-spatial.map.yaml", R"(mapping:
  einsum: RM#2
  compute: Array1D
  levels:
    - target: DRAM
    - target: GlobalBuffer
      temporal: [{P: 16}]
      spatial: [{M1: 4, axis: x}]
    - target: PE1D
)");
  Result r = run("evaluate --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt + "tiny.yaml --variant 1pass --mapping " + map);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("rm-spatial.map.yaml:8:17: invalid mapping: Einsum RM#2 carries a recurrence over rank M1"),
            std::string::npos)
      << r.out;
}

// Every ready-to-run example (configs/examples/<name>/: an arch, a workload and
// a mapping file, or a design named in design.txt) runs on the cycle model and
// verifies against golden (the PIM examples: each PIM Einsum within its
// device's error bound).
TEST(Cli, EveryExampleSimulatesAndVerifies) {
  const std::string dir = std::string(EINFLOW_SOURCE_DIR) + "/configs/examples/";
  Result ls = run_shell("ls " + dir);
  std::istringstream names(ls.out);
  int examples = 0;
  for (std::string name; std::getline(names, name);) {
    std::string arch, workload, how;
    Result files = run_shell("ls " + dir + name);
    std::istringstream fs(files.out);
    for (std::string f; std::getline(fs, f);) {
      if (f.find("arch") != std::string::npos) arch = dir + name + "/" + f;
      if (f.find("workload") != std::string::npos) workload = dir + name + "/" + f;
      if (f.find("mapping") != std::string::npos) how = " --mapping " + dir + name + "/" + f;
      if (f == "design.txt") {
        std::ifstream in(dir + name + "/" + f);
        std::string design;
        in >> design;
        how = " --design " + design;
      }
    }
    ASSERT_FALSE(arch.empty() || workload.empty() || how.empty()) << name;
    Result r = run("simulate --arch " + arch + " --workload " + workload + how + " --verify");
    EXPECT_EQ(r.code, 0) << name << "\n" << r.out;
    EXPECT_NE(r.out.find("verify: "), std::string::npos) << name;
    // The convolution's data is int16: compared exactly.
    if (name == "eyeriss-conv") {
      EXPECT_NE(r.out.find("exact, integer data"), std::string::npos) << r.out;
    }
    ++examples;
  }
  EXPECT_GE(examples, 8);
}

}  // namespace

// --dram-timing on the hand-worked case of tests/sim/dram_link_test.cpp (147
// cycles) and on a cascade; without a DRAM standard it is refused with exit 2.
TEST(Cli, SimulateWithDramTiming) {
  const std::string d = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/cycle/";
  Result r = run("simulate --arch " + d + "dram/arch.yaml --workload " + d +
                 "pipeline/workload.yaml --mapping " + d +
                 "noc/m-whole.yaml --dram-timing --verify --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["cycles"], 147);
  EXPECT_EQ(j["dram_timing"]["cycles_over_peak"], 54);
  EXPECT_EQ(j["dram_timing"]["standard"], "DDR4-2400-hand");  // tests/data/dram/DDR4-2400-hand.yaml
  r = run("simulate --arch " + d + "noc/arch.yaml --workload " + d +
          "pipeline/workload.yaml --mapping " + d + "noc/m-whole.yaml --dram-timing");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("noc/arch.yaml:9:5: --dram-timing needs the DRAM node"), std::string::npos)
      << r.out;
  r = run("simulate --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt +
          "tiny.yaml --design fusemax --dram-timing");
  EXPECT_EQ(r.code, 2);
  r = run("simulate --arch " + kAtt + "fusemax-4x4-hbm2.yaml --workload " + kAtt +
          "tiny.yaml --design fusemax --dram-timing --verify");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("DRAM timing (HBM2)"), std::string::npos) << r.out;
}

// A bandwidth of nearly nothing makes a run longer than 2^62 cycles: both
// models say so with the architecture's location and exit 2.
TEST(Cli, ImpossiblyLongRunsExitTwo) {
  const std::string d = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/cycle/";
  const std::string arch = ::testing::TempDir() + "/crawl.yaml";
  Result w = run_shell("sed 's/noc_bandwidth: 2/read_bandwidth: 1e-300/' " + d +
                       "noc/arch-narrow.yaml > " + arch);
  ASSERT_EQ(w.code, 0);
  for (const char* cmd : {"evaluate", "simulate"}) {
    Result r = run(std::string(cmd) + " --arch " + arch + " --workload " + d +
                   "pipeline/workload.yaml --mapping " + d + "noc/m-whole.yaml");
    EXPECT_EQ(r.code, 2) << cmd;
    EXPECT_NE(r.out.find("crawl.yaml:5:3: the run would take more than 2^62 cycles"),
              std::string::npos)
        << r.out;
  }
}

TEST(Cli, DramJsonReportsTheComparisonKeys) {
  Result r = run("dram --standard DDR4-2400 --pattern random --requests 2000 --outstanding 8 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"bandwidth_gbps", "avg_read_latency_ns", "p99_read_latency_ns", "row_hit_rate", "energy_pj"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["commands"]["RD"], 2000);
  EXPECT_GE(j["p99_read_latency_ns"].get<double>(), j["avg_read_latency_ns"].get<double>());
  EXPECT_LE(j["bandwidth_gbps"].get<double>(), 19.2);
}

TEST(Cli, DramBadInputExitsTwo) {
  Result r = run("dram --standard DDR9 --requests 10 --outstanding 1");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("unknown DRAM standard 'DDR9'"), std::string::npos) << r.out;
  EXPECT_EQ(run("dram --standard HBM2 --address-mapping ro-co").code, 2);
  EXPECT_EQ(run("dram --standard HBM2 --pattern zigzag").code, 2);
  EXPECT_EQ(run("dram --standard HBM2 --outstanding 0").code, 2);
}

TEST(Cli, SimulateVerifyPassesAndRejectsBadCombinations) {
  const std::string d = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/conv1d/";
  Result r = run("simulate --arch " + d + "arch-2level.yaml --workload " + d + "conv1d.yaml --mapping " + d +
                 "map-2level-ws.yaml --verify");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("O matches the golden interpreter"), std::string::npos) << r.out;
  r = run("simulate --arch " + d + "arch-2level.yaml --workload " + d + "conv1d.yaml --mapping " + d +
          "map-2level-ws.yaml --verify --no-data");
  EXPECT_EQ(r.code, 2);
  const std::string cm = write_temp("cascade-map.yaml", "cascade_mapping:\n  groups: []\n");
  r = run("simulate --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt + "tiny.yaml --variant 1pass --mapping " + cm);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("is in no group"), std::string::npos) << r.out;
  r = run("simulate --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt + "tiny.yaml --design fusemx");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("did you mean 'fusemax'"), std::string::npos) << r.out;
  r = run("simulate --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt + "tiny.yaml");
  EXPECT_EQ(r.code, 2) << r.out;
}

// Every named design of the FuseMax ablation runs on the cycle model and its
// output equals both the golden interpreter and the direct implementation.
TEST(Cli, SimulateNamedDesignsVerify) {
  for (const char* design : {"unfused", "flat", "cascade", "architecture", "fusemax"}) {
    Result r = run("simulate --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt + "tiny.yaml --design " +
                   design + " --verify");
    EXPECT_EQ(r.code, 0) << design << "\n" << r.out;
    EXPECT_NE(r.out.find("AV matches the golden interpreter and the direct implementation"), std::string::npos)
        << design << "\n" << r.out;
  }
}

// An online softmax that never rescales its running numerator: the golden
// interpreter runs it as written, but the reference variant (3-pass softmax)
// disagrees, so --verify fails naming the first wrong element.
TEST(Cli, SimulateVerifyCatchesMissingCorrectionFactor) {
  const std::string wl = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/cycle/online-softmax-no-correction.yaml";
  Result r = run("simulate --arch " + kAtt + "fusemax-4x4.yaml --workload " + wl + " --design fusemax --verify");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("verify: AV[0, 0] = "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("variant 3pass gives"), std::string::npos) << r.out;
  // The reference variant itself, through FLAT's dataflow, passes.
  r = run("simulate --arch " + kAtt + "fusemax-4x4.yaml --workload " + wl + " --design flat --verify");
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(Cli, SimulateTraceIsChromeTraceEvents) {
  const std::string trace = ::testing::TempDir() + "fusemax-trace.json";
  Result r = run("simulate --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt +
                 "tiny.yaml --design fusemax --no-data --trace " + trace + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const int64_t cycles = nlohmann::json::parse(r.out)["cycles"].get<int64_t>();
  std::ifstream in(trace);
  nlohmann::json t = nlohmann::json::parse(in);
  std::map<int, std::string> tracks;
  for (const auto& e : t["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "thread_name") tracks[e["tid"].get<int>()] = e["args"]["name"];
  std::map<std::string, double> busy;
  double last = 0;
  for (const auto& e : t["traceEvents"]) {
    if (e["ph"] != "X") continue;
    EXPECT_GE(e["dur"].get<double>(), 0);
    busy[tracks.at(e["tid"].get<int>())] += e["args"]["end_cycle"].get<double>() - e["args"]["start_cycle"].get<double>();
    last = std::max(last, e["args"]["end_cycle"].get<double>());
  }
  EXPECT_EQ(static_cast<int64_t>(last), cycles);  // the last activity ends the run
  EXPECT_GT(busy["Array2D"], 0);
  EXPECT_GT(busy["Array1D"], 0);
  // Units never run two tiles at once: busy time within the run.
  for (const auto& [unit, b] : busy) EXPECT_LE(b, static_cast<double>(cycles)) << unit;
}

// einflow bound on a model: the deployment keys, and a decode step of
// Llama-2-7B bound by bandwidth (every weight and the cache streamed once).
TEST(Cli, BoundReportsTheDeploymentKeys) {
  const std::string root = std::string(EINFLOW_SOURCE_DIR) + "/configs/";
  Result r = run("bound --arch " + root + "arch/fusemax-cloud-mixers.yaml --workload " + root +
                 "workloads/llama2-7b.yaml --variant 1pass --set instance.seq_len=4K --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  const auto& d = j["deployment"];
  for (const char* k : {"weights_bytes", "kv_cache_bytes_per_token", "kv_cache_bytes", "prefill_seconds",
                        "decode_seconds_per_token", "max_concurrent_requests", "context_switch_seconds"})
    EXPECT_TRUE(d.contains(k)) << k;
  EXPECT_DOUBLE_EQ(d["weights_bytes"].get<double>(), 6738415616.0 * 2);
  EXPECT_DOUBLE_EQ(d["kv_cache_bytes"].get<double>(), 524288.0 * 4096);
  EXPECT_EQ(d["decode_layer"]["bound"], "bandwidth");
  // No size_bytes on this DRAM and no host link: unknown, not invented.
  EXPECT_EQ(d["max_concurrent_requests"].get<int64_t>(), -1);
  EXPECT_EQ(d["context_switch_seconds"].get<double>(), -1);
  Result bad = run("bound --arch " + root + "arch/fusemax-cloud.yaml --workload " + root +
                   "workloads/llama2-7b.yaml --variant 1pass");
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("no compute unit of 'fusemax-cloud' can run Einsum"), std::string::npos) << bad.out;
}
