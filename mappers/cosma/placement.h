// Internal to mappers/cosma: addresses for the stays of a schedule chosen
// without them (the relaxation of COSMA's program).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "mappers/cosma/cosma.h"

namespace einflow::cosma {

// A stay ends at the last step that needs it (a consumer, or the write to
// DRAM); a stay no step needs goes (an unneeded load is traffic saved).
void trim_stays(const OpGraph& g, MemorySchedule& s);

// The stays trimmed, then placed: largest first (the greedy-by-size offset
// planner), else in the order they begin (an arena's), else exactly (a
// small program on the stays' addresses alone, CBC, `seconds` at most).
// False when they cannot be placed (or the time ran out first).
bool place_stays(const OpGraph& g, MemorySchedule& s, int64_t budget, double seconds);

// The lowest address of the smallest free gap of [0, budget) that holds
// `size`, around the [address, end) ranges `taken` (sorted; they may
// overlap); -1 when none. The arena's and the greedy planners' one rule.
int64_t best_fit(const std::vector<std::pair<int64_t, int64_t>>& taken, int64_t size, int64_t budget);

// Integral addresses in bytes from a solver's (`where`, one per stay): each
// stay as low as the stays below it there, at a step they share, allow.
// False when one then ends past `budget`.
bool pack_stays(const OpGraph& g, MemorySchedule& s, const std::vector<double>& where, int64_t budget);

}  // namespace einflow::cosma
