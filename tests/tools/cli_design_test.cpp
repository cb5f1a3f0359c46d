// The command line over this library policy: named designs over whole
// workloads (evaluate and simulate --design give a sweep's figures), designs
// that do not apply reported with their reason, and DRAM standards from files.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "tests/tools/cli_testing.h"

namespace {

using namespace einflow::cli_testing;

// One composition of a named design over a whole layer: `evaluate --design`
// and `simulate --design --no-data` give the figures a sweep records for the
// same point (analytical and cycle mode), the attention and then the linear
// layers; and the parts add up to the total.
TEST(Cli, DesignOnALayerIsTheSweepsFigure) {
  const std::string args = "--arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt +
                           "tiny.yaml --set instance.scope=layer --design fusemax --json";
  Result e = run("evaluate " + args);
  Result s = run("simulate " + args + " --no-data");
  ASSERT_EQ(e.code, 0) << e.out;
  ASSERT_EQ(s.code, 0) << s.out;
  const auto ej = nlohmann::json::parse(e.out), sj = nlohmann::json::parse(s.out);
  ASSERT_EQ(ej["parts"].size(),
            7u);  // the attention, Q, K, V and output projections, the two FFN layers
  int64_t sum = 0;
  for (const auto& p : ej["parts"]) sum += p["cycles"].get<int64_t>();
  EXPECT_EQ(ej["cycles"].get<int64_t>(), sum);
  for (const char* mode : {"analytical", "cycle"}) {
    const std::string sweep =
        write_temp(std::string("layer-") + mode + ".sweep.yaml",
                   "sweep:\n  mode: " + std::string(mode) + "\n  base: {arch: " + kAtt +
                       "fusemax-4x4.yaml, workload: " + kAtt +
                       "tiny.yaml, set: {workload.instance.scope: layer}}\n"
                       "  designs: [{name: fusemax, design: fusemax}]\n");
    const std::string dir = ::testing::TempDir() + "layer-" + mode;
    run_shell("rm -rf " + dir);
    ASSERT_EQ(run("sweep " + sweep + " --out " + dir).code, 0);
    ASSERT_EQ(run("report " + dir + " --format json").code, 0);
    std::ifstream in(dir + "/report.json");
    const auto rec = nlohmann::json::parse(in)["records"][0];
    const auto& want = std::string(mode) == "cycle" ? sj : ej;
    EXPECT_EQ(rec["cycles"], want["cycles"]) << mode;
    EXPECT_DOUBLE_EQ(rec["energy_pj"].get<double>(), want["energy_pj"].get<double>()) << mode;
  }
  // With values, every part's outputs against the golden interpreter of its cascade.
  Result v = run("simulate " + args.substr(0, args.size() - 7) + " --verify");
  EXPECT_EQ(v.code, 0) << v.out;
  EXPECT_NE(v.out.find("verify: AV, QP, K, V, O, H1, FO match the golden interpreter"),
            std::string::npos)
      << v.out;
}

// A named design that cannot run on the architecture is no silent skip: map
// says which and why, in its output and stats.json (the buffer may not keep
// FLAT's QK rows).
TEST(Cli, MapFuseSaysWhichDesignsDoNotApply) {
  std::ifstream in(kAtt + "fusemax-4x4.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string anchor = "        size_words: 4096\n";
  text.replace(text.find(anchor), anchor.size(), anchor + "        keep: [Q, K, V, AV, Z]\n");
  const std::string arch = write_temp("keep-io.yaml", text);
  const std::string mapper = write_temp("short.mapper.yaml", "mapper:\n  max_evaluations: 100\n");
  const std::string out = ::testing::TempDir() + "fuse-skip";
  Result r = run("map --arch " + arch + " --workload " + kAtt +
                 "tiny.yaml --variant 3pass --fuse --designs --mapper " + mapper + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("design flat not a seed: design flat cannot run on architecture "
                       "'tiny-fusemax': intermediate"),
            std::string::npos)
      << r.out;
  std::ifstream sin(out + "/stats.json");
  const auto j = nlohmann::json::parse(sin);
  EXPECT_EQ(j["seeds"], nlohmann::json::array({"unfused"}));
  EXPECT_NE(j["skipped_designs"]["flat"].get<std::string>().find("is retained at GlobalBuffer"),
            std::string::npos);
}

// A standard's file in place of a built-in name: the built-in's file itself
// gives the same run, and a broken file exits 2 at its location.
TEST(Cli, DramTakesAStandardsFile) {
  const std::string file = std::string(EINFLOW_SOURCE_DIR) + "/configs/dram/HBM2.yaml";
  const std::string args =
      " --pattern random --requests 3000 --outstanding 8 --write-fraction 0.3 --json";
  Result by_name = run("dram --standard HBM2" + args);
  Result by_file = run("dram --standard " + file + args);
  ASSERT_EQ(by_name.code, 0) << by_name.out;
  ASSERT_EQ(by_file.code, 0) << by_file.out;
  auto a = nlohmann::json::parse(by_name.out), b = nlohmann::json::parse(by_file.out);
  for (const char* k : {"cycles", "commands", "energy_pj", "row_hit_rate", "bandwidth_gbps"})
    EXPECT_EQ(a[k], b[k]) << k;
  const std::string bad =
      write_temp("bad-standard.yaml", "name: X\nsources: {a: b}\norganization: {}\n");
  Result r = run("dram --standard " + bad);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find(bad + ":3:15: organization: missing required key 'channels'"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(bad + ":1:1: timing: missing required key 'timing'"), std::string::npos)
      << r.out;
}

// `map --fuse` runs the mapper file's algorithm: an unknown one is refused at
// its location (exit 2) as without --fuse, and another one runs on the cascade.
TEST(Cli, MapFuseHonoursTheMapperAlgorithm) {
  const std::string bad = write_temp("simplex.mapper.yaml", "mapper:\n  algorithm: simplex\n");
  const std::string base = "map --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt + "tiny.yaml --variant 1pass ";
  for (const std::string fuse : {"--fuse ", ""}) {
    Result r = run(base + fuse + "--mapper " + bad + " --out " + ::testing::TempDir() + "fuse-bad");
    EXPECT_EQ(r.code, 2) << fuse << r.out;
    EXPECT_NE(r.out.find(bad + ":2:14"), std::string::npos) << fuse << r.out;
    EXPECT_NE(r.out.find("no search named 'simplex'"), std::string::npos) << fuse << r.out;
  }
  const std::string genetic =
      write_temp("genetic.mapper.yaml", "mapper:\n  algorithm: genetic\n  max_evaluations: 200\n");
  const std::string out = ::testing::TempDir() + "fuse-genetic";
  Result r = run(base + "--fuse --mapper " + genetic + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(out + "/stats.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["algorithm"], "genetic");
  EXPECT_EQ(j["evaluated"], 200);
  EXPECT_EQ(j["stopped_by"], "evaluations");
}

// algorithm: optimal from the command line: the front of latency and energy
// in front.csv (one row per point, each point's mapping beside it), what the
// result is optimal over and the partial mappings in stats.json; a space over
// max_points is the mapper file's error, at its algorithm, exit 2.
TEST(Cli, MapFuseOptimalWritesItsFrontAndCounts) {
  const std::string base = "map --arch " + kAtt + "fusemax-4x4.yaml --workload " + kAtt + "tiny.yaml --variant 1pass --fuse ";
  const std::string mapper = write_temp("optimal.mapper.yaml",
                                        "mapper:\n  algorithm: optimal\n  objective: pareto\n  max_group: 2\n");
  const std::string out = ::testing::TempDir() + "fuse-optimal";
  Result r = run(base + "--mapper " + mapper + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(out + "/stats.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["stopped_by"], "optimal");
  EXPECT_NE(j["optimal_over"].get<std::string>().find("at most 2 Einsums"), std::string::npos);
  const auto& n = j["partial_mappings"];
  EXPECT_GT(n["generated"].get<int64_t>(), n["kept"].get<int64_t>());
  EXPECT_GT(n["joined"].get<int64_t>(), 0);
  std::ifstream csv(out + "/front.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "point,cycles,energy_pj,groups");
  int64_t rows = 0;
  while (std::getline(csv, line)) {
    std::ifstream yaml(out + "/front/" + (rows < 10 ? "0" : "") + std::to_string(rows) + ".yaml");
    EXPECT_TRUE(yaml.good()) << rows;
    ++rows;
  }
  EXPECT_EQ(rows, n["front"].get<int64_t>());

  const std::string huge = write_temp("optimal-huge.mapper.yaml", "mapper:\n  algorithm: optimal\n  max_points: 1000\n");
  r = run(base + "--mapper " + huge + " --out " + out + "-huge");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(huge + ":2:14"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("over max_points (1000)"), std::string::npos) << r.out;

  // The cuts go with optimal only, and name what they accept.
  const std::string cut = write_temp("anneal-cut.mapper.yaml", "mapper:\n  algorithm: annealing\n  factors: ends\n");
  r = run(base + "--mapper " + cut + " --out " + out + "-cut");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(cut + ":3:12"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("factors goes with algorithm: optimal"), std::string::npos) << r.out;
  const std::string odd = write_temp("odd-binding.mapper.yaml", "mapper:\n  algorithm: optimal\n  binding: some\n");
  r = run(base + "--mapper " + odd + " --out " + out + "-odd");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(odd + ":3:12: mapper.binding: expected all or classes, got some"), std::string::npos) << r.out;
}

}  // namespace

namespace {

using namespace einflow::cli_testing;

// A cascade whose units share one buffer port (the FuseMax example with its
// global buffer reading one word a cycle): the analytical model's time is
// never below the reads it counts at that buffer and the words it sends out
// (AV's 512, to the DRAM) over its read bandwidth (the tiles overlap across
// the two arrays; the port does not). The tiles' own times, each bound by the
// port too (a tile is timed alone, its intermediates' drain included, as the
// cycle model walks it), set the schedule above that sum (26,160 cycles; the
// cycle model gives 26,797).
TEST(Cli, CascadeBoundByEveryAccessItCountsAtASharedPort) {
  const std::string dir = std::string(EINFLOW_SOURCE_DIR) + "/configs/examples/fusemax-attention/";
  std::ifstream in(dir + "arch.yaml");
  std::string arch((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string size = "        size_words: 16384\n";
  ASSERT_NE(arch.find(size), std::string::npos);
  arch.insert(arch.find(size) + size.size(), "        read_bandwidth: 1\n");
  const std::string file = write_temp("fusemax-one-port.arch.yaml", arch);
  Result r = run("evaluate --arch " + file + " --workload " + dir + "workload.yaml --mapping " + dir +
                 "mapping.yaml --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  const int64_t reads = j["per_level"]["GlobalBuffer"]["total"]["reads"].get<int64_t>();
  EXPECT_GT(reads, 20000);
  const int64_t sent = j["per_level"]["DRAM"]["total"]["updates"].get<int64_t>();
  EXPECT_EQ(sent, 512);
  EXPECT_GE(j["cycles"].get<int64_t>(), reads + sent);
}

}  // namespace
