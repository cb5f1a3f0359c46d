// Internal to the optimal search (optimal.cpp): lower bounds on what a group
// costs, from its tiles' Stats alone, for its branch and bound.
#pragma once

#include <cstdint>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::cascade {

struct Cost {
  int64_t cycles = 0;
  double energy = 0;
};

// Tile k of a group over all its executions: its on-chip cycles (compute or an
// inner level's bandwidth, as the group model times it), a floor on any tile's
// cycles for its Einsum on its unit (the operations over the unit's instances,
// less the half cycle the rounding of compute cycles may take) and its unit's
// energy (the Einsum's operations, whatever the tile).
struct TileBound {
  int unit = -1;
  double onchip = 0, work = 0, unit_pj = 0;
};

class GroupBounds {
 public:
  GroupBounds(const arch::Architecture& arch, const workloads::Cascade& cascade);
  TileBound tile(const mapping::FusionGroup& group, size_t k, const sim::Stats& stats) const;
  // A group with these tiles costs at least: its units' energy and leakage
  // over the least cycles; cycles the tiles one after another, or with a
  // pipelined rank the busiest unit (the model's schedule never ends before
  // its busiest unit is done).
  Cost of_tiles(const std::vector<TileBound>& tiles, bool pipelined) const;
  // Any binding of positions whose least work and unit energy over their
  // units are these, on `units` units: cycles at least the largest least work
  // and the total least work spread over every unit, energy as above.
  Cost of_bindings(const std::vector<double>& least_work, const std::vector<double>& least_pj, int units) const;

 private:
  Cost with_leakage(double cycles, double unit_pj) const;

  const arch::Architecture& m_arch;
  const workloads::Cascade& m_cascade;
  double m_leak_per_cycle = 0;  // every storage instance's leakage per cycle
};

}  // namespace einflow::cascade
