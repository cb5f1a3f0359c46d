// The schedule of a fusion group's tile executions, which both models follow:
// the program order of the executions (ExecutionPlan), the dependencies
// between them (Dependencies: data, a tile's own order, double buffering),
// and, for the analytical model, the makespan of that schedule on the group's
// units (schedule_makespan). The cycle model adds its DRAM transfers and times
// every tile itself (sim/cycle/cascade_sim.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "mappers/mapping/cascade_mapping.h"
#include "workloads/cascade.h"

namespace einflow::sim::analytical {

// Which shared-loop iterations run tile k: the loops down to its innermost
// one over a rank it iterates run it every time; inside those, it runs once,
// at the first iteration when an Einsum inside them reads what it writes
// (RD[0] = 0 before the loop over M1), or when such an Einsum at its own
// depth reads it (FusionGroup::runs_first), else at the last (AV after it).
struct RunsAt {
  int innermost = -1;
  bool first = false;
};

class ExecutionPlan {
 public:
  ExecutionPlan(const workloads::Cascade& c, const mapping::FusionGroup& g);
  const std::vector<RunsAt>& at() const { return m_at; }
  // Whether tile k runs at shared iteration `it` of loops with `factors`.
  bool runs(int k, const std::vector<int64_t>& it, const std::vector<int64_t>& factors) const;
  // Calls f(k, it) for every execution in program order; `factors` replace
  // the shared loops' (empty: the group's own).
  void for_each(const std::function<void(int, const std::vector<int64_t>&)>& f,
                std::vector<int64_t> factors = {}) const;

 private:
  const mapping::FusionGroup& m_group;
  std::vector<RunsAt> m_at;
};

// Why an execution waits for another.
enum class Dep : uint8_t { kNone, kOrder, kData, kDram, kBuffer };

// The dependencies of each execution on earlier ones, in program order: its
// tile's previous execution (order), the last execution of each tile that
// wrote what it reads (data), and, for its output, the readers of the value
// two generations back (double buffering: a tensor has two buffers).
class Dependencies {
 public:
  Dependencies(const workloads::Cascade& c, const mapping::FusionGroup& g);
  // Task `x`, an execution of tile k: calls edge(from, why) for each task it
  // waits for, then records it. `previous` (>= 0): also the task before it in
  // program order (an unpipelined group runs one execution at a time).
  void execution(int x, int k, const std::function<void(int, Dep)>& edge, int previous = -1);
  // Tile k's executions so far (their tasks).
  const std::vector<int>& history(int k) const { return m_history[static_cast<size_t>(k)]; }

 private:
  const workloads::Cascade& m_cascade;
  const mapping::FusionGroup& m_group;
  std::vector<std::vector<int>> m_history;
  std::vector<std::vector<int>> m_reads;  // per tile: the tensors its Einsum reads
  std::vector<std::map<int, int>> m_last_writer;  // per tensor: tile -> its last task
  std::vector<int64_t> m_generation;
  std::vector<std::map<int64_t, std::vector<int>>> m_readers;  // per tensor: generation -> tasks
};

// When the group's last execution ends, each execution of tile k taking
// durations[k] cycles on resource resource_of[k], scheduled as the cycle
// model does (list scheduling in program order with the dependencies above,
// units overlapping as they allow). Exact for up to `exact_limit` executions;
// beyond, the schedule of a few iterations of the two innermost shared loops
// is extended linearly in each (its steady state), provided every tile runs
// inside them.
// `exact_limit`: the most executions scheduled exactly (tests lower it).
double schedule_makespan(const workloads::Cascade& c, const mapping::FusionGroup& g,
                         const std::vector<double>& durations, const std::vector<int>& resource_of,
                         int64_t exact_limit = 1024);

}  // namespace einflow::sim::analytical
