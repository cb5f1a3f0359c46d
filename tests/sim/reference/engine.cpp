// The reference's clock: every cycle each resource gets its rate in tokens
// (a word through a rated resource lands at the end of its cycle; one that
// passes none, every resource on its way unlimited, takes no time),
// operations whose dependencies are met start, and the operations in flight
// move their words in the order of the arbitration rule (engine.h, Policy),
// each word when every resource it passes still has a token this cycle, or,
// where only resources of a fractional rate lack one and get it next cycle,
// over two cycles (engine.h, Move).
#include "tests/sim/reference/engine.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>

namespace einflow::reference::detail {

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// A 64-bit mix (splitmix64's finaliser): the seeded arbitrations' priorities.
uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool done_loading(const Op& o) { return o.start >= 0 && o.loads_left == 0; }

// When its loads have all landed.
int64_t landed(const Op& o) { return done_loading(o) ? std::max(o.start, o.land) : kNever; }
// When every word of it has moved.
int64_t moved(const Op& o) {
  return done_loading(o) && o.evicts_left == 0 ? std::max(o.start, o.last_move + 1) : kNever;
}
// When every word it brings down has moved (the link may take its next tile:
// results go up on their own, each word once it is there): the cycle after
// its last word through a rated resource; words that pass none take no time
// (found by the differential suite: the next tile of a link whose words had
// passed no rated resource waited a cycle the cycle model does not count).
int64_t loaded(const Op& o) { return done_loading(o) ? std::max(o.start, o.link_free) : kNever; }
// A step has read its operands (its tiles may be replaced).
int64_t released(const Op& o) { return done_loading(o) ? std::max(o.start, o.last_move) + 1 : kNever; }
int64_t results(const Op& o) { return o.start >= 0 ? o.start + o.point_latency : kNever; }

struct Clock {
  Program& p;
  std::vector<double> credit;
  std::map<int64_t, int64_t> last_update;  // output word -> issue of the last step updating it
  std::map<int, int> last_step;            // per unit: the last step it issued
  std::map<int, bool> owned;               // per unit: in the middle of a run
  std::map<int, int> bringing;             // per link: its transfer still bringing words down (absent: none)
  bool trace_moves = false;                // EINFLOW_REFERENCE_MOVES is set
  WordOrder word_order = WordOrder::kLongestQueue;
  std::vector<char> promised;  // per resource: its next cycle's token goes to a word taken in two
  // Words taken in two cycles, to finish first in the next one: (op, move, a result).
  std::vector<std::tuple<Op*, Move*, bool>> halfway;

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
    if (!o.step) return o.link < 0 || o.loads.empty() || !bringing.count(o.link);
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

  // The moves it waits for have landed.
  bool after_met(const Move& m, int64_t c) const {
    for (const MoveRef& r : m.after) {
      const Op& o = p.ops[static_cast<size_t>(r.op)];
      const Move& before = (r.evict ? o.evicts : o.loads)[static_cast<size_t>(r.index)];
      if (before.at < 0 || before.at + (before.res.empty() ? 0 : 1) + before.latency > c) return false;
    }
    return true;
  }

  // Cycles until resource r has a whole token, from `credit_r`.
  double wait(int r, double credit_r) const {
    return credit_r >= 1.0 - 1e-9 ? 0.0 : std::ceil((1.0 - credit_r) / p.rate[static_cast<size_t>(r)] - 1e-9);
  }

  // kResultsYield: whether moving the result `e` now would delay a word that
  // a started transfer from `first` on has ready to bring down (one that
  // waits for no other move): its tokens come later if e takes one first.
  bool delays_a_load(const Move& e, size_t first, int64_t c) const {
    for (size_t x = first; x < p.ops.size(); ++x) {
      const Op& o = p.ops[x];
      if (o.step || o.start < 0 || o.loads_left == 0) continue;
      for (const Move& m : o.loads) {
        if (m.at >= 0 || !m.rest.empty() || !after_met(m, c)) continue;
        double now = 0, then = 0;
        for (int r : m.res) {
          const double credit_r = credit[static_cast<size_t>(r)];
          const bool shared = std::find(e.res.begin(), e.res.end(), r) != e.res.end();
          now = std::max(now, wait(r, credit_r));
          then = std::max(then, wait(r, credit_r - (shared ? 1.0 : 0.0)));
        }
        if (then > now) return true;
      }
    }
    return false;
  }

  // 1: moved; 2: taken in two cycles (the rest in the next one); 0: waits.
  int try_move(Move& m, int64_t c) {
    if (!after_met(m, c)) return 0;
    bool all = true, two = true;
    for (int r : m.res) {
      const size_t R = static_cast<size_t>(r);
      if (promised[R]) return 0;
      if (credit[R] >= 1.0 - 1e-9) continue;
      all = false;
      // Out of phase: a fractional rate, its token due next cycle.
      two = two && p.rate[R] < 1.0 && credit[R] + p.rate[R] >= 1.0 - 1e-9;
    }
    if (!all && !two) return 0;
    for (int r : m.res) {
      const size_t R = static_cast<size_t>(r);
      if (credit[R] >= 1.0 - 1e-9) {
        credit[R] -= 1.0;
      } else {
        promised[R] = 1;
        m.rest.push_back(r);
      }
    }
    if (!all) return 2;
    m.at = c;
    return 1;
  }

  // The words taken in two cycles take their last tokens, first of all;
  // whether there were any.
  bool finish_halfway(int64_t c) {
    std::fill(promised.begin(), promised.end(), 0);
    const bool any = !halfway.empty();
    for (auto& [o, m, is_evict] : halfway) {
      for (int r : m->rest) credit[static_cast<size_t>(r)] -= 1.0;
      m->rest.clear();
      m->at = c;
      record(*o, *m, is_evict, c);
    }
    halfway.clear();
    return any;
  }

  // A word has moved at c: its op's counts and landing.
  void record(Op& o, const Move& m, bool is_evict, int64_t c) {
    if (trace_moves) {
      std::fprintf(stderr, "c %lld op %d %s res", static_cast<long long>(c), static_cast<int>(&o - p.ops.data()), is_evict ? "up" : "down");
      for (int r : m.res) std::fprintf(stderr, " %s", p.name[static_cast<size_t>(r)].c_str());
      std::fprintf(stderr, "\n");
    }
    --(is_evict ? o.evicts_left : o.loads_left);
    o.last_move = std::max(o.last_move, c);
    if (!is_evict) o.link_free = std::max(o.link_free, c + (m.res.empty() ? 0 : 1));
    int64_t& land = is_evict ? o.evict_land : o.land;
    land = std::max(land, c + (m.res.empty() ? 0 : 1) + m.latency);
  }

  // An op's pending words (its results going up too, once they may) in the
  // order it serves them this cycle: the words coming down before the results
  // going up (what the unit waits for first), and among them longest queue
  // first, so that a transfer's words pack into its banks and ports as
  // tightly as possible: the word whose busiest resource has the most left to
  // do goes first, then the one whose resources have the most left in all;
  // ties in the op's order. Under WordOrder::kDramFirst the words through
  // the DRAM's port go before the others of their direction.
  // Under a seeded rule (`words` != 0) ties among the words go by a random
  // key, drawn afresh each cycle.
  std::vector<std::pair<Move*, bool>> order(Op& o, bool loads, bool evicts, bool results_first, uint64_t words) {
    std::map<int, double> demand;
    std::vector<std::pair<Move*, bool>> pending;  // (move, is an eviction)
    if (loads)
      for (Move& m : o.loads)
        if (m.at < 0 && m.rest.empty()) pending.push_back({&m, false});
    if (evicts)
      for (Move& m : o.evicts)
        if (m.at < 0 && m.rest.empty()) pending.push_back({&m, true});
    for (const auto& [m, e] : pending)
      for (int r : m->res) demand[r] += 1.0 / p.rate[static_cast<size_t>(r)];
    std::vector<std::pair<std::tuple<double, double, uint64_t>, size_t>> keyed;
    for (size_t i = 0; i < pending.size(); ++i) {
      double most = 0, all = 0;
      bool dram = false;
      for (int r : pending[i].first->res) {
        most = std::max(most, demand[r]);
        all += demand[r];
        dram = dram || r == p.dram;
      }
      const double later = (pending[i].second != results_first ? 2e9 : 0) +
                           (word_order == WordOrder::kDramFirst && !dram ? 1e9 : 0);
      keyed.push_back({{later - most, -all, words ? mix(words ^ i) : 0}, i});
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::pair<Move*, bool>> out;
    for (const auto& k : keyed) out.push_back(pending[k.second]);
    return out;
  }

  // Moves the op's words that can go this cycle (each printed under
  // EINFLOW_REFERENCE_MOVES: its cycle, op, direction and resources).
  void moves(Op& o, bool loads, bool evicts, int64_t c, bool results_first, uint64_t words, long yield_from) {
    for (const auto& [mp, is_evict] : order(o, loads, evicts, results_first, words)) {
      Move& m = *mp;
      if (is_evict && yield_from >= 0 && delays_a_load(m, static_cast<size_t>(yield_from), c)) continue;
      const int moved = try_move(m, c);
      if (moved == 1) {
        record(o, m, is_evict, c);
      } else if (moved == 2) {
        halfway.emplace_back(&o, &m, is_evict);
      }
    }
  }
};

// Each op's least time alone: its busiest resource's words over its rate and
// the longest latency of a word, or the longer of a step's issue interval
// and its latency.
double least_time(const Program& p, const Op& o) {
  if (o.step) return static_cast<double>(std::max(o.step_cycles, o.point_latency));
  std::map<int, double> busy;
  double most = 0;
  int64_t latency = 0;
  for (const auto* moves : {&o.loads, &o.evicts})
    for (const Move& m : *moves) {
      for (int r : m.res) most = std::max(most, busy[r] += 1.0 / p.rate[static_cast<size_t>(r)]);
      latency = std::max(latency, m.latency);
    }
  return most + static_cast<double>(latency);
}

// kCriticalPath's key: each op's bottom level, its least time plus the
// longest bottom level of an op that waits for it (need_*, a step's previous
// step). These lists point to earlier ops, so one pass from the end; a
// word's `after` (which may point to a later op) and the links' and units'
// choices at run time are not followed: the key is only a priority.
std::vector<double> bottom_levels(const Program& p) {
  std::vector<double> after(p.ops.size(), 0.0), level(p.ops.size(), 0.0);
  for (size_t x = p.ops.size(); x-- > 0;) {
    const Op& o = p.ops[x];
    level[x] = least_time(p, o) + after[x];
    auto waits_for = [&](int y) {
      if (y >= 0 && static_cast<size_t>(y) < x) after[static_cast<size_t>(y)] = std::max(after[static_cast<size_t>(y)], level[x]);
    };
    for (const auto* need : {&o.need_landed, &o.need_released, &o.need_moved, &o.need_results, &o.evict_need})
      for (int y : *need) waits_for(y);
    waits_for(o.prev_step);
  }
  return level;
}

// The order in which the ops from `first` on start and take their tokens this
// cycle under `policy` (engine.h); ties in program order.
std::vector<size_t> visit_order(const Program& p, size_t first, Policy policy, int64_t c, int seed,
                                const std::vector<double>& level) {
  std::vector<size_t> all;
  for (size_t x = first; x < p.ops.size(); ++x) all.push_back(x);
  if (policy == Policy::kOldest || policy == Policy::kResultsFirst || policy == Policy::kLoadsFirst ||
      policy == Policy::kEvictsFirst || policy == Policy::kResultsYield)
    return all;
  if (policy == Policy::kPriority) {  // without priorities: program order
    if (p.priority.size() == p.ops.size())
      std::stable_sort(all.begin(), all.end(), [&](size_t a, size_t b) { return p.priority[a] < p.priority[b]; });
    return all;
  }
  if (policy == Policy::kCriticalPath) {
    std::stable_sort(all.begin(), all.end(), [&](size_t a, size_t b) { return level[a] > level[b]; });
    return all;
  }
  const uint64_t s = static_cast<uint64_t>(seed);
  auto rank = [&](size_t x) -> uint64_t {
    const Op& o = p.ops[x];
    switch (policy) {
      case Policy::kStepsFirst: return o.step ? 0 : 1;
      case Policy::kTransfersFirst: return o.step ? 1 : 0;
      case Policy::kUnitsAlternate:  // the oldest op's unit first in even cycles, the others in odd ones
        return static_cast<uint64_t>(((o.unit == p.ops[first].unit ? 0 : 1) + c) & 1);
      case Policy::kOtherUnitFirst: return o.unit == p.ops[first].unit ? 1 : 0;
      case Policy::kSeeded: return mix(mix(s) ^ x);
      case Policy::kSeededPerCycle: return mix(mix(mix(s) ^ static_cast<uint64_t>(c)) ^ x);
      default: return 0;
    }
  };
  std::vector<std::pair<uint64_t, size_t>> keyed;
  for (size_t x : all) keyed.push_back({rank(x), x});
  std::stable_sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < keyed.size(); ++i) all[i] = keyed[i].second;
  return all;
}

}  // namespace

int64_t run(Program& p, Policy policy, int seed, WordOrder words) {
  Clock clock{p, std::vector<double>(p.rate.size(), 0.0), {}, {}, {}, {}, std::getenv("EINFLOW_REFERENCE_MOVES") != nullptr,
              words, std::vector<char>(p.rate.size(), 0), {}};
  for (Op& o : p.ops) {
    o.loads_left = o.loads.size();
    o.evicts_left = o.evicts.size();
  }
  // Under the seeded rules and kPriority, words that tie go in a random order.
  const bool seeded = policy == Policy::kSeeded || policy == Policy::kSeededPerCycle || policy == Policy::kPriority;
  const std::vector<double> level = policy == Policy::kCriticalPath ? bottom_levels(p) : std::vector<double>{};
  size_t first = 0;  // every op before it has moved all its words
  int64_t idle = 0;
  for (int64_t c = 0; first < p.ops.size(); ++c) {
    for (size_t r = 0; r < p.rate.size(); ++r)
      clock.credit[r] = std::min(clock.credit[r] + p.rate[r], std::max(1.0, std::ceil(p.rate[r])));
    // A word that moves in two cycles is progress in both.
    bool progress = clock.finish_halfway(c);
    // kLoadsFirst, kEvictsFirst and kResultsYield: one pass for every op's
    // words coming down (and the steps' accesses), one for the results going
    // up; otherwise both in one pass.
    const bool split = policy == Policy::kLoadsFirst || policy == Policy::kEvictsFirst || policy == Policy::kResultsYield;
    const int loads_pass = policy == Policy::kEvictsFirst ? 1 : 0;
    const std::vector<size_t> visit = visit_order(p, first, policy, c, seed, level);
    for (int pass = 0; pass < (split ? 2 : 1); ++pass)
      for (size_t x : visit) {
        Op& o = p.ops[x];
        if (o.start < 0) {
          if (!clock.can_start(o, c)) continue;
          o.start = c;
          progress = true;
          if (o.link >= 0 && o.loads_left > 0) clock.bringing[o.link] = static_cast<int>(x);
          if (o.step) {
            for (int64_t w : o.out_words) clock.last_update[w] = c;
            clock.last_step[o.unit] = static_cast<int>(x);
            clock.owned[o.unit] = !o.last_of_run;
          }
        }
        const size_t before = o.loads_left + o.evicts_left;
        const bool loads = !split || pass == loads_pass, evicts = (!split || pass != loads_pass) && o.evicts_left > 0;
        const uint64_t words = seeded ? mix(mix(mix(static_cast<uint64_t>(seed)) ^ static_cast<uint64_t>(c)) ^ x) | 1 : 0;
        const long yield_from = policy == Policy::kResultsYield && idle < kHold ? static_cast<long>(first) : -1;
        clock.moves(o, loads, evicts && clock.evictions_allowed(o, c), c, policy == Policy::kResultsFirst, words,
                    yield_from);
        if (o.link >= 0 && o.loads_left == 0 && clock.bringing.count(o.link) && clock.bringing[o.link] == static_cast<int>(x))
          clock.bringing.erase(o.link);
        progress = progress || o.loads_left + o.evicts_left < before;
      }
    while (first < p.ops.size() && moved(p.ops[first]) != kNever) ++first;
    progress = progress || !clock.halfway.empty();
    idle = progress ? 0 : idle + 1;
    if (idle > 100000) throw std::runtime_error("reference: no progress for 100000 cycles (a deadlock)");
  }
  int64_t end = 0;
  if (std::getenv("EINFLOW_REFERENCE_TRACE")) {
    std::fprintf(stderr, "policy %d (seed %d, word order %d):\n", static_cast<int>(policy), seed, static_cast<int>(words));
    for (size_t x = 0; x < p.ops.size(); ++x) {
      const Op& o = p.ops[x];
      std::fprintf(stderr, "op %zu %s unit %d: start %lld, last move %lld, landed %lld, evicts landed %lld, %zu loads %zu evicts\n", x,
                   o.step ? "step" : "transfer", o.unit, static_cast<long long>(o.start), static_cast<long long>(o.last_move),
                   static_cast<long long>(o.land), static_cast<long long>(o.evict_land), o.loads.size(), o.evicts.size());
    }
  }
  for (const Op& o : p.ops) {
    end = std::max({end, landed(o), o.evict_land});
    if (o.step) end = std::max({end, results(o), released(o), o.start + o.step_cycles});
  }
  return end;
}

std::string policy_name(Policy policy, int seed, WordOrder words) {
  static const char* const names[] = {"oldest-first", "steps-first",  "transfers-first", "units-alternate",
                                      "other-unit-first", "results-first", "loads-first",   "evicts-first",
                                      "results-yield", "critical-path", "seeded",       "seeded-per-cycle", "climbed priorities, step"};
  std::string n = names[static_cast<int>(policy)];
  if (policy >= Policy::kSeeded) n += " " + std::to_string(seed);
  return words == WordOrder::kDramFirst ? n + ", DRAM words first" : n;
}

Best run_best(const Program& p, int64_t search_to) {
  Best best;
  std::string failures;
  std::vector<int64_t> best_start;  // each op's start in the best schedule so far
  // The word order of the best fixed rule, kept by the search.
  WordOrder words = WordOrder::kLongestQueue;
  // One schedule on a copy of p: its cycles (-1 if it deadlocked), kept as
  // the best under `label` when fewer.
  auto one = [&](Policy policy, int seed, int label, const std::vector<double>* priority) -> int64_t {
    Program copy = p;
    if (priority) copy.priority = *priority;
    try {
      const int64_t c = run(copy, policy, seed, words);
      if (best.cycles < 0 || c < best.cycles) {
        best.cycles = c;
        best.policy = policy;
        best.seed = label;
        best.words = words;
        best_start.clear();
        for (const Op& o : copy.ops) best_start.push_back(o.start);
      }
      return c;
    } catch (const std::runtime_error& e) {
      failures += std::string(" ") + e.what();
      return -1;
    }
  };
  for (WordOrder w : {WordOrder::kLongestQueue, WordOrder::kDramFirst}) {
    words = w;
    for (Policy policy : kPolicies) one(policy, 0, 0, nullptr);
    if (p.dram < 0) break;  // no rated DRAM port: the orders are the same
  }
  if (best.cycles >= 0) best.fixed_cycles = best.cycles;
  words = best.words;
  auto above = [&] { return search_to >= 0 && (best.cycles < 0 || best.cycles > search_to); };
  for (int seed = 1; above() && seed <= kSeeds; ++seed) {
    one(Policy::kSeeded, seed, seed, nullptr);
    one(Policy::kSeededPerCycle, seed, seed, nullptr);
  }
  // Then a climb over fixed priorities: from the order in which the best
  // schedule so far started the ops, move one op to another place in the
  // order at a time, keeping the move when the schedule is no longer (words
  // that tie: in one random order, the same every step).
  std::vector<size_t> order(p.ops.size());
  for (size_t x = 0; x < order.size(); ++x) order[x] = x;
  if (best_start.size() == order.size())
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return best_start[a] < best_start[b]; });
  std::vector<double> priority(p.ops.size());
  int64_t current = -1;
  uint64_t z = 0x5eedull;
  for (int step = 0; above() && step <= kClimb && !order.empty(); ++step) {
    std::vector<size_t> trial = order;
    if (step > 0) {
      z = mix(z);
      const size_t from = z % trial.size(), to = (z >> 32) % trial.size();
      const size_t x = trial[from];
      trial.erase(trial.begin() + static_cast<std::ptrdiff_t>(from));
      trial.insert(trial.begin() + static_cast<std::ptrdiff_t>(to), x);
    }
    for (size_t k = 0; k < trial.size(); ++k) priority[trial[k]] = static_cast<double>(k);
    const int64_t c = one(Policy::kPriority, 1, step, &priority);
    if (c < 0 || (current >= 0 && c > current)) continue;
    current = c;
    order = trial;
  }
  if (best.cycles < 0) throw std::runtime_error("reference: every arbitration failed:" + failures);
  return best;
}

}  // namespace einflow::reference::detail
