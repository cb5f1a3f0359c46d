// The local search's view of the mapspace: neighbourhoods, strata, fresh
// starts and kicks (mapspace_neighbours.cpp), and the `descent` search itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
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

// A landscape of four strata on a line of 65,536 points (x: the genome's
// first two size indices; the stratum: its first keep bits). In strata 1-3
// every even x is a local optimum of cost 100. Stratum 0 has one of cost 200
// at every fourth x, and a deep one at x = 0 (cost 50) that a fresh point or
// a kick (x drawn afresh; a kicked point is marked) almost never finds.
class Ridge final : public SpaceOf<Genome> {
 public:
  static int x(const Genome& g) { return g.size[0] | g.size[1] << 8; }
  static void set_x(int v, Genome& g) {
    g.size[0] = static_cast<uint8_t>(v & 255);
    g.size[1] = static_cast<uint8_t>(v >> 8);
  }
  static double cost(const Genome& g) {
    const int v = x(g);
    if (g.keep[0] != 0) return 100 + v % 2;
    return v == 0 ? 50 : 200 + v % 4;
  }
  void random(Rng& rng, Genome& g) const override {
    set_x(static_cast<int>(rng.below(65536)), g);
    g.size[2] = 0;
  }
  void mutate(Rng& rng, Genome& g) const override { random(rng, g); }
  void crossover(Rng&, const Genome& a, const Genome&, Genome& child) const override { child = a; }
  void first(Genome& g) const override { g = Genome{}; }
  bool next(Genome&) const override { return false; }
  void neighbours(Rng&, const Genome& g, std::vector<Genome>& out) const override {
    for (int d : {-1, 1})
      if (x(g) + d >= 0 && x(g) + d < 65536) {
        out.push_back(g);
        set_x(x(g) + d, out.back());
      }
  }
  void perturb(Rng& rng, Genome& g) const override {  // marked, to tell kicks from fresh points
    random(rng, g);
    g.size[2] = 1;
  }
  uint64_t strata() const override { return 4; }
  void set_stratum(uint64_t s, Genome& g) const override { g.keep[0] = static_cast<uint32_t>(s); }
  uint64_t stratum_of(const Genome& g) const override { return g.keep[0]; }
};

// A stratum is ranked by the best local optimum of all its episodes. Given
// stratum 0's deep optimum as a starting point, every bracket keeps that
// stratum to the end (its fresh episodes, which end at 200, do not count
// against it). The last lane is the one whose kicks cross into neighbouring
// strata, so its batches are the ones that mix strata: they are in stratum 0
// bracket after bracket (2,721 of 2,760 here; before the strata kept their
// best, 40 of 3,907). Ranked by each bracket's own episodes, stratum 0
// would lose the first round of every bracket after the first to the others
// (100), and the last lane would be stratum 1. And every bracket's first
// round starts each lane from fresh points, whatever the lane holds: with
// new brackets only once the last lane's kicks go stale, strata 1-3 get a
// batch of fresh points each per bracket.
TEST(Descent, StrataKeepTheirBestLocalOptimumAcrossBrackets) {
  Ridge space;
  auto search = make_search(space, config("  algorithm: descent\n"), 7);
  std::vector<Genome> asked(1);
  std::vector<double> cost = {Ridge::cost(asked[0])};
  ASSERT_EQ(cost[0], 50);
  search->start(asked, cost);
  std::array<int, 4> led{};    // the last lane's batches (those that mix strata) mostly in each stratum
  std::array<int, 4> fresh{};  // batches of fresh points in each stratum
  for (int batch = 0; batch < 20000; ++batch) {
    asked.clear();
    search->ask(64, asked);
    ASSERT_FALSE(asked.empty());
    cost.clear();
    std::array<int, 4> in{};
    int kicked = 0;
    for (const Genome& g : asked) {
      cost.push_back(Ridge::cost(g));
      ++in[space.stratum_of(g)];
      kicked += g.size[2];
    }
    if (asked.size() == 64 && kicked == 0) ++fresh[space.stratum_of(asked[0])];
    if (std::count(in.begin(), in.end(), 0) < 3) ++led[std::max_element(in.begin(), in.end()) - in.begin()];
    search->tell(asked, cost);
  }
  // (a kick crosses half the time, to stratum 1 or 2: now and then a batch
  // holds more of one of them than of stratum 0)
  EXPECT_GT(led[0], 1000);
  for (int s = 1; s < 4; ++s) {
    EXPECT_GT(led[0], 10 * led[s]) << "stratum " << s << ": " << led[s];
    EXPECT_GT(fresh[s], 500) << "stratum " << s;
  }
}

}  // namespace
}  // namespace einflow::search
