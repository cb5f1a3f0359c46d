// The mapspace and the searches: exhaustive search against an independent
// brute force, determinism across thread counts, constraints, remainder tiles.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "mappers/search/driver.h"
#include "mappers/search/mapspace.h"
#include "tests/mappers/same_top.h"
#include "sim/analytical/nest_model.h"
#include "workloads/workload.h"

namespace einflow::search {
namespace {

const char* kArch = R"(architecture:
  name: small
  clock_mhz: 1000
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 2
    children:
      - name: Buffer
        class: sram
        size_words: 24
        children:
          - name: RF
            class: regfile
            size_words: 6
            mesh: {x: 2, y: 1}
            children:
              - {name: MAC, class: compute, ops: {mac: {}}}
)";

const char* kMatmul = R"(cascade:
  name: mm
  ranks: {M: 4, N: 2, K: 2}
  inputs: {A: [M, K], B: [K, N]}
  einsums:
    - Z[m,n] = A[m,k] * B[k,n]
)";

struct Fixture {
  arch::Architecture a = arch::load_arch_text(kArch, "a.yaml");
  workloads::Cascade c = workloads::load_workload_text(kMatmul, "w.yaml").variants.front().cascade;
  int mac = a.find("MAC");
};

MapperConfig config(const std::string& body) { return load_mapper_config_text("mapper:\n" + body, "p.yaml"); }

// Every factorization of M, N, K over the four loops of the path (DRAM
// temporal, Buffer temporal, Buffer spatial x, RF temporal) and every order of
// every level, built as plain mappings and run through validate_mapping and
// evaluate_mapping: the optimum the exhaustive search must find.
double brute_force_best(const Fixture& f, double wl, double we) {
  const auto& e = f.c.einsums[0];
  std::vector<std::vector<int64_t>> splits[3];  // per rank: factors over 4 slots
  for (int r = 0; r < 3; ++r) {
    const int64_t size = f.c.ranks[e.iteration_ranks[r]].size;
    for (int64_t a = 1; a <= size; ++a)
      for (int64_t b = 1; b <= size; ++b)
        for (int64_t x = 1; x <= size; ++x)
          for (int64_t d = 1; d <= size; ++d)
            if (a * b * x * d == size) splits[r].push_back({a, b, x, d});
  }
  std::vector<int> perm = {0, 1, 2};
  std::vector<std::vector<int>> orders;
  do orders.push_back(perm);
  while (std::next_permutation(perm.begin(), perm.end()));
  const std::vector<int> path = f.a.storage_path(f.mac);
  double best = INFINITY;
  for (const auto& sm : splits[0])
    for (const auto& sn : splits[1])
      for (const auto& sk : splits[2])
        for (const auto& o0 : orders)
          for (const auto& o1 : orders)
            for (const auto& o2 : orders) {
              const std::vector<int64_t>* fs[3] = {&sm, &sn, &sk};
              mapping::Mapping m;
              m.einsum = 0;
              m.einsum_name = e.name;
              m.compute = f.mac;
              const std::vector<int>* ord[3] = {&o0, &o1, &o2};
              const int temporal_slot[3] = {0, 1, 3};
              for (int lvl = 0; lvl < 3; ++lvl) {
                mapping::LevelMapping l;
                l.node = path[lvl];
                for (int r : *ord[lvl])
                  l.temporal.push_back({e.iteration_ranks[r], (*fs[r])[temporal_slot[lvl]], mapping::Axis::kX, {}});
                if (lvl == 1)
                  for (int r = 0; r < 3; ++r) l.spatial.push_back({e.iteration_ranks[r], (*fs[r])[2], mapping::Axis::kX, {}});
                m.levels.push_back(l);
              }
              if (!mapping::validate_mapping(m, f.c, f.a).ok) continue;
              sim::Stats s = sim::analytical::evaluate_mapping(f.a, f.c, m);
              best = std::min(best, std::pow(static_cast<double>(s.cycles), wl) * std::pow(s.energy_pj, we));
            }
  return best;
}

// So does `optimal`, whose enumeration ignores the evaluation budget.
TEST(Search, ExhaustiveFindsTheTrueOptimum) {
  Fixture f;
  for (const char* algorithm : {"  algorithm: exhaustive\n  max_evaluations: 0\n", "  algorithm: optimal\n  max_evaluations: 50\n"})
  for (const char* objective : {"edp", "latency", "energy"}) {
    SCOPED_TRACE(std::string(algorithm) + objective);
    MapperConfig cfg = config(std::string(algorithm) + "  objective: " + objective + "\n  search_bypass: false\n");
    Mapspace space(f.a, f.c, 0, f.mac, cfg);
    SearchResult r = run_search(space, cfg);
    EXPECT_EQ(r.stopped_by, "space exhausted");
    ASSERT_FALSE(r.top.empty());
    const double wl = cfg.latency_weight, we = cfg.energy_weight;
    EXPECT_NEAR(r.top[0].cost, brute_force_best(f, wl, we), 1e-9 * r.top[0].cost);
  }
}

// optimal on a single Einsum enumerates its whole mapspace: a space larger
// than max_points is the mapper file's error, not a search that never ends.
TEST(Search, OptimalRefusesAMapspaceOverMaxPoints) {
  Fixture f;
  MapperConfig cfg = config("  algorithm: optimal\n  max_points: 10\n");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  try {
    run_search(space, cfg);
    ADD_FAILURE() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("over max_points (10)"), std::string::npos) << e.what();
  }
}

// The pruned enumeration visits each distinct mapping once: no two points it
// yields decode to the same mapping.
// Every point the enumeration yields for `cfg` that decodes, written as a mapping.
std::vector<std::string> enumerate(const Fixture& f, const MapperConfig& cfg, size_t& points) {
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  Genome g;
  space.first(g);
  std::vector<std::string> seen;
  points = 0;
  do {
    ++points;
    sim::analytical::Nest nest;
    if (space.decode(g, nest) == Reject::kNone) seen.push_back(mapping::write_mapping(space.to_mapping(g), f.c, f.a));
  } while (space.next(g));
  return seen;
}

TEST(Search, EnumerationHasNoDuplicates) {
  Fixture f;
  MapperConfig cfg = config("  search_bypass: true\n");
  size_t points = 0;
  std::vector<std::string> seen = enumerate(f, cfg, points);
  const size_t n = seen.size();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()) - seen.begin(), static_cast<long>(n));
  // 10 x 4 x 4 factorizations times keep choices 2^6 (Buffer and RF) is the
  // floor; orders add more, but far fewer than the 6^3 unpruned ones.
  EXPECT_GT(points, 160u * 64u);
  EXPECT_LT(points, 160u * 64u * 216u / 4u);
  EXPECT_GT(n, 1000u);
}

// Ranks pinned innermost keep their place: the enumeration permutes only the
// free ranks (no two points decode to the same mapping), and the mapspace's
// size counts the orders of the free ranks alone. The Buffer's order with K
// pinned innermost: M and N in 2 orders where both have loops there, against
// 3! = 6 when K was permuted with them.
TEST(Search, InnermostPinnedRanksAreNotPermuted) {
  Fixture f;
  const MapperConfig cfg = config("  search_bypass: false\n  levels:\n    - target: Buffer\n      innermost: [K]\n");
  size_t points = 0;
  std::vector<std::string> seen = enumerate(f, cfg, points);
  const size_t n = seen.size();
  ASSERT_GT(n, 100u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()) - seen.begin(), static_cast<long>(n));
  const MapperConfig free_cfg = config("  search_bypass: false\n");
  Mapspace pinned(f.a, f.c, 0, f.mac, cfg), unpinned(f.a, f.c, 0, f.mac, free_cfg);
  // Three levels' orders: 3! x 3! x 3! unpinned, 3! x 2! x 3! with K pinned at the Buffer.
  EXPECT_NEAR(unpinned.log10_size() - pinned.log10_size(), std::log10(3.0), 1e-9);
}

TEST(Search, SearchesAreDeterministicWhateverTheThreads) {
  Fixture f;
  for (const char* algo : {"random", "annealing", "genetic", "descent"}) {
    SCOPED_TRACE(algo);
    std::vector<Candidate> first;
    for (int threads : {1, 2, 3}) {
      MapperConfig cfg = config(std::string("  algorithm: ") + algo + "\n  seed: 7\n  max_evaluations: 3000\n  batch: 100\n  threads: " +
                                std::to_string(threads) + "\n");
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
}

// The heuristics reach the optimum of this small space within a few thousand evaluations.
TEST(Search, HeuristicsReachTheOptimumOfASmallSpace) {
  Fixture f;
  const double best = brute_force_best(f, 1, 1);
  for (const char* algo : {"annealing", "genetic", "descent"}) {
    SCOPED_TRACE(algo);
    MapperConfig cfg = config(std::string("  algorithm: ") + algo + "\n  search_bypass: false\n  max_evaluations: 6000\n");
    Mapspace space(f.a, f.c, 0, f.mac, cfg);
    SearchResult r = run_search(space, cfg);
    ASSERT_FALSE(r.top.empty());
    EXPECT_NEAR(r.top[0].cost, best, 1e-9 * best);
  }
}

// What the search reports is what the mapping it writes evaluates to.
TEST(Search, BestMappingValidatesAndEvaluatesTheSame) {
  Fixture f;
  MapperConfig cfg = config("  algorithm: random\n  max_evaluations: 2000\n");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  SearchResult r = run_search(space, cfg);
  ASSERT_FALSE(r.top.empty());
  for (const Candidate& c : r.top) {
    mapping::Mapping m = space.to_mapping(c.genome);
    std::string text = mapping::write_mapping(m, f.c, f.a);
    mapping::Mapping back = mapping::load_mapping_text(text, "best.yaml", f.c, f.a);
    auto st = mapping::validate_mapping(back, f.c, f.a);
    ASSERT_TRUE(st.ok) << st.reason << "\n" << text;
    sim::Stats s = sim::analytical::evaluate_mapping(f.a, f.c, back);
    EXPECT_EQ(s.cycles, c.cycles);
    EXPECT_NEAR(s.energy_pj, c.energy_pj, 1e-9 * c.energy_pj);
  }
}

TEST(Search, ConstraintsAreHonoured) {
  Fixture f;
  MapperConfig cfg = config(R"(  algorithm: exhaustive
  max_evaluations: 0
  levels:
    - target: Buffer
      factors: {M: 2}
      spatial_x: [N]
      require_spatial: [N]
      bypass: [A]
    - target: RF
      permutation: [K]
      keep: [Z]
)");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  SearchResult r = run_search(space, cfg);
  ASSERT_FALSE(r.top.empty());
  for (const Candidate& c : r.top) {
    mapping::Mapping m = space.to_mapping(c.genome);
    const auto& buf = m.levels[1];
    int64_t m_factor = 1;
    for (const auto& l : buf.temporal)
      if (f.c.ranks[l.rank].name == "M") m_factor *= l.factor;
    EXPECT_EQ(m_factor, 2);
    ASSERT_EQ(buf.spatial.size(), 1u);
    EXPECT_EQ(f.c.ranks[buf.spatial[0].rank].name, "N");
    EXPECT_FALSE(mapping::level_keeps(m, f.a, f.c, 1, f.c.find_tensor("A")));
    const auto& rf = m.levels[2];
    if (rf.temporal.size() > 1) {
      EXPECT_EQ(f.c.ranks[rf.temporal[0].rank].name, "K");
    }
    EXPECT_TRUE(mapping::level_keeps(m, f.a, f.c, 2, f.c.find_tensor("Z")));
  }
}

// Timeloop's constraint forms (the importer writes them): bounds on a
// level's factors, the rest of a rank at one level, the innermost loops, and
// a fixed spatial factor. Every point of the exhaustive search keeps them.
TEST(Search, BoundsResidualInnermostAndSpatialFactorsAreHonoured) {
  Fixture f;
  MapperConfig cfg = config(R"(  algorithm: exhaustive
  max_evaluations: 0
  top_k: 1000
  levels:
    - target: DRAM
      max_factors: {M: 2}
      residual: [K]
    - target: Buffer
      min_factors: {M: 2}
      innermost: [N, M]
      spatial_factors: {N: 2}
)");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  SearchResult r = run_search(space, cfg);
  ASSERT_FALSE(r.top.empty());
  auto factor = [&](const std::vector<mapping::Loop>& loops, const char* rank) {
    int64_t v = 1;
    for (const auto& l : loops)
      if (f.c.ranks[l.rank].name == rank) v *= l.factor;
    return v;
  };
  for (const Candidate& c : r.top) {
    mapping::Mapping m = space.to_mapping(c.genome);
    EXPECT_LE(factor(m.levels[0].temporal, "M"), 2);
    EXPECT_EQ(factor(m.levels[0].temporal, "K"), 2);  // K = 2 is all at the DRAM
    EXPECT_GE(factor(m.levels[1].temporal, "M"), 2);
    EXPECT_EQ(factor(m.levels[1].spatial, "N"), 2);
    const auto& t = m.levels[1].temporal;
    ASSERT_FALSE(t.empty());
    EXPECT_EQ(f.c.ranks[t.back().rank].name, "M");  // innermost: N (spatial here) then M
  }
}

// Fixed spatial factors take the axes that have room (M on x fills it, N
// goes to y), and the rest of a rank goes to its level whatever the order of
// the constraints that fix its other factors.
TEST(Search, SpatialFactorsShareTheAxesAndResidualsComeLast) {
  const auto a = arch::load_arch_text(R"(architecture:
  name: grid
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 0
    children:
      - name: Buffer
        class: sram
        size_words: 1024
        children:
          - name: PE
            class: regfile
            size_words: 64
            mesh: {x: 2, y: 2}
            children:
              - {name: MAC, class: compute, ops: {mac: {}}}
)", "grid.yaml");
  Fixture f;
  MapperConfig cfg = config(R"(  algorithm: exhaustive
  max_evaluations: 0
  levels:
    - target: DRAM
      residual: [M]
    - target: Buffer
      spatial_factors: {M: 2, N: 2}
)");
  Mapspace space(a, f.c, 0, a.find("MAC"), cfg);
  SearchResult r = run_search(space, cfg);
  ASSERT_FALSE(r.top.empty());
  for (const Candidate& c : r.top) {
    const mapping::Mapping m = space.to_mapping(c.genome);
    ASSERT_EQ(m.levels[1].spatial.size(), 2u);
    for (const auto& l : m.levels[1].spatial) {
      EXPECT_EQ(l.factor, 2);
      EXPECT_EQ(l.axis, f.c.ranks[l.rank].name == "M" ? mapping::Axis::kX : mapping::Axis::kY);
    }
    int64_t dram_m = 1;
    for (const auto& l : m.levels[0].temporal)
      if (f.c.ranks[l.rank].name == "M") dram_m *= l.factor;
    EXPECT_EQ(dram_m, 2);  // M = 4: 2 across the array, the rest at the DRAM
  }
}

// A rank of prime size 7 cannot be split across a 4-wide array with perfect
// factors (7 cycles, one MAC busy); with remainder tiles it runs as 2 x 4 with
// the last tile 3 wide: 2 cycles, utilization 7 / (2 * 4).
TEST(Search, RemainderTilesSplitAPrimeRank) {
  auto a = arch::load_arch_text(R"(architecture:
  name: vec
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 0
    children:
      - name: Buffer
        class: sram
        size_words: 64
        children:
          - {name: MAC, class: compute, mesh: {x: 4, y: 1}, ops: {mac: {}}}
)",
                                "a.yaml");
  auto c = workloads::load_workload_text(R"(cascade:
  name: v
  ranks: {M: 7}
  inputs: {X: [M], W: [M]}
  einsums:
    - Y[m] = X[m] * W[m]
)",
                                         "w.yaml")
               .variants.front()
               .cascade;
  for (bool imperfect : {false, true}) {
    MapperConfig cfg = config(std::string("  algorithm: exhaustive\n  objective: latency\n  max_evaluations: 0\n  imperfect: ") +
                              (imperfect ? "true" : "false") + "\n");
    Mapspace space(a, c, 0, a.find("MAC"), cfg);
    SearchResult r = run_search(space, cfg);
    ASSERT_FALSE(r.top.empty());
    EXPECT_EQ(r.top[0].cycles, imperfect ? 2 : 7);
    EXPECT_NEAR(r.top[0].utilization, imperfect ? 7.0 / 8.0 : 7.0 / 28.0, 1e-12);
  }
}

TEST(Search, BadConstraintsSayWhere) {
  Fixture f;
  auto error = [&](const std::string& body) {
    try {
      MapperConfig cfg = config(body);
      Mapspace space(f.a, f.c, 0, f.mac, cfg);
      run_search(space, cfg);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error("  levels:\n    - {target: Bufer}\n").find("p.yaml:3:7: 'Bufer' is not a storage level"), std::string::npos);
  EXPECT_NE(error("  levels:\n    - {target: Buffer, factors: {Q: 2}}\n").find("no rank 'Q'"), std::string::npos);
  EXPECT_NE(error("  levels:\n    - {target: Buffer, factors: {M: 3}}\n").find("does not divide its size 4"), std::string::npos);
  EXPECT_NE(error("  algorithm: anealing\n").find("p.yaml:2:14: mapper.algorithm: no search named 'anealing'"),
            std::string::npos);
  EXPECT_NE(error("  algoritm: random\n").find("p.yaml:2:3"), std::string::npos);
  EXPECT_NE(error("  levels:\n    - {target: DRAM, bypass: [A]}\n").find("holds every tensor"), std::string::npos);
  // No limit at all: only the enumeration stops by itself.
  EXPECT_NE(error("  algorithm: annealing\n  max_evaluations: 0\n")
                .find("p.yaml:3:20: mapper.max_evaluations: max_evaluations: 0 (no limit) never stops the search "
                      "'annealing'"),
            std::string::npos)
      << error("  algorithm: annealing\n  max_evaluations: 0\n");
  EXPECT_EQ(error("  algorithm: annealing\n  max_evaluations: 0\n  patience: 500\n"), "");
  // Found by tools/fuzz: an infinite budget was converted to an integer.
  EXPECT_NE(error("  max_evaluations: .inf\n").find("p.yaml:2:20: mapper.max_evaluations: expected a finite number"),
            std::string::npos)
      << error("  max_evaluations: .inf\n");
}

// min_utilization rejects mappings that leave the array idle; max_capacity_use
// shrinks what a level may hold. By hand: DRAM moves 2 GB/s / 1 GHz = one
// 16-bit word per cycle, and at least A 8 + B 4 + Z 8 = 20 words (the buffer
// holds all 20), so no mapping beats 20 cycles for 4 x 2 x 2 = 16 MACs on 2 units:
// the best utilization is 16 / (2 * 20) = 0.4, and 0.45 is out of reach.
TEST(Search, UtilizationAndCapacityLimits) {
  Fixture f;
  MapperConfig cfg = config("  algorithm: exhaustive\n  max_evaluations: 0\n  min_utilization: 0.35\n");
  Mapspace space(f.a, f.c, 0, f.mac, cfg);
  SearchResult r = run_search(space, cfg);
  ASSERT_FALSE(r.top.empty());
  double best = 0;
  for (const auto& c : r.top) {
    EXPECT_GE(c.utilization, 0.35);
    best = std::max(best, c.utilization);
  }
  EXPECT_DOUBLE_EQ(best, 0.4);
  MapperConfig high = config("  algorithm: exhaustive\n  max_evaluations: 0\n  min_utilization: 0.45\n");
  Mapspace space_high(f.a, f.c, 0, f.mac, high);
  EXPECT_TRUE(run_search(space_high, high).top.empty());
  // RF holds 6 words; at most 3 (half) leaves room only for 1-element tiles of each tensor.
  MapperConfig half = config(
      "  algorithm: exhaustive\n  max_evaluations: 0\n  search_bypass: false\n  levels:\n    - {target: RF, max_capacity_use: 0.5}\n");
  Mapspace small(f.a, f.c, 0, f.mac, half);
  SearchResult rs = run_search(small, half);
  ASSERT_FALSE(rs.top.empty());
  for (const auto& c : rs.top) {
    mapping::Mapping m = small.to_mapping(c.genome);
    EXPECT_TRUE(m.levels[2].temporal.empty());
  }
}

}  // namespace
}  // namespace einflow::search
