// The sweep's on-chip footprint metric, worked by hand on a fused chain.
#include <gtest/gtest.h>

#include <fstream>
#include <vector>
#include <map>
#include <algorithm>
#include <string>

#include "tests/tools/sweep_testing.h"
#include "tools/sweep/measured.h"

namespace einflow::sweep {
namespace {

using namespace einflow::sweep::testing;

// DRAM above a buffer of `words` 16-bit words above one PE (mac, add).
std::string buffer_arch(const std::string& name, int words) {
  return write_sweep(name + ".arch.yaml", "architecture:\n  name: " + name +
                                              "\n  clock_mhz: 1000\n  tree:\n    name: DRAM\n    class: dram\n"
                                              "    bandwidth_gbps: 0\n    children:\n      - name: Buffer\n"
                                              "        class: sram\n        size_words: " + std::to_string(words) +
                                              "\n        children:\n          - {name: PE, class: compute, ops: {mac: {}, add: {}}}\n");
}

// T = A * A; U = T + C; Z = U * `last` over M = 8.
std::string chain(const std::string& name, const std::string& last) {
  return write_sweep(name + ".workload.yaml", "cascade:\n  name: " + name +
                                                  "\n  ranks: {M: 8}\n  inputs: {A: [M], C: [M]}\n  einsums:\n"
                                                  "    - T[m] = A[m] * A[m]\n    - U[m] = T[m] + C[m]\n    - Z[m] = U[m] * " +
                                                  last + "\n");
}

// The on-chip footprint of a fused mapping: T = A * A, U = T + C, Z = U * U
// over 2 shared iterations of 4-element tiles, T and U retained in a 12-word
// buffer (what the mapping rules ask for U's three tiles). U overwrites T in
// place, so the buffer peaks at 8 words (by hand, as in
// tests/sim/group_test.cpp): 16 bytes of 16-bit words.
TEST(Sweep, OnChipFootprintOfAFusedMapping) {
  const std::string arch = buffer_arch("fp", 12);
  const std::string work = chain("fp", "U[m]");
  std::string tiles;
  for (const char* e : {"T", "U", "Z"})
    tiles += std::string("        - einsum: ") + e +
             "\n          levels:\n            - target: DRAM\n            - target: Buffer\n"
             "              temporal: [{M: 4}]\n";
  const std::string map = write_sweep("fp.mapping.yaml", "cascade_mapping:\n  groups:\n    - shared: [{M: 2}]\n"
                                                         "      retain: Buffer\n      tiles:\n" + tiles);
  const std::string f = write_sweep("fp.sweep.yaml", "sweep:\n  base: {arch: " + arch + ", workload: " + work +
                                                         "}\n  axes: [{key: arch.clock_mhz, values: [1000]}]\n"
                                                         "  designs: [{name: m, mapping: " + map + "}]\n"
                                                         "  metrics: [cycles, onchip_bytes]\n");
  const std::string dir = temp_dir("footprint");
  const Shell r = sh(kBin + " sweep " + f + " --out " + dir);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto recs = read_store(store_path(dir)).records;
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].status(), results::OK) << recs[0].error();
  EXPECT_EQ(recs[0].total().onchip_bytes(), 16);
}

// A sweep of the COSMA mapper over its budgets (hand-worked): T = A*A;
// U = T + C; Z = U*A, 16 bytes each (8 fp16). The order is forced; U's step
// holds T, C, U and A (waiting for Z): 64 bytes, the least peak. The
// tightest budget is 48 (U's step without A): A leaves and is loaded again,
// 16 bytes beyond the compulsory 48 (A, C loaded; Z written).
TEST(Sweep, CosmaMapperOverItsBudgets) {
  const std::string arch = buffer_arch("cosma", 64);
  const std::string work = chain("cosma", "A[m]");
  const std::string mapper = write_sweep("cosma.mapper.yaml", "mapper:\n  algorithm: cosma\n");
  const std::string f = write_sweep("cosma.sweep.yaml", "sweep:\n  mode: analytical\n  base: {arch: " + arch +
                                                            ", workload: " + work +
                                                            "}\n  axes: [{key: mapper.budget, values: [tightest, min-peak]}]\n"
                                                            "  designs: [{name: cosma, mapper: " + mapper + "}]\n"
                                                            "  metrics: [dram_bytes]\n");
  const std::string dir = temp_dir("cosma");
  const Shell r = sh(kBin + " sweep " + f + " --out " + dir);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto recs = read_store(store_path(dir)).records;
  ASSERT_EQ(recs.size(), 2u);
  for (const auto& rec : recs) {
    ASSERT_EQ(rec.status(), results::OK) << rec.error();
    const auto& fig = rec.total().figures();
    const bool tight = rec.axes(0).value() == "tightest";
    EXPECT_EQ(fig.at("budget_bytes"), tight ? 48 : 64);
    EXPECT_EQ(fig.at("compulsory_bytes"), 48);
    EXPECT_EQ(fig.at("cosma_noncompulsory_bytes"), tight ? 16 : 0);
    EXPECT_EQ(fig.at("cosma_optimal"), 1);
    EXPECT_EQ(rec.total().dram_bytes(), tight ? 64 : 48);
  }
}

// Measured times join the results they were measured for (the GPU attention
// studies' `measured:`), in the report: design, arch, phase, batch, seq_len
// and causal must all match (an empty causal matches either); the figure is
// the file's value and its ratio to the model's seconds. A file measured after
// the sweep joins on a resumed sweep; a missing file is a note; a malformed or
// repeated row an error at its line and column.
TEST(Sweep, MeasuredTimesJoinTheResults) {
  const std::string root = std::string(EINFLOW_SOURCE_DIR) + "/configs/";
  const std::string files = temp_dir("measured-files");
  fs::create_directories(files);
  const std::string csv = files + "/measured.csv";
  auto sweep = [&](const std::string& name, const std::string& measured) {
    return write_sweep(name + ".sweep.yaml",
                       "sweep:\n  base:\n    arch: " + root + "arch/a100.yaml\n    workload: " + root +
                           "workloads/gpt2-medium.yaml\n    set: {workload.instance.scope: attention, "
                           "workload.instance.phase: prefill, workload.instance.batch: 8, workload.instance.causal: false}\n"
                           "  axes:\n"
                           "    - {key: workload.instance.seq_len, values: [512, 1024]}\n  designs:\n"
                           "    - {name: standard, design: standard}\n    - {name: flash2, design: flash2}\n"
                           "  measured: " + measured + "\n");
  };
  const std::string dir = temp_dir("measured");
  const std::string spec = sweep("measured", csv);
  const Shell first = sh(kBin + " sweep " + spec + " --out " + dir);  // before anything was measured
  ASSERT_EQ(first.code, 0) << first.out;
  EXPECT_NE(first.out.find("no measured times at"), std::string::npos) << first.out;
  std::ofstream(csv) << "design,arch,phase,batch,seq_len,causal,measured_seconds,device\n"
                        "standard,a100,prefill,8,512,false,0.00125,\"NVIDIA A100-SXM4-80GB\"\n"
                        "flash2, a100 ,prefill,8,512,,0.0005,\"NVIDIA A100-SXM4-80GB\"\n"  // spaces around a field
                        "flash2,a100,decode,8,1024,,0.0001,x\n"    // another phase: no result
                        "flash2,h100,prefill,8,1024,,0.0004,x\n"   // another device's: no result
                        "flash2,a100,prefill,1,1024,,0.0003,x\n";  // another batch: no result
  const Shell resumed = sh(kBin + " sweep " + spec + " --out " + dir + " --resume");
  ASSERT_EQ(resumed.code, 0) << resumed.out;
  EXPECT_NE(resumed.out.find("measured: 5 rows from"), std::string::npos) << resumed.out;
  const Shell rep = sh(kBin + " report " + dir + " --format md,csv,json");
  ASSERT_EQ(rep.code, 0) << rep.out;
  EXPECT_NE(rep.out.find("measured: 2 of 4 results"), std::string::npos) << rep.out;
  const auto recs = read_store(store_path(dir)).records;
  ASSERT_EQ(recs.size(), 4u);
  std::map<std::string, double> model;  // design @ seq_len -> the model's seconds
  for (const auto& r : recs) model[r.design() + "@" + std::to_string(r.instance().seq_len())] = r.total().seconds();
  std::ifstream table(dir + "/results.csv"), md(dir + "/report.md");
  std::string header, line;
  std::getline(table, header);
  const auto cells = [](const std::string& l) {
    std::vector<std::string> c(1);
    for (char ch : l) {
      if (ch == ',')
        c.emplace_back();
      else
        c.back().push_back(ch);
    }
    return c;
  };
  const std::vector<std::string> names = cells(header);
  const auto col = [&](const std::string& n) {
    return static_cast<size_t>(std::find(names.begin(), names.end(), n) - names.begin());
  };
  ASSERT_LT(col("fig_measured_seconds"), names.size()) << header;
  int rows = 0;
  while (std::getline(table, line)) {
    const std::vector<std::string> c = cells(line);
    const std::string key = c[col("design")] + "@" + c[col("instance_seq_len")];
    const std::string got = c[col("fig_measured_seconds")];
    ++rows;
    if (c[col("instance_seq_len")] != "512") {
      EXPECT_EQ(got, "") << key;
      continue;
    }
    const double t = c[col("design")] == "standard" ? 0.00125 : 0.0005;
    EXPECT_DOUBLE_EQ(std::stod(got), t) << key;
    EXPECT_NEAR(std::stod(c[col("fig_measured_over_model")]), t / model[key], 1e-9 * t / model[key]) << key;
  }
  EXPECT_EQ(rows, 4);
  const std::string mdt((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  EXPECT_NE(mdt.find("measured (s)"), std::string::npos) << mdt.substr(0, 2000);
  std::ifstream js(dir + "/report.json");
  const std::string jst((std::istreambuf_iterator<char>(js)), std::istreambuf_iterator<char>());
  EXPECT_NE(jst.find("\"measured_seconds\": 0.00125"), std::string::npos) << jst.substr(0, 3000);
  const std::string broken = files + "/broken.csv";
  for (const auto& [text, where] : std::vector<std::pair<std::string, std::string>>{
           {"design,arch,phase,batch,seq_len,causal,measured_seconds\nflash2,a100,prefill,8,512,maybe,0.1\n", ":2:27"},
           {"design,arch,phase,batch,seq_len,causal,measured_seconds\nflash2,a100,prefill,8,512,,0.1\n"
            "flash2,a100,prefill,8,512,true,0.2\n", ":3:1"}}) {
    std::ofstream(broken) << text;
    const Shell bad = sh(kBin + " sweep " + sweep("broken", broken) + " --out " + temp_dir("broken"));
    EXPECT_EQ(bad.code, 2) << bad.out;
    EXPECT_NE(bad.out.find("broken.csv" + where), std::string::npos) << bad.out;
  }
  // A Slurm submission checks the file before anything is queued (its array tasks would each fail on it).
  const std::string queued = temp_dir("broken-slurm");
  const Shell slurm = sh("PATH=/nonexistent " + kBin + " sweep " + sweep("broken", broken) + " --out " + queued +
                         " --slurm --array 2");
  EXPECT_EQ(slurm.code, 2) << slurm.out;
  EXPECT_NE(slurm.out.find("broken.csv:3:1"), std::string::npos) << slurm.out;
  EXPECT_FALSE(fs::exists(queued + "/slurm/sweep.sbatch")) << slurm.out;
}

TEST(Sweep, MeasuredDevicesStandForTheirPresets) {
  EXPECT_EQ(preset_for_device("NVIDIA A100-SXM4-80GB"), "a100");
  EXPECT_EQ(preset_for_device("NVIDIA A100 80GB PCIe"), "a100");
  EXPECT_EQ(preset_for_device("NVIDIA H100 80GB HBM3"), "h100");
  EXPECT_EQ(preset_for_device("NVIDIA H100 PCIe"), "h100");
  EXPECT_EQ(preset_for_device("Tesla T4"), "t4");
  EXPECT_EQ(preset_for_device("NVIDIA RTX A1000 6GB Laptop GPU"), "nvidia rtx a1000 6gb laptop gpu");
  EXPECT_EQ(preset_for_device("NVIDIA H200"), "nvidia h200");  // no preset: its rows join nothing
  EXPECT_EQ(preset_for_device("NVIDIA GeForce RTX 4090"), "nvidia geforce rtx 4090");
}

}  // namespace
}  // namespace einflow::sweep
