// The command-level DRAM model. Expected values are hand calculations from the
// standards' timing (shared/reference/dram.md); each timing constraint is
// checked on both sides of its bound: illegal at N-1, legal at N.
#include <gtest/gtest.h>

#include <cmath>

#include "arch/dram_standard.h"
#include "common/error.h"
#include "common/yaml_node.h"
#include "sim/cycle/dram/address.h"
#include "sim/cycle/dram/timing.h"
#include "sim/cycle/dram/traffic.h"

namespace einflow::sim::dram {
namespace {

arch::DramStandard get(const char* name) {
  auto s = arch::find_dram_standard(name);
  EXPECT_TRUE(s.has_value()) << name;
  return *s;
}

// The DDR4-2400 channel the hand-worked tests use (tests/data/dram/DDR4-2400-hand.yaml).
arch::DramStandard hand_ddr4() {
  return arch::read_dram_standard(YamlNode::load_file(std::string(EINFLOW_SOURCE_DIR) +
                                                      "/tests/data/dram/DDR4-2400-hand.yaml"));
}

Address at(int bankgroup, int bank, int64_t row = 0, int rank = 0) {
  Address a;
  a.rank = rank;
  a.bankgroup = bankgroup;
  a.bank = bank;
  a.row = row;
  return a;
}

// Checks that `c` to `a` is illegal at bound-1 and legal at bound.
void expect_bound(const ChannelTiming& t, Command c, const Address& a, uint64_t bound) {
  EXPECT_EQ(t.earliest(c, a), bound) << command_name(c);
  EXPECT_FALSE(t.legal(c, a, bound - 1)) << command_name(c) << " at " << bound - 1;
  EXPECT_TRUE(t.legal(c, a, bound)) << command_name(c) << " at " << bound;
}

TEST(DramStandards, PresetsAreConsistent) {
  for (const auto& name : arch::dram_standard_names()) {
    arch::DramStandard s = get(name.c_str());
    const auto& t = s.timing;
    SCOPED_TRACE(name);
    EXPECT_FALSE(s.timing_source.empty());
    EXPECT_FALSE(s.energy_source.empty());
    // JEDEC: tRC >= tRAS + tRP, up to rounding each to whole cycles (GDDR6's
    // 45 ns is 79 cycles, its 30 + 15 ns 53 + 27); the controller enforces all
    // three, so ACT to ACT in a bank is max(tRC, tRAS + tRP).
    EXPECT_GE(t.trc, t.tras + t.trp - 1);
    EXPECT_GE(t.tccd_l, t.tccd_s);
    EXPECT_GE(t.trrd_l, t.trrd_s);
    // The peak bandwidth is one access per burst.
    EXPECT_NEAR(s.channel_gbps, s.access_bytes / (t.burst * t.tck_ns), 0.05 * s.channel_gbps);
    EXPECT_EQ(s.access_bytes * 8, s.bus_bits * s.burst_length);
  }
  // Capacities: DDR4-2400 one rank of eight 8 Gb chips; HBM2 four 8 Gb dies.
  EXPECT_EQ(get("DDR4-2400").channel_bytes(), uint64_t{8} << 30);
  arch::DramStandard hbm = get("HBM2");
  EXPECT_EQ(hbm.channel_bytes() * static_cast<uint64_t>(hbm.channels), uint64_t{4} << 30);
  EXPECT_EQ(get("DDR5-4800").channel_bytes() * 2, uint64_t{16} << 30);
}

// DDR4-2400 x8 (reference/dram.md): CL 17, CWL 12, tRCD 17, tRP 17, tRAS 39,
// tRC 56, tCCD 4/6, tRRD 4/6, tFAW 26, tRFC 420; BL8 = 4 cycles; tWR 18,
// tRTP 9, tWTR 3/9, tRTRS 2.
class Ddr4Timing : public ::testing::Test {
 protected:
  arch::DramStandard s = hand_ddr4();
  ChannelTiming t{s};
};

TEST_F(Ddr4Timing, ActToReadWaitsTrcd) {
  t.issue(Command::kAct, at(0, 0), 0);
  expect_bound(t, Command::kRd, at(0, 0), 17);
  expect_bound(t, Command::kWr, at(0, 0), 17);
}

TEST_F(Ddr4Timing, ActToPreWaitsTras) {
  t.issue(Command::kAct, at(0, 0), 0);
  expect_bound(t, Command::kPre, at(0, 0), 39);
}

TEST_F(Ddr4Timing, PreToActWaitsTrp) {
  t.issue(Command::kAct, at(0, 0), 0);
  t.issue(Command::kPre, at(0, 0), 100);
  expect_bound(t, Command::kAct, at(0, 0, 5), 117);
}

TEST_F(Ddr4Timing, ReadToReadWaitsTccdLongInTheGroupShortOutside) {
  t.issue(Command::kAct, at(0, 0), 0);
  t.issue(Command::kAct, at(1, 0), 4);
  t.issue(Command::kAct, at(0, 1), 8);
  t.issue(Command::kRd, at(0, 0), 40);
  expect_bound(t, Command::kRd, at(0, 1), 46);  // same bank group: tCCD_L 6
  expect_bound(t, Command::kRd, at(1, 0), 44);  // other bank group: tCCD_S 4
}

TEST_F(Ddr4Timing, ActToActWaitsTrrd) {
  t.issue(Command::kAct, at(0, 0), 0);
  expect_bound(t, Command::kAct, at(0, 1), 6);  // tRRD_L
  expect_bound(t, Command::kAct, at(1, 0), 4);  // tRRD_S
}

TEST_F(Ddr4Timing, FifthActWaitsTfaw) {
  for (int bg = 0; bg < 4; ++bg) t.issue(Command::kAct, at(bg, 0), static_cast<uint64_t>(4 * bg));
  // tRRD allows cycle 16 (bg 3 + 4) or 6 after bg 0; four ACTs since cycle 0 hold it to 26.
  expect_bound(t, Command::kAct, at(0, 1), 26);
}

TEST_F(Ddr4Timing, ActToActInOneBankWaitsTrc) {
  // DDR4's tRC is tRAS + tRP; a tRC longer than that (as some datasheets
  // give) holds the next ACT after PRE + tRP.
  arch::DramStandard g = get("DDR4-2400");
  g.timing.trc = g.timing.tras + g.timing.trp + 3;
  ChannelTiming tg(g);
  tg.issue(Command::kAct, at(0, 0), 0);
  tg.issue(Command::kPre, at(0, 0), static_cast<uint64_t>(g.timing.tras));
  expect_bound(tg, Command::kAct, at(0, 0, 1), static_cast<uint64_t>(g.timing.trc));
}

TEST_F(Ddr4Timing, WriteToReadWaitsTwtr) {
  t.issue(Command::kAct, at(0, 0), 0);
  t.issue(Command::kAct, at(0, 1), 6);
  t.issue(Command::kAct, at(1, 0), 10);
  t.issue(Command::kWr, at(0, 0), 30);
  // End of write data at 30 + CWL 12 + 4 = 46; + tWTR_L 9 / tWTR_S 3.
  expect_bound(t, Command::kRd, at(0, 1), 55);
  expect_bound(t, Command::kRd, at(1, 0), 49);
}

TEST_F(Ddr4Timing, ReadToWriteTurnsTheBusAround) {
  t.issue(Command::kAct, at(0, 0), 0);
  t.issue(Command::kAct, at(1, 0), 4);
  t.issue(Command::kRd, at(0, 0), 30);
  // Read data ends at 30 + 17 + 4 = 51; write data may start 2 later: WR at 53 - CWL 12.
  expect_bound(t, Command::kWr, at(1, 0), 41);
}

TEST_F(Ddr4Timing, ReadAndWriteToPreWaitTrtpAndTwr) {
  t.issue(Command::kAct, at(0, 0), 0);
  t.issue(Command::kAct, at(1, 0), 4);
  t.issue(Command::kRd, at(0, 0), 35);
  expect_bound(t, Command::kPre, at(0, 0), 44);  // 35 + tRTP 9 (> tRAS 39)
  t.issue(Command::kWr, at(1, 0), 60);
  expect_bound(t, Command::kPre, at(1, 0), 94);  // 60 + CWL 12 + 4 + tWR 18
}

TEST_F(Ddr4Timing, RefreshNeedsClosedBanksAndBlocksForTrfc) {
  t.issue(Command::kAct, at(0, 0), 0);
  EXPECT_EQ(t.earliest(Command::kRef, at(0, 0)), ChannelTiming::kForbidden);
  t.issue(Command::kPre, at(0, 0), 39);
  expect_bound(t, Command::kRef, at(0, 0), 56);  // PRE + tRP
  t.issue(Command::kRef, at(0, 0), 56);
  expect_bound(t, Command::kAct, at(2, 3), 476);  // + tRFC 420
}

TEST_F(Ddr4Timing, StateRulesOutImpossibleCommands) {
  EXPECT_EQ(t.earliest(Command::kRd, at(0, 0)), ChannelTiming::kForbidden);  // closed bank
  EXPECT_EQ(t.earliest(Command::kPre, at(0, 0)), ChannelTiming::kForbidden);
  t.issue(Command::kAct, at(0, 0, 7), 0);
  EXPECT_EQ(t.earliest(Command::kAct, at(0, 0, 8)), ChannelTiming::kForbidden);  // bank open
  EXPECT_EQ(t.earliest(Command::kRd, at(0, 0, 8)), ChannelTiming::kForbidden);   // another row
  EXPECT_THROW(t.issue(Command::kRd, at(0, 0, 7), 16), InternalError);
}

TEST_F(Ddr4Timing, AutoPrechargeClosesWhenPreWouldBeLegal) {
  t.issue(Command::kAct, at(0, 0), 0);
  t.issue(Command::kRda, at(0, 0), 17);
  EXPECT_EQ(t.open_row(at(0, 0)), -1);
  expect_bound(t, Command::kAct, at(0, 0, 1), 56);  // PRE at tRAS 39, + tRP 17
}

TEST(DramTiming, RankSwitchWaitsTrtrs) {
  arch::DramStandard s = hand_ddr4();
  s.org.ranks = 2;
  ChannelTiming t(s);
  t.issue(Command::kAct, at(0, 0, 0, 0), 0);
  t.issue(Command::kAct, at(0, 0, 0, 1), 1);
  t.issue(Command::kRd, at(0, 0, 0, 0), 20);
  // Data of rank 0 ends at 20 + 17 + 4; rank 1's may start tRTRS 2 later.
  expect_bound(t, Command::kRd, at(0, 0, 0, 1), 26);
}

TEST(DramAddress, DefaultMappingFillsARowFirst) {
  std::string err;
  arch::DramStandard s = hand_ddr4();
  auto m = AddressMap::parse(kDefaultAddressMapping, s, err);
  ASSERT_TRUE(m) << err;
  EXPECT_EQ(m->decode(64).column, 1);
  Address a = m->decode(128 * 64);  // the 129th line: next bank group, same row
  EXPECT_EQ(a.column, 0);
  EXPECT_EQ(a.bankgroup, 1);
  EXPECT_EQ(m->decode(uint64_t{16} * 128 * 64).row, 1);
  EXPECT_EQ(m->capacity_bytes(), uint64_t{8} << 30);
  Address b = at(3, 2, 12345);
  b.column = 77;
  EXPECT_EQ(m->decode(m->encode(b)).row, 12345);
  EXPECT_EQ(m->decode(m->encode(b)).column, 77);

  arch::DramStandard hbm = get("HBM2");
  auto h = AddressMap::parse(kDefaultAddressMapping, hbm, err);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->decode(16 * 64).channel, 1);  // a 1 KB row of 16 lines, then the next channel
  auto il = AddressMap::parse("ro-ba-bg-ra-co-ch", hbm, err);
  ASSERT_TRUE(il);
  EXPECT_EQ(il->decode(64).channel, 1);  // line-interleaved channels
}

TEST(DramAddress, BadMappingsAreRejected) {
  std::string err;
  arch::DramStandard s = hand_ddr4();
  EXPECT_FALSE(AddressMap::parse("ro-ra-ba-bg-co", s, err));
  EXPECT_NE(err.find("each of"), std::string::npos);
  EXPECT_FALSE(AddressMap::parse("ro-ra-ba-bg-co-co", s, err));
  EXPECT_NE(err.find("twice"), std::string::npos);
  EXPECT_FALSE(AddressMap::parse("ro-ra-ba-bg-co-xx", s, err));
  EXPECT_NE(err.find("unknown field 'xx'"), std::string::npos);
  TrafficConfig cfg;
  cfg.address_mapping = "nonsense";
  EXPECT_THROW(run_traffic(s, cfg), UserError);
}

TrafficConfig traffic(Pattern p, uint64_t n, int outstanding, bool refresh = false) {
  TrafficConfig c;
  c.pattern = p;
  c.requests = n;
  c.outstanding = outstanding;
  c.controller.refresh = refresh;
  return c;
}

TEST(DramController, OneReadToAClosedBank) {
  arch::DramStandard s = hand_ddr4();
  TrafficResult r = run_traffic(s, traffic(Pattern::kStream, 1, 1));
  // ACT at 0, RD at tRCD 17, data until 17 + CL 17 + 4.
  EXPECT_DOUBLE_EQ(r.avg_read_latency_ns, 38 * 0.833);
  EXPECT_EQ(r.cycles, 39u);
  EXPECT_EQ(r.row_hit_rate, 0.0);
  // Energy (DRAMPower): 8 chips x 1.2 V x 0.833 ns x [ACT: 48x56 - 43x39 - 34x17;
  // RD: (135 - 43) x 4; standby with the row open: 43 x 39 cycles].
  const double k = 8 * 1.2 * 0.833;
  EXPECT_NEAR(r.energy.activate, k * (48 * 56 - 43 * 39 - 34 * 17), 1e-6);
  EXPECT_NEAR(r.energy.read, k * (135 - 43) * 4, 1e-6);
  EXPECT_NEAR(r.energy.background, k * 43 * 39, 1e-6);
}

TEST(DramController, OneRequestAtATimeHitsTheOpenRow) {
  arch::DramStandard s = hand_ddr4();
  TrafficResult r = run_traffic(s, traffic(Pattern::kStream, 10, 1));
  // The first read misses (38 cycles); each next one arrives the cycle after the
  // previous completes and hits: RD at once, CL + 4 = 21 cycles.
  EXPECT_NEAR(r.avg_read_latency_ns, (38 + 9 * 21) / 10.0 * 0.833, 1e-9);
  EXPECT_DOUBLE_EQ(r.row_hit_rate, 0.9);
  EXPECT_EQ(r.stats.count(Command::kAct), 1u);
}

TEST(DramController, StreamInOneBankGroupIsBoundByTccdLong) {
  arch::DramStandard s = hand_ddr4();
  TrafficResult r = run_traffic(s, traffic(Pattern::kStream, 128, 32));
  // One 8 KB row: ACT at 0, reads from 17 every tCCD_L 6, the last at
  // 17 + 127 x 6 = 779 with data until 800.
  EXPECT_EQ(r.cycles, 801u);
  EXPECT_NEAR(r.bandwidth_gbps, 128 * 64 / (801 * 0.833), 1e-9);
}

TEST(DramController, StreamOverBankGroupsReachesThePeak) {
  arch::DramStandard s = hand_ddr4();
  TrafficConfig c = traffic(Pattern::kStream, 512, 32);
  c.address_mapping = "ro-ra-ba-co-bg-ch";  // consecutive lines rotate over the bank groups
  TrafficResult r = run_traffic(s, c);
  // Four rows opened at 0, 4, 8, 12 (tRRD_S); reads every tCCD_S 4 cycles from
  // 17, the bank groups taking turns (16 cycles apart >= tCCD_L): last at
  // 17 + 511 x 4 = 2061, data until 2082.
  EXPECT_EQ(r.cycles, 2083u);
  EXPECT_EQ(r.stats.count(Command::kAct), 4u);
}

TEST(DramController, RandomTrafficIsBoundByTfaw) {
  arch::DramStandard s = hand_ddr4();
  TrafficResult r = run_traffic(s, traffic(Pattern::kRandom, 4000, 64));
  // Every access opens a row (8 GB, 4000 lines); at most 4 ACTs per 26 cycles.
  const double faw_bound = 4 * 64 / (26 * 0.833);
  EXPECT_LE(r.bandwidth_gbps, faw_bound);
  EXPECT_GT(r.bandwidth_gbps, 0.9 * faw_bound);
  EXPECT_LT(r.row_hit_rate, 0.01);
}

TEST(DramController, ClosedPageClosesRowsNobodyWaitsFor) {
  arch::DramStandard s = hand_ddr4();
  TrafficConfig c = traffic(Pattern::kStream, 10, 1);
  c.controller.policy = PagePolicy::kClosed;
  TrafficResult r = run_traffic(s, c);
  // One at a time: each read finds its row closed by the previous RDA.
  EXPECT_EQ(r.stats.count(Command::kAct), 10u);
  EXPECT_EQ(r.stats.count(Command::kRda), 10u);
  EXPECT_EQ(r.row_hit_rate, 0.0);
  // With many queued, the row stays open until its last queued hit.
  c.outstanding = 32;
  c.requests = 128;
  r = run_traffic(s, c);
  EXPECT_GT(r.row_hit_rate, 0.7);
}

TEST(DramController, RefreshEveryTrefi) {
  arch::DramStandard s = hand_ddr4();
  TrafficResult r = run_traffic(s, traffic(Pattern::kStream, 20000, 16, true));
  // One REF per tREFI 9360 cycles of the run.
  EXPECT_EQ(r.stats.count(Command::kRef), r.cycles / 9360);
  TrafficResult off = run_traffic(s, traffic(Pattern::kStream, 20000, 16, false));
  EXPECT_EQ(off.stats.count(Command::kRef), 0u);
  EXPECT_GT(r.cycles, off.cycles);  // each refresh stalls the rank for tRFC
}

TEST(DramController, WritesCompleteAndCostWriteEnergy) {
  arch::DramStandard s = get("GDDR6");
  TrafficConfig c = traffic(Pattern::kRandom, 2000, 16);
  c.write_fraction = 0.5;
  TrafficResult r = run_traffic(s, c);
  EXPECT_EQ(r.stats.reads + r.stats.writes, 2000u);
  EXPECT_GT(r.stats.writes, 800u);
  // GDDR6 has no IDD table here: 7.5 pJ/bit x 256 bits per access.
  EXPECT_NEAR(r.energy_pj, 2000 * 7.5 * 256, 1e-6);
}

TEST(DramController, EveryStandardStreamsBelowItsPeak) {
  for (const auto& name : arch::dram_standard_names()) {
    arch::DramStandard s = get(name.c_str());
    TrafficResult r = run_traffic(s, traffic(Pattern::kStream, 4096, 64, true));
    SCOPED_TRACE(name);
    EXPECT_LE(r.bandwidth_gbps, s.channel_gbps * s.channels * 1.0001);
    EXPECT_GT(r.bandwidth_gbps, 0.3 * s.channel_gbps);
    EXPECT_EQ(r.stats.reads, 4096u);
  }
}

}  // namespace
}  // namespace einflow::sim::dram
