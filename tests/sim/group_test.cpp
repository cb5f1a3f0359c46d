// Fusion groups, worked by hand on a two-Einsum chain T[m] = A[m] * B[m],
// Z[m] = T[m] + C[m], M = 8, run as 2 shared iterations of 4-element tiles.
#include <gtest/gtest.h>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "sim/analytical/group_model.h"
#include "workloads/workload.h"

namespace einflow::sim::analytical {
namespace {

const char* kChain = R"(cascade:
  name: chain
  ranks: {M: 8}
  inputs: {A: [M], B: [M], C: [M]}
  einsums:
    - T[m] = A[m] * B[m]
    - Z[m] = T[m] + C[m]
)";

std::string arch_text(int64_t buffer_words, bool two_units) {
  std::string units = two_units ? R"(          - {name: U2, class: compute, ops: {mac: {}}}
          - {name: U1, class: compute, ops: {add: {}}}
)"
                                : R"(          - {name: PE, class: compute, ops: {mac: {}, add: {}}}
)";
  return R"(architecture:
  name: chain
  clock_mhz: 1000
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 0
    children:
      - name: Buffer
        class: sram
        size_words: )" +
         std::to_string(buffer_words) + R"(
        children:
)" + units;
}

struct Chain {
  arch::Architecture a;
  workloads::Cascade c;
  workloads::Cascade tc;
  Group g;
};

Chain make(int64_t buffer_words, bool two_units, const std::string& tile_map_t, const std::string& tile_map_z) {
  Chain r;
  r.a = arch::load_arch_text(arch_text(buffer_words, two_units), "a.yaml");
  r.c = workloads::load_workload_text(kChain, "w.yaml").variants.front().cascade;
  r.g.einsums = {0, 1};
  mapping::Loop shared;
  shared.rank = r.c.find_rank("M");
  shared.factor = 2;
  r.g.shared = {shared};
  r.tc = mapping::tile_cascade(r.c, r.g.shared);
  for (const std::string* m : {&tile_map_t, &tile_map_z}) {
    r.g.tiles.push_back(mapping::load_mapping_text(*m, "tile.yaml", r.tc, r.a));
    auto st = mapping::validate_mapping(r.g.tiles.back(), r.tc, r.a);
    EXPECT_TRUE(st.ok) << st.reason;
  }
  return r;
}

Accesses at(const Stats& s, const std::string& level, const std::string& tensor) {
  for (const auto& l : s.per_level)
    if (l.name == level)
      for (const auto& t : l.tensors)
        if (t.tensor == tensor) return t.accesses;
  return {};
}

const char* kTileT = "mapping:\n  einsum: T\n  levels:\n    - {target: Buffer, temporal: [{M: 4}]}\n";
const char* kTileZ = "mapping:\n  einsum: Z\n  levels:\n    - {target: Buffer, temporal: [{M: 4}]}\n";

// Retained: T never reaches DRAM; the buffer takes T's 8 updates from the
// multiplier and serves its 8 reads to the adder. Spilled: DRAM receives T's
// 8 words and sends them back (8 reads), and the buffer is refilled with them.
TEST(Group, IntermediateRetainedOrSpilled) {
  Chain r = make(16, false, kTileT, kTileZ);
  r.g.retain = r.a.find("Buffer");
  GroupStats kept = evaluate_group(r.a, r.c, r.g);
  EXPECT_EQ(kept.retained, std::vector<std::string>{"T"});
  EXPECT_EQ(at(kept.stats, "DRAM", "A").reads, 8);
  EXPECT_EQ(at(kept.stats, "DRAM", "C").reads, 8);
  EXPECT_EQ(at(kept.stats, "DRAM", "Z").updates, 8);
  EXPECT_EQ(at(kept.stats, "DRAM", "T").reads + at(kept.stats, "DRAM", "T").updates, 0);
  EXPECT_EQ(at(kept.stats, "Buffer", "T").updates, 8);
  EXPECT_EQ(at(kept.stats, "Buffer", "T").reads, 8);
  EXPECT_EQ(at(kept.stats, "Buffer", "T").fills, 0);
  EXPECT_EQ(kept.stats.dram_bytes, (8 + 8 + 8 + 8) * 2);
  // 2 tiles x (4 multiplies + 4 adds), one after the other on one PE.
  EXPECT_EQ(kept.stats.cycles, 16);

  r.g.retain = -1;
  GroupStats spilled = evaluate_group(r.a, r.c, r.g);
  EXPECT_EQ(spilled.spilled, std::vector<std::string>{"T"});
  EXPECT_EQ(at(spilled.stats, "DRAM", "T").updates, 8);
  EXPECT_EQ(at(spilled.stats, "DRAM", "T").reads, 8);
  EXPECT_EQ(at(spilled.stats, "Buffer", "T").fills, 8);
  EXPECT_EQ(spilled.stats.dram_bytes, kept.stats.dram_bytes + 16 * 2);
  const arch::Node& dram = r.a.nodes[r.a.find("DRAM")];
  const arch::Node& buf = r.a.nodes[r.a.find("Buffer")];
  EXPECT_NEAR(spilled.stats.energy_pj - kept.stats.energy_pj, 8 * dram.read_pj + 8 * dram.write_pj + 8 * buf.write_pj,
              1e-9 * spilled.stats.energy_pj);
}

// With the adder and the multiplier as separate units, pipelined over M,
// shared in two tiles of 4: the executions overlap as the cycle model
// schedules them: T's first tile [0, 4], then Z's first [4, 8] beside T's
// second, then Z's second [8, 12]: 12 cycles, each unit busy 8 of them.
TEST(Group, PipelinedUnitsOverlap) {
  std::string t = "mapping:\n  einsum: T\n  compute: U2\n  levels:\n    - {target: Buffer, temporal: [{M: 4}]}\n";
  std::string z = "mapping:\n  einsum: Z\n  compute: U1\n  levels:\n    - {target: Buffer, temporal: [{M: 4}]}\n";
  Chain r = make(16, true, t, z);
  r.g.retain = r.a.find("Buffer");
  EXPECT_EQ(evaluate_group(r.a, r.c, r.g).stats.cycles, 16);
  r.g.pipeline_rank = r.c.find_rank("M");
  GroupStats p = evaluate_group(r.a, r.c, r.g);
  EXPECT_EQ(p.stats.cycles, 12);
  EXPECT_DOUBLE_EQ(p.stats.utilization.at("U2"), 8.0 / 12);
  EXPECT_DOUBLE_EQ(p.stats.utilization.at("U1"), 8.0 / 12);
  // Under the FuseMax paper's assumption (no fill or drain) the busier unit's
  // 8 cycles are the time.
  r.a.pipeline_fill_drain = false;
  EXPECT_EQ(evaluate_group(r.a, r.c, r.g).stats.cycles, 8);
}

TEST(Group, PipelineFillDrainIsAnArchitectureKey) {
  std::string text = arch_text(16, true);
  const size_t at = text.find("  tree:");
  ASSERT_NE(at, std::string::npos);
  const arch::Architecture off = arch::load_arch_text(text.substr(0, at) + "  pipeline_fill_drain: false\n" + text.substr(at), "a.yaml");
  EXPECT_FALSE(off.pipeline_fill_drain);
  EXPECT_TRUE(arch::load_arch_text(text, "a.yaml").pipeline_fill_drain);
  EXPECT_THROW(arch::load_arch_text(text.substr(0, at) + "  pipeline_fill_drain: maybe\n" + text.substr(at), "a.yaml"),
               UserError);
}

// An element-wise map writes its output in place of the input it reads last
// at the same indices: T = A * A, U = T + C, Z = U * U over tiles of 4 (M: 2
// shared). At U the buffer holds T (4), U (4) and C's tile (4), but U
// overwrites T: 8 words, not 12, so a 10-word buffer keeps both T and U (by
// hand: 8 words at every Einsum); neither reaches DRAM.
TEST(Group, AnElementWiseMapOverwritesItsInputInPlace) {
  const char* chain = R"(cascade:
  name: map
  ranks: {M: 8}
  inputs: {A: [M], C: [M]}
  einsums:
    - T[m] = A[m] * A[m]
    - U[m] = T[m] + C[m]
    - Z[m] = U[m] * U[m]
)";
  const arch::Architecture a = arch::load_arch_text(arch_text(10, false), "a.yaml");
  const workloads::Cascade c = workloads::load_workload_text(chain, "w.yaml").variants.front().cascade;
  Group g;
  g.einsums = {0, 1, 2};
  g.shared = {{c.find_rank("M"), 2, mapping::Axis::kX, {}}};
  g.retain = a.find("Buffer");
  const workloads::Cascade tc = mapping::tile_cascade(c, g.shared);
  for (const char* e : {"T", "U", "Z"})
    g.tiles.push_back(mapping::load_mapping_text(std::string("mapping:\n  einsum: ") + e +
                                                     "\n  levels:\n    - {target: Buffer, temporal: [{M: 4}]}\n",
                                                 "tile.yaml", tc, a));
  const GroupStats s = evaluate_group(a, c, g);
  EXPECT_EQ(s.retained, (std::vector<std::string>{"T", "U"}));
  EXPECT_TRUE(s.spilled.empty());
  EXPECT_EQ(s.peak_words.at("Buffer"), 8);
  EXPECT_EQ(at(s.stats, "DRAM", "T").updates + at(s.stats, "DRAM", "U").updates, 0);
}

// A 3-word buffer holds the tiles of one element each (the tiles loop over M at
// DRAM), but not T's whole 4-element tile beside them: T spills.
TEST(Group, IntermediateThatDoesNotFitSpills) {
  const char* t = "mapping:\n  einsum: T\n  levels:\n    - {target: DRAM, temporal: [{M: 4}]}\n";
  const char* z = "mapping:\n  einsum: Z\n  levels:\n    - {target: DRAM, temporal: [{M: 4}]}\n";
  Chain r = make(3, false, t, z);
  r.g.retain = r.a.find("Buffer");
  GroupStats s = evaluate_group(r.a, r.c, r.g);
  EXPECT_EQ(s.spilled, std::vector<std::string>{"T"});
  EXPECT_EQ(at(s.stats, "DRAM", "T").updates, 8);
  Chain big = make(16, false, t, z);
  big.g.retain = big.a.find("Buffer");
  EXPECT_EQ(evaluate_group(big.a, big.c, big.g).retained, std::vector<std::string>{"T"});
}

// Pipelined inside one tile of all 8 elements (no shared loop): the adder
// works on m while the multiplier makes m + 1: 8 + 1 = 9 cycles (one
// iteration of the other unit to fill). The cycle model runs whole tile
// executions and does not overlap inside one.
TEST(Group, PipelinedInsideATile) {
  Chain r;
  r.a = arch::load_arch_text(arch_text(16, true), "a.yaml");
  r.c = workloads::load_workload_text(kChain, "w.yaml").variants.front().cascade;
  r.g.einsums = {0, 1};
  for (const char* e : {"T", "Z"})
    r.g.tiles.push_back(mapping::load_mapping_text(std::string("mapping:\n  einsum: ") + e + "\n  compute: " +
                                                       (e[0] == 'T' ? "U2" : "U1") +
                                                       "\n  levels:\n    - {target: Buffer, temporal: [{M: 8}]}\n",
                                                   "tile.yaml", r.c, r.a));
  r.g.retain = r.a.find("Buffer");
  EXPECT_EQ(evaluate_group(r.a, r.c, r.g).stats.cycles, 16);
  r.g.pipeline_rank = r.c.find_rank("M");
  EXPECT_EQ(evaluate_group(r.a, r.c, r.g).stats.cycles, 9);
}

// Pipelined across the shared loop itself (tiles of one element): each of the
// 8 iterations takes 1 cycle on each unit; overlapped, 8 + 1 = 9 cycles.
TEST(Group, PipelinedAcrossASharedRank) {
  std::string t = "mapping:\n  einsum: T\n  compute: U2\n";
  std::string z = "mapping:\n  einsum: Z\n  compute: U1\n";
  Chain r;
  r.a = arch::load_arch_text(arch_text(16, true), "a.yaml");
  r.c = workloads::load_workload_text(kChain, "w.yaml").variants.front().cascade;
  r.g.einsums = {0, 1};
  r.g.shared = {{r.c.find_rank("M"), 8, mapping::Axis::kX, {}}};
  r.tc = mapping::tile_cascade(r.c, r.g.shared);
  for (const std::string* m : {&t, &z}) r.g.tiles.push_back(mapping::load_mapping_text(*m, "tile.yaml", r.tc, r.a));
  r.g.retain = r.a.find("Buffer");
  EXPECT_EQ(evaluate_group(r.a, r.c, r.g).stats.cycles, 16);
  r.g.pipeline_rank = r.c.find_rank("M");
  EXPECT_EQ(evaluate_group(r.a, r.c, r.g).stats.cycles, 9);
}

// Temporal reuse across shared loops: T[m,n] = A[m] * B[n], Z = T + C, M = N = 4,
// shared M: 2 (outer), N: 2 (inner), tiles of 2 x 2. A does not change across
// the inner N loop, so its 2-word tile is fetched once per M iteration: 4 DRAM
// reads, not 8, provided it can stay in the buffer while Z runs (Z needs
// T 4 + C 4 words, Z written in place of T, plus A's 2: 10; T needs A 2 + B 2
// + T 4 = 8). B changes every iteration: 8 reads.
TEST(Group, InputsStayAcrossInnerSharedLoopsWhenTheyFit) {
  const char* outer = R"(cascade:
  name: outer
  ranks: {M: 4, N: 4}
  inputs: {A: [M], B: [N], C: [M, N]}
  einsums:
    - T[m,n] = A[m] * B[n]
    - Z[m,n] = T[m,n] + C[m,n]
)";
  const workloads::Cascade c = workloads::load_workload_text(outer, "w.yaml").variants.front().cascade;
  for (int64_t words : {16, 9}) {
    const arch::Architecture a = arch::load_arch_text(arch_text(words, false), "a.yaml");
    Group g;
    g.einsums = {0, 1};
    g.shared = {{c.find_rank("M"), 2, mapping::Axis::kX, {}}, {c.find_rank("N"), 2, mapping::Axis::kX, {}}};
    g.retain = a.find("Buffer");
    const workloads::Cascade tc = mapping::tile_cascade(c, g.shared);
    for (const char* e : {"T", "Z"})
      g.tiles.push_back(mapping::load_mapping_text(std::string("mapping:\n  einsum: ") + e +
                                                       "\n  levels:\n    - {target: Buffer, temporal: [{M: 2}, {N: 2}]}\n",
                                                   "tile.yaml", tc, a));
    GroupStats s = evaluate_group(a, c, g);
    EXPECT_EQ(s.retained, std::vector<std::string>{"T"});
    EXPECT_EQ(at(s.stats, "DRAM", "A").reads, words == 16 ? 4 : 8) << words;
    EXPECT_EQ(at(s.stats, "DRAM", "B").reads, 8);
    EXPECT_EQ(at(s.stats, "DRAM", "C").reads, 16);
    EXPECT_EQ(at(s.stats, "DRAM", "Z").updates, 16);
    EXPECT_EQ(s.peak_words.at("Buffer"), words == 16 ? 10 : 8);
  }
}

}  // namespace
}  // namespace einflow::sim::analytical
