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

ChannelTiming::ChannelTiming(const arch::DramStandard& s)
    : m_t(s.timing),
      m_org(s.org),
      m_banks(static_cast<size_t>(s.org.banks())),
      m_groups(static_cast<size_t>(s.org.ranks * s.org.bankgroups)),
      m_ranks(static_cast<size_t>(s.org.ranks)) {}

uint64_t ChannelTiming::bus_earliest(bool read, int rank) const {
  if (m_bus_rank < 0) return 0;
  uint64_t gap = 0;
  if (rank != m_bus_rank) gap += static_cast<uint64_t>(m_t.trtrs);
  if (m_bus_read && !read) gap += 2;  // read-to-write turnaround (JEDEC tRTW = CL + BL/2 + 2 - CWL)
  const uint64_t data_start = m_bus_free + gap;
  const uint64_t latency = static_cast<uint64_t>(read ? m_t.cl : m_t.cwl);
  return data_start > latency ? data_start - latency : 0;
}

uint64_t ChannelTiming::earliest(Command c, const Address& a) const {
  const Bank& b = bank(a);
  const Group& g = m_groups[group_index(a)];
  const Rank& r = m_ranks[static_cast<size_t>(a.rank)];
  switch (c) {
    case Command::kAct: {
      if (b.open_row >= 0) return kForbidden;
      uint64_t t = std::max({b.act, g.act, r.act});
      if (r.faw_count == 4)
        t = std::max(t, r.faw[static_cast<size_t>(r.faw_head)] + static_cast<uint64_t>(m_t.tfaw));
      return t;
    }
    case Command::kPre:
      return b.open_row < 0 ? kForbidden : b.pre;
    case Command::kRd:
    case Command::kRda:
      if (b.open_row != a.row) return kForbidden;
      return std::max({b.rd, g.rd, r.rd, bus_earliest(true, a.rank)});
    case Command::kWr:
    case Command::kWra:
      if (b.open_row != a.row) return kForbidden;
      return std::max({b.wr, g.wr, r.wr, bus_earliest(false, a.rank)});
    case Command::kRef:
      return r.open_banks > 0 ? kForbidden : r.ref;
    case Command::kCount:
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

void ChannelTiming::issue(Command c, const Address& a, uint64_t now) {
  EINFLOW_ASSERT(legal(c, a, now), std::string("DRAM protocol violation: ") + command_name(c) +
                                       " at cycle " + std::to_string(now) +
                                       " is earlier than allowed");
  Bank& b = m_banks[bank_index(a)];
  Group& g = m_groups[group_index(a)];
  Rank& r = m_ranks[static_cast<size_t>(a.rank)];
  const auto T = [](int v) { return static_cast<uint64_t>(v); };
  switch (c) {
    case Command::kAct:
      open(r, b, a.row, now);
      b.rd = std::max(b.rd, now + T(m_t.trcd_rd));
      b.wr = std::max(b.wr, now + T(m_t.trcd_wr));
      b.pre = std::max(b.pre, now + T(m_t.tras));
      b.act = std::max(b.act, now + T(m_t.trc));
      g.act = std::max(g.act, now + T(m_t.trrd_l));
      r.act = std::max(r.act, now + T(m_t.trrd_s));
      if (r.faw_count < 4) {
        r.faw[static_cast<size_t>((r.faw_head + r.faw_count++) % 4)] = now;
      } else {
        r.faw[static_cast<size_t>(r.faw_head)] = now;
        r.faw_head = (r.faw_head + 1) % 4;
      }
      break;
    case Command::kPre:
      close(r, b, now);
      b.act = std::max(b.act, now + T(m_t.trp));
      r.ref = std::max(r.ref, now + T(m_t.trp));
      break;
    case Command::kRd:
    case Command::kRda:
      b.pre = std::max(b.pre, now + T(m_t.trtp));
      g.rd = std::max(g.rd, now + T(m_t.tccd_l));
      g.wr = std::max(g.wr, now + T(m_t.tccd_l));
      r.rd = std::max(r.rd, now + T(m_t.tccd_s));
      r.wr = std::max(r.wr, now + T(m_t.tccd_s));
      m_bus_free = now + T(m_t.cl + m_t.burst);
      m_bus_rank = a.rank;
      m_bus_read = true;
      break;
    case Command::kWr:
    case Command::kWra:
      b.pre = std::max(b.pre, now + T(m_t.cwl + m_t.burst + m_t.twr));
      g.wr = std::max(g.wr, now + T(m_t.tccd_l));
      r.wr = std::max(r.wr, now + T(m_t.tccd_s));
      g.rd = std::max(g.rd, now + T(m_t.cwl + m_t.burst + m_t.twtr_l));
      r.rd = std::max(r.rd, now + T(m_t.cwl + m_t.burst + m_t.twtr_s));
      m_bus_free = now + T(m_t.cwl + m_t.burst);
      m_bus_rank = a.rank;
      m_bus_read = false;
      break;
    case Command::kRef:
      // A rank's banks are contiguous (rank-major numbering).
      {
        const size_t per_rank = static_cast<size_t>(m_org.bankgroups * m_org.banks_per_group);
        for (size_t i = 0; i < per_rank; ++i) {
          Bank& bb = m_banks[static_cast<size_t>(a.rank) * per_rank + i];
          bb.act = std::max(bb.act, now + T(m_t.trfc));
        }
      }
      r.act = std::max(r.act, now + T(m_t.trfc));
      r.ref = now + T(m_t.trfc);
      break;
    case Command::kCount:
      break;
  }
  if (c == Command::kRda || c == Command::kWra) {
    // Auto-precharge: the bank closes as soon as PRE would be legal.
    const uint64_t p = b.pre;
    close(r, b, p);
    b.act = std::max(b.act, p + T(m_t.trp));
    r.ref = std::max(r.ref, p + T(m_t.trp));
  }
}

}  // namespace einflow::sim::dram
