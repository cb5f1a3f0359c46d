// DRAM standards as data: the built-in standards are the files of
// configs/dram/, a standard added from a file of that format behaves exactly as
// the built-in one it copies, `ns` timing values convert by JEDEC's rounding,
// and every fault of such a file is reported at its file:line:col.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "arch/arch.h"
#include "arch/dram_standard.h"
#include "common/files.h"
#include "common/yaml_node.h"
#include "sim/cycle/dram/traffic.h"

namespace einflow::arch {
namespace {

namespace fs = std::filesystem;
const std::string kDramDir = std::string(EINFLOW_SOURCE_DIR) + "/configs/dram/";
// The hand-worked tests' DDR4-2400 (reference/dram.md's x8 column, JEDEC's tWR, tRTP, tWTR).
const std::string kHandDdr4 = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/dram/DDR4-2400-hand.yaml";

std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

// `text` with the first line containing `from` replaced by `to`.
std::string replace_line(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  const size_t start = text.rfind('\n', at) + 1;
  const size_t end = text.find('\n', at);
  return text.replace(start, end - start, to);
}

// 1-based line of the first line containing `what`.
int line_of(const std::string& text, const std::string& what) {
  const size_t at = text.find(what);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

std::string error_of(const std::string& path) {
  try {
    resolve_dram_standard(path, SourceLoc{}, "");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(DramStandardFiles, TheBuiltInsAreTheFilesOfConfigsDram) {
  std::vector<std::string> stems;
  for (const auto& f : fs::directory_iterator(kDramDir)) stems.push_back(f.path().stem().string());
  std::sort(stems.begin(), stems.end());
  std::vector<std::string> names = dram_standard_names();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, stems);
  for (const std::string& name : stems) {
    SCOPED_TRACE(name);
    const DramStandard s = *find_dram_standard(name);
    EXPECT_EQ(s.file, "configs/dram/" + name + ".yaml");
    // Every value of the file names a source, and each citation is text.
    size_t given = 0;
    for (const auto& p : dram_params())
      given += p.required || (s.power.idd && std::string(p.section) == "energy") ? 1 : 0;
    // A PIM section's every value, numbers and words alike.
    const YamlNode doc = YamlNode::load_file(kDramDir + name + ".yaml");
    if (doc.has("pim")) given += doc["pim"].size();
    EXPECT_EQ(s.value_sources.size(), given);
    for (const auto& [key, cite] : s.value_sources) EXPECT_GT(cite.size(), 10u) << key;
  }
}

// HBM2 follows one reference configuration throughout: every organization and
// timing value cites DRAMsim3 (its HBM2_8Gb_x128.ini or, where the .ini leaves
// a value out, its default); only the pJ/bit figure comes from elsewhere, and says so.
TEST(DramStandardFiles, Hbm2FollowsDramsim3Throughout) {
  const DramStandard s = *find_dram_standard("HBM2");
  for (const auto& [key, cite] : s.value_sources) {
    if (key == "energy.pj_per_bit") {
      EXPECT_NE(cite.find("O'Connor"), std::string::npos) << cite;
      continue;
    }
    EXPECT_NE(cite.find("DRAMsim3"), std::string::npos) << key << ": " << cite;
  }
  EXPECT_EQ(s.timing.tfaw, 30);
  EXPECT_EQ(s.timing.trrd_l, 6);
}

// DDR4-2400 is DRAMsim3's DDR4_8Gb_x8_2400.ini throughout: CL = CWL = tRCD =
// tRP = 16, tRAS 39 (tRC = tRAS + tRP = 55), tREFI 9364, tWR 19, tRTP its
// default 5; every value cites it except the analytical pJ/bit.
TEST(DramStandardFiles, Ddr4FollowsDramsim3Throughout) {
  const DramStandard s = *find_dram_standard("DDR4-2400");
  for (const auto& [key, cite] : s.value_sources) {
    if (key == "energy.pj_per_bit") continue;
    EXPECT_NE(cite.find("DRAMsim3"), std::string::npos) << key << ": " << cite;
  }
  const auto& t = s.timing;
  EXPECT_EQ(t.cl, 16);
  EXPECT_EQ(t.cwl, 16);
  EXPECT_EQ(t.trcd_rd, 16);
  EXPECT_EQ(t.trp, 16);
  EXPECT_EQ(t.trc, 55);
  EXPECT_EQ(t.trefi, 9364);
  EXPECT_EQ(t.twr, 19);
  EXPECT_EQ(t.trtp, 5);
}

// GDDR6 and DDR5-4800 follow Ramulator 2.1 throughout (DRAMsim3 upstream has
// neither): every organization and timing value cites it, except GDDR6's
// tRTRS (the model has no ranks; unused with one) and the pJ/bit figures.
TEST(DramStandardFiles, Gddr6AndDdr5FollowRamulator2Throughout) {
  for (const char* name : {"GDDR6", "DDR5-4800"}) {
    SCOPED_TRACE(name);
    const DramStandard s = *find_dram_standard(name);
    for (const auto& [key, cite] : s.value_sources) {
      if (key == "energy.pj_per_bit" || (std::string(name) == "GDDR6" && key == "timing.tRTRS")) continue;
      EXPECT_NE(cite.find("Ramulator 2.1"), std::string::npos) << key << ": " << cite;
    }
  }
  // GDDR6_14000_1350mV_double.
  const auto g = find_dram_standard("GDDR6")->timing;
  EXPECT_EQ(g.cwl, 6);
  EXPECT_EQ(g.trcd_rd, 27);
  EXPECT_EQ(g.trp, 27);
  EXPECT_EQ(g.trc, 79);
  EXPECT_EQ(g.trfc, 211);
  EXPECT_EQ(g.twr, 27);
  // DDR5_4800AN and what Ramulator derives for DDR5_16Gb_x8.
  const auto d = find_dram_standard("DDR5-4800")->timing;
  EXPECT_EQ(d.cl, 34);
  EXPECT_EQ(d.trcd_rd, 34);
  EXPECT_EQ(d.trc, 111);
  EXPECT_EQ(d.trefi, 9375);
  EXPECT_EQ(d.trfc, 708);
}

TEST(DramStandardFiles, AStandardFromAFileGivesTheBuiltInOnesResults) {
  const std::string text =
      replace_line(read_file(kDramDir + "DDR4-2400.yaml"), "name: DDR4-2400", "name: MY-DDR4");
  const DramStandard mine = resolve_dram_standard(temp_file("my-ddr4.yaml", text), SourceLoc{}, "");
  const DramStandard builtin = *find_dram_standard("DDR4-2400");
  EXPECT_EQ(mine.name, "MY-DDR4");
  for (auto pattern : {sim::dram::Pattern::kStream, sim::dram::Pattern::kRandom}) {
    sim::dram::TrafficConfig cfg;
    cfg.pattern = pattern;
    cfg.requests = 20000;
    cfg.write_fraction = 0.25;
    const auto a = sim::dram::run_traffic(mine, cfg);
    const auto b = sim::dram::run_traffic(builtin, cfg);
    EXPECT_EQ(a.cycles, b.cycles);
    EXPECT_EQ(a.stats.commands, b.stats.commands);
    EXPECT_DOUBLE_EQ(a.energy_pj, b.energy_pj);
    EXPECT_DOUBLE_EQ(a.row_hit_rate, b.row_hit_rate);
  }
}

// JESD79-4's rounding: nCK = truncate(t / tCK + 0.974). At tCK 0.833 ns,
// tWR 15 ns is 18.007 + 0.974 -> 18 cycles and tRTP 7.5 ns 9.004 + 0.974 -> 9,
// the cycle values of the reference table; tRFC 350 ns is 420.17 -> 421.
TEST(DramStandardFiles, NanosecondValuesRoundAsJedecSays) {
  std::string text = read_file(kHandDdr4);
  text = replace_line(text, "tWR:", "  tWR: {value: 15, unit: ns, source: jedec}");
  text = replace_line(text, "tRTP:", "  tRTP: {value: 7.5, unit: ns, source: jedec}");
  text = replace_line(text, "tRFC:", "  tRFC: {value: 350, unit: ns, source: jedec}");
  const DramStandard s = resolve_dram_standard(temp_file("ns.yaml", text), SourceLoc{}, "");
  EXPECT_EQ(s.timing.twr, 18);
  EXPECT_EQ(s.timing.trtp, 9);
  EXPECT_EQ(s.timing.trfc, 421);
}

TEST(DramStandardFiles, AnArchitectureNamesAFileBesideIt) {
  const std::string dir = ::testing::TempDir() + "dram-arch/";
  fs::create_directories(dir);
  temp_file("dram-arch/mine.yaml",
            replace_line(read_file(kDramDir + "HBM2.yaml"), "name: HBM2", "name: MY-HBM"));
  const std::string arch = temp_file("dram-arch/arch.yaml", R"(architecture:
  name: d
  tree:
    name: DRAM
    class: dram
    standard: mine.yaml
    children:
      - {name: U, class: compute, ops: {mac: {}}}
)");
  const Architecture a = load_arch(arch);
  ASSERT_TRUE(a.node(0).dram_standard.has_value());
  EXPECT_EQ(a.node(0).dram_standard->name, "MY-HBM");
  EXPECT_DOUBLE_EQ(a.node(0).bandwidth_gbps, 256.0);  // 8 channels x 32 GB/s
}

TEST(DramStandardFiles, FaultsAreLocated) {
  const std::string ddr4 = read_file(kHandDdr4);
  struct Case {
    const char* line_has;
    const char* replacement;
    int col;
    const char* message;
  };
  const Case cases[] = {
      {"tRP:", "  tRP: {value: 17, unit: cycles, source: jdec}", 42,
       "timing.tRP.source: unknown source 'jdec'; the file's sources: ref, jedec, dramsim3, idd, "
       "energy "
       "(did you mean 'jedec'?)"},
      {"tRAS:", "  tRAS: {value: 39, unit: us, source: ref}", 27,
       "timing.tRAS.unit: expected unit 'cycles' or 'ns', got 'us'"},
      {"tRC:", "  tRC: {value: 56.5, unit: cycles, source: ref}", 16,
       "timing.tRC.value: expected a whole number >= 0, got 56.5"},
      {"tFAW:", "  tFAWW: {value: 26, unit: cycles, source: ref}", 3,
       "timing.tFAWW: unknown key 'tFAWW' (did you mean 'tFAW'?)"},
      {"IDD0:", "  IDD0X: {value: 48, unit: mA, source: idd}", 3,
       "energy.IDD0X: unknown key 'IDD0X' (did you mean 'IDD0'?)"},
      {"rows:", "  rows: {value: 0, source: dramsim3}", 17,
       "organization.rows.value: expected a whole number > 0, got 0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line_has);
    const std::string text = replace_line(ddr4, c.line_has, c.replacement);
    const std::string path = temp_file("bad-dram.yaml", text);
    const std::string where =
        path + ":" + std::to_string(line_of(text, c.replacement)) + ":" + std::to_string(c.col);
    EXPECT_NE(error_of(path).find(where + ": " + c.message), std::string::npos) << error_of(path);
  }
  // A missing timing value is reported at its section.
  const std::string no_cl = replace_line(ddr4, "  CL:", "");
  const std::string path = temp_file("no-cl.yaml", no_cl);
  EXPECT_NE(error_of(path).find(":" + std::to_string(line_of(no_cl, "tCK:")) +
                                ":3: timing: missing required key 'CL'"),
            std::string::npos)
      << error_of(path);
  // Unknown names list the built-ins; a missing file is said to be missing.
  EXPECT_NE(
      error_of("DDR4-2401").find("unknown DRAM standard 'DDR4-2401'; known: DDR4-2400, DDR4-3200"),
      std::string::npos);
  EXPECT_NE(error_of("nowhere/x.yaml").find("no DRAM standard file 'nowhere/x.yaml'"),
            std::string::npos);
}

}  // namespace
}  // namespace einflow::arch
