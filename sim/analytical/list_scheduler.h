// A list scheduler: tasks on resources, each resource running one task at a
// time, its lowest-numbered ready task first (the program order). A task is
// ready when every predecessor has released it: a `finish` edge releases its
// successor when the predecessor ends; a `stream` edge when the predecessor
// starts (a transfer and the computation it feeds overlap: the computation
// starts with it and ends no earlier). Time is in cycles, continuous.
// Both models schedule a group's executions with it (group_schedule.h); the
// cascade cycle model (cascade_sim.cpp) adds the DRAM transfers, and hooks let
// it time a task when it starts and attribute the waits.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace einflow::sim {

class ListScheduler {
 public:
  struct Edge {
    int to = 0;
    uint8_t why = 0;  // the caller's label of the dependency
    bool stream = false;
  };
  struct Task {
    int resource = 0;
    double duration = 0;
    std::vector<Edge> succ;
    // Set by run():
    int pending = 0;      // predecessors that have not released it yet
    double ready = 0;     // when the last of them released it
    uint8_t why = 0;      // that edge's label
    int from = -1;        // that predecessor (-1: none)
    double min_end = 0;   // it ends no earlier than the tasks streaming into it
    double start = 0, end = 0;
  };
  struct Hooks {
    // When a task starts: its duration, if the caller times it then (e.g. a
    // DRAM transfer through the DRAM's timing); else the task's own.
    std::function<double(int task, double now)> duration;
    // After a task started; `idle_since`: when its resource's previous task
    // ended (-1 when none has).
    std::function<void(int task, double idle_since)> started;
  };

  explicit ListScheduler(int resources) : m_resources(resources) {}

  // Adds a task; returns its number (the priority: lower first).
  int add(int resource, double duration);
  // `to` depends on `from`; nothing when from < 0 or from == to.
  void depend(int from, int to, uint8_t why, bool stream = false);

  // Runs every task; returns when the last one ends. InternalError on a dependency cycle.
  double run(const Hooks& hooks = {});

  const Task& task(int i) const { return m_tasks[static_cast<size_t>(i)]; }
  Task& task(int i) { return m_tasks[static_cast<size_t>(i)]; }
  int size() const { return static_cast<int>(m_tasks.size()); }
  // The time resource r was busy (the sum of its tasks' durations), after run().
  double work(int r) const { return m_work[static_cast<size_t>(r)]; }

 private:
  void release(int task, const Edge& e, double at);
  void start(int task, double now, const Hooks& hooks);

  int m_resources;
  std::vector<Task> m_tasks;
  std::vector<double> m_work;
  // run()'s state: finish events (time, task), each resource's ready tasks,
  // whether it is busy and when its last task ended.
  struct Running;
  Running* m_run = nullptr;
};

}  // namespace einflow::sim
