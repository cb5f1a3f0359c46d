// The optimal cascade search against an exhaustive enumeration of the same
// space: for small cascades with reductions and a recurrence, its optimum is
// the enumeration's for latency, energy and EDP, and its front of latency and
// energy is the enumeration's front.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "arch/arch.h"
#include "mappers/cascade/cascade_search.h"
#include "mappers/cascade/cascade_space.h"
#include "mappers/cascade/optimal.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/named/named.h"
#include "mappers/search/objective.h"
#include "sim/analytical/group_model.h"
#include "tests/mappers/small_cascades.h"
#include "workloads/workload.h"

namespace einflow::cascade {
namespace {

using cascade_testing::kData;
using cascade_testing::kTwo;  // a GEMV (a reduction over K) and an exponential of it

// Three Einsums: a product reduced over K and the running maximum of it over
// the iterative rank I (a recurrence: its initial value and its update).
const char* kThree = R"Y(cascade:
  name: three
  ranks: {I: 2, K: 2}
  inputs: {A: [I, K], B: [K]}
  einsums:
    - "Z[i] = A[i,k] * B[k]"
    - "R[0] = -inf"
    - "R[i+1] = max(R[i], Z[i])"
)Y";

// Four: the same and the distance of each product to the running maximum.
std::string four_einsums() {
  std::string four = kThree;
  four.replace(four.find("name: three"), 11, "name: four");
  return four + "    - \"Y[i] = Z[i] - R[i+1]\"\n";
}

// One 2 x 2 array under a global buffer of 6 words, behind a DRAM of 1 word
// per cycle: what the tiles and retained intermediates need competes for the
// buffer, and the DRAM bounds some groups.
const char* kOneUnit = R"(architecture:
  name: one-unit
  clock_mhz: 1000
  word_bits: 16
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 2
    children:
      - name: GlobalBuffer
        class: sram
        size_words: 6
        children:
          - name: PE
            class: regfile
            size_words: 4
            mesh: {x: 2, y: 2}
            children:
              - name: Array
                class: compute
                ops: {mac: {}, add: {}, max: {}}
)";

struct Cost {
  int64_t cycles;
  double energy;
};

// Every point of the cascade space, decoded, validated and costed.
std::vector<Cost> enumerate(const arch::Architecture& a, const workloads::Cascade& c) {
  const CascadeSpace space(a, c);
  std::vector<Cost> out;
  search::CascadeGenome g;
  space.first(g);
  do {
    const mapping::CascadeMapping m = space.decode(g);
    if (!mapping::validate_cascade_mapping(m, c, a).ok) continue;
    const sim::Stats s = sim::analytical::evaluate_cascade(a, c, m).stats;
    out.push_back({s.cycles, s.energy_pj});
  } while (space.next(g));
  return out;
}

search::MapperConfig config(double wl, double we, bool pareto = false) {
  search::MapperConfig cfg;
  cfg.algorithm = "optimal";
  cfg.latency_weight = wl;
  cfg.energy_weight = we;
  cfg.pareto = pareto;
  cfg.max_evaluations = 200;  // the annealing run that gives the first incumbent
  cfg.threads = 1;
  return cfg;
}

// The points of `all` that no other dominates, as (cycles, energy), by cycles.
std::vector<std::pair<int64_t, double>> front_of(const std::vector<Cost>& all) {
  std::vector<std::pair<int64_t, double>> f;
  for (const Cost& p : all) {
    bool dominated = false;
    for (const Cost& q : all)
      dominated = dominated || (q.cycles <= p.cycles && q.energy <= p.energy &&
                                (q.cycles < p.cycles || q.energy < p.energy));
    if (!dominated) f.emplace_back(p.cycles, p.energy);
  }
  std::sort(f.begin(), f.end());
  f.erase(std::unique(f.begin(), f.end()), f.end());
  return f;
}

void expect_equals_enumeration(const arch::Architecture& a, const workloads::Cascade& c) {
  const std::vector<Cost> all = enumerate(a, c);
  ASSERT_FALSE(all.empty());
  for (const auto& [wl, we] : std::vector<std::pair<double, double>>{{1, 0}, {0, 1}, {1, 1}, {2, 1}}) {
    double best = std::numeric_limits<double>::infinity();
    for (const Cost& p : all) best = std::min(best, search::objective(p.cycles, p.energy, wl, we));
    const CascadeSearchResult r = optimal_cascade(a, c, config(wl, we));
    EXPECT_EQ(r.cost, best) << c.name << " latency^" << wl << " energy^" << we;
    EXPECT_TRUE(mapping::validate_cascade_mapping(r.best, c, a).ok);
    EXPECT_EQ(r.stopped_by, "optimal");
  }
  const CascadeSearchResult p = optimal_cascade(a, c, config(1, 1, true));
  std::vector<std::pair<int64_t, double>> got;
  for (const FrontPoint& x : p.front) {
    got.emplace_back(x.cycles, x.energy_pj);
    const sim::Stats s = sim::analytical::evaluate_cascade(a, c, x.mapping).stats;
    EXPECT_EQ(s.cycles, x.cycles);
    EXPECT_DOUBLE_EQ(s.energy_pj, x.energy_pj);
  }
  EXPECT_EQ(got, front_of(all)) << c.name;
  EXPECT_GT(p.counts.generated, 0);
  EXPECT_GT(p.counts.joined, 0);
}

TEST(Optimal, EqualsTheEnumerationOnTwoEinsums) {
  const workloads::Workload w = workloads::load_workload_text(kTwo, "two.yaml");
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  expect_equals_enumeration(a, w.variants[0].cascade);
}

// A unit that issues 4 MACs a cycle, on ranks of 5: compute cycles are
// rounded while the bounds' operations per instance are not (a bound must
// stay below every tile's cycles all the same).
TEST(Optimal, EqualsTheEnumerationWithFractionalIssueCycles) {
  std::string arch = kOneUnit;
  const std::string ops = "ops: {mac: {}, add: {}, max: {}}";
  arch.replace(arch.find(ops), ops.size(), "ops: {mac: {per_cycle: 4}, add: {}, max: {}, exp: {sequence: {mac: 6, add: 1}}}");
  std::string two = kTwo;
  two.replace(two.find("{M: 2, K: 2}"), 12, "{M: 5, K: 5}");
  const workloads::Workload w = workloads::load_workload_text(two, "two5.yaml");
  expect_equals_enumeration(arch::load_arch_text(arch, "one-unit-4.yaml"), w.variants[0].cascade);
}

TEST(Optimal, EqualsTheEnumerationOnThreeEinsumsWithARecurrence) {
  const workloads::Workload w = workloads::load_workload_text(kThree, "three.yaml");
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  expect_equals_enumeration(a, w.variants[0].cascade);
}

TEST(Optimal, EqualsTheEnumerationOnFourEinsumsSharingABuffer) {
  const workloads::Workload w = workloads::load_workload_text(four_einsums(), "four.yaml");
  const arch::Architecture a = arch::load_arch_text(kOneUnit, "one-unit.yaml");
  expect_equals_enumeration(a, w.variants[0].cascade);
}

// With a cut (groups of one Einsum), the optimum over the cut is the
// enumeration's best unfused point unless the first incumbent, from outside
// the cut, is better: then that is the result, said so (from_seed), and it is
// no worse than the cut's optimum.
TEST(Optimal, AnIncumbentOutsideTheCutIsReturnedWhenBetter) {
  const workloads::Workload w = workloads::load_workload_text(kThree, "three.yaml");
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  const workloads::Cascade& c = w.variants[0].cascade;
  search::MapperConfig alone = config(1, 1);
  alone.max_group = 1;
  alone.max_evaluations = 0;  // no incumbent from outside the cut
  const CascadeSearchResult cut = optimal_cascade(a, c, alone);
  EXPECT_FALSE(cut.from_seed);
  for (const auto& g : cut.best.groups) EXPECT_EQ(g.einsums.size(), 1u);
  alone.max_evaluations = 2000;
  const CascadeSearchResult r = optimal_cascade(a, c, alone);
  EXPECT_LE(r.cost, cut.cost);
  bool fused = false;
  for (const auto& g : r.best.groups) fused = fused || g.einsums.size() > 1;
  EXPECT_EQ(r.from_seed, fused);
  EXPECT_EQ(r.from_seed, r.cost < cut.cost);
}

// With every divisor (the default), the first incumbent is the optimum over
// the factors 1 and the whole rank, itself seeded by annealing. Annealing's
// best may share a factor between those (outside the coarse cut) and still
// lie in this space: the result is then no seed. On a GEMV of 8 x 4 and its
// exponential, every valid mapping the searches see is in the space.
TEST(Optimal, ACoarseIncumbentInsideTheSpaceIsNotASeed) {
  std::string two = kTwo;
  two.replace(two.find("{M: 2, K: 2}"), 12, "{M: 8, K: 4}");
  const workloads::Workload w = workloads::load_workload_text(two, "two84.yaml");
  // Two units under a 40-word buffer of 3 reads a cycle, behind a DRAM of 1
  // word a cycle that leaks, pipelining without fill or drain.
  const arch::Architecture a = arch::load_arch_text(R"(architecture:
  name: two-units
  clock_mhz: 1000
  word_bits: 16
  pipeline_fill_drain: false
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 2
    read_pj: 3
    write_pj: 5
    update_pj: 2
    leak_pj: 0.2
    children:
      - name: GlobalBuffer
        class: sram
        size_words: 40
        read_pj: 1
        write_pj: 1.5
        read_bandwidth: 3
        children:
          - name: PE2D
            class: regfile
            size_words: 4
            mesh: {x: 2, y: 2}
            read_pj: 0.3
            block_words: 2
            children:
              - name: Array2D
                class: compute
                ops: {mac: {}, add: {}, max: {}, exp: {sequence: {mac: 6, add: 1}}}
          - name: PE1D
            class: regfile
            size_words: 8
            mesh: {x: 2}
            read_pj: 0.2
            children:
              - name: Array1D
                class: compute
                ops: {mac: {}, add: {}, max: {sequence: {add: 1}}, div: {}, exp: {sequence: {mac: 6, add: 1}}}
)",
                                                    "two-units.yaml");
  const workloads::Cascade& c = w.variants[0].cascade;
  const std::vector<Cost> all = enumerate(a, c);
  for (const auto& [wl, we] : std::vector<std::pair<double, double>>{{1, 0}, {0, 1}, {1, 1}}) {
    double best = std::numeric_limits<double>::infinity();
    for (const Cost& p : all) best = std::min(best, search::objective(p.cycles, p.energy, wl, we));
    const CascadeSearchResult r = optimal_cascade(a, c, config(wl, we));
    EXPECT_EQ(r.cost, best) << "latency^" << wl << " energy^" << we;
    EXPECT_FALSE(r.from_seed) << "latency^" << wl << " energy^" << we;
  }
}

// On FuseMax's own cascade (a tiny 1-pass attention), kept to the FuseMax
// design's grouping, binding, retention and pipelining, the optimum over the
// shared factors is the enumeration's and never worse than the design's own.
TEST(Optimal, NeverWorseThanFuseMaxOnItsCascade) {
  const workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  const workloads::Cascade& c = w.find_variant("1pass")->cascade;
  const mapping::CascadeMapping fm = named::attention_mapping(*named::find_design("fusemax"), a, c);
  const sim::Stats named = sim::analytical::evaluate_cascade(a, c, fm).stats;
  const CascadeSearchResult r = optimal_cascade(a, c, config(1, 1), &fm);
  EXPECT_LE(r.cost, search::objective(named.cycles, named.energy_pj, 1, 1));
  search::MapperConfig all;
  all.algorithm = "exhaustive";
  all.max_evaluations = 0;
  CascadeSearchOptions constrained;
  constrained.constrain_to = &fm;
  const CascadeSearchResult e = search_cascade(a, c, all, constrained);
  EXPECT_EQ(e.stopped_by, "space exhausted");
  EXPECT_EQ(r.cost, e.cost);
  EXPECT_EQ(r.best.groups.size(), fm.groups.size());
}

}  // namespace
}  // namespace einflow::cascade
