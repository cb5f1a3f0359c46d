// The reference's clock: every cycle each resource gets its rate in tokens
// (a word through a rated resource lands at the end of its cycle; one that
// passes none, every resource on its way unlimited, takes no time),
// operations whose dependencies are met start, and the operations in flight
// move their words in program order, each word when every resource it passes
// still has a token this cycle.
#include "tests/sim/reference/engine.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace einflow::reference::detail {

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

bool done_loading(const Op& o) { return o.start >= 0 && o.loads_left == 0; }

// When its loads have all landed.
int64_t landed(const Op& o) { return done_loading(o) ? std::max(o.start, o.land) : kNever; }
// When every word of it has moved.
int64_t moved(const Op& o) {
  return done_loading(o) && o.evicts_left == 0 ? std::max(o.start, o.last_move + 1) : kNever;
}
// When every word it brings down has moved (the link may take its next tile:
// results go up on their own, each word once it is there).
int64_t loaded(const Op& o) { return done_loading(o) ? std::max(o.start, o.last_load + 1) : kNever; }
// A step has read its operands (its tiles may be replaced).
int64_t released(const Op& o) { return done_loading(o) ? std::max(o.start, o.last_move) + 1 : kNever; }
int64_t results(const Op& o) { return o.start >= 0 ? o.start + o.point_latency : kNever; }

struct Clock {
  Program& p;
  std::vector<double> credit;
  std::map<int64_t, int64_t> last_update;  // output word -> issue of the last step updating it
  std::map<int, int> last_step;            // per unit: the last step it issued
  std::map<int, bool> owned;               // per unit: in the middle of a run

  bool all_before(const std::vector<int>& ops, int64_t (*when)(const Op&), int64_t c) const {
    for (int x : ops)
      if (when(p.ops[static_cast<size_t>(x)]) > c) return false;
    return true;
  }

  bool can_start(const Op& o, int64_t c) const {
    if (!all_before(o.need_landed, landed, c) || !all_before(o.need_released, released, c) ||
        !all_before(o.need_moved, loaded, c))
      return false;
    for (int x : o.need_results) {
      const Op& s = p.ops[static_cast<size_t>(x)];
      if (results(s) > c || released(s) > c) return false;
    }
    if (!o.step) return true;
    if (o.first_of_run && owned.count(o.unit) && owned.at(o.unit)) return false;
    const int prev = o.first_of_run ? (last_step.count(o.unit) ? last_step.at(o.unit) : -1) : o.prev_step;
    if (prev >= 0) {
      const Op& q = p.ops[static_cast<size_t>(prev)];
      // In order, one issue interval apart; the previous step's accesses may
      // still finish in this cycle (the unit pipelines them).
      if (q.start < 0 || c < q.start + q.step_cycles || q.loads_left > 0 || c < q.last_move) return false;
    }
    for (int64_t w : o.out_words) {
      auto it = last_update.find(w);
      if (it != last_update.end() && c < it->second + o.acc_latency) return false;
    }
    return true;
  }

  bool evictions_allowed(const Op& o, int64_t c) const {
    for (int x : o.evict_need) {
      const Op& s = p.ops[static_cast<size_t>(x)];
      if (results(s) > c || released(s) > c) return false;
    }
    return true;
  }

  bool try_move(Move& m, int64_t c) {
    for (const MoveRef& r : m.after) {
      const Op& o = p.ops[static_cast<size_t>(r.op)];
      const Move& before = (r.evict ? o.evicts : o.loads)[static_cast<size_t>(r.index)];
      if (before.at < 0 || before.at + (before.res.empty() ? 0 : 1) + before.latency > c) return false;
    }
    for (int r : m.res)
      if (credit[static_cast<size_t>(r)] < 1.0 - 1e-9) return false;
    for (int r : m.res) credit[static_cast<size_t>(r)] -= 1.0;
    m.at = c;
    return true;
  }

  // An op's pending words (its results going up too, once they may) in the
  // order it serves them this cycle: the words coming down before the results
  // going up (what the unit waits for first), and among them longest queue
  // first, so that a transfer's words pack into its banks and ports as
  // tightly as possible: the word whose busiest resource has the most left to
  // do goes first, then the one whose resources have the most left in all;
  // ties in the op's order.
  std::vector<std::pair<Move*, bool>> order(Op& o, bool loads, bool evicts) {
    std::map<int, double> demand;
    std::vector<std::pair<Move*, bool>> pending;  // (move, is an eviction)
    if (loads)
      for (Move& m : o.loads)
        if (m.at < 0) pending.push_back({&m, false});
    if (evicts)
      for (Move& m : o.evicts)
        if (m.at < 0) pending.push_back({&m, true});
    for (const auto& [m, e] : pending)
      for (int r : m->res) demand[r] += 1.0 / p.rate[static_cast<size_t>(r)];
    std::vector<std::pair<std::pair<double, double>, size_t>> keyed;
    for (size_t i = 0; i < pending.size(); ++i) {
      double most = 0, all = 0;
      for (int r : pending[i].first->res) {
        most = std::max(most, demand[r]);
        all += demand[r];
      }
      keyed.push_back({{(pending[i].second ? 1e9 : 0) - most, -all}, i});
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::pair<Move*, bool>> out;
    for (const auto& k : keyed) out.push_back(pending[k.second]);
    return out;
  }

  // Moves the op's words that can go this cycle.
  void moves(Op& o, bool loads, bool evicts, int64_t c) {
    for (const auto& [mp, is_evict] : order(o, loads, evicts)) {
      Move& m = *mp;
      if (!try_move(m, c)) continue;
      --(is_evict ? o.evicts_left : o.loads_left);
      o.last_move = std::max(o.last_move, c);
      if (!is_evict) o.last_load = c;
      int64_t& land = is_evict ? o.evict_land : o.land;
      land = std::max(land, c + (m.res.empty() ? 0 : 1) + m.latency);
    }
  }
};

}  // namespace

int64_t run(Program& p) {
  Clock clock{p, std::vector<double>(p.rate.size(), 0.0), {}, {}, {}};
  for (Op& o : p.ops) {
    o.loads_left = o.loads.size();
    o.evicts_left = o.evicts.size();
  }
  size_t first = 0;  // every op before it has moved all its words
  int64_t idle = 0;
  for (int64_t c = 0; first < p.ops.size(); ++c) {
    for (size_t r = 0; r < p.rate.size(); ++r)
      clock.credit[r] = std::min(clock.credit[r] + p.rate[r], std::max(1.0, std::ceil(p.rate[r])));
    bool progress = false;
    for (size_t x = first; x < p.ops.size(); ++x) {
      Op& o = p.ops[x];
      if (o.start < 0) {
        if (!clock.can_start(o, c)) continue;
        o.start = c;
        progress = true;
        if (o.step) {
          for (int64_t w : o.out_words) clock.last_update[w] = c;
          clock.last_step[o.unit] = static_cast<int>(x);
          clock.owned[o.unit] = !o.last_of_run;
        }
      }
      const size_t before = o.loads_left + o.evicts_left;
      clock.moves(o, true, o.evicts_left > 0 && clock.evictions_allowed(o, c), c);
      progress = progress || o.loads_left + o.evicts_left < before;
    }
    while (first < p.ops.size() && moved(p.ops[first]) != kNever) ++first;
    idle = progress ? 0 : idle + 1;
    if (idle > 100000) throw std::runtime_error("reference: no progress for 100000 cycles (a deadlock)");
  }
  int64_t end = 0;
  if (std::getenv("EINFLOW_REFERENCE_TRACE"))
    for (size_t x = 0; x < p.ops.size(); ++x) {
      const Op& o = p.ops[x];
      std::fprintf(stderr, "op %zu %s unit %d: start %lld, last move %lld, landed %lld, evicts landed %lld, %zu loads %zu evicts\n", x,
                   o.step ? "step" : "transfer", o.unit, static_cast<long long>(o.start), static_cast<long long>(o.last_move),
                   static_cast<long long>(o.land), static_cast<long long>(o.evict_land), o.loads.size(), o.evicts.size());
    }
  for (const Op& o : p.ops) {
    end = std::max({end, landed(o), o.evict_land});
    if (o.step) end = std::max({end, results(o), released(o), o.start + o.step_cycles});
  }
  return end;
}

}  // namespace einflow::reference::detail
