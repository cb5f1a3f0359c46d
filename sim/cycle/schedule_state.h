// Internal to sim/cycle: the timing state of a nest's walk (nest_walker.h),
// the clocks of every level's links and ports and of the unit.
#pragma once

#include <cstdint>
#include <vector>

namespace einflow::sim::cycle::detail {

// The timing state of a walk: each level's link and the compute unit's
// clocks, and the waits charged so far. Fast-forward snapshots the clocks()
// and, once two iterations changed them alike, advances them over the
// skipped iterations (advance()).
struct ScheduleState {
  // `banks`: per level, its banks when they are timed (else 0); `ports`,
  // `write_ports`: per level, each bank's (read) ports and separate write ports.
  ScheduleState(int levels, const std::vector<int64_t>& banks, const std::vector<int64_t>& ports,
                const std::vector<int64_t>& write_ports)
      : port_free(levels, 0), evict_free(levels, 0), read_free(levels, 0), write_free(levels, 0),
        arrival_done(levels, 0), previous_done(levels, 0), before_previous_done(levels, 0), results_done(levels, 0),
        busy(levels, 0),
        stall(levels, 0), conflict(levels, 0), timing_extra(levels, 0), gate(levels, -1.0) {
    for (size_t l = 0; l < banks.size(); ++l) {
      const size_t n = static_cast<size_t>(banks[l]);
      bank_free.emplace_back(n, std::vector<double>(static_cast<size_t>(ports[l]), 0.0));
      bank_write_free.emplace_back(n, std::vector<double>(static_cast<size_t>(write_ports[l]), 0.0));
    }
  }

  // Per level.
  std::vector<double> port_free;     // its link is free again
  std::vector<double> evict_free;    // its write-back path (results going up) is free again
  // Its instances' ports, shared in time by everything that uses them: the
  // link from its parent, the links to its children, and the compute's operand
  // reads and result writes (the busiest instance's; instances run alike).
  std::vector<double> read_free, write_free;
  // Per level, bank and port: when the port is free again (with separate
  // write ports, bank_free is the read ports'), each bank's kept in order,
  // the first free first. Each port is a resource of its own: a transfer that
  // draws fewer words a cycle than the bank has ports holds only as many
  // ports as it needs, and the others serve whatever else uses the bank.
  std::vector<std::vector<std::vector<double>>> bank_free, bank_write_free;
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
    visit_clocks(*this, [&](double x) { c.push_back(x); });
    return c;
  }
  // Adds n times the per-iteration change from `from` to `to` (two clocks() snapshots).
  void advance(const std::vector<double>& from, const std::vector<double>& to, double n) {
    size_t i = 0;
    visit_clocks(*this, [&](double& x) {
      x += n * (to[i] - from[i]);
      ++i;
    });
  }

 private:
  template <class Self, class F>
  static void visit_clocks(Self& s, F f) {
    f(s.compute_free);
    f(s.last_issue);
    f(s.last_accessed);
    for (auto* b : {&s.bank_free, &s.bank_write_free})
      for (auto& v : *b)
        for (auto& ports : v)
          for (auto& x : ports) f(x);
    for (auto* v : {&s.port_free, &s.evict_free, &s.read_free, &s.write_free, &s.arrival_done,
                    &s.previous_done, &s.before_previous_done, &s.results_done, &s.busy, &s.stall})
      for (auto& x : *v) f(x);
    f(s.dram_free);
    f(s.pipe_stall);
    for (auto& x : s.recent_issue) f(x);
    f(s.port_stall);
    for (auto& x : s.conflict) f(x);
  }
};

}  // namespace einflow::sim::cycle::detail
