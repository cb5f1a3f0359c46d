// Internal to the reference simulator: a program of operations over rated
// resources, ticked cycle by cycle (engine.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace einflow::reference::detail {

// A move of another operation: its index among that op's loads or evictions.
struct MoveRef {
  int op = 0, index = 0;
  bool evict = false;
};

// One word's passage: a token of every resource it uses, all in one cycle;
// or, when resources of a fractional rate (less than a word a cycle) are out
// of phase, in two: the tokens the others have now, and those resources'
// in the next cycle, before any other word takes them (a register between
// them; found by the differential suite: a result going up through a buffer
// port and a DRAM of half a word a cycle each, which other words used in
// alternate cycles, waited for both to have a token in one cycle).
struct Move {
  std::vector<int> res;
  // Moves that must have landed first: the writes of the word this one reads
  // (a partial sum returned to a buffer before it goes further up or back down).
  std::vector<MoveRef> after;
  int64_t latency = 0;  // cycles from the move to the word having landed
  int64_t at = -1;      // the cycle it moved (-1: not yet), its last token's
  std::vector<int> rest;  // taken in two cycles: the resources left for the next one
};

// A transfer (a level's new tile: evictions of the old one's results and
// loads of the new one's words; a drain: only results going up, as evictions) or
// a compute step (its operand reads and result writes are its loads, moving
// no data between levels).
struct Op {
  bool step = false;
  int unit = 0;
  std::vector<Move> loads, evicts;
  // Starts no earlier than: these ops' loads have landed; these steps have
  // read their operands (released their tiles); these transfers have moved
  // every word down (a link takes its tiles one at a time; results go up as
  // soon as they are there, each word after the move that brought it).
  std::vector<int> need_landed, need_released, need_moved;
  // Starts (need_results) or evicts (evict_need) no earlier than these
  // steps' results are out (issue + pipeline latency) and their tiles released.
  std::vector<int> need_results, evict_need;
  // Steps: the previous step of the same run (a nest's execution), its issue
  // interval and latencies, and the output words it updates (for the
  // accumulation hazard). A unit runs one run at a time, its steps in order,
  // and then the lowest-numbered run whose first step can start.
  int prev_step = -1;
  bool first_of_run = false, last_of_run = false;
  int64_t step_cycles = 1, point_latency = 1, acc_latency = 0;
  std::vector<int64_t> out_words;
  // Transfers: the link (a level's, on one unit) it takes; a link brings one
  // tile down at a time: a transfer starts only when no other transfer of its
  // link is still bringing words down, whatever their program order (-1: none).
  int link = -1;

  // State.
  int64_t start = -1;
  size_t loads_left = 0, evicts_left = 0;
  int64_t last_move = -1, land = -1, evict_land = -1;
  int64_t link_free = -1;  // its link may take its next tile (loaded())
};

struct Program {
  std::vector<double> rate;      // per resource: words per cycle
  std::vector<std::string> name; // per resource, for messages
  std::map<std::string, int> index;
  std::vector<Op> ops;
  std::vector<double> priority;  // per op, under Policy::kPriority: the lowest first
  int dram = -1;                 // the DRAM's port (-1: not rated)

  std::map<std::pair<int, std::string>, int> links;
  int link(int unit, const std::string& level) {
    return links.emplace(std::make_pair(unit, level), static_cast<int>(links.size())).first->second;
  }

  // The resource named `n` of `words_per_cycle` (registered once).
  int resource(const std::string& n, double words_per_cycle) {
    auto it = index.find(n);
    if (it != index.end()) return it->second;
    rate.push_back(words_per_cycle);
    name.push_back(n);
    index[n] = static_cast<int>(rate.size()) - 1;
    return index[n];
  }
};

// The arbitration: which ops start and take a resource's tokens first when
// several want them in one cycle; every one gives a schedule that respects
// every resource and dependency.
//   kOldest          program order (the oldest op first);
//   kStepsFirst      the compute steps' operand reads and result writes
//                    before the links' tiles, each in program order;
//   kTransfersFirst  the links' tiles first;
//   kUnitsAlternate  the units take turns at first place, cycle by cycle;
//   kOtherUnitFirst  the ops of a unit other than the oldest op's first;
//   kResultsFirst    program order, but within an op its results going up
//                    before its words coming down (every other rule: down first);
//   kLoadsFirst      every op's words coming down (and the steps' accesses),
//                    then the results going up, each pass in program order;
//   kEvictsFirst     the results going up first, then the words coming down;
//   kResultsYield    as kLoadsFirst (every op's words coming down, then the
//                    results going up, each pass in program order), but a
//                    result waits while taking a token now would delay a word
//                    that a started transfer has ready to bring down (the one
//                    rule that may leave a resource idle with a word ready);
//                    the wait is lifted after kHold cycles in which no word
//                    moved and no op started;
//   kCriticalPath    the op with the longest chain of dependent work after it
//                    first (list scheduling's bottom level: each op's least
//                    time over its busiest resource, or the longer of a step's
//                    issue interval and latency, along need_* and the run's
//                    previous step);
//                    ties in program order;
//   kSeeded          a random priority per op, fixed by a seed;
//   kSeededPerCycle  a random priority per op drawn afresh every cycle;
//   kPriority        the priorities of Program::priority (a climb sets them;
//                    none: program order).
// Under the seeded rules and kPriority, an op's words that tie in its order
// (longest queue first) go in a random order, drawn afresh every cycle.
enum class Policy {
  kOldest,
  kStepsFirst,
  kTransfersFirst,
  kUnitsAlternate,
  kOtherUnitFirst,
  kResultsFirst,
  kLoadsFirst,
  kEvictsFirst,
  kResultsYield,
  kCriticalPath,
  kSeeded,
  kSeededPerCycle,
  kPriority
};
// The fixed rules every reference run tries.
inline constexpr Policy kPolicies[] = {Policy::kOldest,         Policy::kStepsFirst,      Policy::kTransfersFirst,
                                       Policy::kUnitsAlternate, Policy::kOtherUnitFirst, Policy::kResultsFirst,
                                       Policy::kLoadsFirst,     Policy::kEvictsFirst,    Policy::kResultsYield,
                                       Policy::kCriticalPath};
// kResultsYield: cycles without a move after which results no longer wait.
inline constexpr int kHold = 8;
// Seeds of each seeded rule a search may try, then steps of its climb.
inline constexpr int kSeeds = 256;
inline constexpr int kClimb = 6000;

// Within an op, the order its words take tokens in (both directions: the
// words coming down before the results going up, unless kResultsFirst):
//   kLongestQueue  the word whose busiest resource has the most left to do
//                  first, then the one whose resources have the most left in all;
//   kDramFirst     the words through the DRAM's port first (they free the
//                  port every level's link shares soonest; the cycle model
//                  books a link's DRAM words from its start), then as
//                  kLongestQueue.
enum class WordOrder { kLongestQueue, kDramFirst };

// Runs every operation under `policy` (`seed` for the seeded rules) and
// `words`; returns the cycle the last word lands or the last result leaves
// its unit. Throws std::runtime_error on a deadlock.
int64_t run(Program& p, Policy policy = Policy::kOldest, int seed = 0, WordOrder words = WordOrder::kLongestQueue);

struct Best {
  int64_t cycles = -1;        // the fewest of every schedule run
  int64_t fixed_cycles = -1;  // the fewest of the fixed rules'
  Policy policy = Policy::kOldest;
  int seed = 0;  // its seed, or its step of the climb
  WordOrder words = WordOrder::kLongestQueue;
};

// Runs `p` (on copies) under every fixed rule, with each word order; then,
// if `search_to` >= 0 and none took at most `search_to` cycles, under seeded
// rules (seeds 1 to kSeeds, both kinds, with the best rule's word order),
// then a climb over fixed priorities per op (from the
// order in which the best schedule so far started the ops, up to kClimb
// moves of one op in the order, each kept when the schedule is no longer),
// until one does. A rule that deadlocks is skipped (an error only if
// all do).
Best run_best(const Program& p, int64_t search_to = -1);
// "loads-first", "seeded 12", "evicts-first, DRAM words first", ...
std::string policy_name(Policy policy, int seed, WordOrder words = WordOrder::kLongestQueue);

}  // namespace einflow::reference::detail
