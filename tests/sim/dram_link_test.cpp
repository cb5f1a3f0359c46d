// The command-level DRAM as the root's link of the cycle model, worked by hand.
#include "sim/cycle/dram/dram_link.h"

#include <gtest/gtest.h>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "mappers/named/named.h"
#include "sim/analytical/nest_model.h"
#include "sim/cycle/cascade_sim.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/verify.h"
#include "tests/sim/cycle_testing.h"
#include "workloads/golden/interpreter.h"
#include "workloads/workload.h"

namespace einflow::sim {
namespace {

using cycle::testing::kSrc;

// Row sums of A[4, 16, 4] (tests/data/cycle/pipeline) on four lanes under a
// buffer fed by DDR4-2400 (tCK 0.833 ns: 1200.48 DRAM cycles per 1000 core
// cycles; tRCD 17, CL 17, CWL 12, tCCD_L 6, a burst 4), the whole matrix
// loaded into the buffer at once. A's 512 bytes are 8 lines of row 0, bank 0
// (the default mapping fills a row first): ACT at 0, RD at 17, 23, ..., 59,
// the last data at 59 + 17 + 4 = 80, so the buffer has A at DRAM cycle 81,
// core cycle ceil(81 / 1.20048) = 68. 64 one-cycle steps end at 132; Z's 32
// bytes (one line at 4096, the same open row) go back at core 132, DRAM
// ceil(132 x 1.20048) = 159: WR at 159 (a row hit), done 159 + 12 + 4 = 175,
// so DRAM 176, core ceil(176 / 1.20048) = 147 cycles. At the peak bandwidth
// (19.2 bytes per core cycle) the two transfers take 27 and 2, so the DRAM's
// timing added (68 - 27) + (15 - 2) = 54, of which compute waited 41
// ("dram timing") and 27 at the peak rate ("dram"). 1 ACT, 8 of 9 accesses
// row hits. On the bandwidth alone: 27 + 64 + 2 = 93.
TEST(DramLink, RootLinkTimedByTheCommandLevelDram) {
  const cycle::testing::Case k = cycle::testing::load_case(
      "tests/data/cycle/dram/arch.yaml", "tests/data/cycle/pipeline/workload.yaml",
      "tests/data/cycle/noc/m-whole.yaml");
  const arch::Architecture& a = k.arch;
  const workloads::Cascade& c = k.cascade;
  const mapping::Mapping& m = k.map;
  const golden::TensorSet<double>& in = k.inputs;

  const cycle::SimResult plain = cycle::simulate_mapping(a, c, m, in);
  EXPECT_EQ(plain.stats.cycles, 93);

  dram::DramLink link(a.nodes.front(), a.clock_mhz);
  cycle::SimOptions opts;
  opts.root_link = &link;
  const cycle::SimResult r = cycle::simulate_mapping(a, c, m, in, opts);
  EXPECT_EQ(r.stats.cycles, 147);
  EXPECT_EQ(r.dram_timing_cycles, 54);
  EXPECT_EQ(r.stalls.at("dram timing"), 41);
  EXPECT_EQ(r.stalls.at("dram"), 27);
  const dram::DramLinkStats s = link.stats();
  EXPECT_EQ(s.transfers, 2u);
  EXPECT_EQ(s.read_lines, 8u);
  EXPECT_EQ(s.write_lines, 1u);
  EXPECT_EQ(s.channels.count(dram::Command::kAct), 1u);
  EXPECT_EQ(s.channels.row_hits, 8u);
  EXPECT_GT(s.energy_pj, 0);
  // The same counts as the analytical model, and the same values.
  const Stats an = analytical::evaluate_mapping(a, c, m);
  EXPECT_EQ(an.dram_bytes, r.stats.dram_bytes);
  EXPECT_TRUE(cycle::compare_tensors(r.outputs, {{"Z", k.golden.at("Z")}}, 1e-12).ok);

  // Timing only: the same cycles (no fast-forward with a root link).
  dram::DramLink again(a.nodes.front(), a.clock_mhz);
  cycle::SimOptions timing;
  timing.functional = false;
  timing.root_link = &again;
  EXPECT_EQ(cycle::simulate_mapping(a, c, m, {}, timing).stats.cycles, 147);
}

// Cascades on the root link (tiny attention on an HBM2 DRAM): each group's
// DRAM transfers go through the command-level DRAM in schedule order. The
// values and every count stay those of the bandwidth model; what the DRAM's
// timing added is the link's busy time over the peak-bandwidth time, and the
// waits charged to it ("dram timing") are at most that.
TEST(DramLink, CascadeTransfersOnTheRootLink) {
  const arch::Architecture a =
      arch::load_arch(kSrc + "/tests/data/attention/fusemax-4x4-hbm2.yaml");
  const workloads::Workload w = workloads::load_workload(kSrc + "/tests/data/attention/tiny.yaml");
  for (const char* name : {"fusemax", "flat", "unfused"}) {
    SCOPED_TRACE(name);
    const named::Design* d = named::find_design(name);
    const workloads::Cascade& c = w.find_variant(d->variant)->cascade;
    const mapping::CascadeMapping m = named::attention_mapping(*d, a, c);
    const golden::TensorSet<double> in = golden::seeded_inputs<double>(c, 9);
    const cycle::CascadeSimResult plain = cycle::simulate_cascade(a, c, m, in);
    dram::DramLink link(a.nodes.front(), a.clock_mhz);
    cycle::SimOptions opts;
    opts.root_link = &link;
    const cycle::CascadeSimResult r = cycle::simulate_cascade(a, c, m, in, opts);
    const auto want = golden::interpret<double>(c, in);
    golden::TensorSet<double> got{{"AV", r.tensors.at("AV")}};
    EXPECT_TRUE(cycle::compare_tensors(got, {{"AV", want.at("AV")}}, 1e-9).ok);
    EXPECT_EQ(r.stats.dram_bytes, plain.stats.dram_bytes);
    EXPECT_EQ(r.stats.energy_pj, plain.stats.energy_pj);
    const dram::DramLinkStats s = link.stats();
    EXPECT_GT(s.transfers, 0u);
    // Every line of every tensor moved at least once: lines >= bytes / 64.
    EXPECT_GE(static_cast<double>((s.read_lines + s.write_lines) * 64),
              static_cast<double>(r.stats.dram_bytes));
    EXPECT_NEAR(static_cast<double>(r.dram_timing_cycles), s.cycles - s.peak_cycles,
                static_cast<double>(s.transfers));
    const int64_t timing_waits = r.stalls.count("dram timing") ? r.stalls.at("dram timing") : 0;
    EXPECT_LE(timing_waits, r.dram_timing_cycles);
  }
}

}  // namespace
}  // namespace einflow::sim
