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
// `inner_pj`: what every execution of the tile costs on chip whatever the
// group retains and keeps resident (onchip_pj); `dram_words` and `dram_pj`:
// what its executions move at the DRAM at least (root_floor).
struct TileBound {
  int unit = -1;
  double onchip = 0, work = 0, unit_pj = 0, inner_pj = 0, dram_words = 0, dram_pj = 0;
};

// A floor on the busiest unit's time in any assignment of positions to
// units, position k taking work[k][u] on unit u (infinite: not there): the
// largest of any position's least work and the fractional assignment's
// makespan, by LP duality at least sum_k min_u y_u work[k][u] for any weights
// y >= 0 summing to 1 (tried: even weights, weights inverse to each unit's
// total, and every breakpoint between two units with the others at 0).
double busiest_unit_floor(const std::vector<std::vector<double>>& work);

// InternalError when a group's cost `s` is under the floor `least` that the
// `what` bound gave (the floors' soundness, checked on every costed point).
void check_floor(const Cost& least, const sim::Stats& s, const char* what);

class GroupBounds {
 public:
  GroupBounds(const arch::Architecture& arch, const workloads::Cascade& cascade);
  TileBound tile(const mapping::FusionGroup& group, size_t k, const sim::Stats& stats) const;
  // A group with these tiles costs at least: its units' energy and leakage
  // over the least cycles; cycles the tiles one after another, or with a
  // pipelined rank the busiest unit (the model's schedule never ends before
  // its busiest unit is done).
  // `dram`: the group's compulsory DRAM cycles and energy (compulsory());
  // the larger of it and the tiles' own DRAM floors bounds the group's
  // cycles too and adds to its energy.
  Cost of_tiles(const std::vector<TileBound>& tiles, bool pipelined, const Cost& dram) const;
  // Any binding of positions whose work on each unit is `work[k][u]`
  // (infinite where unit u cannot run position k) and whose energy is at
  // least `pj` besides the DRAM's and leakage: cycles at least the makespan
  // of the best fractional assignment of the work to the units
  // (busiest_unit_floor), energy as above.
  Cost of_bindings(const std::vector<std::vector<double>>& work, double pj, const Cost& dram) const;
  // The whole cycles `words` take at the DRAM's bandwidth, rounded down (0 without a limit).
  int64_t dram_cycles(double words) const;
  // What any group of these Einsums moves to and from the DRAM, whatever its
  // genes: each tensor it reads and no Einsum of it writes, read once whole,
  // and each tensor only it writes that an Einsum outside it reads or that
  // leaves the cascade, written once whole; the cycles at the DRAM's
  // bandwidth and the energy at its read and (the cheaper of) write and
  // update costs. Only tensors an unmasked Einsum of it reads or writes
  // whole count: each index a rank, or ranks in mixed radix (m1*M0 + m0),
  // spanning the tensor's extent (not a halo, a stride or an iterative
  // rank's extra entry). Nothing when the root is not a DRAM.
  Cost compulsory(const std::vector<int>& einsums) const;

 private:
  Cost with_leakage(double cycles, double unit_pj, const Cost& dram) const;
  // The DRAM (the root) reads and updates of tile k's tensors that the group
  // cannot retain, over the fewest executions that fetch them (reusable(),
  // which a resident tensor reaches; each execution otherwise); a retained
  // intermediate never reaches the DRAM and counts nothing. At per_word's cost.
  void root_floor(const mapping::FusionGroup& grp, size_t k, double executions, const sim::Stats& st,
                  TileBound& t) const;
  // Tile k's on-chip accesses over its executions that the group model
  // charges whatever the group retains and keeps resident
  // (GroupEvaluation::accumulate): below the DRAM, every read, update and
  // fill of a tensor the group cannot retain (not an intermediate all of
  // whose writers are in it) at every execution, but its first on-chip
  // keeper's fills at reusable()'s executions (a resident input is fetched
  // that often); of a tensor it may retain, the reads and updates of the
  // tile's innermost level only (a retained intermediate skips the levels
  // above its retention level, and its retention level's fills). At
  // per_word's cost.
  double onchip_pj(const mapping::FusionGroup& grp, size_t k, double executions, const sim::Stats& st) const;
  // The cost of a word at `node` without the models' rounding up to whole
  // blocks per instance (a floor of the cost of any sum of words).
  double per_word(int node) const;
  // Whether access `x` of Einsum `e` covers its tensor whole (see compulsory()).
  bool covers(const workloads::Einsum& e, const workloads::Access& x) const;

  const arch::Architecture& m_arch;
  const workloads::Cascade& m_cascade;
  double m_leak_per_cycle = 0;  // every storage instance's leakage per cycle
};

}  // namespace einflow::cascade
