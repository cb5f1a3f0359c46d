// What both models of a fusion group share: the typed, index-keyed figures of
// each tile (architecture node, cascade tensor), the decision of which
// intermediates stay and which inputs stay resident (from capacity, made
// once), the accumulator each model counts into, and the one function that
// turns it into Stats. The analytical model (group_model.cpp) counts by
// formula (executions and reuse factors); the cycle model (cycle/cascade_sim.cpp)
// counts every execution it runs and observes when a tile's data changes, so
// the two agree only when both are right.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::sim::analytical {

using Group = mapping::FusionGroup;

// One tile's Stats, keyed by index.
struct TileFigures {
  struct Entry {
    int tensor = -1;  // cascade tensor
    Accesses accesses;
    int64_t tile_words = 0;  // per instance
  };
  struct Level {
    int node = -1;  // architecture node
    std::vector<Entry> tensors;
  };
  Stats stats;                // the tile's own (cycles, energy, ops, utilization)
  std::vector<Level> levels;  // the Stats' order: root first
  int k = 0;                  // its position in the group
  int einsum = -1;
  int unit = -1;              // compute node
  double executions = 1;      // how often the group runs it (the formula; the cycle model counts its own)
  double onchip_cycles = 0;   // per execution: compute, or an inner level's bandwidth (not the DRAM's)

  const Entry* find(int node, int tensor) const;
  // Words of `tensor` kept per instance at `node` (-1: not kept there).
  int64_t tile_words(int node, int tensor) const;
  // The first level below the root that keeps `tensor` (-1: none).
  int first_keeper(int tensor) const;
};

// The figures of tile k of the group from its Stats (on tile_cascade()).
TileFigures tile_figures(const arch::Architecture& arch, const workloads::Cascade& cascade, const Group& group,
                         int k, Stats stats);

// Which intermediates stay at their retention level (in cascade order, while
// they fit beside the tiles; the rest spill), which inputs stay at their
// first on-chip level across the shared loops that leave them unchanged
// (where they fit), and the peak words per level.
struct Residency {
  struct Kept {
    int tensor, node, first, last;
    int64_t words;  // per instance, for one iteration of the shared loops
  };
  struct Resident {
    int k, tensor, node;
    int64_t words;
  };
  std::vector<int> retained_node;  // per cascade tensor: where it stays, -1 when not retained
  // Per cascade tensor: retained for the group's readers and also read by a
  // later group, so its writer writes it out as well (it passes its home).
  std::vector<uint8_t> exported;
  std::vector<Kept> kept;
  std::vector<Resident> resident;
  std::vector<std::string> retained, spilled;
  std::map<std::string, int64_t> peak_words;

  bool is_resident(int k, int tensor) const;
  // Whether Einsum `einsum`'s accesses of `tensor` stay below its home: a
  // retained intermediate never reaches the levels above it, except from its
  // writer when it is exported.
  bool stays_home(const workloads::Cascade& c, int einsum, int tensor) const {
    return retained_node[static_cast<size_t>(tensor)] >= 0 &&
           !(exported[static_cast<size_t>(tensor)] &&
             c.einsums[static_cast<size_t>(einsum)].output.tensor == tensor);
  }
};

// Executions of tile k that fetch tensor t from the root when t stays
// resident: the product of the shared factors down to the innermost loop
// (inside k's own) over a rank that indexes t; every execution when the
// tile's own root loops move t. The formula the analytical model counts by;
// the cycle model observes instead.
double reusable(const workloads::Cascade& cascade, const Group& group, const TileFigures& tile, int t);
// The same of tile k of the group (the tile of Einsum `einsum`, made `executions` times).
double reusable(const workloads::Cascade& cascade, const Group& group, int k, int einsum, double executions, int t);
// Whether the tile's own root loops move tensor t (it is fetched at every execution).
bool root_loops_move(const workloads::Cascade& cascade, const Group& group, const TileFigures& tile, int t);
bool root_loops_move(const workloads::Cascade& cascade, const Group& group, int k, int einsum, int t);

Residency decide_residency(const arch::Architecture& arch, const workloads::Cascade& cascade, const Group& group,
                           const std::vector<TileFigures>& tiles);

struct DoubleAccesses {
  double reads = 0, fills = 0, updates = 0;
};

// A group's accesses per level (in the order levels first appear) and
// tensor (likewise), and the units' energy.
class GroupCounts {
 public:
  void add(int node, int tensor, const DoubleAccesses& x);
  void add_unit_energy(const std::string& unit, const std::string& action, double count, double pj);
  // Fills s.energy (units, then each level's read, fill and update), s.energy_pj,
  // s.dram_bytes and s.per_level; returns the words the DRAM moved.
  double fill(const arch::Architecture& arch, const workloads::Cascade& cascade, Stats& s) const;

 private:
  std::vector<std::pair<int, std::vector<std::pair<int, DoubleAccesses>>>> m_levels;
  std::map<std::pair<std::string, std::string>, std::pair<double, double>> m_unit_energy;  // count, pJ
  double m_compute_pj = 0;
};

// Each Einsum's Stats over its executions: its tile's, cycles (on-chip time
// per execution times `executions`), energy and ops scaled.
EinsumStats einsum_over(const TileFigures& tile, double executions, double cycles_per_execution);

}  // namespace einflow::sim::analytical
