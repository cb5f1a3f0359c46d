#include "sim/analytical/list_scheduler.h"

#include <algorithm>
#include <queue>

#include "common/error.h"

namespace einflow::sim {

struct ListScheduler::Running {
  using Event = std::pair<double, int>;  // finish time, task
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
  std::vector<std::priority_queue<int, std::vector<int>, std::greater<int>>> ready;
  std::vector<bool> busy;
  std::vector<double> last_end;
};

int ListScheduler::add(int resource, double duration) {
  Task t;
  t.resource = resource;
  t.duration = duration;
  m_tasks.push_back(t);
  return static_cast<int>(m_tasks.size()) - 1;
}

void ListScheduler::depend(int from, int to, uint8_t why, bool stream) {
  if (from < 0 || from == to) return;
  m_tasks[static_cast<size_t>(from)].succ.push_back({to, why, stream});
  ++m_tasks[static_cast<size_t>(to)].pending;
}

// Task `from` releases its successor along e at time `at`.
void ListScheduler::release(int from, const Edge& e, double at) {
  Task& u = m_tasks[static_cast<size_t>(e.to)];
  if (at >= u.ready) {
    u.ready = at;
    u.why = e.why;
    u.from = from;
  }
  if (--u.pending == 0) m_run->ready[static_cast<size_t>(u.resource)].push(e.to);
}

void ListScheduler::start(int x, double now, const Hooks& hooks) {
  Task& t = m_tasks[static_cast<size_t>(x)];
  const size_t r = static_cast<size_t>(t.resource);
  t.start = now;
  if (hooks.duration) t.duration = hooks.duration(x, now);
  t.end = std::max(now + t.duration, t.min_end);
  m_run->busy[r] = true;
  m_work[r] += t.duration;
  m_run->events.push({t.end, x});
  if (hooks.started) hooks.started(x, m_run->last_end[r]);
  for (const Edge& e : t.succ)
    if (e.stream) {
      Task& u = m_tasks[static_cast<size_t>(e.to)];
      u.min_end = std::max(u.min_end, t.end);
      release(x, e, now);
    }
}

double ListScheduler::run(const Hooks& hooks) {
  Running state;
  m_run = &state;
  const size_t n = static_cast<size_t>(m_resources);
  state.ready.assign(n, {});
  state.busy.assign(n, false);
  state.last_end.assign(n, -1);
  m_work.assign(n, 0);
  for (size_t i = 0; i < m_tasks.size(); ++i)
    if (m_tasks[i].pending == 0) state.ready[static_cast<size_t>(m_tasks[i].resource)].push(static_cast<int>(i));
  double now = 0, end = 0;
  for (;;) {
    // Dispatch until nothing more can start now (a task that starts may
    // release a streamed one).
    for (bool more = true; more;) {
      more = false;
      for (size_t r = 0; r < n; ++r) {
        if (state.busy[r] || state.ready[r].empty()) continue;
        more = true;
        const int x = state.ready[r].top();
        state.ready[r].pop();
        start(x, now, hooks);
      }
    }
    if (state.events.empty()) break;
    now = state.events.top().first;
    while (!state.events.empty() && state.events.top().first == now) {
      const int x = state.events.top().second;
      state.events.pop();
      const Task& t = m_tasks[static_cast<size_t>(x)];
      state.busy[static_cast<size_t>(t.resource)] = false;
      state.last_end[static_cast<size_t>(t.resource)] = t.end;
      end = std::max(end, t.end);
      for (const Edge& e : t.succ)
        if (!e.stream) release(x, e, t.end);
    }
  }
  m_run = nullptr;
  for (const Task& t : m_tasks)
    EINFLOW_ASSERT(t.pending == 0, "list scheduler: a dependency cycle among the tasks");
  return end;
}

}  // namespace einflow::sim
