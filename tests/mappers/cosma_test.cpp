// COSMA's memory scheduling (mappers/cosma/cosma.h): hand-worked graphs with
// known optimal traffic, the checker catching broken schedules, the budgets,
// the arena baseline, and properties on random graphs (COSMA never worse than
// the baselines, zero at the minimum-peak budget, every schedule replayed by
// the checker).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "mappers/cosma/cosma.h"
#include "workloads/workload.h"

namespace einflow::cosma {
namespace {

OpTensor tensor(const std::string& name, int64_t bytes, TensorRole role, int producer, std::vector<int> consumers) {
  return {name, bytes, role, producer, std::move(consumers), {}};
}

// o0: X -> T; o1: T -> U; o2: Y, U -> W; o3: T, W -> Z. The order is forced;
// o2 needs Y + U + W = 8 bytes while T (2) waits for o3, so under 10 bytes
// T is written out and read back: 2 + 2 = 4 bytes beyond the compulsory.
OpGraph forced_spill() {
  OpGraph g;
  g.name = "forced-spill";
  const auto in = TensorRole::kInput, mid = TensorRole::kIntermediate, out = TensorRole::kOutput;
  g.tensors = {tensor("X", 2, in, -1, {0}),  tensor("T", 2, mid, 0, {1, 3}), tensor("U", 2, mid, 1, {2}),
               tensor("Y", 4, in, -1, {2}),  tensor("W", 2, mid, 2, {3}),    tensor("Z", 2, out, 3, {})};
  g.ops = {{"o0", {0}, {1}}, {"o1", {1}, {2}}, {"o2", {2, 3}, {4}}, {"o3", {1, 4}, {5}}};
  g.given_order = {0, 1, 2, 3};
  return g;
}

// o0: X -> T; o1: Y -> U (independent of o0); o2: T, U -> Z. In the given
// order T (2) waits while o1 holds Y + U = 8: at 8 bytes it is written out
// and read back (4); running o1 first needs no traffic at all.
OpGraph order_matters() {
  OpGraph g;
  g.name = "order-matters";
  const auto in = TensorRole::kInput, mid = TensorRole::kIntermediate, out = TensorRole::kOutput;
  g.tensors = {tensor("X", 2, in, -1, {0}), tensor("T", 2, mid, 0, {2}), tensor("Y", 4, in, -1, {1}),
               tensor("U", 4, mid, 1, {2}), tensor("Z", 2, out, 2, {})};
  g.ops = {{"o0", {0}, {1}}, {"o1", {2}, {3}}, {"o2", {1, 3}, {4}}};
  g.given_order = {0, 1, 2};
  return g;
}

CosmaResult solve(const OpGraph& g, int64_t budget, std::vector<int> fixed = {}) {
  CosmaOptions o;
  o.budget = budget;
  o.max_seconds = 30;
  o.fixed_order = std::move(fixed);
  return solve_cosma(g, o);
}

TEST(Cosma, BudgetsOfAHandWorkedGraph) {
  const OpGraph g = forced_spill();
  EXPECT_EQ(tightest_budget(g), 8);                 // o2: Y + U + W
  EXPECT_EQ(order_peak(g, g.given_order), 10);      // and T waiting
  const PeakOrder p = min_peak_order(g);
  EXPECT_TRUE(p.exact);
  EXPECT_EQ(p.peak, 10);
  EXPECT_EQ(g.compulsory_bytes(), 2 + 4 + 2);       // X and Y loaded, Z written
  EXPECT_EQ(named_budget(g, "mean", p), 9);
  const OpGraph h = order_matters();
  EXPECT_EQ(order_peak(h, h.given_order), 10);
  EXPECT_EQ(min_peak_order(h).peak, 8);             // o1 first
  EXPECT_EQ(min_peak_order(h).order, (std::vector<int>{1, 0, 2}));
}

TEST(Cosma, SpillsTheOneTensorThatMustLeave) {
  const OpGraph g = forced_spill();
  for (int64_t budget : {8, 9}) {
    const CosmaResult r = solve(g, budget);
    ASSERT_TRUE(r.found && r.optimal) << budget;
    EXPECT_EQ(r.traffic.spilled, 2) << budget;
    EXPECT_EQ(r.traffic.retrieved, 2) << budget;
    EXPECT_EQ(r.traffic.compulsory, 8);
    EXPECT_DOUBLE_EQ(r.lower_bound, 4);
    EXPECT_TRUE(check_schedule(g, r.schedule, budget).ok);
  }
  const CosmaResult roomy = solve(g, 10);
  ASSERT_TRUE(roomy.optimal);
  EXPECT_EQ(roomy.traffic.noncompulsory(), 0);
  EXPECT_TRUE(solve(g, 7).infeasible);  // o2 alone does not fit
}

TEST(Cosma, ChoosesTheOrderThatNeedsNoTraffic) {
  const OpGraph g = order_matters();
  const CosmaResult free = solve(g, 8);
  ASSERT_TRUE(free.optimal);
  EXPECT_EQ(free.traffic.noncompulsory(), 0);
  EXPECT_EQ(free.schedule.order, (std::vector<int>{1, 0, 2}));
  const CosmaResult given = solve(g, 8, g.given_order);  // COSMA's fixed-schedule mode
  ASSERT_TRUE(given.optimal);
  EXPECT_EQ(given.traffic.noncompulsory(), 4);
  // The arena with Belady in the given order evicts T (used last) the same way.
  const ArenaResult a = arena_belady(g, g.given_order, 8);
  ASSERT_TRUE(a.ok);
  const ScheduleCheck c = check_schedule(g, a.schedule, 8);
  ASSERT_TRUE(c.ok) << c.reason;
  EXPECT_EQ(c.traffic.noncompulsory(), 4);
  EXPECT_EQ(check_schedule(g, arena_belady(g, {1, 0, 2}, 8).schedule, 8).traffic.noncompulsory(), 0);
}

TEST(Cosma, CheckerRejectsBrokenSchedules) {
  const OpGraph g = order_matters();
  const MemorySchedule good = solve(g, 10).schedule;
  ASSERT_TRUE(check_schedule(g, good, 10).ok);
  EXPECT_FALSE(check_schedule(g, good, 7).ok);  // addresses past a smaller budget
  MemorySchedule s = good;
  std::swap(s.order[0], s.order[2]);  // the consumer first
  EXPECT_FALSE(check_schedule(g, s, 10).ok);
  s = good;
  for (Stay& y : s.stays) y.address = 0;  // everything on top of everything
  EXPECT_NE(check_schedule(g, s, 10).reason.find("overlap"), std::string::npos);
  s = good;
  s.spill_step[4] = -1;  // the output never written
  EXPECT_NE(check_schedule(g, s, 10).reason.find("never written"), std::string::npos);
  s = good;
  for (Stay& y : s.stays)
    if (y.tensor == 1) y.loaded = true;  // T read from DRAM that never held it
  EXPECT_FALSE(check_schedule(g, s, 10).ok);
  s = good;
  s.stays.erase(std::remove_if(s.stays.begin(), s.stays.end(), [](const Stay& y) { return y.tensor == 3; }), s.stays.end());
  EXPECT_FALSE(check_schedule(g, s, 10).ok);  // U never there
}

// A random DAG: each operator reads one or two earlier tensors or inputs.
OpGraph random_graph(std::mt19937& rng, int ops) {
  OpGraph g;
  g.name = "random";
  std::uniform_int_distribution<int> size(1, 6), pick(0, 99);
  for (int o = 0; o < ops; ++o) {
    Operator op{"o" + std::to_string(o), {}, {}};
    const int reads = 1 + pick(rng) % 2;
    for (int k = 0; k < reads; ++k) {
      int v = -1;
      if (!g.tensors.empty() && pick(rng) < 70) v = pick(rng) % static_cast<int>(g.tensors.size());
      if (v < 0) {
        v = static_cast<int>(g.tensors.size());
        g.tensors.push_back(tensor("in" + std::to_string(v), size(rng), TensorRole::kInput, -1, {}));
      }
      if (std::find(op.inputs.begin(), op.inputs.end(), v) == op.inputs.end()) op.inputs.push_back(v);
    }
    const int t = static_cast<int>(g.tensors.size());
    g.tensors.push_back(tensor("t" + std::to_string(o), size(rng), TensorRole::kIntermediate, o, {}));
    op.outputs.push_back(t);
    g.ops.push_back(op);
    g.given_order.push_back(o);
  }
  for (size_t o = 0; o < g.ops.size(); ++o)
    for (int v : g.ops[o].inputs) g.tensors[static_cast<size_t>(v)].consumers.push_back(static_cast<int>(o));
  for (OpTensor& v : g.tensors)
    if (v.producer >= 0 && v.consumers.empty()) v.role = TensorRole::kOutput;
  return g;
}

TEST(Cosma, NeverWorseThanTheBaselinesAndZeroAtTheMinimumPeak) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 12; ++trial) {
    const OpGraph g = random_graph(rng, 5 + trial % 3);
    const int64_t peak = min_peak_order(g).peak;
    for (int64_t budget : {tightest_budget(g), (tightest_budget(g) + peak) / 2, peak}) {
      CosmaOptions o;
      o.budget = budget;
      o.max_seconds = 30;
      const Comparison c = compare_schedules(g, o, min_peak_order(g));
      ASSERT_TRUE(c.cosma.found) << trial;
      EXPECT_TRUE(check_schedule(g, c.cosma.schedule, budget).ok) << trial;
      ASSERT_TRUE(c.given.ok && c.least_peak.ok);
      EXPECT_LE(c.cosma.traffic.noncompulsory(), c.given_traffic.noncompulsory()) << trial;
      EXPECT_LE(c.cosma.traffic.noncompulsory(), c.least_peak_traffic.noncompulsory()) << trial;
      EXPECT_LE(c.cosma.lower_bound, static_cast<double>(c.cosma.traffic.noncompulsory()) + 1e-9);
      EXPECT_EQ(c.cosma.traffic.compulsory, g.compulsory_bytes());
      if (budget == peak) {
        EXPECT_EQ(c.cosma.traffic.noncompulsory(), 0) << trial;
      }
    }
  }
}

// A cascade at operator granularity: each Einsum an operator, each tensor
// whole (bytes from its extents and datatype), inputs and outputs by kind.
TEST(Cosma, OperatorGraphOfACascade) {
  const workloads::Workload w = workloads::load_workload_text(R"(cascade:
  name: two-matmuls
  dtype: fp16
  ranks: {M: 8, K: 4, N: 2}
  inputs: {A: [M, K], B: [K, N], C: [N]}
  einsums:
    - T[m,n] = A[m,k] * B[k,n]
    - Z[m] = T[m,n] * C[n]
)", "two-matmuls.yaml");
  const OpGraph g = op_graph(w.variants.at(0).cascade);
  ASSERT_EQ(g.ops.size(), 2u);
  auto find = [&](const std::string& name) {
    for (const OpTensor& t : g.tensors)
      if (t.name == name) return t;
    ADD_FAILURE() << name;
    return OpTensor{};
  };
  EXPECT_EQ(find("A").bytes, 8 * 4 * 2);
  EXPECT_EQ(find("C").bytes, 2 * 2);
  EXPECT_EQ(find("T").role, TensorRole::kIntermediate);
  EXPECT_EQ(find("Z").role, TensorRole::kOutput);
  EXPECT_EQ(find("T").consumers, (std::vector<int>{1}));
  EXPECT_EQ(find("T").bytes, 8 * 2 * 2);
  EXPECT_EQ(tightest_budget(g), 8 * 4 * 2 + 4 * 2 * 2 + 8 * 2 * 2);  // A, B and T
}

// A decode step writes the KV cache in two parts (the cache's copy, the new
// token's append): one tensor, created by the first writer and completed by
// the second; whatever reads it runs after both, and every schedule (the
// least-peak order, the baselines, COSMA's) respects that.
TEST(Cosma, ATensorWrittenInPartsIsReadAfterItsLastWriter) {
  const workloads::Workload w = workloads::load_workload(
      std::string(EINFLOW_SOURCE_DIR) + "/configs/workloads/gpt2-small.yaml",
      {workloads::parse_override("instance.phase=decode"), workloads::parse_override("instance.scope=attention"),
       workloads::parse_override("instance.seq_len=16")});
  const OpGraph g = op_graph(w.select_variant("1pass", {}, "variant", "").cascade);
  const std::vector<std::vector<int>> before = g.predecessors();
  int completed = 0;
  for (const OpTensor& v : g.tensors) {
    if (v.updaters.empty()) continue;
    ++completed;
    for (int c : v.consumers) {
      if (std::find(v.updaters.begin(), v.updaters.end(), c) != v.updaters.end()) continue;
      for (int u : v.updaters)  // a reader after every updater
        EXPECT_NE(std::find(before[static_cast<size_t>(c)].begin(), before[static_cast<size_t>(c)].end(), u),
                  before[static_cast<size_t>(c)].end()) << v.name;
    }
  }
  EXPECT_GE(completed, 2);  // K and V
  CosmaOptions o;
  o.budget = tightest_budget(g);
  o.max_seconds = 30;
  const Comparison c = compare_schedules(g, o, min_peak_order(g));
  EXPECT_TRUE(c.given.ok) << c.given.reason;
  EXPECT_TRUE(c.least_peak.ok) << c.least_peak.reason;
  ASSERT_TRUE(c.cosma.found);
  const ScheduleCheck k = check_schedule(g, c.cosma.schedule, o.budget);
  EXPECT_TRUE(k.ok) << k.reason;
  EXPECT_LE(c.cosma.traffic.noncompulsory(), std::min(c.given_traffic.noncompulsory(), c.least_peak_traffic.noncompulsory()));
}

}  // namespace
}  // namespace einflow::cosma
