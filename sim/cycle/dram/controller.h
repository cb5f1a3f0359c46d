// A command-level DRAM controller for one channel: a request queue scheduled
// FR-FCFS (ready row hits first, then the oldest request's ACT or PRE), open-
// or closed-page policy (closed: auto-precharge when no queued request wants
// the row), all-bank refresh every tREFI per rank, one command per cycle. It is
// a Component of the cycle engine; requests complete through a callback.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "arch/dram_standard.h"
#include "sim/cycle/dram/address.h"
#include "sim/cycle/dram/timing.h"
#include "sim/cycle/engine.h"

namespace einflow::sim::dram {

enum class PagePolicy { kOpen, kClosed };

struct ControllerConfig {
  PagePolicy policy = PagePolicy::kOpen;
  int queue_depth = 32;  // requests the channel holds
  bool refresh = true;
};

struct Completion {
  uint64_t id = 0;
  uint64_t cycle = 0;  // the last data beat
  bool write = false;
};

struct CommandRecord {
  uint64_t cycle = 0;
  Command command = Command::kAct;
  Address address;
};

// Energy by cause, pJ.
struct DramEnergy {
  double activate = 0;  // ACT + its PRE
  double read = 0;
  double write = 0;
  double refresh = 0;
  double background = 0;  // standby, rows open or all closed
  double total() const { return activate + read + write + refresh + background; }
  DramEnergy& operator+=(const DramEnergy& o);
};

struct ChannelStats {
  std::array<uint64_t, static_cast<size_t>(Command::kCount)> commands{};
  uint64_t reads = 0;
  uint64_t writes = 0;
  uint64_t row_hits = 0;                    // column commands that needed no ACT of their own
  uint64_t read_latency_sum = 0;            // cycles, arrival to last data beat
  std::vector<uint64_t> read_latency_hist;  // count per latency in cycles
  uint64_t count(Command c) const { return commands[static_cast<size_t>(c)]; }
  // Column commands that found their row open, of all column commands.
  double row_hit_rate() const {
    const uint64_t accesses = reads + writes;
    return accesses ? static_cast<double>(row_hits) / static_cast<double>(accesses) : 0.0;
  }
  ChannelStats& operator+=(const ChannelStats& o);
};

class ChannelController : public Component {
 public:
  using DoneFn = std::function<void(const Completion&)>;

  ChannelController(const arch::DramStandard& s, const ControllerConfig& cfg, DoneFn done);

  bool can_accept() const { return m_queue.size() < static_cast<size_t>(m_cfg.queue_depth); }
  // A request arriving at cycle `now` (a.channel is this channel).
  void enqueue(uint64_t id, const Address& a, bool write, uint64_t now);

  void tick(uint64_t now) override;
  uint64_t next_busy_cycle(uint64_t now) const override;

  bool idle() const { return m_queue.empty() && m_done.empty(); }
  const ChannelStats& stats() const { return m_stats; }
  // Energy of the commands so far plus standby up to `end`.
  DramEnergy energy(uint64_t end) const;
  const ChannelTiming& timing() const { return m_timing; }
  // Appends every command issued from now on to `log` (nullptr stops).
  void record_commands(std::vector<CommandRecord>* log) { m_log = log; }

 private:
  struct Entry {
    uint64_t id;
    Address addr;
    bool write;
    uint64_t arrival;
    uint32_t bank;   // ChannelTiming::bank_index
    bool activated;  // an ACT was issued for it
  };
  struct Pick {
    bool found = false;
    Command command = Command::kAct;
    Address addr;
    int entry = -1;              // queue index, -1 for refresh work
    uint64_t earliest = kNever;  // of every candidate, picked or not
  };
  Pick pick(uint64_t now) const;
  void issue(Command c, const Address& a, uint64_t now);
  void catch_up_refresh(uint64_t now);

  arch::DramStandard m_std;
  ControllerConfig m_cfg;
  DoneFn m_done_fn;
  ChannelTiming m_timing;
  std::vector<Entry> m_queue;           // arrival order
  std::vector<uint64_t> m_refresh_due;  // per rank
  using Pending = std::pair<uint64_t, Completion>;
  struct Later {
    bool operator()(const Pending& a, const Pending& b) const { return a.first > b.first; }
  };
  std::priority_queue<Pending, std::vector<Pending>, Later> m_done;
  ChannelStats m_stats;
  std::vector<CommandRecord>* m_log = nullptr;
  mutable uint64_t m_cached_next = 0;
  mutable bool m_dirty = true;
  // scratch for pick(), per bank
  mutable std::vector<uint8_t> m_seen;
  mutable std::vector<uint16_t> m_hits;
};

}  // namespace einflow::sim::dram
