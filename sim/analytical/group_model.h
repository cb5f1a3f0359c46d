// The analytical model of a fusion group: Einsums of a cascade that share
// outer loops at the root, so that the intermediates passed between them can
// stay at an on-chip level instead of going through DRAM. Each Einsum's tile
// (the ranks divided by the shared factors) is mapped as usual; the group adds
// the shared iterations, moves the retained intermediates off DRAM, spills the
// ones that do not fit, and overlaps the units across iterations of a rank when
// the group is pipelined (FuseMax's binding).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::sim::analytical {

struct Group {
  std::vector<int> einsums;               // cascade Einsum indices, in cascade order
  std::vector<mapping::Loop> shared;      // shared loops at the root, outermost first
  int retain = -1;                        // node where intermediates stay between Einsums; -1: all spill
  int pipeline_rank = -1;                 // cascade rank whose iterations the units overlap; -1: none
  std::vector<mapping::Mapping> tiles;    // per Einsum (same order), on tile_cascade(cascade, shared)
};

// The cascade of one tile of the group: every rank of a shared loop divided by
// its factor (tensor extents follow). The tiles' mappings refer to it.
workloads::Cascade tile_cascade(const workloads::Cascade& cascade, const std::vector<mapping::Loop>& shared);

// How a group ran: the Stats (DRAM traffic, energy, cycles, per-unit
// utilization, per Einsum), and which intermediates stayed or spilled.
struct GroupStats {
  Stats stats;
  std::vector<std::string> retained, spilled;
  int64_t retained_words = 0;   // words of the retained intermediates' tiles at the retention level
};

// Evaluates a group whose tile mappings validate_mapping() accepted on
// tile_cascade(); UserError when the group itself is malformed.
GroupStats evaluate_group(const arch::Architecture& arch, const workloads::Cascade& cascade, const Group& group);

}  // namespace einflow::sim::analytical
