// The protocol state of one DRAM channel: which row each bank holds open and,
// for every command, the earliest cycle at which the standard allows it. The
// controller asks before it issues; tests check each constraint on both sides
// of its bound.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "arch/dram_standard.h"
#include "sim/cycle/dram/address.h"

namespace einflow::sim::dram {

enum class Command : uint8_t { kAct, kPre, kRd, kWr, kRda, kWra, kRef, kCount };
const char* command_name(Command c);
inline bool is_read(Command c) {
  return c == Command::kRd || c == Command::kRda;
}
inline bool is_write(Command c) {
  return c == Command::kWr || c == Command::kWra;
}
inline bool is_column(Command c) {
  return is_read(c) || is_write(c);
}

// What a timing constraint orders: the kind of command (an auto-precharge
// column command counts as its column command, then a PRE).
enum class Kind : uint8_t { kAct, kPre, kRd, kWr, kRef, kCount };
Kind command_kind(Command c);
// Which commands a constraint binds: the same bank, every bank of the same
// bank group, or every bank of the same rank.
enum class Scope : uint8_t { kBank, kGroup, kRank };

// One row of the timing table: after `from`, a `to` in `scope` waits the sum
// of `terms` (fields of the standard's timing). A new constraint is a new row
// of timing_constraints(); the four-ACT window and the data bus (rank
// switches, read-to-write turnaround) are rules of their own in ChannelTiming.
struct Constraint {
  const char* name;  // the standard's name for it, e.g. "tRCD_RD"
  Kind from;
  Kind to;
  Scope scope;
  std::vector<int arch::DramTiming::*> terms;
  uint64_t cycles(const arch::DramTiming& t) const;
};
const std::vector<Constraint>& timing_constraints();

class ChannelTiming {
 public:
  static constexpr uint64_t kForbidden = ~uint64_t{0};

  explicit ChannelTiming(const arch::DramStandard& s);

  // The earliest cycle at which `c` to `a` meets every timing constraint, or
  // kForbidden when the bank state rules it out (ACT to an open bank, a column
  // command to a closed bank or another row, PRE to a closed bank, REF while a
  // bank of the rank is open). REF uses only a.rank.
  uint64_t earliest(Command c, const Address& a) const;
  bool legal(Command c, const Address& a, uint64_t now) const { return earliest(c, a) <= now; }
  // Applies `c` at `now`; it must be legal.
  void issue(Command c, const Address& a, uint64_t now);

  // The open row of a's bank, or -1.
  int64_t open_row(const Address& a) const { return bank(a).open_row; }
  int64_t open_row(size_t bank_index) const { return m_banks[bank_index].open_row; }
  // Banks are numbered rank-major, then bank group, then bank.
  size_t bank_index(const Address& a) const {
    return (static_cast<size_t>(a.rank) * static_cast<size_t>(m_org.bankgroups) +
            static_cast<size_t>(a.bankgroup)) *
               static_cast<size_t>(m_org.banks_per_group) +
           static_cast<size_t>(a.bank);
  }
  // Calls f(address) for each bank of `rank` with a row open (address.row = that row).
  template <class F>
  void for_each_open_bank(int rank, F&& f) const {
    Address x;
    x.rank = rank;
    for (x.bankgroup = 0; x.bankgroup < m_org.bankgroups; ++x.bankgroup)
      for (x.bank = 0; x.bank < m_org.banks_per_group; ++x.bank) {
        x.row = m_banks[bank_index(x)].open_row;
        if (x.row >= 0) f(x);
      }
  }
  int open_banks(int rank) const { return m_ranks[static_cast<size_t>(rank)].open_banks; }
  // Cycles during which the rank had a row open, up to `now` (for standby energy).
  uint64_t active_cycles(int rank, uint64_t now) const;
  // When a column command issued at `now` delivers its last data beat.
  uint64_t read_done(uint64_t now) const { return now + static_cast<uint64_t>(m_t.cl + m_t.burst); }
  uint64_t write_done(uint64_t now) const {
    return now + static_cast<uint64_t>(m_t.cwl + m_t.burst);
  }
  const arch::DramTiming& timing() const { return m_t; }
  const arch::DramOrg& org() const { return m_org; }

 private:
  using Next = std::array<uint64_t, static_cast<size_t>(Kind::kCount)>;  // earliest cycle per kind
  struct Bank {
    int64_t open_row = -1;
    Next next{};
  };
  struct Group {
    Next next{};
  };
  struct Rank {
    Next next{};
    std::array<uint64_t, 4> faw{};  // the last four ACTs, oldest at faw_head
    int faw_count = 0;
    int faw_head = 0;
    int open_banks = 0;
    uint64_t active_since = 0;
    uint64_t active_total = 0;
  };
  // A constraint row resolved for this standard: its scope, what it binds, its cycles.
  struct Rule {
    Scope scope;
    Kind to;
    uint64_t cycles;
  };

  size_t group_index(const Address& a) const {
    return static_cast<size_t>(a.rank) * static_cast<size_t>(m_org.bankgroups) +
           static_cast<size_t>(a.bankgroup);
  }
  const Bank& bank(const Address& a) const { return m_banks[bank_index(a)]; }
  uint64_t bus_earliest(bool read, int rank) const;
  void close(Rank& r, Bank& b, uint64_t at);
  void open(Rank& r, Bank& b, int64_t row, uint64_t at);
  // Applies the rows that start at a command of kind `k` to `a`'s bank, group and rank.
  void apply_rules(Kind k, const Address& a, uint64_t now);
  uint64_t next(Kind k, const Address& a) const;

  arch::DramTiming m_t;
  arch::DramOrg m_org;
  std::array<std::vector<Rule>, static_cast<size_t>(Kind::kCount)> m_rules;  // by `from`
  std::vector<Bank> m_banks;
  std::vector<Group> m_groups;
  std::vector<Rank> m_ranks;
  // The data bus: free from bus_free on, last used by bus_rank in direction bus_read.
  uint64_t m_bus_free = 0;
  int m_bus_rank = -1;
  bool m_bus_read = true;
};

}  // namespace einflow::sim::dram
