// The cycle model of a mapped Einsum against the analytical model (access
// counts exactly, cycles within 5% where bandwidth is ample) and against the
// golden interpreter (values).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "mappers/named/named.h"
#include "sim/analytical/group_model.h"
#include "sim/analytical/group_schedule.h"
#include "sim/analytical/nest_model.h"
#include "sim/cycle/cascade_sim.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/sort_unique.h"
#include "sim/cycle/verify.h"
#include "sim/cycle/word_set.h"
#include "tests/sim/cycle_testing.h"
#include "workloads/golden/interpreter.h"
#include "workloads/workload.h"

namespace einflow::sim::cycle {
namespace {

using namespace testing;

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

// Both models follow one schedule of a group's executions (group_schedule.h):
// pipelined, with ample bandwidth, the analytical cycles equal the cycle
// model's (FuseMax's 348 is worked by hand in Named.ArchitectureAndFuseMaxPipelining).
TEST(CascadeAgreement, PipelinedCyclesAgree) {
  Attention t = tiny_attention();
  for (const char* name : {"flat", "fusemax"}) {
    const named::Design* d = named::find_design(name);
    const workloads::Cascade& c = variant(t, d->variant);
    const mapping::CascadeMapping m = named::attention_mapping(*d, t.arch, c);
    ASSERT_GE(m.groups.at(0).pipeline_rank, 0) << name;
    SimOptions timing;
    timing.functional = false;
    const CascadeSimResult r = simulate_cascade(t.arch, c, m, {}, timing);
    EXPECT_EQ(analytical::evaluate_cascade(t.arch, c, m).stats.cycles, r.stats.cycles) << name;
  }
}

// Beyond its exact limit the analytical model extends the schedule of a few
// iterations (6 and 8 of the innermost shared loop, 2 and 3 of the loops
// outside it): on FuseMax's tiny attention at 512 tokens (M1 = 128) it gives
// the exact schedule's makespan.
TEST(GroupSchedule, ExtendedFromAFewIterationsAsScheduledExactly) {
  const arch::Architecture a = arch::load_arch(kSrc + "/tests/data/attention/fusemax-4x4.yaml");
  const workloads::Workload w = workloads::load_workload(kSrc + "/tests/data/attention/tiny.yaml",
                                                         {workloads::parse_override("instance.seq_len=512"),
                                                          workloads::parse_override("instance.batch=2")});
  const workloads::Cascade& c = w.find_variant("1pass")->cascade;
  const mapping::CascadeMapping m = named::attention_mapping(*named::find_design("fusemax"), a, c);
  const mapping::FusionGroup& g = m.groups.at(0);
  const Stats s = analytical::evaluate_cascade(a, c, m).stats;
  std::vector<double> durations;
  std::vector<int> resource_of;
  for (size_t k = 0; k < g.einsums.size(); ++k) {
    durations.push_back(static_cast<double>(s.per_einsum[k].cycles) /
                        static_cast<double>(g.executions(c, g.einsums[k])));
    resource_of.push_back(s.per_einsum[k].unit == "Array2D" ? 0 : 1);
  }
  const double exact = analytical::schedule_makespan(c, g, durations, resource_of, 1000000000);
  const double extended = analytical::schedule_makespan(c, g, durations, resource_of, 100);
  ASSERT_GT(exact, 0);
  EXPECT_NEAR(extended, exact, 1e-9 * exact);
}

// FLAT in passes (its configuration beyond 64K: QK and SN written to DRAM and
// read back): QK and GM, SN and SD, A and AV each share a tile of the keys;
// QK is kept in the buffer for GM and exported for SN, SN likewise for A. By
// hand on the tiny attention (M = P = 16): QK and SN are each written once
// and read once from DRAM (256 words each way), GM and SD once each way (16);
// the two models count alike and the output is golden.
TEST(CascadeCycleModel, FlatInPassesExportsWhatALaterPassReads) {
  Attention t = tiny_attention();
  const workloads::Cascade& c = variant(t, "3pass");
  named::DesignParams params;
  params.query_tile = 8;
  params.offchip = {"QK", "SN"};
  const named::Design d = named::with_params(*named::find_design("flat"), params);
  mapping::CascadeMapping m = named::attention_mapping(d, t.arch, c);
  ASSERT_EQ(m.groups.size(), 3u);
  ASSERT_TRUE(mapping::validate_cascade_mapping(m, c, t.arch).ok);
  golden::TensorSet<double> in = golden::seeded_inputs<double>(c, 5);
  CascadeSimResult r = simulate_cascade(t.arch, c, m, in);
  const Stats a = analytical::evaluate_cascade(t.arch, c, m).stats;
  expect_same_counts(a, r.stats);
  for (const char* x : {"QK", "SN"}) {
    EXPECT_EQ(access_at(a, "DRAM", x).updates, 256) << x;
    EXPECT_EQ(access_at(a, "DRAM", x).reads, 256) << x;
  }
  for (const char* x : {"GM", "SD"}) {
    EXPECT_EQ(access_at(a, "DRAM", x).updates, 16) << x;
    EXPECT_EQ(access_at(a, "DRAM", x).reads, 16) << x;
  }
  EXPECT_EQ(access_at(a, "DRAM", "A").updates + access_at(a, "DRAM", "A").reads, 0);
  golden::TensorSet<double> got{{"AV", r.tensors.at("AV")}}, ref{{"AV", golden::interpret<double>(c, in).at("AV")}};
  EXPECT_TRUE(compare_tensors(got, ref, 1e-12).ok);
}

// The two models count a group independently: the cycle model execution by
// execution, observing when a tile's words change; the analytical one by
// formula. Give either one a wrong retention and the agreement check names
// the tensor: FuseMax's first retained intermediate sent to DRAM after all,
// or the inputs kept across shared loops fetched every time.
TEST(CascadeAgreement, AWrongRetentionInEitherModelIsCaught) {
  Attention t = tiny_attention();
  const workloads::Cascade& c = variant(t, "1pass");
  const mapping::CascadeMapping m = named::attention_mapping(*named::find_design("fusemax"), t.arch, c);
  const std::vector<std::string> skip = {"RM", "RD", "RNV"};  // as in CascadeCountsExactValuesGolden
  using Adjust = std::function<void(analytical::Residency&)>;
  auto analytical_counts = [&](const Adjust& adjust) {
    std::vector<analytical::GroupStats> groups;
    for (const auto& g : m.groups) groups.push_back(analytical::evaluate_group(t.arch, c, g, nullptr, adjust));
    return analytical::combine_groups(t.arch, std::move(groups)).stats;
  };
  auto cycle_counts = [&](const Adjust& adjust) {
    SimOptions o;
    o.functional = false;
    if (adjust) o.adjust_residency = [&](int, analytical::Residency& r) { adjust(r); };
    return simulate_cascade(t.arch, c, m, {}, o).stats;
  };
  ASSERT_TRUE(count_differences(analytical_counts({}), cycle_counts({}), skip).empty());

  std::string spilled;
  const Adjust spill = [&](analytical::Residency& r) {
    for (const auto& name : r.retained)
      if (std::find(skip.begin(), skip.end(), name) == skip.end()) {
        spilled = name;
        r.retained_node[static_cast<size_t>(c.find_tensor(name))] = -1;
        return;
      }
  };
  bool had_resident = false;
  const Adjust refetch = [&](analytical::Residency& r) {
    had_resident = had_resident || !r.resident.empty();
    r.resident.clear();
  };
  auto names = [](const std::vector<std::string>& diff, const std::string& tensor) {
    for (const auto& d : diff)
      if (d.find("DRAM " + tensor + ":") == 0) return true;
    return false;
  };
  for (const Adjust* wrong : {&spill, &refetch}) {
    const std::vector<std::string> in_cycle = count_differences(analytical_counts({}), cycle_counts(*wrong), skip);
    const std::vector<std::string> in_analytical = count_differences(analytical_counts(*wrong), cycle_counts({}), skip);
    EXPECT_FALSE(in_cycle.empty());
    EXPECT_FALSE(in_analytical.empty());
    if (wrong == &spill) {
      ASSERT_FALSE(spilled.empty());
      EXPECT_TRUE(names(in_cycle, spilled)) << spilled;
      EXPECT_TRUE(names(in_analytical, spilled)) << spilled;
    }
  }
  EXPECT_TRUE(had_resident);
}

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
// attention at 128 queries and keys, every design, a 128^3 matmul on the
// 3-level preset, and a matmul over a bank of two ports. Counts and cycles
// within 1%.
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
  // A bank of two ports, one held by the results going up while the steps
  // use the other; an accumulation that outlasts a step, its recent issues
  // clocks too (tests/data/cycle/ports/ff-*).
  for (const char* name : {"ff-two-bank-ports", "ff-accumulate-latency"}) {
    SCOPED_TRACE(name);
    const std::string p = std::string("tests/data/cycle/ports/") + name + "/";
    Case two = load_case(p + "arch.yaml", p + "workload.yaml", p + "mapping.yaml");
    SimResult u = simulate_mapping(two.arch, two.cascade, two.map, {}, ff);
    SimResult v = simulate_mapping(two.arch, two.cascade, two.map, {}, full);
    EXPECT_TRUE(u.fast_forwarded);
    compare(u.stats, v.stats);
  }
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
