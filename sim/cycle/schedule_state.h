// Internal to sim/cycle: the timing state of a nest's walk (nest_walker.h),
// the clocks of every level's links and ports and of the unit.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace einflow::sim::cycle::detail {

// A port of n servers, each `rate` words a cycle: when each is free again,
// the first free first. A port of B words a cycle is min(8, ceil(B)) servers
// of B / n each (a bank's port: one server of a word a cycle), so that a
// transfer drawing fewer words a cycle than the port serves holds only as
// many servers as it needs and the others serve whatever else uses the port.
struct Servers {
  std::vector<double> free;
  double rate = 1;
  static Servers of(double words_per_cycle) {
    Servers s;
    if (words_per_cycle <= 0) return s;  // unlimited: not timed
    const double n = std::min(8.0, std::ceil(words_per_cycle));
    s.free.assign(static_cast<size_t>(n), 0.0);
    s.rate = words_per_cycle / n;
    return s;
  }
  // A bank's n ports, each a server of a word a cycle.
  static Servers ports(int64_t n) {
    Servers s;
    s.free.assign(static_cast<size_t>(std::max<int64_t>(0, n)), 0.0);
    return s;
  }
};

// The shape of a level's ports: its read and write ports; its banks when
// they are timed (else 0), each with `bank_ports` (read) ports and
// `bank_write_ports` separate write ports.
struct PortShape {
  double read_bandwidth = 0, write_bandwidth = 0;
  int64_t banks = 0, bank_ports = 0, bank_write_ports = 0;
};

// The timing state of a walk: each level's link and the compute unit's
// clocks, and the waits charged so far. Fast-forward snapshots the clocks()
// and, once two iterations changed them alike, advances them over the
// skipped iterations (advance()).
struct ScheduleState {
  explicit ScheduleState(const std::vector<PortShape>& shape)
      : port_free(shape.size(), 0), evict_free(shape.size(), 0),
        arrival_done(shape.size(), 0), previous_done(shape.size(), 0), before_previous_done(shape.size(), 0),
        results_done(shape.size(), 0), busy(shape.size(), 0), stall(shape.size(), 0), conflict(shape.size(), 0),
        timing_extra(shape.size(), 0), gate(shape.size(), -1.0) {
    for (const PortShape& l : shape) {
      read_free.push_back(Servers::of(l.read_bandwidth));
      write_free.push_back(Servers::of(l.write_bandwidth));
      const size_t n = static_cast<size_t>(l.banks);
      bank_free.emplace_back(n, Servers::ports(l.bank_ports));
      bank_write_free.emplace_back(n, Servers::ports(l.bank_write_ports));
    }
  }

  // Per level.
  std::vector<double> port_free;     // its link is free again
  std::vector<double> evict_free;    // its write-back path (results going up) is free again
  // Its instances' read and write ports, shared in time by everything that
  // uses them: the link from its parent, the links to its children, and the
  // compute's operand reads and result writes (the busiest instance's;
  // instances run alike).
  std::vector<Servers> read_free, write_free;
  // Per level and bank: its ports (with separate write ports, bank_free is
  // the read ports'), each bank a resource of its own and each of its ports
  // a server of a word a cycle.
  std::vector<std::vector<Servers>> bank_free, bank_write_free;
  std::vector<double> arrival_done;  // its latest tile has arrived
  // When the compute unit finished with the level's previous tile and with
  // the one before (a double-buffered level may refill its other half after the latter).
  std::vector<double> previous_done, before_previous_done;
  std::vector<double> results_done;  // the previous tile's last result has left the unit's pipeline
  std::vector<double> busy;          // link cycles
  std::vector<double> stall;         // compute idle waiting for this level's tile
  std::vector<double> conflict;      // link cycles added by bank conflicts
  std::vector<double> timing_extra;  // with a root link: the DRAM timing's excess in its latest transfer
  std::vector<double> gate;          // when its latest link started for want of its parent's tile (-1: not so)
  double compute_free = 0;           // the unit may issue its next step
  double last_issue = 0;             // when the last step issued
  // When the last step's operand reads and result writes were served (its
  // issue plus its port time): its results are not out before.
  double last_accessed = 0;
  double dram_free = 0;              // the DRAM's one port, shared by every level's link to it
  double pipe_stall = 0;             // compute waiting on its own pipeline
  double port_stall = 0;             // compute waiting for a buffer port (links or its own operand reads)
  double dram_timing_stall = 0;      // compute waiting on what the DRAM's timing added
  double timing_total = 0;           // what the DRAM's timing added over its peak, in all
  int64_t steps = 0;                 // compute steps run
  // The output words the last steps updated (the first instance's, newest
  // first) and when they issued; as many as the accumulating op's latency spans.
  std::vector<int64_t> recent_word;
  std::vector<double> recent_issue;

  // The clocks fast-forward extrapolates, in a fixed order.
  std::vector<double> clocks() const {
    std::vector<double> c;
    visit_clocks(*this, [&](double x, int) { c.push_back(x); });
    return c;
  }
  // Per clock: the port whose server it is (0: none). A port's servers stay
  // in order under advance() only if they all changed alike.
  std::vector<int> clock_groups() const {
    std::vector<int> g;
    visit_clocks(*this, [&](double, int group) { g.push_back(group); });
    return g;
  }
  // Adds n times the per-iteration change from `from` to `to` (two clocks() snapshots).
  void advance(const std::vector<double>& from, const std::vector<double>& to, double n) {
    size_t i = 0;
    visit_clocks(*this, [&](double& x, int) {
      x += n * (to[i] - from[i]);
      ++i;
    });
  }

 private:
  template <class Self, class F>
  static void visit_clocks(Self& s, F f) {
    f(s.compute_free, 0);
    f(s.last_issue, 0);
    f(s.last_accessed, 0);
    int group = 0;
    auto servers = [&](auto& port) {
      ++group;
      for (auto& x : port.free) f(x, group);
    };
    for (auto* b : {&s.bank_free, &s.bank_write_free})
      for (auto& v : *b)
        for (auto& port : v) servers(port);
    for (auto* v : {&s.read_free, &s.write_free})
      for (auto& port : *v) servers(port);
    for (auto* v : {&s.port_free, &s.evict_free, &s.arrival_done,
                    &s.previous_done, &s.before_previous_done, &s.results_done, &s.busy, &s.stall})
      for (auto& x : *v) f(x, 0);
    f(s.dram_free, 0);
    f(s.pipe_stall, 0);
    for (auto& x : s.recent_issue) f(x, 0);
    f(s.port_stall, 0);
    for (auto& x : s.conflict) f(x, 0);
  }
};

}  // namespace einflow::sim::cycle::detail
