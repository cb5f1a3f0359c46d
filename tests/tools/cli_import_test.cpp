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

// The text of a file ("" when it cannot be read).
std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

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
  std::string ert = file_text(kTl + "1level.ERT.yaml");
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
  std::string text = file_text(out + "/conv1d-strided.workload.yaml");
  // Stride 2: the input spans 2 * (16 - 1) + (3 - 1) + 1 = 33 words.
  EXPECT_NE(text.find("InputsDim0: 33"), std::string::npos) << text;
  EXPECT_NE(text.find("Outputs[p] = Weights[r] * Inputs[r+2*p]"), std::string::npos) << text;
}

// Storage sized as Timeloop allows: `entries` words, `depth` rows of a block,
// or `sizeKB` (64 B of 8-bit words: 64 words) all give the 64-word buffer of
// 2level.arch.yaml, and the same evaluation.
TEST(Cli, ImportTimeloopStorageSizes) {
  const std::string arch = file_text(kTl + "2level.arch.yaml");
  std::string arch_yaml[3];
  int k = 0;
  for (const std::string size : {"depth: 64", "entries: 64", "sizeKB: 0.0625"}) {
    std::string text = arch;
    text.replace(text.find("depth: 64"), 9, size);
    const std::string file = write_temp("size-" + std::to_string(k) + ".arch.yaml", text);
    const std::string out = ::testing::TempDir() + "tl-size-" + std::to_string(k);
    Result r = run("import timeloop " + file + " " + kTl + "conv1d.prob.yaml " + kTl + "2level-os.map.yaml --out " + out);
    ASSERT_EQ(r.code, 0) << size << r.out;
    arch_yaml[k++] = file_text(out + "/conv1d.arch.yaml");
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
    imported[k++] = file_text(::testing::TempDir() + "tl-pe-" + target + "/conv1d.mapping.yaml");
  }
  EXPECT_EQ(imported[1], imported[0]);
  EXPECT_EQ(imported[2], imported[0]);
  EXPECT_NE(imported[0].find("spatial: [{P: 4, axis: x}]"), std::string::npos) << imported[0];
}

// `type: datatype` (what timeloop-mapper writes in v0.4) is the keep/bypass
// entry of v0.2/v0.3 (`bypass`): both import to the same mapping, which keeps
// the weights out of the buffer.
TEST(Cli, ImportTimeloopDatatypeEntriesAreBypassEntries) {
  const std::string map = file_text(kTl + "2level-ws.map.yaml");
  std::string imported[2];
  int k = 0;
  for (const std::string type : {"bypass", "datatype"}) {
    const std::string file = write_temp("ws-" + type + ".map.yaml",
                                        map + "  - target: Buffer\n    type: " + type +
                                            "\n    keep: [Inputs, Outputs]\n    bypass: [Weights]\n");
    const std::string out = ::testing::TempDir() + "tl-" + type;
    Result r = run("import timeloop " + kTl + "2level.arch.yaml " + kTl + "conv1d.prob.yaml " + file + " --out " + out);
    ASSERT_EQ(r.code, 0) << r.out;
    imported[k++] = file_text(out + "/conv1d.mapping.yaml");
  }
  EXPECT_EQ(imported[0], imported[1]);
  EXPECT_NE(imported[1].find("bypass: [Weights]"), std::string::npos) << imported[1];
}

// Found by tools/fuzz (timeloop): a word of 0 bits made the buffer's size
// infinite and its conversion to a count undefined; sizes and widths out of
// range are the user's error at the component, as are instance counts beyond 2^63.
TEST(Cli, ImportTimeloopSizesOutOfRangeExitTwo) {
  const std::string arch = file_text(kTl + "2level.arch.yaml");
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
  const std::string prob = file_text(kTl + "conv1d.prob.yaml");
  auto with = [&](const std::string& name, const std::string& densities) {
    return write_temp(name + ".prob.yaml", prob + densities);
  };
  auto workload = [&](const std::string& prob_file, const std::string& dir) {
    Result r = run("import timeloop " + kTl + "1level.arch.yaml " + prob_file + " --out " + ::testing::TempDir() + dir);
    EXPECT_EQ(r.code, 0) << r.out;
    return file_text(::testing::TempDir() + dir + "/conv1d.workload.yaml");
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

namespace {

// The energy of one component and action in an evaluation's JSON.
double energy_of(const nlohmann::json& j, const std::string& component, const std::string& action) {
  for (const auto& e : j["energy"])
    if (e["component"] == component && e["action"] == action) return e["energy_pj"].get<double>();
  return -1;
}

int64_t count_of(const nlohmann::json& j, const std::string& level, const std::string& tensor, const char* what) {
  if (!j.contains("per_level") || !j["per_level"].contains(level) || !j["per_level"][level].contains(tensor)) return -1;
  return j["per_level"][level][tensor][what].get<int64_t>();
}

// An imported Conv1D (in TempDir()/dir) evaluated again under einflow's own
// reuse model instead of Timeloop's.
nlohmann::json evaluate_own_reuse(const std::string& dir) {
  const std::string at = ::testing::TempDir() + dir + "/";
  std::string arch = file_text(at + "conv1d.arch.yaml");
  arch.replace(arch.find("reuse_model: timeloop"), 21, "reuse_model: einflow");
  const std::string own = write_temp(dir + "-own.arch.yaml", arch);
  Result e = run("evaluate --arch " + own + " --workload " + at + "conv1d.workload.yaml --mapping " + at +
                 "conv1d.mapping.yaml --json");
  EXPECT_EQ(e.code, 0) << e.out;
  return e.code == 0 ? nlohmann::json::parse(e.out) : nlohmann::json{};
}

}  // namespace

// Wide memories and a v0.2 ERT, charged as Timeloop charges them: per vector
// access, ceil(words per instance and tensor / block), at the ERT's costliest
// argument variant; fills at `write`, updates at `update`; the buffer leaks
// 0.25 pJ a cycle. Counts (everything in the buffer, R innermost): buffer
// reads W 48, I 48, O 48 - 16 = 32; fills W 3, I 18; updates O 48; DRAM
// reads W 3, I 18, updates O 16. By hand:
//   DRAM reads   (ceil(3/8) + ceil(18/8)) x 64 = 4 x 64   = 256
//   DRAM updates  ceil(16/8) x 70               = 2 x 70   = 140
//   buffer reads (12 + 12 + 8) x 2.5                       =  80
//   buffer fills (ceil(3/4) + ceil(18/4)) x 3 = 6 x 3      =  18
//   buffer updates 12 x 3.5                                =  42
//   leakage 48 cycles x 0.25                               =  12
//   MACs 48 x 0.75 (mac_random)                            =  36   total 584
TEST(Cli, ImportTimeloopVectorAccessesV02ErtAndLeakage) {
  auto j = import_and_evaluate(kTl + "vector.arch.yaml " + kTl + "conv1d.prob.yaml " + kTl + "vector.map.yaml --ert " +
                                   kTl + "vector.ERT.yaml",
                               "tl-vector", "conv1d");
  EXPECT_EQ(j["cycles"].get<int64_t>(), 48);
  EXPECT_NEAR(energy_of(j, "MainMemory", "read"), 256, 1e-9);
  EXPECT_NEAR(energy_of(j, "MainMemory", "update"), 140, 1e-9);
  EXPECT_NEAR(energy_of(j, "Buffer", "read"), 80, 1e-9);
  EXPECT_NEAR(energy_of(j, "Buffer", "fill"), 18, 1e-9);
  EXPECT_NEAR(energy_of(j, "Buffer", "update"), 42, 1e-9);
  EXPECT_NEAR(energy_of(j, "Buffer", "leak"), 12, 1e-9);
  EXPECT_NEAR(j["energy_pj"].get<double>(), 584, 1e-9);
}

// Register files of 16-bit rows holding 8-bit words with block_size 1: two PEs
// share a row (a cluster of 2), so an access energy serves two PEs: with four
// PEs busy, two clusters. Per PE: reads W 12, I 12, O 8; fills W 3, I 6;
// updates O 12. RegFile: reads 32 x 1 pJ x 2 = 64; fills 9 x 2 pJ x 2 = 36;
// updates 12 x 3 pJ x 2 = 72. The PEs' input tiles I[4i .. 4i+5] overlap by
// two words: Timeloop multicasts only identical tiles, so the buffer reads
// 4 x 6 = 24 inputs (einflow's own model reads their union, 18, once).
TEST(Cli, ImportTimeloopClustersAndOverlappingTiles) {
  auto j = import_and_evaluate(kTl + "cluster.arch.yaml " + kTl + "conv1d.prob.yaml " + kTl + "cluster.map.yaml --ert " +
                                   kTl + "cluster.ERT.yaml",
                               "tl-cluster", "conv1d");
  EXPECT_NEAR(energy_of(j, "RegFile", "read"), 64, 1e-9);
  EXPECT_NEAR(energy_of(j, "RegFile", "fill"), 36, 1e-9);
  EXPECT_NEAR(energy_of(j, "RegFile", "update"), 72, 1e-9);
  EXPECT_EQ(count_of(j, "Buffer", "Inputs", "reads"), 24);
  EXPECT_EQ(count_of(j, "RegFile", "Inputs", "fills"), 24);
  EXPECT_EQ(count_of(j, "Buffer", "Weights", "reads"), 3);  // the same three weights to every PE: multicast
  // The same design under einflow's own reuse model: the union, once.
  EXPECT_EQ(count_of(evaluate_own_reuse("tl-cluster"), "Buffer", "Inputs", "reads"), 18);
}

// A sliding window moved by two loops (DRAM: P = 4 outer, R = 3 inner; the
// buffer holds four P). Timeloop keeps a tile's overlap only while the
// translation repeats: R's steps move the input tile by 1 (1 new word each),
// P's step moves it by 4 - 2 = 2, a change of stride, so the whole 4-word tile
// is fetched again: 4 x (4 + 1 + 1) = 24 input fills. einflow's own model
// keeps the two overlapping words: 6 + 3 x (2 + 1 + 1) = 18.
TEST(Cli, ImportTimeloopHaloRefetchedWhenTheStrideChanges) {
  const std::string map = write_temp("halo.map.yaml",
                                     "mapping:\n  - {target: MainMemory, type: temporal, factors: R=3 P=4, permutation: RP}\n"
                                     "  - {target: Buffer, type: temporal, factors: R=1 P=4}\n");
  auto j = import_and_evaluate(kTl + "vector.arch.yaml " + kTl + "conv1d.prob.yaml " + map, "tl-halo", "conv1d");
  EXPECT_EQ(count_of(j, "Buffer", "Inputs", "fills"), 24);
  EXPECT_EQ(count_of(j, "MainMemory", "Inputs", "reads"), 24);
  EXPECT_EQ(count_of(evaluate_own_reuse("tl-halo"), "Buffer", "Inputs", "fills"), 18);
}

// Spatial reduction as the current Timeloop counts it (first partial sums
// neither read nor filled): GEMV M = 4, K = 8, the buffer iterating M and
// spreading K over four PEs, each register file two K. Outputs: buffer
// updates 4 (one reduced partial sum per m), reads 0, fills 4 - 4 = 0; each
// register file updates 8, reads 8 - 4 = 4, fills 0; the DRAM 4 updates.
TEST(Cli, ImportTimeloopSpatialReductionElidesFirstPartialSums) {
  const std::string prob = write_temp("gemv.prob.yaml",
                                      "problem:\n  shape:\n    name: GEMV\n    dimensions: [M, K]\n    data-spaces:\n"
                                      "    - {name: Weights, projection: [[[M]], [[K]]]}\n"
                                      "    - {name: Inputs, projection: [[[K]]]}\n"
                                      "    - {name: Outputs, projection: [[[M]]], read-write: True}\n"
                                      "  instance: {M: 4, K: 8}\n");
  const std::string map = write_temp("gemv.map.yaml",
                                     "mapping:\n  - {target: MainMemory, type: temporal, factors: M=1 K=1}\n"
                                     "  - {target: Buffer, type: temporal, factors: M=4 K=1}\n"
                                     "  - {target: PE, type: spatial, factors: M=1 K=4}\n"
                                     "  - {target: RegFile, type: temporal, factors: M=1 K=2}\n");
  auto j = import_and_evaluate(kTl + "cluster.arch.yaml " + prob + " " + map, "tl-gemv", "gemv");
  EXPECT_EQ(count_of(j, "Buffer", "Outputs", "updates"), 4);
  EXPECT_EQ(count_of(j, "Buffer", "Outputs", "reads"), 0);
  EXPECT_EQ(count_of(j, "Buffer", "Outputs", "fills"), 0);
  EXPECT_EQ(count_of(j, "RegFile", "Outputs", "updates"), 32);
  EXPECT_EQ(count_of(j, "RegFile", "Outputs", "reads"), 16);
  EXPECT_EQ(count_of(j, "RegFile", "Outputs", "fills"), 0);
  EXPECT_EQ(count_of(j, "MainMemory", "Outputs", "updates"), 4);
}

// !Parallel as timeloopfe transpiles it: the branches become serial levels,
// each bypassing what the others keep. The weight buffer holds the weights
// (3 fills, 48 reads by the MACs), the data buffer the inputs and outputs
// with the counts of vector.map.yaml's single buffer.
TEST(Cli, ImportTimeloopParallelBranches) {
  auto j = import_and_evaluate(kTl + "parallel-buffers.arch.yaml " + kTl + "conv1d.prob.yaml " + kTl +
                                   "parallel-buffers.map.yaml",
                               "tl-parallel", "conv1d");
  EXPECT_EQ(j["cycles"].get<int64_t>(), 48);
  EXPECT_EQ(count_of(j, "WeightBuffer", "Weights", "fills"), 3);
  EXPECT_EQ(count_of(j, "WeightBuffer", "Weights", "reads"), 48);
  EXPECT_EQ(count_of(j, "WeightBuffer", "Inputs", "reads"), -1);  // not held there
  EXPECT_EQ(count_of(j, "DataBuffer", "Inputs", "fills"), 18);
  EXPECT_EQ(count_of(j, "DataBuffer", "Outputs", "reads"), 32);
  EXPECT_EQ(count_of(j, "DataBuffer", "Outputs", "updates"), 48);
  EXPECT_EQ(count_of(j, "DataBuffer", "Weights", "reads"), -1);
}

// v0.3 lists may name the arithmetic before its storage; Timeloop puts it
// innermost: the same counts as 2level.arch.yaml.
TEST(Cli, ImportTimeloopArithmeticListedBeforeStorage) {
  std::string arch = file_text(kTl + "2level.arch.yaml");
  const std::string macc = "      - name: MACC\n        class: intmac\n        attributes:\n          datawidth: 8\n";
  ASSERT_NE(arch.find(macc), std::string::npos);
  arch.erase(arch.find(macc), macc.size());
  arch.insert(arch.find("      - name: Buffer"), macc);
  const std::string file = write_temp("macc-first.arch.yaml", arch);
  auto j = import_and_evaluate(file + " " + kTl + "conv1d.prob.yaml " + kTl + "2level-os.map.yaml", "tl-macc-first",
                               "conv1d");
  EXPECT_EQ(j["per_level"]["MainMemory"]["total"]["reads"].get<int64_t>(), 21);
  EXPECT_EQ(j["per_level"]["Buffer"]["total"]["reads"].get<int64_t>(), 128);
}

// Architecture constraints become the mapper file's: exactly R = 3 and at
// most 4 P in the register file with R innermost, P spread exactly 4 ways
// over the PEs. Every mapping a search keeps honours them.
TEST(Cli, ImportTimeloopArchitectureConstraintsConstrainTheSearch) {
  const std::string out = ::testing::TempDir() + "tl-constrained";
  Result r = run("import timeloop " + kTl + "constrained.arch.yaml " + kTl + "conv1d.prob.yaml --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string mapper = file_text(out + "/conv1d.mapper.yaml");
  EXPECT_NE(mapper.find("spatial_factors: {P: 4, R: 1}"), std::string::npos) << mapper;
  EXPECT_NE(mapper.find("max_factors: {P: 4}"), std::string::npos) << mapper;
  EXPECT_NE(mapper.find("innermost: [R]"), std::string::npos) << mapper;
  Result m = run("map --arch " + out + "/conv1d.arch.yaml --workload " + out + "/conv1d.workload.yaml --mapper " + out +
                 "/conv1d.mapper.yaml --out " + out + "/map");
  ASSERT_EQ(m.code, 0) << m.out;
  for (int k = 0; k < 10; ++k) {
    char name[16];
    std::snprintf(name, sizeof name, "%02d.yaml", k);
    std::ifstream t(out + "/map/Outputs/top/" + name);
    if (!t) break;
    const std::string text((std::istreambuf_iterator<char>(t)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(text);
    EXPECT_NE(text.find("spatial: [{P: 4, axis: x}]"), std::string::npos);
    const auto rf = text.find("target: RegFile");
    ASSERT_NE(rf, std::string::npos);
    const std::string rf_text = text.substr(rf);
    EXPECT_NE(rf_text.find("{R: 3}]"), std::string::npos);  // R = 3, the innermost loop
    EXPECT_EQ(rf_text.find("{P: 8}"), std::string::npos);
    EXPECT_EQ(rf_text.find("{P: 16}"), std::string::npos);
  }
}

// Everything in one file, as timeloopfe's resolved input writes it (nulls,
// empty constraint lists, meshX counting the whole array, settings einflow
// does not use), given as the architecture, the problem and the mapping. By
// hand (Timeloop's counts): four PEs each run R = 3 x P = 4, 12 cycles. The
// register files fill W 3 and I 6 each (12, 24) and read 48, 48 and O 48 - 16
// = 32; the buffer keeps W and I: W multicast to every PE (3 reads), the
// overlapping input windows read per PE (4 x 6 = 24); O goes to the DRAM.
TEST(Cli, ImportTimeloopResolvedInputInOneFile) {
  const std::string f = kTl + "resolved.yaml";
  auto j = import_and_evaluate(f + " " + f + " " + f, "tl-resolved", "conv1d");
  EXPECT_EQ(j["cycles"].get<int64_t>(), 12);
  EXPECT_EQ(count_of(j, "RegFile", "Weights", "fills"), 12);
  EXPECT_EQ(count_of(j, "RegFile", "Inputs", "fills"), 24);
  EXPECT_EQ(count_of(j, "RegFile", "Outputs", "reads"), 32);
  EXPECT_EQ(count_of(j, "Buffer", "Weights", "reads"), 3);
  EXPECT_EQ(count_of(j, "Buffer", "Inputs", "reads"), 24);
  EXPECT_EQ(count_of(j, "Buffer", "Outputs", "reads"), -1);  // bypassed
  EXPECT_EQ(count_of(j, "MainMemory", "Inputs", "reads"), 18);
  EXPECT_EQ(count_of(j, "MainMemory", "Outputs", "updates"), 16);
}

// A subtree's attributes are shared with what it holds (Accelergy's rule),
// the component's own winning: the buffer of 2level.arch.yaml without its own
// word-bits takes the System's 8 bits, so sizeKB 0.0625 is 64 words (with
// einflow's default of 16 bits it would be 32).
TEST(Cli, ImportTimeloopSubtreeAttributesAreInherited) {
  std::string arch = file_text(kTl + "2level.arch.yaml");
  arch.replace(arch.find("technology: 40nm"), 16, "technology: 40nm\n      datawidth: 8");
  const std::string own = "          depth: 64\n          word-bits: 8\n";
  arch.replace(arch.find(own), own.size(), "          sizeKB: 0.0625\n");
  const std::string file = write_temp("inherit.arch.yaml", arch);
  const std::string out = ::testing::TempDir() + "tl-inherit";
  Result r = run("import timeloop " + file + " " + kTl + "conv1d.prob.yaml --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string text = file_text(out + "/conv1d.arch.yaml");
  EXPECT_NE(text.find("word_bits: 8\n        size_words: 64"), std::string::npos) << text;
}
