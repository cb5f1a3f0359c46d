// The analytical model of one Einsum on one path of the architecture: closed-
// form access counts per tensor per level (Timeloop's reads, fills, updates,
// with temporal reuse, sliding windows, spatial multicast and reduction, and
// the first read of a partial sum elided), compute and bandwidth cycles, and
// energy. NestModel precomputes everything that does not depend on the loop
// nest; evaluate() allocates nothing, so a search can call it in its inner loop.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "mappers/mapping/projection.h"
#include "mappers/mapping/unit_ops.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::sim::analytical {

constexpr int kMaxLevels = 8;
constexpr int kMaxLoops = 24;   // per level, temporal or spatial
constexpr int kMaxTensors = 8;

struct NestLoop {
  int8_t rank = 0;   // local rank (index into the Einsum's iteration ranks)
  int8_t axis = 0;   // 0 = x, 1 = y (spatial loops)
  int64_t factor = 1;
};

struct NestLevel {
  int n_temporal = 0;
  int n_spatial = 0;
  std::array<NestLoop, kMaxLoops> temporal{};  // outermost first
  std::array<NestLoop, kMaxLoops> spatial{};
  uint32_t keep = 0;                           // bit t: keeps tensor t (model order)
};

// A mapping in the model's compact form.
struct Nest {
  int n_levels = 0;
  bool imperfect = false;   // factors may over-cover a rank (remainder tiles)
  std::array<NestLevel, kMaxLevels> levels{};
};

// Counts are kept in double: exact for integers below 2^53, and with remainder
// tiles they hold the sum over tiles of different sizes (see sim/README.md).
struct NestCounts {
  double reads = 0, fills = 0, updates = 0;
};

struct NestResult {
  std::array<std::array<NestCounts, kMaxTensors>, kMaxLevels> counts{};
  std::array<std::array<int64_t, kMaxTensors>, kMaxLevels> tile_words{};  // full tile, per instance
  std::array<int64_t, kMaxLevels + 1> instances_used{};  // [i]: instances of level i in use; [n]: compute
  std::array<double, kMaxLevels> level_cycles{};
  std::array<double, kMaxLevels> net_down{}, net_up{};  // words the networks into each level carry, all of them
  int64_t steps = 0;            // temporal iterations that run (the busiest compute instance's)
  int64_t compute_instances = 0;  // compute instances in use
  double compute_cycles = 0;
  int64_t cycles = 0;
  double energy_pj = 0;
  int bound_level = -1;         // level whose bandwidth sets the cycles, -1 = compute
};

class NestModel {
 public:
  // Precomputes for the Einsum `einsum` running on compute unit `compute`.
  NestModel(const arch::Architecture& arch, const workloads::Cascade& cascade, int einsum, int compute);

  // The compact form of a (valid) mapping of this Einsum on this unit.
  Nest nest_of(const mapping::Mapping& m) const;
  // Counts, cycles and energy. No allocation.
  void evaluate(const Nest& nest, NestResult& out) const;
  // The user-facing report of one evaluation.
  Stats to_stats(const Nest& nest, const NestResult& r) const;

  // Leakage of storage level `level` over r.cycles, its instances in use leaking.
  double leak_energy(int level, const NestResult& r) const;
  // Words level `level` sends up of tensor t (the updates of its nearest keeper above).
  double sent_up(const Nest& nest, const NestResult& r, int level, int t) const;
  // Useful work over the unit's peak during r.cycles.
  double utilization(const NestResult& r) const;
  const std::vector<mapping::TensorProjection>& projections() const { return m_proj; }
  int n_ranks() const { return m_n_ranks; }
  int64_t rank_size(int local) const { return m_sizes[local]; }

  int n_tensors() const { return static_cast<int>(m_proj.size()); }
  int n_levels() const { return static_cast<int>(m_levels.size()); }

 private:
  struct LevelInfo {
    int node = -1;
    double read_bw = 0, write_bw = 0;  // words per cycle per instance, 0 = unlimited
    bool shared_bw = false;            // DRAM: reads and writes share one bandwidth
    double noc_bw = 0;   // the network from the level above into this one, each way; 0 = ideal
    bool multicast = true;
  };

  struct Geometry;
  void geometry(const Nest& nest, Geometry& g, NestResult& out) const;
  void count_tensor(const Nest& nest, int t, const Geometry& g, NestResult& out) const;
  void shifted_transfers(const Nest& nest, int t, const Geometry& g, int parent, int k, const double* e, double words,
                         double u_full, double& arrivals, double& parent_side) const;

  const arch::Architecture& m_arch;
  const workloads::Cascade& m_cascade;
  int m_einsum;
  int m_compute;
  int m_n_ranks;
  std::array<int64_t, mapping::kMaxRanks> m_sizes{};  // local rank sizes
  double m_points = 1;          // iteration points of the Einsum
  std::vector<LevelInfo> m_levels;
  std::vector<mapping::TensorProjection> m_proj;
  std::vector<mapping::OpNeed> m_needs;  // what the Einsum asks (reported as its ops)
  mapping::OpCover m_cover;     // how the unit performs it (cycles and energy)
  double m_masked_points = 0;   // iteration points that satisfy the mask
  double m_issue_cycles = 1;    // per iteration point
  double m_compute_pj = 0;      // all the Einsum's ops on this unit
  bool m_timeloop_reuse = false;  // arch.reuse_model: Timeloop's deltas and multicast
};

// One-off evaluation of a mapping that validate_mapping() accepted.
Stats evaluate_mapping(const arch::Architecture& arch, const workloads::Cascade& cascade, const mapping::Mapping& m);

}  // namespace einflow::sim::analytical
