// The walker's link timing: how long one arrival occupies a level's link
// (the ends' ports, the network, the DRAM's port, banks) and its latency.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/cycle/nest_walker.h"

namespace einflow::sim::cycle::detail {

// Cycles one arrival occupies level k's link: words over the bandwidth of each
// end and of the network between them. On-chip ports are per instance (the
// busiest one sets the time); DRAM is one port whose reads and writes share its
// bandwidth. A level with timed banks moves each bank's words through its
// ports; what that adds over the words spread evenly is `conflict`, charged to
// the level whose banks took longest (`conflict_at`).
double Walker::link_cycles(int k, const Traffic& tr, double* dram, double* conflict,
                           int* conflict_at, PortTimes& pt) const {
  *dram = 0;
  *conflict = 0;
  *conflict_at = k;
  pt.reset(m_timed_banks, true);
  auto time = [](double words, double bw) { return bw > 0 ? std::ceil(words / bw) : 0.0; };
  const arch::Node& child = level_node(k);
  const size_t K = static_cast<size_t>(k);
  pt.write[K] = time(static_cast<double>(tr.child_in), child.write_bandwidth);
  pt.read[K] = time(static_cast<double>(tr.child_out), child.read_bandwidth);
  pt.write_words[K] = static_cast<double>(tr.child_in);
  pt.read_words[K] = static_cast<double>(tr.child_out);
  double c = std::max(pt.write[K], pt.read[K]);
  std::map<int, std::pair<double, double>> parents;  // level -> (read words, written words)
  auto gather = [&](const std::map<int, std::map<int64_t, int64_t>>& side, bool read) {
    for (const auto& [p, per] : side) {
      const bool dram = level_node(p).cls == arch::NodeClass::kDram;
      double& words = read ? parents[p].first : parents[p].second;
      for (const auto& [pi, w] : per)
        words = dram ? words + static_cast<double>(w) : std::max(words, static_cast<double>(w));
    }
  };
  gather(tr.parent_read, true);
  gather(tr.parent_write, false);
  // Each network into the level (one per instance of the level right above)
  // carries each direction at its bandwidth, every tensor's words added.
  for (const auto* side : {&tr.noc_down, &tr.noc_up})
    for (const auto& [net, w] : *side) c = std::max(c, time(static_cast<double>(w), child.noc_bandwidth));
  for (const auto& [p, rw] : parents) {
    if (p == m_dram_level && (m_place.ideal_dram || m_opts.root_link)) continue;  // timed elsewhere
    const arch::Node& nd = level_node(p);
    if (nd.cls == arch::NodeClass::kDram) {
      *dram =
          time(rw.first + rw.second, nd.bandwidth_gbps > 0 ? m_arch.dram_words_per_cycle(nd) : 0.0);
      c = std::max(c, *dram);
    } else {
      const size_t P = static_cast<size_t>(p);
      pt.read[P] = std::max(pt.read[P], time(rw.first, nd.read_bandwidth));
      pt.write[P] = std::max(pt.write[P], time(rw.second, nd.write_bandwidth));
      pt.read_words[P] = std::max(pt.read_words[P], rw.first);
      pt.write_words[P] = std::max(pt.write_words[P], rw.second);
      c = std::max({c, pt.read[P], pt.write[P]});
    }
  }
  double even = c, banked = c;
  for (const auto& [at, per_bank] : tr.banks) {
    const bool write_side = at.second % 2 == 1;
    const double ports = static_cast<double>(
        (write_side ? m_bank_write_ports : m_bank_ports)[static_cast<size_t>(at.first)]);
    int64_t total = 0, most = 0;
    for (int64_t n : per_bank) {
      total += n;
      most = std::max(most, n);
    }
    even = std::max(even,
                    time(static_cast<double>(total), ports * static_cast<double>(per_bank.size())));
    std::vector<double>& b = (write_side ? pt.bank_write : pt.bank)[static_cast<size_t>(at.first)];
    std::vector<double>& bw = (write_side ? pt.bank_write_words : pt.bank_words)[static_cast<size_t>(at.first)];
    for (size_t i = 0; i < per_bank.size(); ++i) {
      b[i] = std::max(b[i], time(static_cast<double>(per_bank[i]), ports));
      bw[i] = std::max(bw[i], static_cast<double>(per_bank[i]));
    }
    if (time(static_cast<double>(most), ports) > banked) {
      banked = time(static_cast<double>(most), ports);
      *conflict_at = at.first;
    }
  }
  *conflict = std::max(0.0, banked - even);
  return std::max(banked, even);
}

namespace {

// A port's part of a transfer of `dur` cycles: `words` accesses through its
// servers (`port.free`, first free first). It takes the k servers free
// first, from when the k-th is free (no earlier than `from`), and holds them
// for as long as it lasts: `dur`, or words / (k x rate) cycles where that is
// longer (whole ones for a link). k is the one that ends soonest, the fewest
// on a tie: a stream that draws a word a cycle holds one server and leaves
// the others to what else uses the port. Found by the differential suite: a
// lane's fill drawing a word a cycle through the lanes' network held both of
// its bank's ports for half its time, and the buffer's next fill took both
// while it still drew from one; a fill that spread its words over two
// single-ported banks held each only for its own words from its start; and
// two lanes' results going up one after another through a bank held each
// lane's read port only for the first cycle, where a step then read.
// `late`: the latest any of the k servers may be free (a start already fixed).
struct Use {
  size_t k = 0;
  double start = 0, hold = 0;
};
Use server_use(const Servers& port, double words, double from, double dur, bool whole, double late) {
  Use best;
  double best_end = 0;
  for (size_t k = 1; k <= port.free.size(); ++k) {
    if (port.free[k - 1] > late) break;
    const double share = words / (static_cast<double>(k) * port.rate);
    const double hold = std::max(dur, whole ? std::ceil(share - 1e-9) : share);
    const double start = std::max(from, port.free[k - 1]);
    if (best.k == 0 || start + hold < best_end) {
      best = {k, start, hold};
      best_end = start + hold;
    }
  }
  return best;
}

// Every timed port a transfer uses: f(its servers in `st`, its words).
template <class PortTimes, class State, class F>
void each_port(const PortTimes& pt, State& st, F f) {
  for (size_t l = 0; l < pt.read.size(); ++l) {
    if (pt.read_words[l] > 0) f(st.read_free[l], pt.read_words[l]);
    if (pt.write_words[l] > 0) f(st.write_free[l], pt.write_words[l]);
    for (size_t b = 0; b < pt.bank[l].size(); ++b) {
      if (pt.bank_words[l][b] > 0) f(st.bank_free[l][b], pt.bank_words[l][b]);
      if (pt.bank_write_words[l][b] > 0) f(st.bank_write_free[l][b], pt.bank_write_words[l][b]);
    }
  }
}

}  // namespace

double Walker::ports_ready(const PortTimes& pt, const ScheduleState& st, double from, double dur) {
  double start = from;
  each_port(pt, st, [&](const Servers& port, double words) {
    if (!port.free.empty())
      start = std::max(start, server_use(port, words, from, dur, pt.whole, std::numeric_limits<double>::infinity()).start);
  });
  return start;
}

double Walker::take_ports(const PortTimes& pt, ScheduleState& st, double start, double dur) {
  double held = 0;
  each_port(pt, st, [&](Servers& port, double words) {
    if (port.free.empty()) return;
    const Use u = server_use(port, words, start, dur, pt.whole, start);
    for (size_t i = 0; i < u.k; ++i) port.free[i] = start + u.hold;
    std::sort(port.free.begin(), port.free.end());
    held = std::max(held, u.hold);
  });
  return held;
}

double Walker::transfer_latency(int k, const Traffic& tr) const {
  bool moved = tr.child_in > 0 || tr.child_out > 0;
  int64_t access = tr.child_out > 0 ? level_node(k).access_latency_cycles : 0;
  for (const auto& [p, per] : tr.parent_read)
    for (const auto& [pi, words] : per)
      if (words > 0) {
        moved = true;
        access = std::max(access, level_node(p).access_latency_cycles);
      }
  for (const auto& [p, per] : tr.parent_write)
    for (const auto& [pi, words] : per) moved = moved || words > 0;
  return moved ? static_cast<double>(level_node(k).noc_latency_cycles + access) : 0.0;
}

}  // namespace einflow::sim::cycle::detail
