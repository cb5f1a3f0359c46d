// The cascade search runs behind the same ask/tell interface and driver as the
// per-Einsum search: every registered search works on cascades, the result
// does not depend on the thread count, and the cascade space enumerates every
// point once.
#include <gtest/gtest.h>

#include <set>

#include "arch/arch.h"
#include "mappers/cascade/cascade_search.h"
#include "mappers/cascade/cascade_space.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/search/search.h"
#include "tests/mappers/small_cascades.h"
#include "workloads/workload.h"

namespace einflow::cascade {
namespace {

using cascade_testing::kData;
using cascade_testing::kTwo;  // a GEMV (a reduction over K) and an exponential of it

// Counted by hand on the miniature FuseMax, where both units run both
// Einsums (2 x 2 bindings). One group {Z, Y} iterates M and K: shared factors
// 2 x 2 (divisors of 2), retention 2 x 2 (shared buffer, own level), pipelined
// rank none, M or K: 4 x 4 x 3 = 48. Two groups: {Z} as before, 48, and {Y}
// iterates M only: 2 x 4 x 2 = 16, so 48 x 16 = 768. With the bindings:
// (48 + 768) x 4 = 3264 points, each once.
TEST(CascadeSpace, EnumeratesEveryPointOnce) {
  const workloads::Workload w = workloads::load_workload_text(kTwo, "two.yaml");
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  const CascadeSpace space(a, w.variants[0].cascade);
  std::set<CascadeGenome> seen;
  CascadeGenome g;
  space.first(g);
  int64_t n = 0;
  do {
    ++n;
    seen.insert(g);
  } while (space.next(g));
  EXPECT_EQ(n, 3264);
  EXPECT_EQ(seen.size(), 3264u);
}

search::MapperConfig config(const std::string& algorithm, int threads, int64_t evaluations) {
  search::MapperConfig c;
  c.algorithm = algorithm;
  c.threads = threads;
  c.max_evaluations = evaluations;
  c.batch = 64;
  c.seed = 5;
  return c;
}

// Every registered search maps the tiny attention's cascade, to the same
// mapping on one thread and on four.
TEST(CascadeSearch, EverySearchRunsOnCascadesWhateverTheThreads) {
  const workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  const workloads::Cascade& c = w.find_variant("1pass")->cascade;
  for (const std::string& algo : search::search_names()) {
    if (algo == "optimal") continue;  // no budget: optimal_test.cpp
    const CascadeSearchResult one = search_cascade(a, c, config(algo, 1, 300));
    const CascadeSearchResult four = search_cascade(a, c, config(algo, 4, 300));
    EXPECT_GT(one.valid, 0) << algo;
    EXPECT_EQ(one.evaluated, 300) << algo;
    EXPECT_TRUE(mapping::validate_cascade_mapping(one.best, c, a).ok) << algo;
    EXPECT_EQ(one.cost, four.cost) << algo;
    EXPECT_EQ(mapping::write_cascade_mapping(one.best, c, a), mapping::write_cascade_mapping(four.best, c, a))
        << algo;
  }
}

// Without a budget, the exhaustive search visits the whole space of the
// two-Einsum cascade (its points and the three natural starts) and nothing
// any other search finds is better.
TEST(CascadeSearch, ExhaustiveIsTheOptimumOfTheSpace) {
  const workloads::Workload w = workloads::load_workload_text(kTwo, "two.yaml");
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  const workloads::Cascade& c = w.variants[0].cascade;
  const CascadeSearchResult all = search_cascade(a, c, config("exhaustive", 0, 0));
  EXPECT_EQ(all.stopped_by, "space exhausted");
  EXPECT_EQ(all.evaluated, 3264 + 3);
  for (const std::string& algo : search::search_names()) {
    const CascadeSearchResult r = search_cascade(a, c, config(algo, 0, 500));
    EXPECT_LE(all.cost, r.cost) << algo;
  }
}

// An unknown algorithm is the mapper file's error, at its location, as for
// single Einsums.
TEST(CascadeSearch, AnUnknownAlgorithmIsAnError) {
  const workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  search::MapperConfig cfg = search::load_mapper_config_text("mapper:\n  algorithm: simplex\n", "m.yaml");
  try {
    search_cascade(a, w.find_variant("1pass")->cascade, cfg);
    ADD_FAILURE() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("m.yaml:2:14"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no search named 'simplex'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace einflow::cascade
