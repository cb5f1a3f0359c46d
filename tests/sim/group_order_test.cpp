// The order in which a fusion group runs its Einsums inside the shared loops
// (FusionGroup::runs_first) on the cycle model, against the golden interpreter.
#include <gtest/gtest.h>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/named/named.h"
#include "sim/analytical/group_model.h"
#include "sim/cycle/cascade_sim.h"
#include "sim/cycle/verify.h"
#include "tests/sim/cycle_testing.h"
#include "workloads/golden/interpreter.h"
#include "workloads/workload.h"

namespace einflow::sim::cycle {
namespace {

using namespace testing;

// LayerNorm fused with the projection after it, sharing only the projection's
// output rank N (2 tiles): Z iterates N, so Y (which Z reads) runs once, at
// the first iteration of the loop over N, and so must the mean MU that Y reads
// and the sum SM that MU reads (FusionGroup::runs_first); run at the last,
// Y would read a mean not yet computed. Both models count alike and Z is the
// golden interpreter's.
TEST(CascadeCycleModel, ANormFusedWithTheNextProductRunsItsProducersFirst) {
  const workloads::Workload w = workloads::load_workload_text(R"(
cascade:
  name: norm-project
  ranks: {D: 8, N: 8, P: 4}
  inputs:
    X: {ranks: [D, P]}
    W: {ranks: [D, N]}
  einsums:
    - SM[p] = X[d, p]
    - MU[p] = SM[p] * 0.125
    - Y[d, p] = X[d, p] - MU[p]
    - Z[n, p] = Y[d, p] * W[d, n]
)", "norm.yaml");
  const workloads::Cascade& c = w.variants.front().cascade;
  const arch::Architecture a = arch::load_arch(kSrc + "/tests/data/attention/fusemax-4x4.yaml");
  const int unit = named::find_array_units(a).array2d;
  mapping::CascadeMapping m;
  mapping::FusionGroup g;
  g.einsums = {0, 1, 2, 3};
  g.shared = {{c.find_rank("N"), 2, mapping::Axis::kX, {}}};
  const workloads::Cascade tc = mapping::tile_cascade(c, g.shared);
  for (int e : g.einsums) g.tiles.push_back(named::canonical_tile(a, tc, e, unit, {}));
  m.groups.push_back(g);
  EXPECT_EQ(g.runs_first(c), (std::vector<bool>{true, true, true, false}));
  const mapping::MappingStatus st = mapping::validate_cascade_mapping(m, c, a);
  ASSERT_TRUE(st.ok) << st.reason;
  golden::TensorSet<double> in = golden::seeded_inputs<double>(c, 3);
  CascadeSimResult r = simulate_cascade(a, c, m, in);
  expect_same_counts(analytical::evaluate_cascade(a, c, m).stats, r.stats);
  golden::TensorSet<double> got{{"Z", r.tensors.at("Z")}}, ref{{"Z", golden::interpret<double>(c, in).at("Z")}};
  EXPECT_TRUE(compare_tensors(got, ref, 1e-12).ok);
}

}  // namespace
}  // namespace einflow::sim::cycle
