#include "sim/cycle/dram/controller.h"

#include <algorithm>

namespace einflow::sim::dram {

DramEnergy& DramEnergy::operator+=(const DramEnergy& o) {
  activate += o.activate;
  read += o.read;
  write += o.write;
  refresh += o.refresh;
  background += o.background;
  return *this;
}

ChannelStats& ChannelStats::operator+=(const ChannelStats& o) {
  for (size_t i = 0; i < commands.size(); ++i) commands[i] += o.commands[i];
  reads += o.reads;
  writes += o.writes;
  row_hits += o.row_hits;
  read_latency_sum += o.read_latency_sum;
  if (read_latency_hist.size() < o.read_latency_hist.size())
    read_latency_hist.resize(o.read_latency_hist.size());
  for (size_t i = 0; i < o.read_latency_hist.size(); ++i)
    read_latency_hist[i] += o.read_latency_hist[i];
  return *this;
}

ChannelController::ChannelController(const arch::DramStandard& s, const ControllerConfig& cfg,
                                     DoneFn done)
    : m_std(s),
      m_cfg(cfg),
      m_done_fn(std::move(done)),
      m_timing(s),
      m_refresh_due(static_cast<size_t>(s.org.ranks)),
      m_seen(static_cast<size_t>(s.org.banks())),
      m_hits(static_cast<size_t>(s.org.banks())) {
  // Ranks refresh staggered over one interval, as DRAMsim3's RANK_LEVEL_STAGGERED does.
  for (int r = 0; r < s.org.ranks; ++r)
    m_refresh_due[static_cast<size_t>(r)] = static_cast<uint64_t>(s.timing.trefi) *
                                            static_cast<uint64_t>(r + 1) /
                                            static_cast<uint64_t>(s.org.ranks);
  m_queue.reserve(static_cast<size_t>(cfg.queue_depth));
}

void ChannelController::enqueue(uint64_t id, const Address& a, bool write, uint64_t now) {
  if (m_queue.empty()) catch_up_refresh(now);
  m_queue.push_back(Entry{id, a, write, now, static_cast<uint32_t>(m_timing.bank_index(a)), false});
  // Something may be issued now; tick() finds out (cheaper than a full pick here).
  if (!m_dirty) m_cached_next = std::min(m_cached_next, now);
}

// Refreshes that fell due while the channel had nothing queued happened then:
// the rank's open rows were closed and REF issued at the due time.
void ChannelController::catch_up_refresh(uint64_t now) {
  if (!m_cfg.refresh) return;
  for (int r = 0; r < m_std.org.ranks; ++r) {
    uint64_t& due = m_refresh_due[static_cast<size_t>(r)];
    while (due < now) {
      Address x;
      x.rank = r;
      uint64_t at = due;
      m_timing.for_each_open_bank(r, [&](const Address& bank) {
        issue(Command::kPre, bank, std::max(at, m_timing.earliest(Command::kPre, bank)));
      });
      issue(Command::kRef, x, std::max(at, m_timing.earliest(Command::kRef, x)));
      due += static_cast<uint64_t>(m_std.timing.trefi);
    }
  }
}

ChannelController::Pick ChannelController::pick(uint64_t now) const {
  Pick p;
  auto consider = [&](Command c, const Address& a, int entry) {
    uint64_t e = m_timing.earliest(c, a);
    if (e == ChannelTiming::kForbidden) return;
    p.earliest = std::min(p.earliest, e);
    if (!p.found && e <= now) {
      p.found = true;
      p.command = c;
      p.addr = a;
      p.entry = entry;
    }
  };

  // 1. Refresh: a rank past its due time closes its rows, then refreshes.
  uint32_t refreshing = 0;  // bit per rank
  if (m_cfg.refresh)
    for (int r = 0; r < m_std.org.ranks; ++r) {
      uint64_t due = m_refresh_due[static_cast<size_t>(r)];
      if (due > now) {
        p.earliest = std::min(p.earliest, due);
        continue;
      }
      refreshing |= 1u << r;
      Address x;
      x.rank = r;
      if (m_timing.open_banks(r) == 0) {
        consider(Command::kRef, x, -1);
        continue;
      }
      m_timing.for_each_open_bank(r,
                                  [&](const Address& bank) { consider(Command::kPre, bank, -1); });
    }

  // 2. Row hits, oldest first. Hits of one bank and direction have the same
  // earliest cycle, so only the oldest of each is a candidate.
  std::fill(m_hits.begin(), m_hits.end(), 0);
  std::fill(m_seen.begin(), m_seen.end(), 0);
  for (const Entry& e : m_queue)
    if (!(refreshing >> e.addr.rank & 1u) && m_timing.open_row(e.bank) == e.addr.row)
      ++m_hits[e.bank];
  for (size_t i = 0; i < m_queue.size(); ++i) {
    const Entry& e = m_queue[i];
    if (refreshing >> e.addr.rank & 1u) continue;
    const size_t b = e.bank;
    const uint8_t bit = e.write ? 2 : 1;
    if (m_hits[b] == 0 || (m_seen[b] & bit) || m_timing.open_row(b) != e.addr.row) continue;
    m_seen[b] |= bit;
    // Closed page: the last queued hit to the row closes it.
    bool close = m_cfg.policy == PagePolicy::kClosed && m_hits[b] == 1;
    Command c =
        e.write ? (close ? Command::kWra : Command::kWr) : (close ? Command::kRda : Command::kRd);
    consider(c, e.addr, static_cast<int>(i));
  }

  // 3. The oldest request of each bank without a hit: open its row.
  for (size_t i = 0; i < m_queue.size(); ++i) {
    const Entry& e = m_queue[i];
    if (refreshing >> e.addr.rank & 1u) continue;
    const size_t b = e.bank;
    if (m_seen[b] & 4) continue;
    m_seen[b] |= 4;
    int64_t open = m_timing.open_row(b);
    if (open == e.addr.row) continue;
    if (open < 0)
      consider(Command::kAct, e.addr, static_cast<int>(i));
    else if (m_hits[b] == 0)
      consider(Command::kPre, e.addr, static_cast<int>(i));
  }
  return p;
}

void ChannelController::issue(Command c, const Address& a, uint64_t now) {
  m_timing.issue(c, a, now);
  ++m_stats.commands[static_cast<size_t>(c)];
  if (m_log) m_log->push_back(CommandRecord{now, c, a});
}

void ChannelController::tick(uint64_t now) {
  m_dirty = true;
  while (!m_done.empty() && m_done.top().first <= now) {
    Completion c = m_done.top().second;
    m_done.pop();
    if (m_done_fn) m_done_fn(c);
  }
  Pick p = pick(now);
  if (!p.found) return;
  issue(p.command, p.addr, now);
  if (p.command == Command::kRef) {
    m_refresh_due[static_cast<size_t>(p.addr.rank)] += static_cast<uint64_t>(m_std.timing.trefi);
    return;
  }
  if (p.entry < 0) return;
  Entry& e = m_queue[static_cast<size_t>(p.entry)];
  if (p.command == Command::kAct) {
    e.activated = true;
    return;
  }
  if (!is_column(p.command)) return;
  if (!e.activated) ++m_stats.row_hits;
  uint64_t done;
  if (e.write) {
    ++m_stats.writes;
    done = m_timing.write_done(now);
  } else {
    ++m_stats.reads;
    done = m_timing.read_done(now);
    uint64_t lat = done - e.arrival;
    m_stats.read_latency_sum += lat;
    if (m_stats.read_latency_hist.size() <= lat) m_stats.read_latency_hist.resize(lat + 1);
    ++m_stats.read_latency_hist[lat];
  }
  m_done.push({done, Completion{e.id, done, e.write}});
  m_queue.erase(m_queue.begin() + p.entry);
}

uint64_t ChannelController::next_busy_cycle(uint64_t now) const {
  if (m_dirty) {
    uint64_t next = m_done.empty() ? kNever : m_done.top().first;
    if (!m_queue.empty()) next = std::min(next, pick(now).earliest);
    m_cached_next = next;
    m_dirty = false;
  }
  return m_cached_next == kNever ? kNever : std::max(now, m_cached_next);
}

DramEnergy ChannelController::energy(uint64_t end) const {
  DramEnergy e;
  const arch::DramTiming& t = m_std.timing;
  if (!m_std.power.idd) {
    const double per_access = m_std.pj_per_bit * 8.0 * m_std.access_bytes;
    e.read = per_access * static_cast<double>(m_stats.reads);
    e.write = per_access * static_cast<double>(m_stats.writes);
    return e;
  }
  // DRAMPower's method: mA x V x ns = pJ, per device, times the devices of a rank.
  const arch::DramPower& pw = m_std.power;
  const double dev = m_std.org.devices_per_rank * pw.vdd * t.tck_ns;
  const double act = pw.idd0 * t.trc - (pw.idd3n * t.tras + pw.idd2n * (t.trc - t.tras));
  e.activate = dev * act * static_cast<double>(m_stats.count(Command::kAct));
  e.read = dev * (pw.idd4r - pw.idd3n) * t.burst * static_cast<double>(m_stats.reads);
  e.write = dev * (pw.idd4w - pw.idd3n) * t.burst * static_cast<double>(m_stats.writes);
  e.refresh =
      dev * (pw.idd5b - pw.idd3n) * t.trfc * static_cast<double>(m_stats.count(Command::kRef));
  for (int r = 0; r < m_std.org.ranks; ++r) {
    double active = static_cast<double>(std::min(end, m_timing.active_cycles(r, end)));
    e.background += dev * (pw.idd3n * active + pw.idd2n * (static_cast<double>(end) - active));
  }
  return e;
}

}  // namespace einflow::sim::dram
