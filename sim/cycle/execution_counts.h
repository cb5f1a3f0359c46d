// Internal to sim/cycle: the cycle model's own count of a fusion group's
// accesses. Every execution the group runs, in program order, adds its tile's
// accesses (from the tile's walk) where the data actually moves: a retained
// intermediate stays at its retention level (nothing above it, no refill
// there); an input that stays resident is fetched from the root only when the
// execution needs other words of it than the previous execution of its tile
// had (its tile moved along a rank that indexes it), or when the tile's own
// root loops move it. The analytical model (group_model.cpp) counts the same
// group by formula; the two agree only when both are right.
#pragma once

#include <cstdint>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "sim/analytical/group_counts.h"
#include "sim/analytical/group_model.h"
#include "workloads/cascade.h"

namespace einflow::sim::cycle::detail {

class ExecutionCounter {
 public:
  // `tiles`: each tile's figures from its walk; `residency`: what stays where.
  ExecutionCounter(const arch::Architecture& arch, const workloads::Cascade& cascade,
                   const mapping::FusionGroup& group, const std::vector<analytical::TileFigures>& tiles,
                   const analytical::Residency& residency);

  // An execution of tile k at `offset` (per cascade rank: the tile's offset).
  void execution(int k, const std::vector<int64_t>& offset);
  // How often tile k ran.
  int64_t executions(int k) const { return m_executions[static_cast<size_t>(k)]; }
  // The group's Stats from the counts (accesses, energy, DRAM bytes, per
  // Einsum: each tile's walk cycles times its executions), with the residency's
  // retained, spilled and peak words; cycles, utilization and the bound are
  // the schedule's to fill.
  analytical::GroupStats finish() const;

 private:
  // Whether execution of tile k must fetch tensor t from the root.
  bool fetches(int k, int t, const std::vector<int64_t>& offset);

  const arch::Architecture& m_arch;
  const workloads::Cascade& m_cascade;
  const mapping::FusionGroup& m_group;
  const std::vector<analytical::TileFigures>& m_tiles;
  const analytical::Residency& m_residency;
  analytical::GroupCounts m_counts;
  std::vector<int64_t> m_executions;                         // per tile
  std::vector<std::vector<std::vector<int64_t>>> m_held;     // [tile][tensor]: the offsets of the words it last fetched
  std::vector<std::vector<uint8_t>> m_has_held;              // [tile][tensor]
};

}  // namespace einflow::sim::cycle::detail
