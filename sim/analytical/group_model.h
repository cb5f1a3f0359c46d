// The analytical model of fusion groups and whole cascade mappings
// (mappers/mapping/cascade_mapping.h). Each Einsum's tile is evaluated with the
// nest model; the group adds the shared iterations (with Timeloop's temporal
// reuse across them), keeps the retained intermediates off every level above
// their retention level, spills the ones that do not fit beside the tiles, and
// overlaps the units across the iterations of a pipelined rank.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "sim/analytical/group_counts.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::sim::analytical {

// How a group ran: the Stats (DRAM traffic, energy, cycles, per-unit
// utilization, per Einsum), and which intermediates stayed or spilled.
struct GroupStats {
  Stats stats;
  std::vector<std::string> retained, spilled;
  // Per storage level: the most words per instance that the tiles, the retained
  // intermediates and the inputs kept across iterations need at any Einsum.
  std::map<std::string, int64_t> peak_words;
};

// Evaluates a group whose tiles validate on tile_cascade(); UserError when the
// group itself is malformed (an intermediate retained where a tile cannot keep it).
// `tile_stats`, when given, replaces the nest model's Stats of each tile (one
// per Einsum of the group, on tile_cascade()): the cycle model passes its own,
// and the group's accounting (executions, retention, reuse across the shared
// loops) is applied to them. `adjust`, when given, may change the residency
// decision before the model counts by it (what-if studies; the agreement
// tests give this model a wrong retention to show they catch it).
GroupStats evaluate_group(const arch::Architecture& arch, const workloads::Cascade& cascade, const Group& group,
                          const std::vector<Stats>* tile_stats = nullptr,
                          const std::function<void(Residency&)>& adjust = {});

struct CascadeStats {
  Stats stats;                     // the groups one after another
  std::vector<GroupStats> groups;
};

// The groups one after another: cycles, energy and traffic add up, per-level
// and energy entries merge by name, utilization is work over the total cycles.
CascadeStats combine_groups(const arch::Architecture& arch, std::vector<GroupStats> groups);

// Each compute unit's utilization: its work (busy unit-cycles) over the run's
// cycles, 0 for a unit without work or a run of 0 cycles. The one rule of the
// group, cascade and cycle models.
void set_utilization(Stats& s, const arch::Architecture& arch, const std::map<std::string, double>& work);
// Adds every storage node's leakage over s.cycles (a group keeps all its
// instances powered) to s.energy and s.energy_pj.
void add_leakage(Stats& s, const arch::Architecture& arch);

// Evaluates a cascade mapping that validate_cascade_mapping() accepted.
CascadeStats evaluate_cascade(const arch::Architecture& arch, const workloads::Cascade& cascade,
                              const mapping::CascadeMapping& m);

}  // namespace einflow::sim::analytical
