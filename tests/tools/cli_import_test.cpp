// `einflow import timeloop`: Timeloop-format files written for these tests,
// imported and evaluated, each expectation worked out by hand.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "tests/tools/cli_testing.h"

using namespace einflow::cli_testing;

namespace {

const std::string kTl = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/timeloop/";

// Imports Timeloop files into a fresh folder and evaluates what was written.
nlohmann::json import_and_evaluate(const std::string& args, const std::string& dir, const std::string& name) {
  std::string out = ::testing::TempDir() + dir;
  Result r = run("import timeloop " + args + " --out " + out);
  EXPECT_EQ(r.code, 0) << r.out;
  Result e = run("evaluate --arch " + out + "/" + name + ".arch.yaml --workload " + out + "/" + name +
                 ".workload.yaml --mapping " + out + "/" + name + ".mapping.yaml --json");
  EXPECT_EQ(e.code, 0) << e.out;
  return e.code == 0 ? nlohmann::json::parse(e.out) : nlohmann::json{};
}

TEST(Cli, ImportTimeloopV04OneLevelMatchesTheTutorial) {
  auto j = import_and_evaluate(kTl + "1level.arch.yaml " + kTl + "conv1d.prob.yaml " + kTl + "1level.map.yaml --ert " +
                                   kTl + "1level.ERT.yaml",
                               "tl1", "conv1d");
  EXPECT_EQ(j["cycles"].get<int64_t>(), 48);
  EXPECT_EQ(j["per_level"]["Buffer"]["total"]["reads"].get<int64_t>(), 128);
  EXPECT_EQ(j["per_level"]["Buffer"]["total"]["updates"].get<int64_t>(), 48);
  // ERT energies: (128 reads + 48 updates) x 0.42 pJ + 48 MACs x 0.6 pJ (mac_random, the costliest entry).
  EXPECT_NEAR(j["energy_pj"].get<double>(), 176 * 0.42 + 48 * 0.6, 1e-9);
}

// ERT names with instance ranges, as every v0.4 ERT writes them, match their
// components, the last one's range included: the tutorial's energies again.
TEST(Cli, ImportTimeloopErtNamesWithRanges) {
  std::ifstream in(kTl + "1level.ERT.yaml");
  std::string ert((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ert.replace(ert.find("System.Buffer"), 13, "system_top_level.PE[0..0].Buffer");
  ert.replace(ert.find("System.MACC"), 11, "system_top_level.PE[0..0].MACC[0..0]");
  const std::string file = write_temp("ranges.ERT.yaml", ert);
  auto j = import_and_evaluate(kTl + "1level.arch.yaml " + kTl + "conv1d.prob.yaml " + kTl + "1level.map.yaml --ert " + file,
                               "tl-ranges", "conv1d");
  EXPECT_NEAR(j["energy_pj"].get<double>(), 176 * 0.42 + 48 * 0.6, 1e-9);
}

TEST(Cli, ImportTimeloopV03TwoLevelsEitherOrder) {
  for (const char* map : {"2level-os.map.yaml", "2level-ws.map.yaml"}) {
    SCOPED_TRACE(map);
    auto j = import_and_evaluate(kTl + "2level.arch.yaml " + kTl + "conv1d.prob.yaml " + kTl + map,
                                 std::string("tl2-") + map, "conv1d");
    EXPECT_EQ(j["cycles"].get<int64_t>(), 48);
    EXPECT_EQ(j["per_level"]["MainMemory"]["total"]["reads"].get<int64_t>(), 21);
    EXPECT_EQ(j["per_level"]["MainMemory"]["total"]["updates"].get<int64_t>(), 16);
    EXPECT_EQ(j["per_level"]["Buffer"]["total"]["reads"].get<int64_t>(), 128);
    EXPECT_EQ(j["per_level"]["Buffer"]["total"]["fills"].get<int64_t>(), 21);
    EXPECT_EQ(j["per_level"]["Buffer"]["total"]["updates"].get<int64_t>(), 48);
  }
}

TEST(Cli, ImportTimeloopNamesWhatItDoesNotUse) {
  std::string out = ::testing::TempDir() + "tl-notes";
  Result r = run("import timeloop " + kTl + "2level.arch.yaml " + kTl + "conv1d-strided.prob.yaml --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("attribute 'n_rdwr_ports' of Buffer is not used by einflow"), std::string::npos) << r.out;
  std::ifstream w(out + "/conv1d-strided.workload.yaml");
  std::string text((std::istreambuf_iterator<char>(w)), std::istreambuf_iterator<char>());
  // Stride 2: the input spans 2 * (16 - 1) + (3 - 1) + 1 = 33 words.
  EXPECT_NE(text.find("InputsDim0: 33"), std::string::npos) << text;
  EXPECT_NE(text.find("Outputs[p] = Weights[r] * Inputs[r+2*p]"), std::string::npos) << text;
  Result p = run("import timeloop " + kTl + "parallel.arch.yaml " + kTl + "conv1d.prob.yaml --out " + out);
  EXPECT_EQ(p.code, 2);
  EXPECT_NE(p.out.find("parallel.arch.yaml:10:5: architecture.nodes[2]: unsupported Timeloop feature '!Parallel'"),
            std::string::npos)
      << p.out;
}

// Storage sized as Timeloop allows: `entries` words, `depth` rows of a block,
// or `sizeKB` (64 B of 8-bit words: 64 words) all give the 64-word buffer of
// 2level.arch.yaml, and the same evaluation.
TEST(Cli, ImportTimeloopStorageSizes) {
  std::ifstream in(kTl + "2level.arch.yaml");
  const std::string arch((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string arch_yaml[3];
  int k = 0;
  for (const std::string size : {"depth: 64", "entries: 64", "sizeKB: 0.0625"}) {
    std::string text = arch;
    text.replace(text.find("depth: 64"), 9, size);
    const std::string file = write_temp("size-" + std::to_string(k) + ".arch.yaml", text);
    const std::string out = ::testing::TempDir() + "tl-size-" + std::to_string(k);
    Result r = run("import timeloop " + file + " " + kTl + "conv1d.prob.yaml " + kTl + "2level-os.map.yaml --out " + out);
    ASSERT_EQ(r.code, 0) << size << r.out;
    std::ifstream a(out + "/conv1d.arch.yaml");
    arch_yaml[k++] = std::string((std::istreambuf_iterator<char>(a)), std::istreambuf_iterator<char>());
  }
  EXPECT_NE(arch_yaml[0].find("size_words: 64"), std::string::npos) << arch_yaml[0];
  EXPECT_EQ(arch_yaml[1], arch_yaml[0]);
  EXPECT_EQ(arch_yaml[2], arch_yaml[0]);
}

// A spatial directive may target a container with a fan-out (`target: PE`, as
// the v0.4 tutorial writes it) or the fan-out level timeloop-mapper generates
// for it (`inter_PE_spatial`): the loops spread over the PEs, below the buffer
// above them, as when the directive targets that buffer. By hand: P = 16 in
// four temporal steps of four PEs, R = 3 in each: 48 MACs on 4 PEs, 12 cycles.
TEST(Cli, ImportTimeloopSpatialDirectivesOnAContainer) {
  const std::string arch = write_temp("pe.arch.yaml", "architecture:\n  version: 0.4\n  nodes:\n  - !Container\n    name: System\n    attributes: {technology: \"40nm\", global_cycle_seconds: 1e-9}\n  - !Component\n    name: MainMemory\n    class: DRAM\n    attributes: {width: 64, datawidth: 8}\n  - !Component\n    name: GlobalBuffer\n    class: SRAM\n    attributes: {depth: 1024, width: 8, datawidth: 8}\n  - !Container\n    name: PE\n    spatial: {meshX: 4}\n  - !Component\n    name: RegisterFile\n    class: regfile\n    attributes: {depth: 16, width: 8, datawidth: 8}\n  - !Component\n    name: MACC\n    class: intmac\n    attributes: {datawidth: 8}\n");
  std::string imported[3];
  int k = 0;
  for (const std::string target : {"GlobalBuffer", "PE", "inter_PE_spatial"}) {
    const std::string map = write_temp("pe-" + target + ".map.yaml",
                                       "mapping:\n  - target: GlobalBuffer\n    type: temporal\n    factors: R=1 P=4\n"
                                       "  - target: " + target + "\n    type: spatial\n    factors: R=1 P=4\n"
                                       "  - target: RegisterFile\n    type: temporal\n    factors: R=3 P=1\n");
    auto j = import_and_evaluate(arch + " " + kTl + "conv1d.prob.yaml " + map, "tl-pe-" + target, "conv1d");
    EXPECT_EQ(j["cycles"].get<int64_t>(), 12) << target;
    std::ifstream m(::testing::TempDir() + "tl-pe-" + target + "/conv1d.mapping.yaml");
    imported[k++] = std::string((std::istreambuf_iterator<char>(m)), std::istreambuf_iterator<char>());
  }
  EXPECT_EQ(imported[1], imported[0]);
  EXPECT_EQ(imported[2], imported[0]);
  EXPECT_NE(imported[0].find("spatial: [{P: 4, axis: x}]"), std::string::npos) << imported[0];
}

// `type: datatype` (what timeloop-mapper writes in v0.4) is the keep/bypass
// entry of v0.2/v0.3 (`bypass`): both import to the same mapping, which keeps
// the weights out of the buffer.
TEST(Cli, ImportTimeloopDatatypeEntriesAreBypassEntries) {
  std::ifstream in(kTl + "2level-ws.map.yaml");
  const std::string map((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string imported[2];
  int k = 0;
  for (const std::string type : {"bypass", "datatype"}) {
    const std::string file = write_temp("ws-" + type + ".map.yaml",
                                        map + "  - target: Buffer\n    type: " + type +
                                            "\n    keep: [Inputs, Outputs]\n    bypass: [Weights]\n");
    const std::string out = ::testing::TempDir() + "tl-" + type;
    Result r = run("import timeloop " + kTl + "2level.arch.yaml " + kTl + "conv1d.prob.yaml " + file + " --out " + out);
    ASSERT_EQ(r.code, 0) << r.out;
    std::ifstream m(out + "/conv1d.mapping.yaml");
    imported[k++] = std::string((std::istreambuf_iterator<char>(m)), std::istreambuf_iterator<char>());
  }
  EXPECT_EQ(imported[0], imported[1]);
  EXPECT_NE(imported[1].find("bypass: [Weights]"), std::string::npos) << imported[1];
}

// Found by tools/fuzz (timeloop): a word of 0 bits made the buffer's size
// infinite and its conversion to a count undefined; sizes and widths out of
// range are the user's error at the component, as are instance counts beyond 2^63.
TEST(Cli, ImportTimeloopSizesOutOfRangeExitTwo) {
  std::ifstream in(kTl + "2level.arch.yaml");
  const std::string arch((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& [from, to, message] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"word-bits: 8\n          width: 8", "word-bits: 0\n          width: 8", "a word of 0 bits"},
           {"depth: 64", "depth: 1e300", "depth gives 1e+300 words"},
           // 4 systems of 2^62 + 1 PEs each.
           {"- name: PE\n", "- name: PE[0..4611686018427387904]\n", "over 2^63"}}) {
    std::string text = arch;
    ASSERT_NE(text.find(from), std::string::npos) << from;
    text.replace(text.find(from), from.size(), to);
    if (message == "over 2^63") text.replace(text.find("- name: System\n"), 15, "- name: System[0..3]\n");
    const std::string file = write_temp("range.arch.yaml", text);
    Result r = run("import timeloop " + file + " " + kTl + "conv1d.prob.yaml --out " + ::testing::TempDir() + "tl-range");
    EXPECT_EQ(r.code, 2) << to << r.out;
    EXPECT_NE(r.out.find(message), std::string::npos) << r.out;
  }
}

// Densities, as timeloopfe's resolved input always writes them: all 1 (per
// tensor, as numbers or {density, distribution}, or empty) is the dense
// problem and imports to the same workload as without them; below 1 is a
// sparse workload, an error at the value.
TEST(Cli, ImportTimeloopDenseDensitiesAreTheDenseProblem) {
  std::ifstream in(kTl + "conv1d.prob.yaml");
  const std::string prob((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto with = [&](const std::string& name, const std::string& densities) {
    return write_temp(name + ".prob.yaml", prob + densities);
  };
  auto workload = [&](const std::string& prob_file, const std::string& dir) {
    Result r = run("import timeloop " + kTl + "1level.arch.yaml " + prob_file + " --out " + ::testing::TempDir() + dir);
    EXPECT_EQ(r.code, 0) << r.out;
    std::ifstream w(::testing::TempDir() + dir + "/conv1d.workload.yaml");
    return std::string((std::istreambuf_iterator<char>(w)), std::istreambuf_iterator<char>());
  };
  const std::string dense = workload(kTl + "conv1d.prob.yaml", "tl-dense");
  ASSERT_FALSE(dense.empty());
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"d-empty", "  densities: {}\n"},
           {"d-numbers", "  densities: {Weights: 1.0, Inputs: 1, Outputs: 1.0}\n"},
           {"d-maps", "  densities:\n    Weights: {density: 1.0, distribution: fixed-structured}\n"},
           {"d-one", "  density: 1\n"}})
    EXPECT_EQ(workload(with(name, text), "tl-" + name), dense) << name;
  // conv1d.prob.yaml has 18 lines: "Weights" is on line 20, its value at column 14.
  const std::string sparse = with("d-sparse", "  densities:\n    Weights: {density: 0.5, distribution: fixed-structured}\n");
  Result r = run("import timeloop " + kTl + "1level.arch.yaml " + sparse + " --out " + ::testing::TempDir() + "tl-sparse");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find(sparse + ":20:14: problem.densities.Weights: unsupported Timeloop feature 'densities' below 1"),
            std::string::npos)
      << r.out;
}

// Found by tools/fuzz (timeloop): a `subtree`, `local`, `coefficients`,
// `data_spaces` or ERT `actions` that is not a list is the user's error at it
// (it was an internal assertion).
TEST(Cli, ImportTimeloopListsThatAreNotListsExitTwo) {
  const std::string arch = write_temp("map-subtree.arch.yaml",
                                      "architecture:\n  version: 0.3\n  subtree:\n  - name: System\n"
                                      "    local:\n    - name: MainMemory\n      class: DRAM\n"
                                      "      attributes: {word-bits: 8, width: 64}\n"
                                      "    subtree:\n      attributes: {datawidth: 8}\n");
  Result r = run("import timeloop " + arch + " " + kTl + "conv1d.prob.yaml --out " + ::testing::TempDir() + "tl-bad");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(arch + ":10:7: architecture.subtree[0].subtree: 'subtree' is a list"), std::string::npos)
      << r.out;
}

}  // namespace
