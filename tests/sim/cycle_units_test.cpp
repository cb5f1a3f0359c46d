// The cycle model's hardware details on cases worked by hand: unit
// pipelines, network latency and bandwidth, buffer access latency, bank
// conflicts, and saturating integer sums in the mapping's order.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "mappers/mapping/cascade_mapping.h"
#include "sim/analytical/group_model.h"
#include "sim/analytical/nest_model.h"
#include "sim/cycle/cascade_sim.h"
#include "workloads/workload.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/verify.h"
#include "tests/sim/cycle_testing.h"

namespace einflow::sim::cycle {
namespace {

using namespace testing;

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
    EXPECT_EQ(r.stalls.count("pipeline add") ? r.stalls.at("pipeline add") : 0,
              cycles == 247 ? 180 : 0)
        << file;
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
// double-buffered, and each lane's partial sum Z[p, n] goes up after its step
// and comes back for the next pass over M: step (m, n) issues at 5 + 14m +
// (0, 1, 6, 7)[n]. The first two of each pass wait for their partial sums (the
// previous pass's result 4 cycles after its step, 5 cycles up the network, 5
// back: 14 after it), the last two for their word of A (5 cycles after the
// step two before has computed). The last step at 222, its result at 226, Z up
// at 231; the lanes waited 231 - 64 - 3 - 5 = 159 cycles for their fills.
// (Before a partial sum's round trip was timed: 201.) The per-cycle reference
// (tests/sim/reference) gives 231 and 77 too. The analytical model (latency
// hidden): 64.
TEST(CycleModel, NocLatencyDelaysArrivals) {
  const std::pair<const char*, int64_t> cases[] = {{"m-whole.yaml", 77}, {"m-steps.yaml", 231}};
  for (const auto& [file, cycles] : cases) {
    Case c = load_case("tests/data/cycle/noc/arch.yaml", "tests/data/cycle/pipeline/workload.yaml",
                       std::string("tests/data/cycle/noc/") + file);
    const SimResult r = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
    EXPECT_EQ(r.stats.cycles, cycles) << file;
    EXPECT_EQ(r.stalls.at("fill Lane"), cycles == 77 ? 5 : 159) << file;
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
// accesses (64 reads, 64 fills, 4 updates) and the 4 sums it sends to the DRAM
// over its 4 ports: 34 for both, with the same counts; both verify.
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
    EXPECT_EQ(a.cycles, 34) << k.workload;
    EXPECT_EQ(a.bound_by, "Buffer") << k.workload;
    expect_same_counts(a, r.stats);
    EXPECT_TRUE(compare_tensors(r.outputs, {{"Z", c.golden.at("Z")}}, 1e-12).ok) << k.workload;
    SimOptions timing;
    timing.functional = false;
    const SimResult t = simulate_mapping(c.arch, c.cascade, c.map, {}, timing);
    EXPECT_EQ(t.stats.cycles, k.cycles) << k.workload;
  }
}

// A hand-worked case of tests/data/cycle/ports: the cycle model's cycles (its
// outputs verified), the analytical model's, and their counts equal.
void expect_port_case(const char* arch, const char* workload, const char* mapping, int64_t cycles,
                      int64_t analytical_cycles) {
  SCOPED_TRACE(std::string(arch) + " " + mapping);
  const std::string dir = "tests/data/cycle/ports/";
  Case c = load_case(dir + arch, dir + workload, dir + mapping);
  const SimResult r = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
  EXPECT_EQ(r.stats.cycles, cycles);
  EXPECT_TRUE(compare_tensors(r.outputs, {{"Z", c.golden.at("Z")}}, 1e-12).ok);
  const Stats a = analytical::evaluate_mapping(c.arch, c.cascade, c.map);
  EXPECT_EQ(a.cycles, analytical_cycles);
  expect_same_counts(a, r.stats);
}

// One port shared by everything that uses it (tests/data/cycle/ports), worked
// by hand. Row sums over four lanes under a buffer of one single-ported bank
// that holds four columns of A at a time (refilled while the lanes read the
// previous four): its 64 fills from the DRAM, the lanes' 64 reads, the 4 sums
// coming back and the 4 the DRAM reads out all pass the one port, 136 cycles
// with the port never idle but for the last step's compute (1 cycle, between
// its operands' arrival and its sum leaving): 137. Each link timed against the
// whole port gave 90. The analytical model bounds the buffer by its counted
// 64 reads, 64 fills and 4 updates and the 4 sums it sends up: 136.
TEST(CycleModel, OneSinglePortedBankServesEveryLink) {
  expect_port_case("arch-one-port.yaml", "rowsum.yaml", "map-tiles.yaml", 137, 136);
}

// The same with a separate write port on the bank (arch-two-ports.yaml): the
// fills of the next four columns overlap the lanes' reads of the current
// ones. Tiles 0 and 1 fill at 0-16 and 16-32; the lanes read 4 words a step
// from 16; tile 2 may fill only when tile 0's last step has computed (the
// buffer holds two tiles), at 33, so the lanes wait 1 cycle at 48: their 64
// reads end at 81, the last step computes, the sums go up (write port, 4) and
// out (read port, 4): 90. The analytical model: 64 reads and the 4 sums sent
// out (68) on the read port, 64 fills and 4 updates (68) on the write port: 68.
TEST(CycleModel, SeparateReadAndWritePortsPerBank) {
  expect_port_case("arch-two-ports.yaml", "rowsum.yaml", "map-tiles.yaml", 90, 68);
}

// The compute's operand reads take the port of the level they read
// (tests/data/cycle/ports/arch-direct.yaml): four lanes summing rows straight
// out of a buffer that reads one word a cycle. Step 0 reads 4 words of A; each
// of the other 15 reads 4 of A and the 4 partial sums it adds to: 4 + 15 x 8 =
// 124 cycles of the read port, then the DRAM reads the 4 sums out: 128. Before
// operand reads were timed: 20. The analytical model: the buffer's 124 reads
// and the 4 sums it sends out, 128.
TEST(CycleModel, OperandReadsTakeTheBuffersReadPort) {
  expect_port_case("arch-direct.yaml", "rowsum.yaml", "map-direct.yaml", 128, 128);
  const std::string dir = "tests/data/cycle/ports/";
  Case c = load_case(dir + "arch-direct.yaml", dir + "rowsum.yaml", dir + "map-direct.yaml");
  SimOptions timing;
  timing.functional = false;
  EXPECT_EQ(simulate_mapping(c.arch, c.cascade, c.map, {}, timing).stats.cycles, 128);
}

// A tensor's layout in the banks is the mapping's (`first_bank`), worked by
// hand (tests/data/cycle/ports/dot.yaml): four lanes read A[m, 0..3] and
// B[m, 0..3] straight from a buffer of 8 single-ported banks. The buffer
// first takes A and B from the DRAM, 16 words per bank: 16 cycles. Both from
// bank 0, a step's eight words fall two to a bank in four banks: 2 cycles a
// step, 32, and 16 conflict cycles; B from bank 4, one a bank: 16 steps of 1
// cycle, no conflicts. The sums then go up (1 cycle) and out to the DRAM (1):
// 50 and 34. Both verify; the analytical model spreads the buffer's 260
// accesses over its 8 ports: 33.
TEST(CycleModel, BankLayoutIsTheMappings) {
  const std::string dir = "tests/data/cycle/ports/";
  const struct {
    const char* mapping;
    int64_t cycles, conflicts;
  } cases[] = {{"map-dot.yaml", 50, 16}, {"map-dot-staggered.yaml", 34, 0}};
  for (const auto& k : cases) {
    SCOPED_TRACE(k.mapping);
    Case c = load_case(dir + "arch-banks.yaml", dir + "dot.yaml", dir + k.mapping);
    const SimResult r = simulate_mapping(c.arch, c.cascade, c.map, c.inputs);
    EXPECT_EQ(r.stats.cycles, k.cycles);
    EXPECT_EQ(r.bank_conflicts.count("Buffer") ? r.bank_conflicts.at("Buffer") : 0, k.conflicts);
    EXPECT_TRUE(compare_tensors(r.outputs, {{"Z", c.golden.at("Z")}}, 1e-12).ok);
    EXPECT_EQ(analytical::evaluate_mapping(c.arch, c.cascade, c.map).cycles, 33);
  }
  // The layout is written back as read.
  Case c = load_case(dir + "arch-banks.yaml", dir + "dot.yaml", dir + "map-dot-staggered.yaml");
  EXPECT_NE(mapping::write_mapping(c.map, c.cascade, c.arch).find("first_bank: {B: 4}"), std::string::npos);
}

// A network into a level carries every tensor's words, whichever level they
// come from (tests/data/cycle/ports, worked by hand). Four lanes, their
// network one word a cycle: each step A's four words come from the buffer and
// B's four straight from the DRAM (B bypasses the buffer), 8 cycles a step:
// step s's words arrive at 8(s + 1), the last step computes at 128-129, and
// the four sums go up the network in 4: 133 (when each tensor's words were
// timed alone, 69). With four such clusters, each cluster's network carries
// its own lanes' words: 133 again (charging all of B's words to one network
// gave 261). The analytical model: 8 words a step over 16 steps, 128 (64 before).
TEST(CycleModel, ANetworkCarriesEveryTensorsWords) {
  const struct {
    const char* arch;
    const char* workload;
    const char* mapping;
  } cases[] = {{"arch-net.yaml", "dot.yaml", "map-net.yaml"},
               {"arch-clusters.yaml", "dot16.yaml", "map-clusters.yaml"}};
  for (const auto& k : cases) expect_port_case(k.arch, k.workload, k.mapping, 133, 128);
}

// Two units under one buffer share its read port (tests/data/cycle/ports):
// UnitA sums the rows of A while UnitB adds the row sums of C to the previous
// row's, pipelined over M, both reading straight from a buffer that reads one
// word a cycle. The buffer's reads (A 64, X 48 + 64, C 64, Z 48: 288, equal in
// both models) and the 16 sums it sends to the DRAM all pass the one port, so
// no schedule is shorter than 304 cycles (the per-cycle reference: 304); the
// two units each given the whole port ran in 200. The cycle model holds each
// execution's port words on the shared port: 305 (290 while the sums sent out
// took no port).
TEST(CascadeAgreement, UnitsUnderOneBufferShareItsPort) {
  const std::string dir = kSrc + "/tests/data/cycle/ports/";
  const arch::Architecture a = arch::load_arch(dir + "arch-two-units.yaml");
  const workloads::Cascade c = workloads::load_workload(dir + "two-sums.yaml").variants.front().cascade;
  const mapping::CascadeMapping m = mapping::load_cascade_mapping(dir + "map-two-units.yaml", c, a);
  ASSERT_EQ(m.groups.at(0).pipeline_rank, c.find_rank("M"));
  SimOptions timing;
  timing.functional = false;
  const CascadeSimResult r = simulate_cascade(a, c, m, {}, timing);
  const Stats an = analytical::evaluate_cascade(a, c, m).stats;
  int64_t reads = 0;
  for (const auto& l : r.stats.per_level)
    if (l.name == "Buffer") reads = l.total.reads;
  EXPECT_EQ(reads, 288);
  EXPECT_GE(r.stats.cycles, 304);
  EXPECT_LE(r.stats.cycles, 304 * 105 / 100);
  EXPECT_EQ(an.cycles, 304);
  EXPECT_EQ(an.bound_by, "Buffer");
  // Leakage over the run: both models charge the buffer's one instance for every cycle.
  arch::Architecture leaky = a;
  leaky.nodes[static_cast<size_t>(leaky.find("Buffer"))].leak_pj = 0.5;
  const CascadeSimResult rl = simulate_cascade(leaky, c, m, {}, timing);
  const Stats al = analytical::evaluate_cascade(leaky, c, m).stats;
  for (const Stats* s : {&rl.stats, &al}) {
    double leak = -1;
    for (const auto& e : s->energy)
      if (e.component == "Buffer" && e.action == "leak") leak = e.energy_pj;
    EXPECT_DOUBLE_EQ(leak, 0.5 * static_cast<double>(s->cycles));
  }
  EXPECT_NEAR(rl.stats.energy_pj - r.stats.energy_pj, 0.5 * static_cast<double>(rl.stats.cycles), 1e-6);
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

}  // namespace
}  // namespace einflow::sim::cycle
