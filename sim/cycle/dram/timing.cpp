#include "sim/cycle/dram/timing.h"

#include <algorithm>

#include "common/error.h"

namespace einflow::sim::dram {

const char* command_name(Command c) {
  switch (c) {
    case Command::kAct:
      return "ACT";
    case Command::kPre:
      return "PRE";
    case Command::kRd:
      return "RD";
    case Command::kWr:
      return "WR";
    case Command::kRda:
      return "RDA";
    case Command::kWra:
      return "WRA";
    case Command::kRef:
      return "REF";
    case Command::kCount:
      break;
  }
  return "?";
}

Kind command_kind(Command c) {
  switch (c) {
    case Command::kAct:
      return Kind::kAct;
    case Command::kPre:
      return Kind::kPre;
    case Command::kRd:
    case Command::kRda:
      return Kind::kRd;
    case Command::kWr:
    case Command::kWra:
      return Kind::kWr;
    case Command::kRef:
    case Command::kCount:
      break;
  }
  return Kind::kRef;
}

uint64_t Constraint::cycles(const arch::DramTiming& t) const {
  uint64_t sum = 0;
  for (int arch::DramTiming::*term : terms) sum += static_cast<uint64_t>(t.*term);
  return sum;
}

const std::vector<Constraint>& timing_constraints() {
  using T = arch::DramTiming;
  using K = Kind;
  using S = Scope;
  static const std::vector<Constraint> rows = {
      {"tRCD_RD", K::kAct, K::kRd, S::kBank, {&T::trcd_rd}},
      {"tRCD_WR", K::kAct, K::kWr, S::kBank, {&T::trcd_wr}},
      {"tRAS", K::kAct, K::kPre, S::kBank, {&T::tras}},
      {"tRC", K::kAct, K::kAct, S::kBank, {&T::trc}},
      {"tRRD_L", K::kAct, K::kAct, S::kGroup, {&T::trrd_l}},
      {"tRRD_S", K::kAct, K::kAct, S::kRank, {&T::trrd_s}},
      {"tRP", K::kPre, K::kAct, S::kBank, {&T::trp}},
      {"tRP (to REF)", K::kPre, K::kRef, S::kRank, {&T::trp}},
      {"tRTP", K::kRd, K::kPre, S::kBank, {&T::trtp}},
      {"tCCD_L (RD to RD)", K::kRd, K::kRd, S::kGroup, {&T::tccd_l}},
      {"tCCD_L (RD to WR)", K::kRd, K::kWr, S::kGroup, {&T::tccd_l}},
      {"tCCD_S (RD to RD)", K::kRd, K::kRd, S::kRank, {&T::tccd_s}},
      {"tCCD_S (RD to WR)", K::kRd, K::kWr, S::kRank, {&T::tccd_s}},
      {"tWR", K::kWr, K::kPre, S::kBank, {&T::cwl, &T::burst, &T::twr}},
      {"tCCD_L (WR to WR)", K::kWr, K::kWr, S::kGroup, {&T::tccd_l}},
      {"tCCD_S (WR to WR)", K::kWr, K::kWr, S::kRank, {&T::tccd_s}},
      {"tWTR_L", K::kWr, K::kRd, S::kGroup, {&T::cwl, &T::burst, &T::twtr_l}},
      {"tWTR_S", K::kWr, K::kRd, S::kRank, {&T::cwl, &T::burst, &T::twtr_s}},
      {"tRFC (to ACT)", K::kRef, K::kAct, S::kRank, {&T::trfc}},
      {"tRFC (to REF)", K::kRef, K::kRef, S::kRank, {&T::trfc}},
  };
  return rows;
}

ChannelTiming::ChannelTiming(const arch::DramStandard& s)
    : m_t(s.timing),
      m_org(s.org),
      m_banks(static_cast<size_t>(s.org.banks())),
      m_groups(static_cast<size_t>(s.org.ranks * s.org.bankgroups)),
      m_ranks(static_cast<size_t>(s.org.ranks)) {
  for (const Constraint& c : timing_constraints())
    m_rules[static_cast<size_t>(c.from)].push_back(Rule{c.scope, c.to, c.cycles(m_t)});
}

uint64_t ChannelTiming::bus_earliest(bool read, int rank) const {
  if (m_bus_rank < 0) return 0;
  uint64_t gap = 0;
  if (rank != m_bus_rank) gap += static_cast<uint64_t>(m_t.trtrs);
  if (m_bus_read && !read) gap += 2;  // read-to-write turnaround (JEDEC tRTW = CL + BL/2 + 2 - CWL)
  const uint64_t data_start = m_bus_free + gap;
  const uint64_t latency = static_cast<uint64_t>(read ? m_t.cl : m_t.cwl);
  return data_start > latency ? data_start - latency : 0;
}

uint64_t ChannelTiming::next(Kind k, const Address& a) const {
  const size_t i = static_cast<size_t>(k);
  return std::max({bank(a).next[i], m_groups[group_index(a)].next[i],
                   m_ranks[static_cast<size_t>(a.rank)].next[i]});
}

uint64_t ChannelTiming::earliest(Command c, const Address& a) const {
  const Bank& b = bank(a);
  const Rank& r = m_ranks[static_cast<size_t>(a.rank)];
  switch (command_kind(c)) {
    case Kind::kAct: {
      if (b.open_row >= 0) return kForbidden;
      uint64_t t = next(Kind::kAct, a);
      if (r.faw_count == 4)
        t = std::max(t, r.faw[static_cast<size_t>(r.faw_head)] + static_cast<uint64_t>(m_t.tfaw));
      return t;
    }
    case Kind::kPre:
      return b.open_row < 0 ? kForbidden : next(Kind::kPre, a);
    case Kind::kRd:
      if (b.open_row != a.row) return kForbidden;
      return std::max(next(Kind::kRd, a), bus_earliest(true, a.rank));
    case Kind::kWr:
      if (b.open_row != a.row) return kForbidden;
      return std::max(next(Kind::kWr, a), bus_earliest(false, a.rank));
    case Kind::kRef:
      return r.open_banks > 0 ? kForbidden : next(Kind::kRef, a);
    case Kind::kCount:
      break;
  }
  return kForbidden;
}

void ChannelTiming::open(Rank& r, Bank& b, int64_t row, uint64_t at) {
  b.open_row = row;
  if (r.open_banks++ == 0) r.active_since = at;
}

void ChannelTiming::close(Rank& r, Bank& b, uint64_t at) {
  b.open_row = -1;
  if (--r.open_banks == 0 && at > r.active_since) r.active_total += at - r.active_since;
}

uint64_t ChannelTiming::active_cycles(int rank, uint64_t now) const {
  const Rank& r = m_ranks[static_cast<size_t>(rank)];
  return r.active_total + (r.open_banks > 0 && now > r.active_since ? now - r.active_since : 0);
}

void ChannelTiming::apply_rules(Kind k, const Address& a, uint64_t now) {
  for (const Rule& rule : m_rules[static_cast<size_t>(k)]) {
    Next& n = rule.scope == Scope::kBank    ? m_banks[bank_index(a)].next
              : rule.scope == Scope::kGroup ? m_groups[group_index(a)].next
                                            : m_ranks[static_cast<size_t>(a.rank)].next;
    uint64_t& slot = n[static_cast<size_t>(rule.to)];
    slot = std::max(slot, now + rule.cycles);
  }
}

void ChannelTiming::issue(Command c, const Address& a, uint64_t now) {
  EINFLOW_ASSERT(legal(c, a, now), std::string("DRAM protocol violation: ") + command_name(c) +
                                       " at cycle " + std::to_string(now) +
                                       " is earlier than allowed");
  Bank& b = m_banks[bank_index(a)];
  Rank& r = m_ranks[static_cast<size_t>(a.rank)];
  const Kind k = command_kind(c);
  apply_rules(k, a, now);
  switch (k) {
    case Kind::kAct:
      open(r, b, a.row, now);
      if (r.faw_count < 4) {
        r.faw[static_cast<size_t>((r.faw_head + r.faw_count++) % 4)] = now;
      } else {
        r.faw[static_cast<size_t>(r.faw_head)] = now;
        r.faw_head = (r.faw_head + 1) % 4;
      }
      break;
    case Kind::kPre:
      close(r, b, now);
      break;
    case Kind::kRd:
    case Kind::kWr:
      m_bus_free = now + static_cast<uint64_t>((k == Kind::kRd ? m_t.cl : m_t.cwl) + m_t.burst);
      m_bus_rank = a.rank;
      m_bus_read = k == Kind::kRd;
      break;
    case Kind::kRef:
    case Kind::kCount:
      break;
  }
  if (c == Command::kRda || c == Command::kWra) {
    // Auto-precharge: the bank closes as soon as PRE would be legal, with PRE's constraints.
    const uint64_t p = next(Kind::kPre, a);
    close(r, b, p);
    apply_rules(Kind::kPre, a, p);
  }
}

}  // namespace einflow::sim::dram
