// The analytical model against figures worked out by hand (each case says how),
// including the Timeloop tutorial's Conv1D problems, whose counts must match exactly.
#include <gtest/gtest.h>

#include <map>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "sim/analytical/nest_model.h"
#include "workloads/workload.h"

namespace einflow::sim::analytical {
namespace {

const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/conv1d/";

struct Evaluation {
  arch::Architecture arch;
  workloads::Cascade cascade;
  mapping::Mapping map;
  mapping::MappingStatus status;
  Stats stats;
};

Evaluation run_text(const std::string& arch_yaml, const std::string& workload_yaml, const std::string& map_yaml) {
  Evaluation r;
  r.arch = arch::load_arch_text(arch_yaml, "a.yaml");
  r.cascade = workloads::load_workload_text(workload_yaml, "w.yaml").variants.front().cascade;
  r.map = mapping::load_mapping_text(map_yaml, "m.yaml", r.cascade, r.arch);
  r.status = mapping::validate_mapping(r.map, r.cascade, r.arch);
  if (r.status.ok) r.stats = evaluate_mapping(r.arch, r.cascade, r.map);
  return r;
}

Evaluation run_files(const std::string& arch, const std::string& map) {
  Evaluation r;
  r.arch = arch::load_arch(kData + arch);
  r.cascade = workloads::load_workload(kData + "conv1d.yaml").variants.front().cascade;
  r.map = mapping::load_mapping(kData + map, r.cascade, r.arch);
  r.status = mapping::validate_mapping(r.map, r.cascade, r.arch);
  EXPECT_TRUE(r.status.ok) << r.status.reason;
  if (r.status.ok) r.stats = evaluate_mapping(r.arch, r.cascade, r.map);
  return r;
}

const LevelStats& level(const Stats& s, const std::string& name) {
  for (const auto& l : s.per_level)
    if (l.name == name) return l;
  throw std::runtime_error("no level " + name);
}

Accesses of(const Stats& s, const std::string& lvl, const std::string& tensor) {
  for (const auto& t : level(s, lvl).tensors)
    if (t.tensor == tensor) return t.accesses;
  throw std::runtime_error("no tensor " + tensor + " at " + lvl);
}

// Timeloop tutorial, one level: P16 then R3 in the buffer. Every MAC reads W and
// I (48 each) and updates O (48); the first read of each of the 16 outputs is
// elided, so O is read 32 times: 48 + 48 + 32 = 128 reads.
TEST(Analytical, TimeloopConv1dOneLevel) {
  Evaluation r = run_files("arch-1level.yaml", "map-1level.yaml");
  EXPECT_EQ(r.stats.cycles, 48);
  EXPECT_EQ(level(r.stats, "Buffer").total.reads, 128);
  EXPECT_EQ(level(r.stats, "Buffer").total.updates, 48);
  EXPECT_EQ(level(r.stats, "Buffer").total.fills, 0);
  EXPECT_EQ(of(r.stats, "Buffer", "O").reads, 32);
  EXPECT_DOUBLE_EQ(r.stats.utilization.at("MACC"), 1.0);
}

// Two levels, either loop order at main memory. Main memory sends W (3) and I
// (18, the sliding window refetches only the new element) and receives the 16
// outputs once.
TEST(Analytical, TimeloopConv1dTwoLevelsEitherOrder) {
  for (const char* map : {"map-2level-os.yaml", "map-2level-ws.yaml"}) {
    SCOPED_TRACE(map);
    Evaluation r = run_files("arch-2level.yaml", map);
    EXPECT_EQ(r.stats.cycles, 48);
    EXPECT_EQ(level(r.stats, "MainMemory").total.reads, 21);
    EXPECT_EQ(level(r.stats, "MainMemory").total.updates, 16);
    EXPECT_EQ(level(r.stats, "Buffer").total.reads, 128);
    EXPECT_EQ(level(r.stats, "Buffer").total.fills, 21);
    EXPECT_EQ(level(r.stats, "Buffer").total.updates, 48);
    EXPECT_EQ(r.stats.dram_bytes, 37);  // 8-bit words
  }
}

// Timeloop's reference output for the weight-stationary case also gives the
// tile each level holds: W 1, I 16, O 16 words in the buffer.
TEST(Analytical, TileWordsMatchTimeloopUtilizedCapacity) {
  Evaluation r = run_files("arch-2level.yaml", "map-2level-ws.yaml");
  std::map<std::string, int64_t> words;
  for (const auto& t : level(r.stats, "Buffer").tensors) words[t.tensor] = t.tile_words;
  EXPECT_EQ(words, (std::map<std::string, int64_t>{{"W", 1}, {"I", 16}, {"O", 16}}));
}

const char* kConvWorkload = R"(cascade:
  name: conv1d
  dtype: int8
  ranks: {P: 16, R: 3, H: 18}
  inputs: {W: [R], I: [H]}
  einsums:
    - O[p] = I[p+r] * W[r]
)";

std::string two_level_arch(const std::string& dram_gbps) {
  return R"(architecture:
  name: t
  clock_mhz: 1000
  word_bits: 8
  tree:
    name: MainMemory
    class: dram
    bandwidth_gbps: )" + dram_gbps + R"(
    children:
      - name: Buffer
        class: regfile
        size_words: 64
        children:
          - {name: MACC, class: compute, ops: {mac: {}}}
)";
}

// Partial sums go back to main memory and return. Main memory loops R3 then P2,
// the buffer P8. The buffer's 8 outputs change at each of the 6 iterations (48
// words arrive); 16 are first touches, 32 are refills read from main memory;
// every eviction writes 8 back (48 updates). The input window, by hand:
// I[0:8], I[8:16] (+8), I[1:9] (+7, 8 is kept), I[9:17] (+8), I[2:10] (+7),
// I[10:18] (+8) = 46. W changes only with r: 3.
TEST(Analytical, PartialSumsSpillAndReturn) {
  Evaluation r = run_text(two_level_arch("1000"), kConvWorkload, R"(mapping:
  levels:
    - target: MainMemory
      temporal: [{R: 3}, {P: 2}]
    - target: Buffer
      temporal: [{P: 8}]
)");
  ASSERT_TRUE(r.status.ok) << r.status.reason;
  EXPECT_EQ(of(r.stats, "MainMemory", "O").reads, 32);
  EXPECT_EQ(of(r.stats, "MainMemory", "O").updates, 48);
  EXPECT_EQ(of(r.stats, "Buffer", "O").fills, 32);
  EXPECT_EQ(of(r.stats, "Buffer", "O").updates, 48);
  EXPECT_EQ(of(r.stats, "Buffer", "O").reads, 32);
  EXPECT_EQ(of(r.stats, "Buffer", "I").fills, 46);
  EXPECT_EQ(of(r.stats, "MainMemory", "I").reads, 46);
  EXPECT_EQ(of(r.stats, "Buffer", "W").fills, 3);
  EXPECT_EQ(r.stats.cycles, 48);
}

// DRAM at 0.5 GB/s with 8-bit words at 1 GHz moves 0.5 words per cycle: the 37
// words of the weight-stationary mapping take 74 cycles, more than the 48 MACs.
TEST(Analytical, BandwidthBound) {
  Evaluation r = run_text(two_level_arch("0.5"), kConvWorkload, R"(mapping:
  levels:
    - {target: MainMemory, temporal: [{R: 3}]}
    - {target: Buffer, temporal: [{P: 16}]}
)");
  ASSERT_TRUE(r.status.ok) << r.status.reason;
  EXPECT_EQ(r.stats.cycles, 74);
  EXPECT_EQ(r.stats.bound_by, "MainMemory");
  EXPECT_EQ(r.stats.compute_cycles, 48);
  EXPECT_NEAR(r.stats.utilization.at("MACC"), 48.0 / 74.0, 1e-12);
}

const char* kMatmul = R"(cascade:
  name: mm
  ranks: {M: 4, N: 4, K: 4}
  inputs: {A: [M, K], B: [K, N]}
  einsums:
    - Z[m,n] = A[m,k] * B[k,n]
)";

const char* kFourMacs = R"(architecture:
  name: row
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 1000
    children:
      - name: Buffer
        class: sram
        size_words: 1024
        children:
          - {name: MAC, class: compute, mesh: {x: 4, y: 1}, ops: {mac: {}}}
)";

// N across 4 MACs: each cycle A[m,k] is read once and multicast (16 reads),
// B[k,0..3] is 4 reads (64), Z[m,0..3] 4 updates (64) and 4 reads except the
// first touch of each of the 16 outputs (48). 16 cycles.
TEST(Analytical, SpatialMulticast) {
  Evaluation r = run_text(kFourMacs, kMatmul, R"(mapping:
  levels:
    - target: Buffer
      temporal: [{M: 4}, {K: 4}]
      spatial: [{N: 4, axis: x}]
)");
  ASSERT_TRUE(r.status.ok) << r.status.reason;
  EXPECT_EQ(r.stats.cycles, 16);
  EXPECT_EQ(of(r.stats, "Buffer", "A").reads, 16);
  EXPECT_EQ(of(r.stats, "Buffer", "B").reads, 64);
  EXPECT_EQ(of(r.stats, "Buffer", "Z").updates, 64);
  EXPECT_EQ(of(r.stats, "Buffer", "Z").reads, 48);
  EXPECT_EQ(of(r.stats, "Buffer", "A").fills, 16);
  EXPECT_EQ(of(r.stats, "DRAM", "Z").updates, 16);
  EXPECT_DOUBLE_EQ(r.stats.utilization.at("MAC"), 1.0);
}

// K across 4 MACs: the 4 partial products of one Z[m,n] are added in the
// fan-out, so the buffer sees one update per cycle (16) and, every output being
// touched once, no reads.
TEST(Analytical, SpatialReduction) {
  Evaluation r = run_text(kFourMacs, kMatmul, R"(mapping:
  levels:
    - target: Buffer
      temporal: [{M: 4}, {N: 4}]
      spatial: [{K: 4}]
)");
  ASSERT_TRUE(r.status.ok) << r.status.reason;
  EXPECT_EQ(of(r.stats, "Buffer", "A").reads, 64);
  EXPECT_EQ(of(r.stats, "Buffer", "B").reads, 64);
  EXPECT_EQ(of(r.stats, "Buffer", "Z").updates, 16);
  EXPECT_EQ(of(r.stats, "Buffer", "Z").reads, 0);
}

// Per-PE register files under a 2 x 2 mesh: M split across PEs (x), N across
// PEs (y); each PE holds A[m, 0:4] (4 words), B[0:4, n] (4 words), Z[m,n] (1).
// Buffer -> PE: A rows are multicast along y (the 4 PEs need 2 distinct rows
// per column... 2 rows x 4 = 8 words per M2 x N2 block); over the outer M2 x N2
// loops (order M2, N2) A changes with m2 only: 2 x 8 = 16 reads; B changes
// every step: 4 x 8 = 32 reads. PE fills: A 4 words x 4 PEs x 2 (per m2) = 32,
// B 4 x 4 x 4 = 64.
TEST(Analytical, PerPeStorageUnderAMesh) {
  Evaluation r = run_text(R"(architecture:
  name: mesh
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 1000
    children:
      - name: Buffer
        class: sram
        size_words: 1024
        children:
          - name: RF
            class: regfile
            size_words: 16
            mesh: {x: 2, y: 2}
            children:
              - {name: MAC, class: compute, ops: {mac: {}}}
)",
                   kMatmul, R"(mapping:
  levels:
    - target: Buffer
      temporal: [{M: 2}, {N: 2}]
      spatial: [{M: 2, axis: x}, {N: 2, axis: y}]
    - target: RF
      temporal: [{K: 4}]
)");
  ASSERT_TRUE(r.status.ok) << r.status.reason;
  EXPECT_EQ(of(r.stats, "RF", "A").fills, 32);
  EXPECT_EQ(of(r.stats, "RF", "B").fills, 64);
  EXPECT_EQ(of(r.stats, "Buffer", "A").reads, 16);
  EXPECT_EQ(of(r.stats, "Buffer", "B").reads, 32);
  // Each PE accumulates its own Z[m,n] over K: 4 updates, 3 reads, 4 PEs x 4 blocks.
  EXPECT_EQ(of(r.stats, "RF", "Z").updates, 64);
  EXPECT_EQ(of(r.stats, "RF", "Z").reads, 48);
  EXPECT_EQ(of(r.stats, "Buffer", "Z").updates, 16);
  EXPECT_EQ(r.stats.cycles, 16);  // 2 x 2 x 4 steps, 4 PEs busy
  EXPECT_EQ(level(r.stats, "RF").instances_used, 4);
}

// exp as a sequence of 6 MACs and an add keeps the unit busy 7 cycles per point.
TEST(Analytical, NonMacOpsUseTheUnitsLatencies) {
  Evaluation r = run_text(R"(architecture:
  name: vec
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 1000
    children:
      - name: Buffer
        class: sram
        size_words: 64
        children:
          - name: PE
            class: compute
            ops:
              mac: {energy_pj: 1}
              add: {energy_pj: 0.5}
              exp: {sequence: {mac: 6, add: 1}}
)",
                   R"(cascade:
  name: e
  ranks: {P: 8}
  inputs: {X: [P]}
  einsums:
    - Y[p] = exp(X[p])
)",
                   "mapping:\n  levels:\n    - {target: Buffer, temporal: [{P: 8}]}\n");
  ASSERT_TRUE(r.status.ok) << r.status.reason;
  EXPECT_EQ(r.stats.compute_cycles, 56);
  EXPECT_EQ(r.stats.cycles, 56);
  // Energy is charged per action performed: each exp is 6 MACs and 1 add.
  double mac_pj = 0, add_pj = 0;
  int64_t macs = 0, adds = 0;
  for (const auto& e : r.stats.energy) {
    if (e.component == "PE" && e.action == "mac") mac_pj = e.energy_pj, macs = e.count;
    if (e.component == "PE" && e.action == "add") add_pj = e.energy_pj, adds = e.count;
    EXPECT_NE(e.action, "exp");
  }
  EXPECT_EQ(macs, 8 * 6);
  EXPECT_EQ(adds, 8);
  EXPECT_DOUBLE_EQ(mac_pj, 8 * 6 * 1.0);
  EXPECT_DOUBLE_EQ(add_pj, 8 * 0.5);
  EXPECT_EQ(of(r.stats, "Buffer", "Y").updates, 8);
  EXPECT_EQ(of(r.stats, "Buffer", "Y").reads, 0);
}

// Remainder tiles, worked by hand. Z[m] = A[m,k] * B[k] with M = 10, K = 4;
// main memory steps M by 3 tiles of 4 (the last holds 2): [0,4) [4,8) [8,10).
// The buffer is filled with A's three tiles, 16 + 16 + 8 = 40 words (all of A,
// once), B's 4 words once (no loop above the buffer changes k), and sends the
// 10 outputs up once. The MAC runs 4*4 + 4*4 + 2*4 = 40 steps, not the padded
// 48; it reads A and B 40 times each and updates Z 40 times, reading back all
// but the first partial sum of each output: 40 - 10 = 30.
const char* kMatvec = R"(cascade:
  name: mv
  ranks: {M: 10, K: 4}
  inputs: {A: [M, K], B: [K]}
  einsums:
    - Z[m] = A[m,k] * B[k]
)";

TEST(Analytical, RemainderTilesTemporal) {
  Evaluation r = run_text(R"(architecture:
  name: two
  clock_mhz: 1000
  tree:
    name: MainMemory
    class: dram
    bandwidth_gbps: 0
    children:
      - name: Buffer
        class: regfile
        size_words: 64
        children:
          - {name: MACC, class: compute, ops: {mac: {}}}
)",
                          kMatvec, R"(mapping:
  imperfect: true
  levels:
    - {target: MainMemory, temporal: [{M: 3}]}
    - {target: Buffer, temporal: [{M: 4}, {K: 4}]}
)");
  ASSERT_TRUE(r.status.ok) << r.status.reason;
  EXPECT_EQ(r.stats.cycles, 40);
  EXPECT_DOUBLE_EQ(r.stats.utilization.at("MACC"), 1.0);
  EXPECT_EQ(of(r.stats, "MainMemory", "A").reads, 40);
  EXPECT_EQ(of(r.stats, "MainMemory", "B").reads, 4);
  EXPECT_EQ(of(r.stats, "MainMemory", "Z").updates, 10);
  EXPECT_EQ(of(r.stats, "MainMemory", "Z").reads, 0);
  EXPECT_EQ(of(r.stats, "Buffer", "A").fills, 40);
  EXPECT_EQ(of(r.stats, "Buffer", "B").fills, 4);
  EXPECT_EQ(of(r.stats, "Buffer", "A").reads, 40);
  EXPECT_EQ(of(r.stats, "Buffer", "B").reads, 40);
  EXPECT_EQ(of(r.stats, "Buffer", "Z").updates, 40);
  EXPECT_EQ(of(r.stats, "Buffer", "Z").reads, 30);
  // Capacity is checked, and reported, for the full tile: A 16 + B 4 + Z 4.
  const auto& buf = level(r.stats, "Buffer");
  int64_t held = 0;
  for (const auto& t : buf.tensors) held += t.tile_words;
  EXPECT_EQ(held, 24);
}

// The same Einsum over 4 MACs: M split 4-wide across them inside 3 temporal
// tiles of M, then K: 4. The last tile has 2 of its 4 MACs busy, so the array
// runs 3 * 4 = 12 steps for 40 MACs: utilization 40 / (12 * 4) = 5/6. A is read
// once per element (40), B is multicast: one read per step (12).
TEST(Analytical, RemainderTilesSpatial) {
  Evaluation r = run_text(R"(architecture:
  name: array
  clock_mhz: 1000
  tree:
    name: MainMemory
    class: dram
    bandwidth_gbps: 0
    children:
      - name: Buffer
        class: sram
        size_words: 256
        children:
          - {name: MACC, class: compute, mesh: {x: 4, y: 1}, ops: {mac: {}}}
)",
                          kMatvec, R"(mapping:
  imperfect: true
  levels:
    - {target: Buffer, temporal: [{M: 3}, {K: 4}], spatial: [{M: 4, axis: x}]}
)");
  ASSERT_TRUE(r.status.ok) << r.status.reason;
  EXPECT_EQ(r.stats.cycles, 12);
  EXPECT_NEAR(r.stats.utilization.at("MACC"), 40.0 / 48.0, 1e-12);
  EXPECT_EQ(of(r.stats, "Buffer", "A").reads, 40);
  EXPECT_EQ(of(r.stats, "Buffer", "B").reads, 12);
  EXPECT_EQ(of(r.stats, "Buffer", "Z").updates, 40);
  EXPECT_EQ(of(r.stats, "Buffer", "Z").reads, 30);
  EXPECT_EQ(of(r.stats, "MainMemory", "A").reads, 40);
  EXPECT_EQ(of(r.stats, "MainMemory", "Z").updates, 10);
}

}  // namespace
}  // namespace einflow::sim::analytical
