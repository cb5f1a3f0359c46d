#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "mappers/mapping/projection.h"
#include "workloads/workload.h"

namespace einflow::mapping {
namespace {

const char* kArch = R"(architecture:
  name: mesh
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 100
    children:
      - name: Buffer
        class: sram
        size_words: 40
        children:
          - name: RF
            class: regfile
            size_words: 16
            mesh: {x: 2, y: 2}
            children:
              - {name: MAC, class: compute, ops: {mac: {}}}
)";

const char* kMatmul = R"(cascade:
  name: mm
  ranks: {M: 4, N: 4, K: 4}
  inputs: {A: [M, K], B: [K, N]}
  einsums:
    - Z[m,n] = A[m,k] * B[k,n]
)";

struct Fixture {
  arch::Architecture a = arch::load_arch_text(kArch, "a.yaml");
  workloads::Cascade c = workloads::load_workload_text(kMatmul, "w.yaml").variants.front().cascade;
  Mapping load(const std::string& y) { return load_mapping_text(y, "m.yaml", c, a); }
  std::string status(const std::string& y) {
    MappingStatus s = validate_mapping(load(y), c, a);
    return s.ok ? "ok" : s.loc.str() + ": " + s.reason;
  }
  std::string error(const std::string& y) {
    try {
      load(y);
    } catch (const UserError& e) {
      return e.what();
    }
    return "";
  }
};

const char* kGood = R"(mapping:
  einsum: Z
  levels:
    - target: DRAM
      temporal: [{M: 2}]
    - target: Buffer
      temporal: [{N: 2}]
      spatial: [{M: 2, axis: x}, {N: 2, axis: y}]
      bypass: [A]
    - target: RF
      temporal: [{K: 4}]
)";

TEST(Mapping, RoundTripsExactly) {
  Fixture f;
  Mapping m = f.load(kGood);
  std::string text = write_mapping(m, f.c, f.a);
  Mapping back = f.load(text);
  EXPECT_EQ(write_mapping(back, f.c, f.a), text);
  ASSERT_EQ(back.levels.size(), 3u);
  EXPECT_EQ(back.levels[1].spatial.size(), 2u);
  EXPECT_EQ(back.levels[1].spatial[1].axis, Axis::kY);
  EXPECT_EQ(back.levels[1].bypass, (std::vector<int>{f.c.find_tensor("A")}));
  EXPECT_EQ(f.status(text), "ok");
}

// With `imperfect: true` the factors may over-cover a rank (K: 2 x 3 = 6 >= 4,
// and both iterations of the outer K loop reach into K), never under-cover it,
// and the outer loop may not have an iteration that is always empty (K: 4 x 2
// = 8: only ceil(4 / 2) = 2 of the outer loop's 4 iterations reach into K).
TEST(Mapping, ImperfectFactorsNeedTheFlagAndCover) {
  Fixture f;
  std::string y = kGood;
  y.replace(y.find("{K: 4}"), 6, "{K: 3}");
  EXPECT_NE(f.status(y).find("multiply to 3, not to its size 4"), std::string::npos);
  y.replace(y.find("mapping:\n"), 9, "mapping:\n  imperfect: true\n");
  EXPECT_NE(f.status(y).find("multiply to 3, less than its size 4"), std::string::npos);
  y.replace(y.find("[{M: 2}]"), 8, "[{M: 2}, {K: 2}]");
  EXPECT_EQ(f.status(y), "ok");
  Mapping m = f.load(y);
  EXPECT_TRUE(m.imperfect);
  std::string text = write_mapping(m, f.c, f.a);
  EXPECT_NE(text.find("imperfect: true"), std::string::npos);
  EXPECT_EQ(write_mapping(f.load(text), f.c, f.a), text);
  y.replace(y.find("{K: 2}"), 6, "{K: 4}");
  y.replace(y.find("{K: 3}"), 6, "{K: 2}");
  EXPECT_EQ(f.status(y),
            "m.yaml:6:26: the outermost loop of rank K has factor 4 but only 2 of its iterations reach into the "
            "rank's size 4");
}

TEST(Mapping, KeepFollowsArchitectureAndRequests) {
  Fixture f;
  Mapping m = f.load(kGood);
  EXPECT_TRUE(level_keeps(m, f.a, f.c, 0, f.c.find_tensor("A")));
  EXPECT_FALSE(level_keeps(m, f.a, f.c, 1, f.c.find_tensor("A")));
  EXPECT_TRUE(level_keeps(m, f.a, f.c, 1, f.c.find_tensor("B")));
}

TEST(Mapping, InvalidMappingsSayWhy) {
  Fixture f;
  std::string y = kGood;
  y.replace(y.find("{K: 4}"), 6, "{K: 2}");
  EXPECT_EQ(f.status(y),
            "m.yaml:2:3: the factors of rank K multiply to 2, not to its size 4 (say `imperfect: true` to allow "
            "remainder tiles)");
  y = kGood;
  y.replace(y.find("{N: 2, axis: y}"), 15, "{N: 2, axis: x}");
  EXPECT_EQ(f.status(y), "m.yaml:6:7: spatial loops of level Buffer use 4 x 1 instances; the fan-out below it is 2 x 2");
  // Without the bypass, the Buffer holds A 4x4... no: A[2 x 4] + B[4 x 4] + Z[2 x 4] = 32 words fit 40;
  // with M kept whole at the buffer, A 16 + B 16 + Z 16 = 48 do not.
  y = R"(mapping:
  levels:
    - target: Buffer
      temporal: [{M: 2}, {N: 2}]
      spatial: [{M: 2, axis: x}, {N: 2, axis: y}]
    - target: RF
      temporal: [{K: 4}]
)";
  EXPECT_EQ(f.status(y), "m.yaml:3:7: the tiles kept at Buffer need 48 words (A 16 + B 16 + Z 16), more than its 40");
  y = kGood;
  y.replace(y.find("bypass: [A]"), 11, "keep: [A]");
  EXPECT_EQ(f.status(y), "ok");
}

// An on-chip root holds the whole tensors, so its capacity is checked like any
// level's: Timeloop's one-level exercise keeps I 18 + W 3 + O 16 = 37 words,
// which fit its 64-word register file and not a 32-word one. (A DRAM root's
// capacity is not a mapping's concern.)
TEST(Mapping, AnOnChipRootsCapacityIsChecked) {
  const std::string dir = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/conv1d/";
  const workloads::Cascade c = workloads::load_workload(dir + "conv1d.yaml").variants.front().cascade;
  std::ifstream in(dir + "arch-1level.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const arch::Architecture fits = arch::load_arch_text(text, "a.yaml");
  text.replace(text.find("size_words: 64"), 14, "size_words: 32");
  const arch::Architecture small = arch::load_arch_text(text, "a.yaml");
  std::ifstream min(dir + "map-1level.yaml");
  const std::string m((std::istreambuf_iterator<char>(min)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(validate_mapping(load_mapping_text(m, "m.yaml", c, fits), c, fits).ok);
  const MappingStatus st = validate_mapping(load_mapping_text(m, "m.yaml", c, small), c, small);
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.reason, "the tiles kept at Buffer need 37 words (I 18 + W 3 + O 16), more than its 32");
}

TEST(Mapping, UnitMustHaveTheOps) {
  Fixture f;
  workloads::Cascade c = workloads::load_workload_text(R"(cascade:
  name: mx
  ranks: {M: 4}
  inputs: {X: [M]}
  einsums:
    - Y[] = max(m) X[m]
)",
                                                       "w.yaml")
                             .variants.front()
                             .cascade;
  Mapping m = load_mapping_text("mapping:\n  levels: [{target: DRAM, temporal: [{M: 4}]}]\n", "m.yaml", c, f.a);
  MappingStatus s = validate_mapping(m, c, f.a);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, "compute unit MAC cannot perform 'max', which Einsum Y needs (give the unit the op, or a "
                      "sequence of ops it has)");
}

TEST(Mapping, NamesAreCheckedWithLocations) {
  Fixture f;
  std::string y = kGood;
  y.replace(y.find("{K: 4}"), 6, "{Kk: 4}");
  EXPECT_EQ(f.error(y), "m.yaml:11:19: mapping.levels[2].temporal[0].Kk: 'Kk' is not a rank of Einsum Z (M, N, K) "
                        "(did you mean 'K'?)");
  y = kGood;
  y.replace(y.find("target: RF"), 10, "target: RFF");
  EXPECT_EQ(f.error(y), "m.yaml:10:15: mapping.levels[2].target: 'RFF' is not a storage level on the path to 'MAC' "
                        "(DRAM, Buffer, RF) (did you mean 'RF'?)");
  y = kGood;
  y.replace(y.find("bypass: [A]"), 11, "bypass: [AA]");
  EXPECT_NE(f.error(y).find("no tensor 'AA' (did you mean 'A'?)"), std::string::npos);
  // A tensor's first bank must be one of the level's banks (the Buffer has one).
  y = kGood;
  y.replace(y.find("bypass: [A]"), 11, "bypass: [A]\n      first_bank: {B: 1}");
  EXPECT_NE(f.error(y).find("first_bank.B: bank 1 of 'Buffer', which has 1 (0 to 0)"), std::string::npos) << f.error(y);
}

TEST(Projection, MixedRadixIndicesAreExact) {
  workloads::Cascade c = workloads::load_workload_text(R"(cascade:
  name: bk
  ranks: {E: 2, M: 16, M0: 4}
  partitions: {M: [M1, M0]}
  inputs: {K: [E, M]}
  einsums:
    - BK[e,m1,m0] = K[e, m1*M0+m0]
)",
                                                       "w.yaml")
                             .variants.front()
                             .cascade;
  auto proj = project(c, 0);
  const TensorProjection& k = proj[0];
  EXPECT_EQ(k.n_vdims, 3);  // e, m0, m1
  // Local ranks follow the Einsum's iteration order (e, m1, m0).
  int64_t tile[3] = {1, 2, 2};
  EXPECT_EQ(k.footprint(tile), 4);  // two m1 values x two m0 values, not a hull of 6
}

TEST(Projection, SlidingWindowIsAHull) {
  workloads::Cascade c = workloads::load_workload_text(R"(cascade:
  name: conv
  ranks: {P: 16, R: 3, H: 18}
  inputs: {W: [R], I: [H]}
  einsums:
    - O[p] = I[p+r] * W[r]
)",
                                                       "w.yaml")
                             .variants.front()
                             .cascade;
  auto proj = project(c, 0);
  ASSERT_EQ(c.tensors[proj[0].tensor].name, "I");
  EXPECT_EQ(proj[0].n_vdims, 1);
  int64_t tile[2] = {4, 3};
  EXPECT_EQ(proj[0].footprint(tile), 6);
}

}  // namespace
}  // namespace einflow::mapping
