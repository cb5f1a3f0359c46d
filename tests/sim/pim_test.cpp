// Processing in memory: the AiM command table checked on both sides of every
// bound, the mode rules, HBM-PIM's all-bank stepping, the micro-kernels'
// command counts and cycles worked by hand from the timing tables, the
// analytical model against the command-level one, and the `pim` section's
// faults located in the file.
#include <gtest/gtest.h>

#include <fstream>

#include "arch/dram_standard.h"
#include "common/error.h"
#include "common/yaml_node.h"
#include "sim/analytical/pim_layout.h"
#include "sim/analytical/pim_model.h"
#include "sim/cycle/pim/aim_timing.h"
#include "sim/cycle/pim/pim_kernel.h"

namespace einflow::sim::pim {
namespace {

arch::DramStandard standard(const std::string& name) { return *arch::find_dram_standard(name); }

bool array_access(AimCommand c) {
  return c == AimCommand::kMac16 || c == AimCommand::kAf16 || c == AimCommand::kEwmul16;
}

// Brings a fresh channel into the state the row needs, long before cycle
// 10000: the register mode for register commands, row 7 open where `from`
// needs it, the other bank groups open when an ACT4 is followed by a command
// that needs every group.
void prepare(AimChannel& ch, const AimConstraint& row) {
  if (aim_register_command(row.from)) ch.issue(AimCommand::kTmod, 0, 0);
  if (row.from == AimCommand::kPrea || array_access(row.from)) ch.issue(AimCommand::kAct16, 7, 100);
  if (row.from == AimCommand::kAct4 && array_access(row.to))
    for (int g = 1; g < AimChannel::kGroups; ++g) ch.issue(AimCommand::kAct4, 7, 100 * static_cast<uint64_t>(g), g);
}

// Every row: after `from` at 10000, `to` is illegal one cycle before the bound
// and legal at it. The bound is the row's sum of the standard's fields, each
// written out here from configs/dram/GDDR6-AiM.yaml. An ACT4 `from` reaches
// bank group 0; an ACT4 `to` group 0 for a same-group row, group 1 otherwise.
TEST(AimTiming, EveryRowOnBothSidesOfItsBound) {
  const arch::DramStandard s = standard("GDDR6-AiM");
  const std::map<std::string, uint64_t> by_hand = {
      {"tRCD_MAC", 56}, {"tRAS", 54}, {"tRC", 89}, {"tRP", 32}, {"tRP (to REF)", 32}, {"tRFC", 210},
      {"tRFC (to REF)", 210}, {"tCCD_L (MAC16 to MAC16)", 2}, {"tRTP (MAC16 to PREA)", 12},
      {"tCCD_S (WRGB to WRGB)", 2}, {"tCCD_S (WRGB to WRMAC16)", 2}, {"tCCD_S (WRMAC16 to WRGB)", 2},
      {"tCCD_S (WRMAC16 to WRMAC16)", 2}, {"tCCD_S (RDMAC16 to RDMAC16)", 2}, {"tWRGB_RDMAC", 12},
      {"tWRMAC_RDMAC", 14}, {"tRDMAC_WR (to WRGB)", 5}, {"tRDMAC_WR (to WRMAC16)", 5},
      {"tRCD_MAC (ACT4)", 56}, {"tRAS (ACT4)", 54}, {"tRP (to ACT4)", 32}, {"tRRD_S (ACT4 to ACT4)", 5},
      {"tRC (ACT4 to ACT4)", 89}, {"tRC (ACT16 to ACT4)", 89}, {"tRC (ACT4 to ACT16)", 89}, {"tRCD_AF", 86}, {"tRCD_AF (ACT4)", 86}, {"tRCD_EWMUL (ACT4)", 25},
      {"tRTP (AF16 to PREA)", 12}, {"tRCD_EWMUL", 25}, {"tWR (EWMUL16 to PREA)", 6 + 33},
      {"tCCD_L (MAC16 to EWMUL16)", 2}, {"tCCD_L (EWMUL16 to MAC16)", 2}, {"tCCD_L (EWMUL16 to EWMUL16)", 2}};
  ASSERT_EQ(aim_constraints().size(), by_hand.size());
  for (const AimConstraint& row : aim_constraints()) {
    SCOPED_TRACE(row.name);
    ASSERT_TRUE(by_hand.count(row.name));
    const uint64_t bound = 10000 + by_hand.at(row.name);
    AimChannel ch(s);
    prepare(ch, row);
    ch.issue(row.from, 7, 10000, 0);
    // An activation after one of the same banks needs the row closed between: PREA as early as allowed.
    const bool act = row.to == AimCommand::kAct16 || row.to == AimCommand::kAct4;
    const bool act_from = row.from == AimCommand::kAct16 || row.from == AimCommand::kAct4;
    const int to_group = row.to == AimCommand::kAct4 && !row.same_group && row.from == AimCommand::kAct4 ? 1 : 0;
    if (act && act_from && to_group == 0) ch.issue(AimCommand::kPrea, 0, 10054);
    EXPECT_GT(ch.earliest(row.to, 7, to_group), bound - 1);
    EXPECT_EQ(ch.earliest(row.to, 7, to_group), bound);
  }
}

// Every activation delays every array command: from ACT16 and from ACT4, to
// MAC16, AF16 and EWMUL16, some row of the table says how long.
TEST(AimTiming, EveryActivationDelaysEveryArrayCommand) {
  for (AimCommand act : {AimCommand::kAct16, AimCommand::kAct4})
    for (AimCommand to : {AimCommand::kMac16, AimCommand::kAf16, AimCommand::kEwmul16}) {
      bool found = false;
      for (const AimConstraint& r : aim_constraints()) found = found || (r.from == act && r.to == to);
      EXPECT_TRUE(found) << aim_command_name(act) << " to " << aim_command_name(to);
    }
}

// ACT4 opens one bank group: a MAC16 waits until every group holds its row.
TEST(AimTiming, Act4OpensOneBankGroup) {
  AimChannel ch(standard("GDDR6-AiM"));
  ch.issue(AimCommand::kAct4, 3, 0, 0);
  EXPECT_EQ(ch.earliest(AimCommand::kMac16, 3), AimChannel::kForbidden);
  EXPECT_EQ(ch.earliest(AimCommand::kAct4, 3, 0), AimChannel::kForbidden);
  EXPECT_EQ(ch.earliest(AimCommand::kAct4, 3, 1), 5u);  // tRRD_S
  ch.issue(AimCommand::kAct4, 3, 5, 1);
  ch.issue(AimCommand::kAct4, 4, 10, 2);
  ch.issue(AimCommand::kAct4, 3, 15, 3);
  EXPECT_EQ(ch.earliest(AimCommand::kMac16, 3), AimChannel::kForbidden);  // group 2 holds row 4
  EXPECT_EQ(ch.open_row(), -1);
}

// TMOD holds every command for tMOD (32) and switches the mode: a register
// command is refused in the array mode and the other way round.
TEST(AimTiming, ModeChangeHoldsEveryCommandAndSwitchesTheMode) {
  const arch::DramStandard s = standard("GDDR6-AiM");
  AimChannel ch(s);
  EXPECT_EQ(ch.earliest(AimCommand::kWrgb), AimChannel::kForbidden);
  EXPECT_EQ(ch.earliest(AimCommand::kAct16, 3), 0u);
  ch.issue(AimCommand::kTmod, 0, 500);
  EXPECT_TRUE(ch.register_mode());
  EXPECT_EQ(ch.earliest(AimCommand::kWrgb), 532u);
  EXPECT_EQ(ch.earliest(AimCommand::kAct16, 3), AimChannel::kForbidden);
  EXPECT_EQ(ch.earliest(AimCommand::kTmod), 532u);
  ch.issue(AimCommand::kTmod, 0, 532);
  EXPECT_EQ(ch.earliest(AimCommand::kAct16, 3), 564u);
  // MAC16 needs its row open in every bank; ACT16 and REF need them closed.
  EXPECT_EQ(ch.earliest(AimCommand::kMac16, 3), AimChannel::kForbidden);
  ch.issue(AimCommand::kAct16, 3, 564);
  EXPECT_EQ(ch.earliest(AimCommand::kMac16, 4), AimChannel::kForbidden);
  EXPECT_EQ(ch.earliest(AimCommand::kMac16, 3), 620u);
  EXPECT_EQ(ch.earliest(AimCommand::kRef), AimChannel::kForbidden);
  EXPECT_EQ(ch.earliest(AimCommand::kAct16, 5), AimChannel::kForbidden);
}

// GDDR6-AiM, a 512 x 1024 GEMV: one group of 16 outputs per channel and one
// chunk, on every channel at once. By hand (refresh off), from the array mode:
// TMOD at 0; 64 WRGB from 32 (tMOD) every 2 cycles, the last at 158; WRMAC16 at
// 160; TMOD at 161; ACT16 at 193; 64 MAC16 from 249 (tRCD_MAC 56) to 375; TMOD
// at 376; RDMAC16 at 408 (tMOD), its data done at 410.
TEST(PimKernels, AimGemvOneRoundByHand) {
  const arch::DramStandard s = standard("GDDR6-AiM");
  RunOptions o;
  o.refresh = false;
  const PimRun r = run_pim(s, Kernel::parse("gemv", "512x1024"), o);
  EXPECT_EQ(r.cycles, 410u);
  EXPECT_EQ(r.commands.at("TMOD"), 3u * 32);
  EXPECT_EQ(r.commands.at("WRGB"), 64u * 32);
  EXPECT_EQ(r.commands.at("MAC16"), 64u * 32);
  EXPECT_EQ(r.commands.at("ACT16"), 32u);
  EXPECT_EQ(r.commands.count("PREA"), 0u);
  EXPECT_DOUBLE_EQ(r.row_hit_rate(), 63.0 / 64.0);
  EXPECT_EQ(r.unit_ops, 512u * 1024);
  // 32 B to each of 16 banks per MAC16; off-chip the global buffer, bias and results.
  EXPECT_EQ(r.inbank_bytes, 64u * 32 * 16 * 32);
  EXPECT_EQ(r.offchip_bytes, (64u + 2) * 32 * 32);
}

// GDDR6-AiM 4096 x 4096 on 32 channels: 8 groups per channel, 4 chunks of 1024.
// Each round after the first of a chunk: WRMAC16 at 0 (5 after the RDMAC16),
// TMOD 1, PREA 33, ACT16 65, MAC16 121..247, TMOD 248, RDMAC16 280: 285 cycles,
// the AiM simulator's own figure being 286 per round (its docs: 10 rounds of
// WR_BIAS, MAC_ABK 64, RD_MAC in 2860 cycles).
TEST(PimKernels, AimGemvRoundsCostWhatTheTimingTableSays) {
  const arch::DramStandard s = standard("GDDR6-AiM");
  RunOptions o;
  o.refresh = false;
  const PimRun one = run_pim(s, Kernel::parse("gemv", "512x1024"), o);
  const PimRun two = run_pim(s, Kernel::parse("gemv", "1024x1024"), o);
  // The second round opens a new row (PREA first): 285 cycles more.
  EXPECT_EQ(two.cycles - one.cycles, 285u);
  const PimRun big = run_pim(s, Kernel::parse("gemv", "4096x4096"), o);
  EXPECT_EQ(big.commands.at("MAC16"), 32u * 4 * 8 * 64);
  EXPECT_EQ(big.commands.at("RDMAC16"), 32u * 4 * 8);
  EXPECT_EQ(big.unit_ops, 4096u * 4096);
}

// HBM2-PIM, the GEMV's input tiles by hand (refresh off): two more tiles of
// 128 inputs (one even, one odd) add exactly
//   even: RD-to-WR turnaround 16 (CL 20 + 2 + 2 - CWL 8), 7 more GRF_A writes
//   at tCCD_L 4 (28), PRE-ACT-RD in bank 0 (1 + 14 + 14 = 29), 31 MACs at 4
//   (124), the row switch RD-PRE-ACT-RD (5 + 14 + 14 = 33), 31 MACs (124): 354;
//   odd: bank 1 back to its register row (5 + 14 + 10 = 29), 7 writes (28), to
//   the weight row after writes (8 + 2 + 16 + 14 + 14 = 54), 124, 33, 124: 392.
TEST(PimKernels, HbmPimGemvTilesByHand) {
  const arch::DramStandard s = standard("HBM2-PIM");
  RunOptions o;
  o.refresh = false;
  const PimRun a = run_pim(s, Kernel::parse("gemv", "4096x4096"), o);
  const PimRun b = run_pim(s, Kernel::parse("gemv", "4096x4352"), o);
  EXPECT_EQ(b.cycles - a.cycles, 354u + 392u);
  // PIMSimulator's counts per pseudo-channel: 256 GRF_A writes, 2048 MAC reads, 8 result writes.
  EXPECT_EQ(a.unit_ops, 4096u * 4096);
  EXPECT_EQ(a.commands.at("RD_AB"), 2048u * 64);
  EXPECT_EQ(a.commands.at("WR_AB"), (256u + 8 + 1 + 2 + 2) * 64);  // + CRF, PIM mode in and out, two to SB
  EXPECT_EQ(a.inbank_bytes, (2048u + 8) * 8 * 32 * 64);
}

// HBM2-PIM element-wise, PIMSimulator's sizes: per tile and pseudo-channel ADD
// and MUL read 32 and write 17 (8 + 8 + 8 per bank parity, one write on the
// JUMP), ReLU reads 16 and writes 17; a tile is 16 banks x 64 channels x 8 bursts.
TEST(PimKernels, HbmPimElementwiseCountsAsPimSimulator) {
  const arch::DramStandard s = standard("HBM2-PIM");
  RunOptions o;
  const PimRun add = run_pim(s, Kernel::parse("add", "1M"), o);
  const uint64_t wrapper_writes = 1 + 2 + 2;  // CRF, PIM mode in and out, two to SB
  EXPECT_EQ(add.commands.at("RD_AB"), 8u * 32 * 64);
  EXPECT_EQ(add.commands.at("WR_AB"), (8u * 17 + wrapper_writes) * 64);
  EXPECT_EQ(add.unit_ops, 1u << 20);
  const PimRun relu = run_pim(s, Kernel::parse("relu", "4M"), o);
  EXPECT_EQ(relu.commands.at("RD_AB"), 32u * 16 * 64);
  EXPECT_EQ(relu.commands.at("WR_AB"), (32u * 17 + wrapper_writes) * 64);
  EXPECT_EQ(relu.unit_ops, 4u << 20);
}

// The analytical model agrees with the command-level one within 5% on the
// micro-kernels of both devices, with and without refresh.
TEST(PimKernels, AnalyticalModelWithinFivePercent) {
  struct Case {
    const char* device;
    const char* kernel;
    const char* shape;
  };
  const Case cases[] = {{"HBM2-PIM", "gemv", "4096x4096"}, {"HBM2-PIM", "gemv", "1024x4096"},
                        {"HBM2-PIM", "gemv", "8192x1024"}, {"HBM2-PIM", "add", "1M"},
                        {"HBM2-PIM", "mul", "2M"},         {"HBM2-PIM", "relu", "4M"},
                        {"GDDR6-AiM", "gemv", "4096x4096"}, {"GDDR6-AiM", "gemv", "2048x8192"},
                        {"GDDR6-AiM", "gemv", "512x1024"}};
  for (bool refresh : {false, true})
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(c.device) + " " + c.kernel + " " + c.shape + (refresh ? " refresh" : ""));
      const arch::DramStandard s = standard(c.device);
      const Kernel k = Kernel::parse(c.kernel, c.shape);
      RunOptions o;
      o.refresh = refresh;
      const double sim = static_cast<double>(run_pim(s, k, o).cycles);
      const double model = k.kind == KernelKind::kGemv
                               ? estimate_pim_gemv(s, k.rows, k.cols, refresh).cycles
                               : estimate_pim_eltwise(s, k.elements, k.kind != KernelKind::kRelu, refresh).cycles;
      EXPECT_NEAR(model / sim, 1.0, 0.05) << "model " << model << " command-level " << sim;
    }
}

// PIM-GPT's row-stream layout (GDDR6-PIM-GPT: AiM's commands, 8 channels, 64
// partial sums per bank): analytical against command-level within 5% on
// weight GEMVs and on attention-like batches of small GEMVs (16 heads of
// 1024 keys x 64), which pack 16 keys per row.
TEST(PimKernels, RowStreamAnalyticalWithinFivePercent) {
  const arch::DramStandard s = standard("GDDR6-PIM-GPT");
  const PimGemv cases[] = {{1, 4096, 4096}, {1, 2048, 2048}, {1, 6144, 2048}, {16, 1024, 64}, {12, 512, 64},
                           {16, 64, 1024}, {1, 100, 3000}};
  for (bool refresh : {false, true})
    for (const PimGemv& g : cases) {
      SCOPED_TRACE(std::to_string(g.matrices) + " x " + std::to_string(g.rows) + "x" + std::to_string(g.cols));
      Kernel k = Kernel::parse("gemv", std::to_string(g.rows) + "x" + std::to_string(g.cols));
      k.matrices = g.matrices;
      k.layout = PimLayout::kRowStream;
      RunOptions o;
      o.refresh = refresh;
      const PimRun run = run_pim(s, k, o);
      const PimEstimate e = estimate_pim_gemv(s, g, PimLayout::kRowStream, refresh);
      EXPECT_NEAR(e.cycles / static_cast<double>(run.cycles), 1.0, 0.05) << e.cycles << " vs " << run.cycles;
      EXPECT_EQ(static_cast<uint64_t>(e.unit_ops), run.unit_ops);
      // Refresh closes rows the closed form does not reopen.
      EXPECT_NEAR(e.row_hit_rate(), run.row_hit_rate(), refresh ? 0.005 : 1e-9);
    }
}

// A row of 16 keys of 64 dimensions per bank: 16 x 1024 keys on 8 channels x
// 16 banks is 1024 / 16 = 64 rows per head... by hand: 16 heads share one
// buffer load (16 segments of 64 values: 1024, the buffer), each DRAM row then
// holds key n of all 16 heads, 1024 rows over 16 banks = 64 ACT16s, 8 per
// channel; each row 64 MAC16 and 16 RDMAC16.
TEST(PimKernels, RowStreamPacksHeadsIntoRows) {
  const arch::DramStandard s = standard("GDDR6-PIM-GPT");
  const RowStreamPlan p = row_stream_plan(s, PimGemv{16, 1024, 64});
  EXPECT_EQ(p.segments, 16);
  EXPECT_EQ(p.loads, 1);
  EXPECT_EQ(p.rows_per_load, 64);
  EXPECT_EQ(p.macs_per_row, 64);
  EXPECT_EQ(p.wrgb_per_load, 64);
  // One head alone: its query repeated 16 times in the buffer, 16 keys per row.
  const RowStreamPlan one = row_stream_plan(s, PimGemv{1, 1024, 64});
  EXPECT_EQ(one.segments, 16);
  EXPECT_EQ(one.rows_per_load, 4);
  // AiM holds one partial sum: one key per row.
  const RowStreamPlan aim = row_stream_plan(standard("GDDR6-AiM"), PimGemv{1, 1024, 64});
  EXPECT_EQ(aim.segments, 1);
  EXPECT_EQ(aim.rows_per_load, 64);
  EXPECT_EQ(aim.macs_per_row, 4);
}

// The host baseline streams the operands through the same DRAM: a GEMV's
// weights bound it, so it needs at least their bytes over the channels' peak.
TEST(PimKernels, HostBaselineIsBoundByTheChannelsPeak) {
  for (const char* name : {"HBM2-PIM", "GDDR6-AiM"}) {
    SCOPED_TRACE(name);
    const arch::DramStandard s = standard(name);
    const Kernel k = Kernel::parse("gemv", "4096x4096");
    const PimRun host = run_host(s, k, RunOptions{});
    const double bytes_per_cycle = s.channel_gbps * s.channels * s.timing.tck_ns;
    EXPECT_GE(static_cast<double>(host.cycles), 4096.0 * 4096 * 2 / bytes_per_cycle);
    EXPECT_EQ(host.offchip_bytes, (4096u * 4096 + 4096) * 2 + 4096u * 2);
    EXPECT_GT(host.cycles, run_pim(s, k, RunOptions{}).cycles);
  }
}

// Odd shapes run, padded to whole tiles: the units execute at least the
// useful operations, and a 1 x 1 GEMV costs what one tile of each device does.
TEST(PimKernels, OddShapesRunPadded) {
  for (const char* name : {"HBM2-PIM", "GDDR6-AiM", "GDDR6-PIM-GPT"})
    for (const char* shape : {"1x1", "5x3", "17x1025"}) {
      SCOPED_TRACE(std::string(name) + " " + shape);
      const arch::DramStandard s = standard(name);
      Kernel k = Kernel::parse("gemv", shape);
      k.layout = default_layout(s);
      const PimRun r = run_pim(s, k, RunOptions{});
      EXPECT_GT(r.cycles, 0u);
      EXPECT_GE(r.unit_ops, k.macs());
    }
  for (const char* shape : {"1", "17"}) {
    const PimRun r = run_pim(standard("HBM2-PIM"), Kernel::parse("relu", shape), RunOptions{});
    EXPECT_GE(r.unit_ops, 17u);
    // One tile: 16 banks x 64 channels x 8 bursts of 16 lanes, whatever the element count.
    EXPECT_EQ(r.unit_ops, 16u * 64 * 8 * 16);
  }
}

// Layouts that do not fit the banks' rows are refused, not run into the
// reserved rows or past the bank's end.
TEST(PimKernels, LayoutsBeyondTheBanksAreRefused) {
  EXPECT_THROW(run_pim(standard("HBM2-PIM"), Kernel::parse("gemv", "32768x65536"), RunOptions{}), UserError);
  EXPECT_THROW(run_pim(standard("HBM2-PIM"), Kernel::parse("add", "128M"), RunOptions{}), UserError);
  EXPECT_NO_THROW(run_pim(standard("HBM2-PIM"), Kernel::parse("add", "64M"), RunOptions{}));
  EXPECT_THROW(run_pim(standard("GDDR6-AiM"), Kernel::parse("gemv", "2Gx1M"), RunOptions{}), UserError);
}

// Kernels a device cannot run, and bad shapes, are the user's errors.
TEST(PimKernels, RefusesWhatTheDeviceCannotRun) {
  EXPECT_THROW(run_pim(standard("GDDR6-AiM"), Kernel::parse("add", "1M"), RunOptions{}), UserError);
  EXPECT_THROW(run_pim(standard("HBM2"), Kernel::parse("gemv", "16x16"), RunOptions{}), UserError);
  EXPECT_THROW(Kernel::parse("gemv", "4096"), UserError);
  EXPECT_THROW(Kernel::parse("gemv", "0x16"), UserError);
  EXPECT_THROW(Kernel::parse("add", "1T"), UserError);
  EXPECT_THROW(Kernel::parse("conv", "1M"), UserError);
}

// A `pim` section's faults at their file:line:col.
TEST(PimStandard, SectionFaultsAreLocated) {
  std::ifstream in(std::string(EINFLOW_SOURCE_DIR) + "/configs/dram/GDDR6-AiM.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto fails_with = [](const std::string& t, const std::string& what) {
    try {
      arch::read_dram_standard(YamlNode::load_string(t, "aim.yaml"));
      ADD_FAILURE() << "accepted; expected " << what;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("aim.yaml:"), std::string::npos) << e.what();
    }
  };
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  fails_with(replaced("{value: aim,", "{value: aimm,"), "did you mean 'aim'");
  fails_with(replaced("  tMOD: {value: 32, unit: cycles, source: aimsim}\n", ""), "missing required key 'tMOD'");
  fails_with(replaced("banks_per_unit: {value: 1,", "banks_per_unit: {value: 3,"), "must divide");
  fails_with(replaced("  lanes: {value: 16,", "  lane: {value: 16,"), "lane");
  fails_with(replaced("  lanes: {value: 16,", "  lanes: {value: 8,"), "16 lanes for 32-byte accesses");
  fails_with(replaced("datatype: {value: bf16,", "datatype: {value: fp32,"), "operands are 16-bit");
  fails_with(replaced("global_buffer_bytes: {value: 2048,", "global_buffer_bytes: {value: 16,"), "at least one access");
  fails_with(replaced("tREFI: {value: 3333,", "tREFI: {value: 200,"), "tREFI must exceed");
  const arch::DramStandard s = arch::read_dram_standard(YamlNode::load_string(text, "aim.yaml"));
  EXPECT_EQ(s.pim.command_set, arch::PimCommandSet::kAim);
  EXPECT_EQ(s.pim.global_buffer_bytes, 2048);
  EXPECT_FALSE(standard("HBM2").pim.enabled());
}

}  // namespace
}  // namespace einflow::sim::pim
