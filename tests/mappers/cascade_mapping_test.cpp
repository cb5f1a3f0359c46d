// The cascade-mapping format: exact round trip, located input errors, and
// the legality rules of shared loops.
#include <gtest/gtest.h>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/named/named.h"
#include "workloads/workload.h"

namespace einflow::mapping {
namespace {

const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/attention/";

struct Fixture {
  workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  const workloads::Cascade& one = w.find_variant("1pass")->cascade;
  const workloads::Cascade& three = w.find_variant("3pass")->cascade;
};

TEST(CascadeMapping, RoundTripsExactly) {
  Fixture f;
  for (const char* design : {"fusemax", "unfused"}) {
    const named::Design* d = named::find_design(design);
    const workloads::Cascade& c = d->variant == "1pass" ? f.one : f.three;
    const CascadeMapping m = named::attention_mapping(*d, f.a, c);
    const std::string text = write_cascade_mapping(m, c, f.a);
    const CascadeMapping back = load_cascade_mapping_text(text, "m.yaml", c, f.a);
    EXPECT_EQ(write_cascade_mapping(back, c, f.a), text) << design;
    EXPECT_TRUE(validate_cascade_mapping(back, c, f.a).ok);
    ASSERT_EQ(back.groups.size(), m.groups.size());
    EXPECT_EQ(back.groups[0].retain_at, m.groups[0].retain_at);
    EXPECT_EQ(back.groups[0].pipeline_rank, m.groups[0].pipeline_rank);
  }
}

TEST(CascadeMapping, InputErrorsAreLocated) {
  Fixture f;
  const std::string bad = R"(cascade_mapping:
  groups:
    - shared: [{Q: 2}]
      retian: GlobalBuffer
      tiles: []
)";
  try {
    load_cascade_mapping_text(bad, "bad.yaml", f.one, f.a);
    FAIL() << "accepted";
  } catch (const UserError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("bad.yaml:3:"), std::string::npos) << what;  // no rank Q
    EXPECT_NE(what.find("bad.yaml:4:"), std::string::npos) << what;  // unknown key, with a suggestion
    EXPECT_NE(what.find("retain"), std::string::npos) << what;
  }
}

TEST(CascadeMapping, EveryEinsumInOneGroupInDependencyOrder) {
  Fixture f;
  CascadeMapping m = named::attention_mapping(*named::find_design("unfused"), f.a, f.three);
  CascadeMapping missing = m;
  missing.groups.pop_back();
  EXPECT_NE(validate_cascade_mapping(missing, f.three, f.a).reason.find("in no group"), std::string::npos);
  CascadeMapping twice = m;
  twice.groups.push_back(m.groups[0]);
  EXPECT_NE(validate_cascade_mapping(twice, f.three, f.a).reason.find("mapped twice"), std::string::npos);
  CascadeMapping swapped = m;
  std::swap(swapped.groups[0], swapped.groups[1]);
  EXPECT_NE(validate_cascade_mapping(swapped, f.three, f.a).reason.find("later group"), std::string::npos);
}

// Sharing M across the 3-pass cascade would let SN read GM before the
// reduction over M is complete: that needs another pass.
TEST(CascadeMapping, SharedLoopOverAReducedRankIsRejected) {
  Fixture f;
  CascadeMapping m = named::attention_mapping(*named::find_design("flat"), f.a, f.three);
  m.groups[0].shared.push_back({f.three.find_rank("M"), 2, Axis::kX, {}});
  const MappingStatus st = validate_cascade_mapping(m, f.three, f.a);
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.reason.find("another pass"), std::string::npos) << st.reason;
}

// LayerNorm's mean: SM sums X over D, MU = SM / 8 does not iterate D, XC = X
// - MU inside the loop over D reads MU, so MU runs once at the loop's first
// iteration, when SM holds the first tile's partial sum only. Sharing D
// needs a second pass and is rejected; sharing P (which every Einsum
// iterates) is legal.
TEST(CascadeMapping, AValueRunAtTheFirstIterationMustNotReadAPartialSum) {
  const workloads::Workload w = workloads::load_workload_text(R"(
cascade:
  name: norm
  ranks: {D: 8, P: 4}
  inputs:
    X: {ranks: [D, P]}
  einsums:
    - SM[p] = X[d, p]
    - MU[p] = SM[p] / 8
    - XC[d, p] = X[d, p] - MU[p]
)", "norm.yaml");
  const workloads::Cascade& c = w.variants.front().cascade;
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  const int unit = named::find_array_units(a).array1d;
  auto group = [&](const std::string& rank) {
    CascadeMapping m;
    FusionGroup g;
    g.einsums = {0, 1, 2};
    g.shared = {{c.find_rank(rank), 2, Axis::kX, {}}};
    const workloads::Cascade tc = tile_cascade(c, g.shared);
    for (int e : g.einsums) g.tiles.push_back(named::canonical_tile(a, tc, e, unit, {}));
    m.groups.push_back(g);
    return validate_cascade_mapping(m, c, a);
  };
  const MappingStatus d = group("D");
  EXPECT_FALSE(d.ok);
  EXPECT_NE(d.reason.find("MU runs once, at the first iteration of the shared loop over D"), std::string::npos)
      << d.reason;
  EXPECT_NE(d.reason.find("another pass"), std::string::npos) << d.reason;
  const MappingStatus p = group("P");
  EXPECT_TRUE(p.ok) << p.reason;
}

// An Einsum runs inside the shared loops down to the innermost one over a rank
// it iterates: with shared loops P: 2 (outer) and M1: 4, QK runs 8 times, BK
// (which does not iterate P) also 8 (K is re-read for each query tile), AV
// (which does not iterate M1) twice, after each loop over M1; RM#1 (over P
// only) twice.
TEST(CascadeMapping, ExecutionsFollowTheLoopNest) {
  Fixture f;
  FusionGroup g;
  g.shared = {{f.one.find_rank("P"), 2, Axis::kX, {}}, {f.one.find_rank("M1"), 4, Axis::kX, {}}};
  auto einsum = [&](const std::string& name) {
    for (size_t e = 0; e < f.one.einsums.size(); ++e)
      if (f.one.einsums[e].name == name) return static_cast<int>(e);
    return -1;
  };
  EXPECT_EQ(g.executions(f.one, einsum("QK")), 8);
  EXPECT_EQ(g.executions(f.one, einsum("BK")), 8);
  EXPECT_EQ(g.executions(f.one, einsum("AV")), 2);
  EXPECT_EQ(g.executions(f.one, einsum("RM#1")), 2);
  EXPECT_EQ(g.innermost(f.one, einsum("AV")), 0);
}

}  // namespace
}  // namespace einflow::mapping
