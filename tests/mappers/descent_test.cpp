// The local search's view of the mapspace: neighbourhoods, strata, fresh
// starts and kicks (mapspace_moves.cpp), and the `descent` search itself.
#include <gtest/gtest.h>

#include <string>

#include "arch/arch.h"
#include "mappers/search/driver.h"
#include "mappers/search/mapspace.h"
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
TEST(Descent, FreshPointsFillTheMesh) {
  Eyeriss f;
  MapperConfig cfg = config("  algorithm: descent\n");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  Rng rng(5);
  int valid = 0;
  for (int trial = 0; trial < 200; ++trial) {
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
  }
  EXPECT_GT(valid, 20);
}

// Kicks and fresh points stay within the rank's slots: they decode (or are
// rejected by the cheap checks) and map back to a mapping that validates.
TEST(Descent, KicksAndFreshPointsAreMappings) {
  Eyeriss f;
  MapperConfig cfg = config("  algorithm: descent\n");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  Rng rng(9);
  int valid = 0;
  for (int trial = 0; trial < 500; ++trial) {
    Genome g;
    space.fresh(rng, g);
    if (trial % 2) space.perturb(rng, g);
    sim::analytical::Nest nest;
    if (space.decode(g, nest) != Reject::kNone) continue;
    ++valid;
    const mapping::Mapping m = space.to_mapping(g);
    EXPECT_TRUE(mapping::validate_mapping(m, f.c, f.a).ok) << mapping::validate_mapping(m, f.c, f.a).reason;
  }
  EXPECT_GT(valid, 0);
}

}  // namespace
}  // namespace einflow::search
