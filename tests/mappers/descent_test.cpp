// The local search's view of the mapspace: neighbourhoods, strata, fresh
// starts and kicks (mapspace_neighbours.cpp), and the `descent` search itself.
#include <gtest/gtest.h>

#include <string>

#include "arch/arch.h"
#include "mappers/search/driver.h"
#include "mappers/search/mapspace.h"
#include "tests/mappers/same_top.h"
#include "mappers/search/search.h"
#include "workloads/workload.h"

namespace einflow::search {
namespace {

const std::string kRoot = EINFLOW_SOURCE_DIR;

struct Eyeriss {
  arch::Architecture a = arch::load_arch(kRoot + "/configs/arch/eyeriss-like.yaml");
  workloads::Cascade c =
      workloads::load_workload(kRoot + "/tools/bench/data/conv-resnet.yaml").variants.front().cascade;
  int mac = a.find("MAC");
};

MapperConfig config(const std::string& body) { return load_mapper_config_text("mapper:\n" + body, "p.yaml"); }

int64_t axis_product(const std::vector<mapping::Loop>& spatial, mapping::Axis axis) {
  int64_t p = 1;
  for (const auto& l : spatial)
    if (l.axis == axis) p *= l.factor;
  return p;
}

// Eyeriss-like keeps or bypasses Inputs and Outputs at the global buffer and
// one tensor in each scratchpad: five choices, 32 strata, each reachable.
TEST(Descent, StrataAreTheKeepChoices) {
  Eyeriss f;
  MapperConfig cfg = config("  algorithm: descent\n");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  EXPECT_EQ(space.strata(), 32u);
  Rng rng(3);
  Genome g;
  space.random(rng, g);
  for (uint64_t s = 0; s < space.strata(); ++s) {
    space.set_stratum(s, g);
    EXPECT_EQ(space.stratum_of(g), s);
  }
  // Pinning a choice in the mapper file takes it out of the strata.
  MapperConfig pinned = config("  levels:\n    - {target: PsumSpad, bypass: [Outputs]}\n");
  EXPECT_EQ(Mapspace(f.a, f.c, 0, f.mac, pinned).strata(), 16u);
}

// Every neighbour is another point of the same stratum, and the neighbourhood
// holds every single move of a prime factor: here, of a prime of each loop of
// the innermost scratchpad (of a valid point) to the DRAM (still valid: the
// tiles only shrink).
TEST(Descent, NeighboursStayInTheStratumAndHoldEverySingleMove) {
  Eyeriss f;
  MapperConfig cfg = config("  algorithm: descent\n");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  Rng rng(11);
  int checked = 0;
  for (int trial = 0; trial < 20; ++trial) {
    Genome g;
    sim::analytical::Nest nest;
    do space.fresh(rng, g);
    while (space.decode(g, nest) != Reject::kNone);
    std::vector<Genome> hood;
    space.neighbours(rng, g, hood);
    ASSERT_FALSE(hood.empty());
    for (const Genome& h : hood) {
      EXPECT_FALSE(h == g);
      EXPECT_EQ(space.stratum_of(h), space.stratum_of(g));
    }
    // The DRAM's temporal factors of the neighbours: every one that moved a
    // single prime of rank r out of the innermost level.
    const mapping::Mapping m = space.to_mapping(g);
    const auto& inner = m.levels.back().temporal;
    for (const auto& loop : inner) {
      if (loop.factor == 1) continue;
      int64_t prime = 2;
      while (loop.factor % prime) ++prime;
      bool found = false;
      for (const Genome& h : hood) {
        if (space.decode(h, nest) != Reject::kNone) continue;
        const mapping::Mapping n = space.to_mapping(h);
        int64_t dram = 1, dram_before = 1, in = 1, in_before = 1;
        for (const auto& l : n.levels.front().temporal)
          if (l.rank == loop.rank) dram *= l.factor;
        for (const auto& l : m.levels.front().temporal)
          if (l.rank == loop.rank) dram_before *= l.factor;
        for (const auto& l : n.levels.back().temporal)
          if (l.rank == loop.rank) in *= l.factor;
        for (const auto& l : inner)
          if (l.rank == loop.rank) in_before *= l.factor;
        found = found || (dram == dram_before * prime && in * prime == in_before);
      }
      EXPECT_TRUE(found) << "no neighbour moves a " << prime << " of rank " << loop.rank << " to the DRAM";
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

// A fresh point fills the fan-out: no prime factor left in the temporal
// loops at or above the global buffer fits the mesh (14 x 12) beside it.
// A kick of it that decodes stands for a mapping that validates.
TEST(Descent, FreshPointsFillTheMeshAndKicksAreMappings) {
  Eyeriss f;
  MapperConfig cfg = config("  algorithm: descent\n");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  Rng rng(5);
  int valid = 0, kicked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    Genome g;
    space.fresh(rng, g);
    sim::analytical::Nest nest;
    if (space.decode(g, nest) != Reject::kNone) continue;  // a mapping only when valid
    ++valid;
    const mapping::Mapping m = space.to_mapping(g);
    const auto& glb = m.levels[1];
    const int64_t x = axis_product(glb.spatial, mapping::Axis::kX);
    const int64_t y = axis_product(glb.spatial, mapping::Axis::kY);
    ASSERT_LE(x, 14);
    ASSERT_LE(y, 12);
    for (int lvl = 0; lvl < 2; ++lvl)
      for (const auto& loop : m.levels[lvl].temporal)
        for (int64_t p = 2; p <= loop.factor; ++p)
          if (loop.factor % p == 0) {
            EXPECT_GT(x * p, 14) << "trial " << trial;
            EXPECT_GT(y * p, 12) << "trial " << trial;
            break;  // the least prime: if it does not fit, no other does
          }
    space.perturb(rng, g);
    if (space.decode(g, nest) != Reject::kNone) continue;
    ++kicked;
    const mapping::MappingStatus st = mapping::validate_mapping(space.to_mapping(g), f.c, f.a);
    EXPECT_TRUE(st.ok) << st.reason;
  }
  EXPECT_GT(valid, 20);
  EXPECT_GT(kicked, 5);
}

// Fresh points keep the mapper file's spatial constraints and the fan-out:
// a rank with no temporal loop of its own at the level (K pinned there) sends
// its primes above it, and bounds on the spatial factors hold. Decode may
// still reject them for capacity, never for the mesh or the bounds.
TEST(Descent, FreshPointsKeepTheSpatialConstraints) {
  Eyeriss f;
  for (const char* level : {"{target: GlobalBuffer, factors: {K: 4}}", "{target: GlobalBuffer, spatial_factors: {K: 1}}",
                            "{target: GlobalBuffer, spatial_max_factors: {C: 4, Q: 2}}",
                            "{target: GlobalBuffer, spatial_factors: {Q: 7}}"}) {
    SCOPED_TRACE(level);
    MapperConfig cfg = config(std::string("  algorithm: descent\n  levels:\n    - ") + level + "\n");
    Mapspace space(f.a, f.c, 0, f.mac, cfg);
    Rng rng(21);
    int valid = 0;
    for (int trial = 0; trial < 300; ++trial) {
      Genome g;
      space.fresh(rng, g);
      sim::analytical::Nest nest;
      const Reject why = space.decode(g, nest);
      EXPECT_NE(why, Reject::kFanout);
      EXPECT_NE(why, Reject::kFactorBound);
      EXPECT_NE(why, Reject::kFixedFactor);
      valid += why == Reject::kNone;
    }
    EXPECT_GT(valid, 30);
  }
}

// Through whole brackets (32 strata, halved to one, the last lane roaming),
// the result is the same on one thread and on three.
TEST(Descent, DeterministicThroughTheBrackets) {
  Eyeriss f;
  std::vector<Candidate> first;
  for (int threads : {1, 3}) {
    MapperConfig cfg =
        config("  algorithm: descent\n  seed: 4\n  max_evaluations: 120000\n  threads: " + std::to_string(threads) + "\n");
    Mapspace space(f.a, f.c, 0, f.mac, cfg);
    SearchResult r = run_search(space, cfg);
    ASSERT_FALSE(r.top.empty());
    if (first.empty()) {
      first = r.top;
      continue;
    }
    expect_same_top(r.top, first);
  }
}

// Scratchpads too small for any tile: only the 4 strata that bypass all three
// hold a valid point. The rounds must not halve the lanes before one has a
// point, and the search finds one there.
TEST(Descent, FindsTheFewStrataWithValidPoints) {
  Eyeriss f;
  MapperConfig cfg = config(R"(  algorithm: descent
  max_evaluations: 60000
  levels:
    - {target: IfmapSpad, max_capacity_use: 0.01}
    - {target: WeightsSpad, max_capacity_use: 0.001}
    - {target: PsumSpad, max_capacity_use: 0.01}
)");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  EXPECT_EQ(space.strata(), 32u);
  SearchResult r = run_search(space, cfg);
  ASSERT_FALSE(r.top.empty());
  const mapping::Mapping m = space.to_mapping(r.top[0].genome);
  for (int lvl = 2; lvl < 5; ++lvl)
    for (int t = 0; t < static_cast<int>(f.c.tensors.size()); ++t)
      EXPECT_FALSE(mapping::level_keeps(m, f.a, f.c, lvl, t)) << "level " << lvl << " keeps " << f.c.tensors[t].name;
}

}  // namespace
}  // namespace einflow::search
