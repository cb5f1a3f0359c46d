// Whole-cascade memory scheduling at operator granularity (COSMA: Li, Gupta,
// Malik, arXiv 2311.18246): the order of the operators, the scratchpad
// address of every tensor while it stays, and which tensors are written out
// and read back, chosen together by an integer linear program that minimizes
// the off-chip traffic beyond the compulsory; and the baselines it is
// measured against (a linear arena allocator with Belady replacement, in a
// given order and in the minimum-peak-footprint order). See mappers/README.md
// "Memory scheduling (COSMA)". No solver header here: the ILP is in cosma_ilp.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace einflow::workloads {
class Cascade;
}

namespace einflow::cosma {

enum class TensorRole : uint8_t { kInput, kIntermediate, kOutput };

// A tensor whole. Inputs start in DRAM (their first load is compulsory);
// outputs must be written to DRAM once (compulsory); intermediates need no
// DRAM traffic at all.
struct OpTensor {
  std::string name;
  int64_t bytes = 0;
  TensorRole role = TensorRole::kIntermediate;
  int producer = -1;           // operator index; -1 for inputs
  std::vector<int> consumers;  // operator indices, ascending (updaters included)
  // Operators that complete it in place after its producer (a tensor several
  // Einsums write in parts), in order; each needs it resident, and it is
  // written to DRAM only after the last.
  std::vector<int> updaters;
};

struct Operator {
  std::string name;
  std::vector<int> inputs, outputs;  // tensor indices
};

// A cascade at operator granularity: each operator one Einsum (the Einsums of
// a recurrence together: they run as one loop), each tensor whole. A tensor
// several operators write (in disjoint parts) is one tensor, created by the
// first and completed in place by the others.
struct OpGraph {
  std::string name;
  std::vector<Operator> ops;
  std::vector<OpTensor> tensors;
  std::vector<int> given_order;  // the cascade's execution order (operator indices)

  int64_t compulsory_bytes() const;  // every input loaded once, every output written once
  // Per operator, those that must run before it: its inputs' producers, and
  // for a tensor with updaters, every updater before its readers and each
  // updater after the earlier ones.
  std::vector<std::vector<int>> predecessors() const;
  int64_t op_bytes(int op) const;    // its inputs plus its outputs
};

OpGraph op_graph(const workloads::Cascade& c);

// One stay of a tensor in the scratchpad: resident during steps first..last
// (inclusive, 0-based) at one address. A stay starts with the tensor's
// creation (its producer runs at `first`) or with a load from DRAM before
// step `first`.
struct Stay {
  int tensor = -1;
  int first = 0, last = 0;
  int64_t address = 0;
  bool loaded = false;
};

struct MemorySchedule {
  std::vector<int> order;       // the operator run at each step
  std::vector<Stay> stays;
  std::vector<int> spill_step;  // per tensor: the step during which it is written to DRAM (resident then); -1: never
};

struct Traffic {
  int64_t compulsory = 0;  // first loads of inputs, the one write of each output
  int64_t spilled = 0;     // writes of intermediates
  int64_t retrieved = 0;   // every other load
  int64_t noncompulsory() const { return spilled + retrieved; }
};

// The independent checker: replays the schedule step by step (a permutation
// respecting dependencies, inputs resident when their consumer runs, outputs
// created at their producer's step, loads only of what DRAM holds, a tensor
// written at most once, outputs written, every address inside the budget,
// stays at the same step never overlapping) and counts the traffic.
struct ScheduleCheck {
  bool ok = false;
  std::string reason;  // the first violation
  Traffic traffic;
  int64_t peak_bytes = 0;  // the most bytes resident at one step
};
ScheduleCheck check_schedule(const OpGraph& g, const MemorySchedule& s, int64_t budget);

// COSMA's budgets. The tightest any schedule fits in: the largest operator's
// inputs plus outputs.
int64_t tightest_budget(const OpGraph& g);

// The bytes resident at each step of `order` with no traffic beyond the
// compulsory (a tensor stays from its creation or first use to its last use;
// an output without consumers only during its producer's step), and their peak.
int64_t order_peak(const OpGraph& g, const std::vector<int>& order);

// The order of least peak footprint, by dynamic programming over the sets of
// operators already run (downsets of the dependency graph). Exact unless the
// downsets exceed `max_states`; then the best of the given order and a
// greedy order, and `exact` is false.
struct PeakOrder {
  std::vector<int> order;
  int64_t peak = 0;
  bool exact = false;
  int64_t states = 0;
};
PeakOrder min_peak_order(const OpGraph& g, int64_t max_states = 1'000'000);

// The baseline: a linear arena (each tensor placed at the lowest address of
// the smallest free gap that holds it, TensorFlow Lite's simple arena) with
// Belady replacement (when nothing fits, evict the resident tensor not used
// by this step whose next use is farthest, writing it out first when DRAM has
// no copy). `ok` is false, with the reason, when the budget is below
// tightest_budget or fragmentation leaves no gap around a tensor waiting for
// its updater (compare_schedules also rejects a schedule the checker does).
struct ArenaResult {
  bool ok = false;
  std::string reason;
  MemorySchedule schedule;
};
ArenaResult arena_belady(const OpGraph& g, const std::vector<int>& order, int64_t budget);

struct CosmaOptions {
  int64_t budget = 0;                // scratchpad bytes
  double max_seconds = 60;           // the solver's time limit; 0: none
  std::vector<int> fixed_order;      // empty: the order is chosen too
  std::vector<std::vector<int>> hint_orders;  // free order: orders whose fixed-order optima start the search
  std::vector<MemorySchedule> starts;  // feasible schedules offered to the solver as incumbents
};

struct CosmaResult {
  bool found = false;        // a schedule (optimal or the incumbent at the time limit)
  bool optimal = false;      // proven optimal
  bool infeasible = false;   // proven to have no schedule
  bool time_limit = false;   // stopped by max_seconds
  MemorySchedule schedule;
  Traffic traffic;           // of `schedule`, by check_schedule
  double lower_bound = 0;    // the solver's bound on non-compulsory bytes
  double seconds = 0;
  int64_t columns = 0, rows = 0, integers = 0;
};
CosmaResult solve_cosma(const OpGraph& g, const CosmaOptions& opts);

// The budget a name stands for: "tightest", "min-peak", "mean" (of the two),
// given the graph's least-peak order; anything else is not a budget name (-1).
int64_t named_budget(const OpGraph& g, const std::string& name, const PeakOrder& peak);

// Everything `einflow map` and a sweep report for one budget: the budgets
// COSMA defines, the two baselines (the given order, the minimum-peak order)
// and COSMA's own schedule (offered both baselines as starting incumbents).
struct Comparison {
  int64_t budget = 0, tightest = 0;
  PeakOrder peak_order;             // its peak is the min-peak budget
  ArenaResult given, least_peak;   // the baselines
  Traffic given_traffic, least_peak_traffic;
  CosmaResult cosma;
};
Comparison compare_schedules(const OpGraph& g, const CosmaOptions& opts, PeakOrder peak);

// The figures of a comparison by name (bytes and seconds), for JSON and sweep records.
std::vector<std::pair<std::string, double>> comparison_figures(const OpGraph& g, const Comparison& c);

// The schedule as YAML: the order, each tensor's stays (steps, address,
// created or loaded) and the step it is written to DRAM.
std::string write_memory_schedule(const OpGraph& g, const MemorySchedule& s, int64_t budget);

}  // namespace einflow::cosma
