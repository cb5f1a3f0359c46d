// The cycle model of a mapped Einsum against the analytical model (access
// counts exactly, cycles within 5% where bandwidth is ample) and against the
// golden interpreter (values).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "mappers/named/named.h"
#include "sim/analytical/group_model.h"
#include "sim/analytical/nest_model.h"
#include "sim/cycle/cascade_sim.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/sort_unique.h"
#include "sim/cycle/word_set.h"
#include "sim/cycle/verify.h"
#include "workloads/golden/interpreter.h"
#include "workloads/workload.h"

namespace einflow::sim::cycle {
namespace {

const std::string kSrc = EINFLOW_SOURCE_DIR;

struct Case {
  arch::Architecture arch;
  workloads::Cascade cascade;
  mapping::Mapping map;
  golden::TensorSet<double> inputs, golden;
};

Case load_case(const std::string& arch_file, const std::string& workload,
               const std::string& map_file) {
  Case c{arch::load_arch(kSrc + "/" + arch_file),
         workloads::load_workload(kSrc + "/" + workload).variants.front().cascade,
         {},
         {},
         {}};
  c.map = mapping::load_mapping(kSrc + "/" + map_file, c.cascade, c.arch);
  EXPECT_TRUE(mapping::validate_mapping(c.map, c.cascade, c.arch).ok);
  c.inputs = golden::seeded_inputs<double>(c.cascade, 7);
  c.golden = golden::interpret<double>(c.cascade, c.inputs);
  return c;
}

// `skip`: tensors the analytical model is known to count differently.
void expect_same_counts(const Stats& a, const Stats& s, const std::vector<std::string>& skip = {}) {
  ASSERT_EQ(a.per_level.size(), s.per_level.size());
  for (size_t l = 0; l < a.per_level.size(); ++l) {
    ASSERT_EQ(a.per_level[l].tensors.size(), s.per_level[l].tensors.size());
    for (size_t t = 0; t < a.per_level[l].tensors.size(); ++t) {
      const auto& x = a.per_level[l].tensors[t];
      const auto& y = s.per_level[l].tensors[t];
      SCOPED_TRACE(a.per_level[l].name + " " + x.tensor);
      EXPECT_EQ(x.tensor, y.tensor);
      if (std::find(skip.begin(), skip.end(), x.tensor) != skip.end()) continue;
      EXPECT_EQ(x.accesses.reads, y.accesses.reads);
      EXPECT_EQ(x.accesses.fills, y.accesses.fills);
      EXPECT_EQ(x.accesses.updates, y.accesses.updates);
      EXPECT_EQ(x.tile_words, y.tile_words);
    }
  }
}

struct Named {
  const char* arch;
  const char* workload;
  const char* mapping;
};

class Agreement : public ::testing::TestWithParam<Named> {};

TEST_P(Agreement, CountsExactCyclesWithinFivePercentValuesGolden) {
  const Named& n = GetParam();
  Case c = load_case(n.arch, n.workload, n.mapping);
  Stats a = analytical::evaluate_mapping(c.arch, c.cascade, c.map);
  SimResult r = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
  expect_same_counts(a, r.stats);
  // Within 5%, or within the few cycles of the first tile's load, which the
  // analytical model overlaps with compute (it matters on the 48-MAC conv1d).
  EXPECT_NEAR(static_cast<double>(r.stats.cycles), static_cast<double>(a.cycles),
              std::max(0.05 * a.cycles, 4.0));
  EXPECT_GE(r.stats.cycles, a.cycles);  // the analytical model assumes perfect overlap
  EXPECT_NEAR(r.stats.energy_pj, a.energy_pj, 1e-6 * a.energy_pj);
  Mismatch mm = compare_tensors(r.outputs, c.golden, 1e-12);
  EXPECT_TRUE(mm.ok) << mm.tensor << " at " << (mm.index.empty() ? -1 : mm.index[0]);
}

INSTANTIATE_TEST_SUITE_P(
    Mappings, Agreement,
    ::testing::Values(Named{"tests/data/conv1d/arch-1level.yaml", "tests/data/conv1d/conv1d.yaml",
                            "tests/data/conv1d/map-1level.yaml"},
                      Named{"tests/data/conv1d/arch-2level.yaml", "tests/data/conv1d/conv1d.yaml",
                            "tests/data/conv1d/map-2level-os.yaml"},
                      Named{"tests/data/conv1d/arch-2level.yaml", "tests/data/conv1d/conv1d.yaml",
                            "tests/data/conv1d/map-2level-ws.yaml"},
                      Named{"tools/bench/data/three-level.arch.yaml",
                            "tests/data/cycle/matmul-32.yaml",
                            "tests/data/cycle/matmul-32-3level.map.yaml"},
                      Named{"tools/bench/data/three-level.arch.yaml",
                            "tests/data/cycle/matmul-32.yaml",
                            "tests/data/cycle/matmul-32-reduce.map.yaml"}));

TEST(CycleModel, RemainderTilesAreCountedByEnumeration) {
  Case c = load_case("tools/bench/data/three-level.arch.yaml", "tests/data/cycle/matmul-30.yaml",
                     "tests/data/cycle/matmul-30-imperfect.map.yaml");
  SimResult r = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
  EXPECT_TRUE(compare_tensors(r.outputs, c.golden, 1e-12).ok);
  // A's tile in each RF is 4 words (K 4). Each of the 16 RFs refetches it per
  // (DRAM N 4) x (GB K 8) and per valid m = 8a + 4b + c < 30 of its column c:
  // 30 valid (a, b, c) over the 4 columns, so 30 x 4 x 8 x 4 words x 4 columns of N = 15360.
  // (The analytical model's mean-tile estimate scales this by the N loops'
  // effective factor 30/32, giving 14400: A does not depend on N, so it is not exact here.)
  const auto& rf = r.stats.per_level[2];
  ASSERT_EQ(rf.tensors[0].tensor, "A");
  EXPECT_EQ(rf.tensors[0].accesses.fills, 15360);
  EXPECT_EQ(rf.tensors[0].accesses.reads, 30 * 30 * 32);  // every MAC reads A from the RF
}

TEST(CycleModel, VerificationCatchesASkippedTile) {
  Case c = load_case("tools/bench/data/three-level.arch.yaml", "tests/data/cycle/matmul-32.yaml",
                     "tests/data/cycle/matmul-32-3level.map.yaml");
  // A dataflow bug: the DRAM loop over M runs once instead of twice, so rows
  // 16..31 of Z are never computed.
  ASSERT_EQ(c.map.levels[0].temporal[0].factor, 2);
  c.map.levels[0].temporal[0].factor = 1;
  SimResult r = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
  Mismatch mm = compare_tensors(r.outputs, c.golden, 1e-9);
  EXPECT_FALSE(mm.ok);
  EXPECT_EQ(mm.tensor, "Z");
  EXPECT_EQ(mm.index, (std::vector<int64_t>{16, 0}));
  EXPECT_EQ(mm.got, 0.0);
}

TEST(CycleModel, TimingOnlyRunsGiveTheSameCountsAndCycles) {
  Case c = load_case("tools/bench/data/three-level.arch.yaml", "tests/data/cycle/matmul-32.yaml",
                     "tests/data/cycle/matmul-32-reduce.map.yaml");
  SimResult full = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
  SimOptions o;
  o.functional = false;
  o.fast_forward = false;  // simulated step by step, as the functional run
  SimResult timing = simulate_mapping(c.arch, c.cascade, c.map, {}, o);
  expect_same_counts(full.stats, timing.stats);
  EXPECT_EQ(full.stats.cycles, timing.stats.cycles);
  EXPECT_TRUE(timing.outputs.empty());
}


// Whole cascades: the five named attention designs on the tiny FuseMax
// architecture (no bandwidth limits). Counts agree exactly with the analytical
// model (the same group accounting on the enumerated tile counts); without a
// pipelined rank the Einsums run one after another and the cycles agree too;
// the output equals the golden interpreter's.
struct Attention {
  arch::Architecture arch;
  workloads::Workload workload;
};

Attention tiny_attention() {
  return {arch::load_arch(kSrc + "/tests/data/attention/fusemax-4x4.yaml"),
          workloads::load_workload(kSrc + "/tests/data/attention/tiny.yaml")};
}

const workloads::Cascade& variant(const Attention& t, const std::string& name) {
  return t.workload.find_variant(name)->cascade;
}

class Designs : public ::testing::TestWithParam<const char*> {};

TEST_P(Designs, CascadeCountsExactValuesGolden) {
  Attention t = tiny_attention();
  const named::Design* d = named::find_design(GetParam());
  ASSERT_NE(d, nullptr);
  const workloads::Cascade& c = variant(t, d->variant);
  mapping::CascadeMapping m = named::attention_mapping(*d, t.arch, c);
  ASSERT_TRUE(mapping::validate_cascade_mapping(m, c, t.arch).ok);
  golden::TensorSet<double> in = golden::seeded_inputs<double>(c, 3);
  golden::TensorSet<double> want = golden::interpret<double>(c, in);
  CascadeSimResult r = simulate_cascade(t.arch, c, m, in);
  Stats a = analytical::evaluate_cascade(t.arch, c, m).stats;
  // The recurrences' tensors are read at two entries by one Einsum (RM[m1]
  // and RM[m1+1]); the analytical model takes one access's tile for them
  // (RecurrenceTilesFetchTheirEarlierEntries has the hand figures).
  const bool one_pass = d->variant == "1pass";
  expect_same_counts(a, r.stats, one_pass ? std::vector<std::string>{"RM", "RD", "RNV"} : std::vector<std::string>{});
  if (!one_pass) {
    EXPECT_NEAR(r.stats.energy_pj, a.energy_pj, 1e-9 * a.energy_pj);
  }
  if (!d->pipelined) {
    EXPECT_EQ(r.stats.cycles, a.cycles);
  }
  golden::TensorSet<double> got{{"AV", r.tensors.at("AV")}}, ref{{"AV", want.at("AV")}};
  Mismatch mm = compare_tensors(got, ref, 1e-12);
  EXPECT_TRUE(mm.ok) << mm.tensor << " differs";
  // Every tile execution the group model counts ran.
  int64_t executions = 0;
  for (const auto& g : m.groups)
    for (int e : g.einsums) executions += g.executions(c, e);
  EXPECT_EQ(r.executions, executions);
}

INSTANTIATE_TEST_SUITE_P(Attention, Designs,
                         ::testing::Values("unfused", "flat", "cascade", "architecture", "fusemax"));

// A recurrence's tile reads the entry the previous iteration left and writes
// the next one. Hand figures for one tile (M1 tile 1, P tile 16) of the
// cascade design on the tiny FuseMax architecture: RM#2 (RM[m1+1,p] =
// max(RM[m1,p], LM[m1,p])) fetches RM[m1,0..15] through every level (16 each)
// and writes RM[m1+1,0..15] back (16 updates each); PRM (exp(RM[m1,p] -
// RM[m1+1,p])) reads both rows: 32 distinct words at every level, and the
// unit reads two per point.
TEST(CycleModel, RecurrenceTilesFetchTheirEarlierEntries) {
  Attention t = tiny_attention();
  const workloads::Cascade& c = variant(t, "1pass");
  mapping::CascadeMapping m = named::attention_mapping(*named::find_design("cascade"), t.arch, c);
  const mapping::FusionGroup& g = m.groups.at(0);
  const workloads::Cascade tc = mapping::tile_cascade(c, g.shared);
  ASSERT_EQ(tc.ranks[static_cast<size_t>(c.find_rank("P"))].size, 16);
  ASSERT_EQ(tc.ranks[static_cast<size_t>(c.find_rank("M1"))].size, 1);
  SimOptions timing;
  timing.functional = false;
  auto rm_counts = [&](const std::string& einsum, const std::string& level) {
    for (size_t k = 0; k < g.einsums.size(); ++k) {
      if (c.einsums[static_cast<size_t>(g.einsums[k])].name != einsum) continue;
      SimResult r = simulate_mapping(t.arch, tc, g.tiles[k], {}, timing);
      for (const auto& l : r.stats.per_level)
        for (const auto& x : l.tensors)
          if (l.name == level && x.tensor == "RM") return x.accesses;
    }
    ADD_FAILURE() << einsum << " " << level;
    return Accesses{};
  };
  auto expect = [](const Accesses& x, int64_t reads, int64_t fills, int64_t updates) {
    EXPECT_EQ(x.reads, reads);
    EXPECT_EQ(x.fills, fills);
    EXPECT_EQ(x.updates, updates);
  };
  expect(rm_counts("RM#2", "DRAM"), 16, 0, 16);
  expect(rm_counts("RM#2", "GlobalBuffer"), 16, 16, 16);
  expect(rm_counts("RM#2", "PE1D"), 16, 16, 16);
  expect(rm_counts("PRM", "DRAM"), 32, 0, 0);
  expect(rm_counts("PRM", "GlobalBuffer"), 32, 32, 0);
  expect(rm_counts("PRM", "PE1D"), 32, 32, 0);
}

// Steady-state fast-forward against full simulation (timing only): the tiny
// attention at 128 queries and keys, every design, and a 128^3 matmul on the
// 3-level preset. Counts and cycles within 1%.
TEST(CycleModel, FastForwardWithinOnePercentOfFullSimulation) {
  auto close = [](double x, double y) { return std::abs(x - y) <= 0.01 * std::max(std::abs(y), 1.0); };
  auto compare = [&](const Stats& ff, const Stats& full) {
    EXPECT_TRUE(close(static_cast<double>(ff.cycles), static_cast<double>(full.cycles)))
        << ff.cycles << " vs " << full.cycles;
    ASSERT_EQ(ff.per_level.size(), full.per_level.size());
    for (size_t l = 0; l < ff.per_level.size(); ++l) {
      const Accesses &x = ff.per_level[l].total, &y = full.per_level[l].total;
      SCOPED_TRACE(ff.per_level[l].name);
      EXPECT_TRUE(close(static_cast<double>(x.reads), static_cast<double>(y.reads))) << x.reads << " " << y.reads;
      EXPECT_TRUE(close(static_cast<double>(x.fills), static_cast<double>(y.fills))) << x.fills << " " << y.fills;
      EXPECT_TRUE(close(static_cast<double>(x.updates), static_cast<double>(y.updates))) << x.updates << " " << y.updates;
    }
  };
  SimOptions ff, full;
  ff.functional = full.functional = false;
  full.fast_forward = false;
  const arch::Architecture a = arch::load_arch(kSrc + "/tests/data/attention/fusemax-4x4.yaml");
  const workloads::Workload w = workloads::load_workload(kSrc + "/tests/data/attention/tiny.yaml",
                                                         {{"instance.seq_len", "128"}, {"instance.block", "16"}});
  int fast_forwarded = 0;
  for (const auto& d : named::attention_designs()) {
    SCOPED_TRACE(d.name);
    const workloads::Cascade& c = w.find_variant(d.variant)->cascade;
    mapping::CascadeMapping m = named::attention_mapping(d, a, c);
    CascadeSimResult x = simulate_cascade(a, c, m, {}, ff), y = simulate_cascade(a, c, m, {}, full);
    EXPECT_FALSE(y.fast_forwarded);
    fast_forwarded += x.fast_forwarded;
    compare(x.stats, y.stats);
  }
  EXPECT_GT(fast_forwarded, 0);
  Case mm = load_case("tools/bench/data/three-level.arch.yaml", "tests/data/cycle/matmul-64.yaml",
                      "tests/data/cycle/matmul-64-3level.map.yaml");
  SimResult x = simulate_mapping(mm.arch, mm.cascade, mm.map, {}, ff);
  SimResult y = simulate_mapping(mm.arch, mm.cascade, mm.map, {}, full);
  EXPECT_TRUE(x.fast_forwarded);
  compare(x.stats, y.stats);
}

// FuseMax's pipelining: the 1D array is the busier unit; it cannot start its
// first recurrence before the 2D array has made the first QK and LM tiles, so
// the run takes at least that plus all of the 1D array's work. The analytical
// model charges a whole iteration of the other unit for fill and drain, an
// upper bound that the schedule beats.
TEST(CascadeCycleModel, FuseMaxPipelineBetweenItsBounds) {
  Attention t = tiny_attention();
  const workloads::Cascade& c = variant(t, "1pass");
  mapping::CascadeMapping m = named::attention_mapping(*named::find_design("fusemax"), t.arch, c);
  SimOptions timing;
  timing.functional = false;
  CascadeSimResult r = simulate_cascade(t.arch, c, m, {}, timing);
  const mapping::FusionGroup& g = m.groups.at(0);
  double busy1d = 0, busy2d = 0, first = 0;
  for (size_t k = 0; k < g.einsums.size(); ++k) {
    const EinsumStats& es = r.stats.per_einsum[k];
    (es.unit == "Array1D" ? busy1d : busy2d) += static_cast<double>(es.cycles);
    if (es.name == "QK" || es.name == "LM")
      first += static_cast<double>(es.cycles) / static_cast<double>(g.executions(c, g.einsums[k]));
  }
  ASSERT_GT(busy1d, busy2d);
  const Stats a = analytical::evaluate_cascade(t.arch, c, m).stats;
  EXPECT_GE(static_cast<double>(r.stats.cycles), busy1d + first);
  EXPECT_LE(r.stats.cycles, a.cycles);
  // The 1D array waits only where the 2D array's data came late.
  int64_t waits = 0;
  for (const auto& [cause, cycles] : r.stalls) waits += cause.rfind("data from", 0) == 0 ? cycles : 0;
  EXPECT_GT(waits, 0);
}

// With a narrow DRAM the cascade is DRAM-bound: the cycle model is slower than
// the analytical model's perfect overlap and says why (DRAM stalls).
TEST(CascadeCycleModel, DramBoundRunsReportDramStalls) {
  Attention t = tiny_attention();
  for (auto& n : t.arch.nodes)
    if (n.cls == arch::NodeClass::kDram) n.bandwidth_gbps = 1;  // 0.5 words per 1 GHz cycle
  const workloads::Cascade& c = variant(t, "3pass");
  mapping::CascadeMapping m = named::attention_mapping(*named::find_design("unfused"), t.arch, c);
  SimOptions timing;
  timing.functional = false;
  CascadeSimResult r = simulate_cascade(t.arch, c, m, {}, timing);
  const Stats a = analytical::evaluate_cascade(t.arch, c, m).stats;
  EXPECT_EQ(a.bound_by, "DRAM");
  EXPECT_EQ(r.stats.bound_by, "DRAM");
  EXPECT_GE(r.stats.cycles, a.cycles);
  ASSERT_TRUE(r.stalls.count("dram"));
  // The analytical bound is the DRAM words at the DRAM's rate; the gap is the
  // compute that cannot overlap with it, which the stalls account for.
  EXPECT_LE(r.stats.cycles - a.cycles, r.stats.compute_cycles + r.stalls.at("dram"));
}

// One Einsum alone, DRAM-bound: its waits for the tiles coming from the DRAM
// are named `dram`, and they account for the gap to the analytical bound.
TEST(CycleModel, DramBoundEinsumReportsDramStalls) {
  Attention t = tiny_attention();
  for (auto& n : t.arch.nodes)
    if (n.cls == arch::NodeClass::kDram) n.bandwidth_gbps = 1;
  const workloads::Cascade& c = variant(t, "3pass");
  const mapping::CascadeMapping m = named::attention_mapping(*named::find_design("unfused"), t.arch, c);
  const mapping::Mapping& qk = m.groups.front().tiles.front();
  SimOptions timing;
  timing.functional = false;
  const SimResult r = simulate_mapping(t.arch, c, qk, {}, timing);
  const Stats a = analytical::evaluate_mapping(t.arch, c, qk);
  EXPECT_EQ(a.bound_by, "DRAM");
  EXPECT_GE(r.stats.cycles, a.cycles);
  ASSERT_TRUE(r.stalls.count("dram"));
  for (const auto& [cause, cycles] : r.stalls) EXPECT_EQ(cause.rfind("fill GlobalBuffer", 0), std::string::npos);
  EXPECT_LE(r.stats.cycles - a.cycles, r.stats.compute_cycles + r.stalls.at("dram"));
}

// Per-op pipelines, worked by hand (tests/data/cycle/pipeline): 4 lanes, an
// adder with a 4-cycle latency issuing one add per cycle, unlimited bandwidth;
// Z[p, n] = sum over m (16) of A[p, m, n], P across the lanes, 64 steps.
// M innermost: the 15 later steps of each n wait 3 cycles for the previous
// sum, so each n takes 15 x 4 + 1 = 61 cycles: 4 x 61 + 3 (the last add's
// latency) = 247, of which 4 x 15 x 3 = 180 are pipeline stalls. N innermost:
// no step adds into the word the one before wrote: 64 + 3 = 67. The analytical
// model (issue cycles only) gives 64 for both. Values verify either way.
TEST(CycleModel, PipelineHazardsOfTheAccumulatingOp) {
  const std::string dir = "tests/data/cycle/pipeline/";
  const std::pair<const char*, int64_t> cases[] = {{"m-inner.yaml", 247}, {"m-outer.yaml", 67}};
  for (const auto& [file, cycles] : cases) {
    Case c = load_case(dir + "arch.yaml", dir + "workload.yaml", dir + file);
    const SimResult r = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
    EXPECT_EQ(r.stats.cycles, cycles) << file;
    EXPECT_EQ(r.stalls.count("pipeline add") ? r.stalls.at("pipeline add") : 0, cycles == 247 ? 180 : 0) << file;
    EXPECT_EQ(analytical::evaluate_mapping(c.arch, c.cascade, c.map).cycles, 64) << file;
    EXPECT_TRUE(compare_tensors(r.outputs, {{"Z", c.golden.at("Z")}}, 1e-12).ok) << file;
    SimOptions timing;
    timing.functional = false;
    timing.fast_forward = false;
    EXPECT_EQ(simulate_mapping(c.arch, c.cascade, c.map, {}, timing).stats.cycles, cycles) << file;
  }
}

// The network's latency into the lanes (5 cycles; tests/data/cycle/noc), on the
// pipeline case's row sums with N innermost (no accumulation hazard), worked by
// hand. Whole slices: A's slice arrives at 5, 64 steps, the last add's result
// at 5 + 63 + 4 = 72, Z back across the network at 77. A word per step,
// double-buffered: step s's word leaves when step s - 2 has computed (E) and
// arrives 5 later, so E(0) = 6, E(1) = 7 and then two steps per 6 cycles,
// E(63) = 7 + 6 x 31 = 193; the last add at 196, Z back at 201, 129 cycles of
// waiting for the lanes' fills. The analytical model (latency hidden): 64.
TEST(CycleModel, NocLatencyDelaysArrivals) {
  const std::pair<const char*, int64_t> cases[] = {{"m-whole.yaml", 77}, {"m-steps.yaml", 201}};
  for (const auto& [file, cycles] : cases) {
    Case c = load_case("tests/data/cycle/noc/arch.yaml", "tests/data/cycle/pipeline/workload.yaml",
                       std::string("tests/data/cycle/noc/") + file);
    const SimResult r = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
    EXPECT_EQ(r.stats.cycles, cycles) << file;
    EXPECT_EQ(r.stalls.at("fill Lane"), cycles == 77 ? 5 : 129) << file;
    EXPECT_EQ(analytical::evaluate_mapping(c.arch, c.cascade, c.map).cycles, 64) << file;
    EXPECT_TRUE(compare_tensors(r.outputs, {{"Z", c.golden.at("Z")}}, 1e-12).ok) << file;
  }
}

// A narrow network (2 words per cycle each way into the four lanes) and a
// buffer whose reads take 2 cycles (tests/data/cycle/noc/arch-narrow.yaml), on
// the whole-slice mapping, worked by hand: A's 256 words cross the network in
// 128 cycles and arrive 5 + 2 later (135); 64 steps, the last issuing at 198
// and its sum ready at 202; Z's 16 words go up in 8 cycles and cross in 5
// (215), and their read out of the buffer to the DRAM takes 2 more: 217. The
// analytical model bounds the network by the buffer's 256 reads at 2 words per
// cycle: 128 (latency hidden).
TEST(CycleModel, NocBandwidthAndAccessLatency) {
  Case c =
      load_case("tests/data/cycle/noc/arch-narrow.yaml", "tests/data/cycle/pipeline/workload.yaml",
                "tests/data/cycle/noc/m-whole.yaml");
  const SimResult r = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
  EXPECT_EQ(r.stats.cycles, 217);
  EXPECT_EQ(r.stalls.at("fill Lane"), 135);
  EXPECT_EQ(analytical::evaluate_mapping(c.arch, c.cascade, c.map).cycles, 128);
  EXPECT_TRUE(compare_tensors(r.outputs, {{"Z", c.golden.at("Z")}}, 1e-12).ok);
}

// Bank conflicts, worked by hand (tests/data/cycle/banks): row sums over four
// lanes from a buffer of 4 single-ported banks, a word per lane per step (16
// steps). The buffer first takes the 64 words of the matrix, 16 per bank: 16
// cycles. Stored by rows, the four words of a step (p x 16 + m) share bank
// m mod 4: 4 cycles a step instead of 1, so step s computes at 20 + 4s, the
// last done at 81; Z's 4 words (banks 0-3) reach the buffer at 82 and the DRAM
// at 83; 3 x 16 = 48 conflict cycles; the lanes wait 4 + 15 x 3 = 49 for
// their words and, at the start, 16 for the buffer's (`dram`). Stored by
// columns (m x 4 + p, a bank each): step s computes at 17 + s, the run ends at
// 35, no conflicts, waits 1 and 16. The analytical model spreads the buffer's 132 counted
// accesses (64 reads, 64 fills, 4 updates) over its 4 ports: 33 for both, with
// the same counts; both verify.
TEST(CycleModel, BankConflictsFromTheLayout) {
  const std::string dir = "tests/data/cycle/banks/";
  const struct {
    const char* workload;
    int64_t cycles, conflicts, waits;
  } cases[] = {{"rows.yaml", 83, 48, 49}, {"cols.yaml", 35, 0, 1}};
  for (const auto& k : cases) {
    Case c = load_case(dir + "arch.yaml", dir + k.workload, dir + "mapping.yaml");
    const SimResult r = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
    EXPECT_EQ(r.stats.cycles, k.cycles) << k.workload;
    EXPECT_EQ(r.bank_conflicts.count("Buffer") ? r.bank_conflicts.at("Buffer") : 0, k.conflicts)
        << k.workload;
    EXPECT_EQ(r.stalls.at("fill Lane"), k.waits) << k.workload;
    EXPECT_EQ(r.stalls.at("dram"), 16) << k.workload;
    const Stats a = analytical::evaluate_mapping(c.arch, c.cascade, c.map);
    EXPECT_EQ(a.cycles, 33) << k.workload;
    EXPECT_EQ(a.bound_by, "Buffer") << k.workload;
    expect_same_counts(a, r.stats);
    EXPECT_TRUE(compare_tensors(r.outputs, {{"Z", c.golden.at("Z")}}, 1e-12).ok) << k.workload;
    SimOptions timing;
    timing.functional = false;
    const SimResult t = simulate_mapping(c.arch, c.cascade, c.map, {}, timing);
    EXPECT_EQ(t.stats.cycles, k.cycles) << k.workload;
  }
}

// Integer data (tests/data/cycle/int): int8 operands, saturating int16 sums,
// compared exactly. Row 0 of A is all ones (8 x 127 = 1016, in range); rows 1-3
// are 120 for k < 4 and -120 after, B is 127: products of +-15240. In the
// Einsum's order the sum climbs 15240, 30480, then saturates at 32767 twice,
// and falls 17527, 2287, -12953, -28193 (worked by hand). The in-order mapping
// gives exactly that; the mapping that spreads K over the lanes adds
// 15240 - 15240 in each lane and 0 in the network, and verification names
// Z[1] as the first element that differs.
TEST(CycleModel, IntegerSumsSaturateInTheMappingsOrder) {
  const std::string dir = "tests/data/cycle/int/";
  Case c = load_case(dir + "arch.yaml", dir + "workload.yaml", dir + "in-order.yaml");
  for (const double v : c.inputs.at("A").data) {
    EXPECT_EQ(v, std::round(v));
    EXPECT_LE(std::abs(v), 127);
  }
  golden::DenseTensor<double>& A = c.inputs.at("A");
  for (int64_t m = 0; m < 4; ++m)
    for (int64_t k = 0; k < 8; ++k)
      A.data[static_cast<size_t>(m * 8 + k)] = m == 0 ? 1 : k < 4 ? 120 : -120;
  for (double& b : c.inputs.at("B").data) b = 127;
  const golden::TensorSet<double> want = golden::interpret<double>(c.cascade, c.inputs);
  EXPECT_EQ(want.at("Z").data, (std::vector<double>{1016, -28193, -28193, -28193}));
  const std::set<std::string> exact = {"Z"};
  const SimResult in_order = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
  EXPECT_TRUE(compare_tensors(in_order.outputs, {{"Z", want.at("Z")}}, 0, exact).ok);
  const mapping::Mapping split =
      mapping::load_mapping(kSrc + "/" + dir + "split-k.yaml", c.cascade, c.arch);
  ASSERT_TRUE(mapping::validate_mapping(split, c.cascade, c.arch).ok);
  const SimResult r = simulate_mapping(c.arch, c.cascade, split, c.inputs);
  EXPECT_EQ(r.outputs.at("Z").data, (std::vector<double>{1016, 0, 0, 0}));
  const Mismatch mm = compare_tensors(r.outputs, {{"Z", want.at("Z")}}, 1e-9, exact);
  EXPECT_FALSE(mm.ok);
  EXPECT_EQ(mm.tensor, "Z");
  EXPECT_EQ(mm.index, (std::vector<int64_t>{1}));
  EXPECT_EQ(mm.want, -28193);
}

// The walker's word-list helpers: both paths of sort_unique (a dense list
// through the bitmap, a sparse one through sorting) and the open-addressing set
// through several growths.
TEST(CycleModel, WordHelpersSortUniqueAndSet) {
  std::vector<int64_t> dense;
  for (int64_t i = 0; i < 300; ++i) dense.push_back(1000 + (i * 7) % 150);  // 150 distinct, each twice
  detail::sort_unique(dense);
  ASSERT_EQ(dense.size(), 150u);
  for (int64_t i = 0; i < 150; ++i) EXPECT_EQ(dense[static_cast<size_t>(i)], 1000 + i);
  std::vector<int64_t> sparse;
  for (int64_t i = 0; i < 100; ++i) sparse.push_back((99 - i % 50) * 1000000);  // 50 distinct, far apart
  detail::sort_unique(sparse);
  ASSERT_EQ(sparse.size(), 50u);
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(sparse[static_cast<size_t>(i)], (50 + i) * 1000000);
  detail::WordSet set;
  for (int64_t w = 0; w < 1000; ++w) EXPECT_TRUE(set.insert(w * 3));
  for (int64_t w = 0; w < 3000; ++w) EXPECT_EQ(set.insert(w), w % 3 != 0) << w;
  EXPECT_EQ(set.size(), 3000u);
}

}  // namespace
}  // namespace einflow::sim::cycle
