#include <gtest/gtest.h>

#include <cmath>

#include "arch/arch.h"
#include "arch/tech.h"

namespace einflow::arch {
namespace {

std::string error_of(const std::string& yaml) {
  try {
    load_arch_text(yaml, "a.yaml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

const char* kTwoArrays = R"(architecture:
  name: two-arrays
  clock_mhz: 940
  technology: 45nm
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 400
    children:
      - name: GlobalBuffer
        class: sram
        size_bytes: 1M
        banks: 4
        children:
          - name: PE2D
            class: regfile
            size_words: 16
            mesh: {x: 4, y: 8}
            children:
              - name: MAC2D
                class: compute
                ops:
                  mac: {}
                  add: {}
                  exp: {sequence: {mac: 6, add: 1}}
          - name: VEC
            class: compute
            mesh: {x: 4}
            ops: {add: {}, div: {latency: 4}}
)";

TEST(Arch, TreeInstancesAndPaths) {
  Architecture a = load_arch_text(kTwoArrays, "a.yaml");
  ASSERT_EQ(a.nodes.size(), 5u);
  EXPECT_EQ(a.node(a.find("MAC2D")).instances, 32);
  EXPECT_EQ(a.node(a.find("VEC")).instances, 4);
  EXPECT_EQ(a.node(a.find("GlobalBuffer")).size_words, 512 * 1024);  // 1 MiB of 16-bit words
  EXPECT_EQ(a.storage_path(a.find("MAC2D")), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(a.storage_path(a.find("VEC")), (std::vector<int>{0, 1}));
  EXPECT_EQ(a.fanout(a.find("GlobalBuffer"), a.find("MAC2D")), 32);
  EXPECT_EQ(a.compute_units().size(), 2u);
  // 400 GB/s at 940 MHz = 425.53 bytes per cycle = 212.77 16-bit words.
  EXPECT_NEAR(a.dram_words_per_cycle(a.node(0)), 400e9 / 940e6 / 2, 1e-9);
  // The queries that replace positions: which node is the DRAM, where it sits
  // among a unit's levels, its bandwidth.
  EXPECT_EQ(a.dram(), a.find("DRAM"));
  EXPECT_EQ(a.root(), a.find("DRAM"));
  EXPECT_TRUE(a.is_offchip(a.dram()));
  EXPECT_FALSE(a.is_offchip(a.find("GlobalBuffer")));
  EXPECT_EQ(a.level_of(a.find("MAC2D"), a.dram()), 0);
  EXPECT_EQ(a.level_of(a.find("MAC2D"), a.find("PE2D")), 2);
  EXPECT_EQ(a.level_of(a.find("VEC"), a.find("PE2D")), -1);
  EXPECT_EQ(a.level_of(a.find("VEC"), -1), -1);
  EXPECT_NEAR(a.dram_words_per_cycle(), 400e9 / 940e6 / 2, 1e-9);
  EXPECT_DOUBLE_EQ(a.seconds(940), 1e-6);
}

// An on-chip root (Timeloop's one-level exercise): no DRAM, no DRAM bandwidth,
// the root is the register file.
TEST(Arch, AnOnChipRootHasNoDram) {
  const Architecture a = load_arch(std::string(EINFLOW_SOURCE_DIR) + "/tests/data/conv1d/arch-1level.yaml");
  EXPECT_EQ(a.dram(), -1);
  EXPECT_EQ(a.node(a.root()).name, "Buffer");
  EXPECT_EQ(a.level_of(a.find("MACC"), a.dram()), -1);
  EXPECT_EQ(a.dram_words_per_cycle(), 0);
}

TEST(Arch, SequencesSumCyclesAndEnergy) {
  Architecture a = load_arch_text(kTwoArrays, "a.yaml");
  const Node& mac = a.node(a.find("MAC2D"));
  const OpSpec* exp = mac.find_op("exp");
  ASSERT_NE(exp, nullptr);
  EXPECT_DOUBLE_EQ(exp->issue_cycles, 7.0);
  EXPECT_EQ(exp->latency_cycles, 7);
  // fp16 at 45 nm (Horowitz): mac = 1.1 + 0.4, add = 0.4 -> 6 * 1.5 + 0.4.
  EXPECT_NEAR(exp->energy_pj, 9.4, 1e-12);
  EXPECT_NEAR(mac.find_op("mac")->energy_pj, 1.5, 1e-12);
  EXPECT_EQ(a.node(a.find("VEC")).find_op("div")->latency_cycles, 4);
}

TEST(Arch, SramEnergyFollowsTheCitedPoints) {
  // 8 KiB, 64-bit words: Horowitz's 10 pJ; 32 KiB: 20 pJ (sqrt law).
  EXPECT_NEAR(sram_cost("45nm", 8192, 64, 1).read_pj, 10.0, 1e-9);
  EXPECT_NEAR(sram_cost("45nm", 32768, 64, 1).read_pj, 20.0, 1e-9);
  // Four banks of 8 KiB cost what one 8 KiB array costs; a 16-bit word a quarter.
  EXPECT_NEAR(sram_cost("45nm", 32768, 16, 4).read_pj, 2.5, 1e-9);
  EXPECT_NEAR(sram_cost("7nm", 8192, 64, 1).read_pj, 7.5, 1e-9);
}

TEST(Arch, DramStandardGivesBandwidthAndEnergy) {
  Architecture a = load_arch_text(R"(architecture:
  name: d
  word_bits: 8
  tree:
    name: DRAM
    class: dram
    standard: HBM2
    children:
      - {name: U, class: compute, ops: {mac: {}}}
)",
                                  "a.yaml");
  EXPECT_DOUBLE_EQ(a.node(0).bandwidth_gbps, 256.0);
  EXPECT_DOUBLE_EQ(a.node(0).read_pj, 3.9 * 8);
  ASSERT_TRUE(a.node(0).dram_standard.has_value());
  EXPECT_EQ(a.node(0).dram_standard->timing.trcd_rd, 14);
}

TEST(Arch, OverridesWin) {
  Architecture a = load_arch_text(R"(architecture:
  name: o
  tree:
    name: B
    class: sram
    size_words: 64
    read_pj: 0.42
    area_um2: 100
    children:
      - {name: U, class: compute, ops: {mac: {energy_pj: 0.6}}}
)",
                                  "a.yaml");
  EXPECT_DOUBLE_EQ(a.node(0).read_pj, 0.42);
  EXPECT_DOUBLE_EQ(a.node(0).area_um2, 100);
  EXPECT_DOUBLE_EQ(a.node(1).find_op("mac")->energy_pj, 0.6);
}

TEST(Arch, ErrorsAreLocated) {
  std::string y = kTwoArrays;
  y.replace(y.find("banks: 4"), 8, "bank: 4");
  EXPECT_EQ(error_of(y), "a.yaml:13:9: architecture.tree.children[0].bank: unknown key 'bank' (did you mean 'banks'?)");
  y = kTwoArrays;
  y.replace(y.find("class: sram"), 11, "class: sramm");
  EXPECT_EQ(error_of(y),
            "a.yaml:11:16: architecture.tree.children[0].class: expected one of dram, sram, regfile, compute, got "
            "'sramm' (did you mean 'sram'?)");
  y = kTwoArrays;
  y.replace(y.find("exp: {sequence: {mac: 6, add: 1}}"), 33, "exp: {sequence: {mac: 6, max: 1}}");
  EXPECT_NE(error_of(y).find("op 'exp' uses 'max', which unit 'MAC2D' does not have"), std::string::npos)
      << error_of(y);
  y = kTwoArrays;
  y.replace(y.find("bandwidth_gbps: 400"), 19, "standard: HBM3X");
  EXPECT_NE(error_of(y).find("a.yaml:8:15: architecture.tree.standard: unknown DRAM standard 'HBM3X'"),
            std::string::npos)
      << error_of(y);
  EXPECT_NE(error_of("architecture:\n  name: x\n  tree: {name: B, class: sram, children: [{name: U, class: compute, ops: {mac: {}}}]}\n")
                .find("missing required key 'size_words'"),
            std::string::npos);
  EXPECT_NE(error_of("architecture:\n  name: x\n  tree: {name: B, class: sram, size_words: 4}\n")
                .find("storage 'B' has no compute unit below it"),
            std::string::npos);
  // A systolic node must be a PE's registers over one compute unit.
  y = kTwoArrays;
  y.replace(y.find("banks: 4"), 8, "systolic: true");
  EXPECT_NE(error_of(y).find(
                "a.yaml:10:9: GlobalBuffer.systolic: systolic 'GlobalBuffer' must hold one compute "
                "unit directly below it"),
            std::string::npos)
      << error_of(y);
  y = kTwoArrays;
  y.replace(y.find("mesh: {x: 4, y: 8}"), 18,
            "mesh: {x: 4, y: 8}\n            systolic: true\n            "
            "ports_per_bank: 2\n            noc_bandwidth: 4");
  EXPECT_EQ(error_of(y), "");
  y = kTwoArrays;
  y.replace(y.find("banks: 4"), 8, "banks: 4000000000\n        ports_per_bank: 1");
  EXPECT_NE(error_of(y).find("a.yaml:14:25: architecture.tree.children[0].ports_per_bank: timing 4000000000 banks"),
            std::string::npos)
      << error_of(y);
  EXPECT_NE(error_of("architecture:\n  name: x\n  tree: {name: B, class: sram, size_words: 4, children: [{name: U, "
                     "class: compute, ops: {frob: {}}}]}\n")
                .find("no built-in energy for op 'frob'"),
            std::string::npos);
}

TEST(Arch, EveryPresetLoads) {
  for (const char* name : {"fusemax-cloud", "flat-cloud", "fusemax-edge", "flat-edge", "eyeriss-like",
                           "simba-like", "tpu-like", "fusemax-cloud-mixers", "fusemax-cloud-paper", "flat-cloud-paper",
                           "a100", "h100", "t4"}) {
    SCOPED_TRACE(name);
    Architecture a = load_arch(std::string(EINFLOW_SOURCE_DIR) + "/configs/arch/" + name + ".yaml");
    EXPECT_GT(a.total_area_um2(), 0);
    EXPECT_FALSE(a.compute_units().empty());
  }
}

// The GPU presets give the published peaks (reference/gpus.md): dense FP16
// tensor-core FLOPS = SMs x tensor-core lanes x 2 x clock / MAC busy cycles,
// FP32 = SMs x lanes x 2 x clock; the SMs' shared memory; the DRAM's size and
// bandwidth; the host link.
TEST(Arch, GpuPresetsGiveThePublishedPeaks) {
  struct Gpu {
    const char* name;
    int64_t sms;
    double tensor_tflops, fp32_tflops, hbm_gbps, dram_gib, smem_kib, host_gbps;
  };
  for (const Gpu& g : {Gpu{"a100", 108, 312, 19.5, 2039, 80, 164, 32}, Gpu{"h100", 132, 989, 67, 3350, 80, 228, 64},
                       Gpu{"t4", 40, 65, 8.1, 320, 16, 64, 16}}) {
    SCOPED_TRACE(g.name);
    const Architecture a = load_arch(std::string(EINFLOW_SOURCE_DIR) + "/configs/arch/" + g.name + ".yaml");
    const Node& tc = a.node(a.find("TensorCore"));
    const Node& cc = a.node(a.find("CudaCore"));
    const Node& sm = a.node(a.find("SMEM"));
    const double hz = a.clock_mhz * 1e6;
    EXPECT_EQ(sm.instances, g.sms);
    EXPECT_TRUE(tc.contractions_only);
    EXPECT_NEAR(static_cast<double>(tc.instances) * 2 * hz / tc.find_op("mac")->issue_cycles / 1e12, g.tensor_tflops,
                0.01 * g.tensor_tflops);
    EXPECT_NEAR(static_cast<double>(cc.instances) * 2 * hz / 1e12, g.fp32_tflops, 0.01 * g.fp32_tflops);
    EXPECT_DOUBLE_EQ(a.node(a.dram()).bandwidth_gbps, g.hbm_gbps);
    EXPECT_DOUBLE_EQ(static_cast<double>(a.node(a.dram()).size_bytes()), g.dram_gib * (1 << 30));
    EXPECT_DOUBLE_EQ(static_cast<double>(sm.size_bytes()), g.smem_kib * 1024);
    EXPECT_DOUBLE_EQ(a.host_link_gbps, g.host_gbps);
    // The SFUs: 16 exp per cycle per SM.
    EXPECT_DOUBLE_EQ(static_cast<double>(cc.instances / g.sms) / cc.find_op("exp")->issue_cycles, 16);
  }
}

}  // namespace
}  // namespace einflow::arch
