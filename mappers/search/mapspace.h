// The mapspace of one Einsum on one compute unit: every way to factor each rank
// over the slots of the path (a temporal slot per storage level, a spatial slot
// per mesh axis of each fan-out), to order the temporal loops of each level, and
// to keep or bypass each tensor at each level, narrowed by the constraints.
//
// A point is a Genome of fixed size (no allocation): each prime factor of a
// rank sits in one slot, each level has a permutation of the ranks, each level
// a keep mask. Searches create, mutate and cross genomes; decode() turns one into
// the model's Nest after the cheap checks (fan-out, capacity, constraints).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "mappers/search/mapper_config.h"
#include "mappers/search/rng.h"
#include "mappers/search/space.h"
#include "sim/analytical/nest_model.h"

namespace einflow::search {

constexpr int kMaxRanks = mapping::kMaxRanks;
constexpr int kMaxLevels = sim::analytical::kMaxLevels;
constexpr int kMaxSlots = 3 * kMaxLevels;
constexpr int kMaxPrimes = 48;   // prime factors of one rank's size (2^48 > any size we can iterate)
constexpr int kMaxSizes = 16;    // padded sizes tried per rank with remainder tiles

struct Genome {
  std::array<uint8_t, kMaxRanks> size{};                          // index into the rank's sizes (0: its size)
  std::array<std::array<uint8_t, kMaxPrimes>, kMaxRanks> slot{};   // per prime factor: index into the rank's slots
  std::array<std::array<int8_t, kMaxRanks>, kMaxLevels> order{};   // per level, every rank, outermost first
  std::array<uint32_t, kMaxLevels> keep{};                         // per level, bit t: keeps model tensor t
};
bool operator==(const Genome& a, const Genome& b);
// A hash of a point (FNV-1a over its bytes), for searches that remember what they asked.
uint64_t hash_point(const Genome& g);

enum class SlotKind : uint8_t { kTemporal, kX, kY };

struct Slot {
  int level = 0;
  SlotKind kind = SlotKind::kTemporal;
  int64_t limit = 0;  // spatial slots: the mesh extent on that axis
};

// Why decode() refused a genome.
enum class Reject : uint8_t { kNone, kFanout, kCapacity, kReduction, kRequiredSpatial, kFixedFactor, kFactorBound };
const char* reject_name(Reject r);

class Mapspace final : public SpaceOf<Genome> {
 public:
  // Throws UserError (at the constraint's location) for names that do not
  // resolve or constraints that cannot be met.
  Mapspace(const arch::Architecture& arch, const workloads::Cascade& cascade, int einsum, int compute,
           const MapperConfig& config);

  const sim::analytical::NestModel& model() const { return m_model; }
  int einsum() const { return m_einsum; }
  int compute() const { return m_compute; }

  // The nest of a genome, or why it breaks a constraint. No allocation.
  Reject decode(const Genome& g, sim::analytical::Nest& nest) const;
  // The mapping a genome that decode() accepts stands for (YAML via mapping::write_mapping).
  mapping::Mapping to_mapping(const Genome& g) const;

  void random(Rng& rng, Genome& g) const override;
  void mutate(Rng& rng, Genome& g) const override;
  void crossover(Rng& rng, const Genome& a, const Genome& b, Genome& child) const override;
  // Every point one move away, shuffled: one prime factor to another slot,
  // two prime factors in different slots exchanged (a tile keeps its size
  // while its shape changes: how a search crosses a full scratchpad), one
  // loop of a level moved to another place among the loops with factor > 1,
  // one keep choice beyond the strata flipped, another padded size for a rank.
  void neighbours(Rng& rng, const Genome& g, std::vector<Genome>& out) const override;
  // The strata are the combinations of the first kStratifiedKeeps keep
  // choices (bit c of a stratum: choice c kept); neighbours() flips only
  // the choices beyond them.
  // Half the time the spatial loops of one fan-out drawn afresh (its primes
  // sent to the nearest temporal loop at or above it the rank may use, then
  // primes of the temporal loops at or above it, in a random order, while
  // they fit the mesh and the spatial bounds), else two to four mutations.
  void perturb(Rng& rng, Genome& g) const override;
  // A random point whose fan-outs are filled as far as its primes allow
  // (random(), then every fan-out's spatial loops drawn afresh).
  void fresh(Rng& rng, Genome& g) const override;
  uint64_t strata() const override;
  void set_stratum(uint64_t s, Genome& g) const override;
  uint64_t stratum_of(const Genome& g) const override;
  static constexpr int kStratifiedKeeps = 10;

  // Enumeration of the space without its symmetric duplicates: prime factors of
  // equal value in non-decreasing slots, only the orders of loops with factor
  // > 1, and of two adjacent loops that touch the same tensors alike (and do
  // not share a sliding window) only the one with the lower rank first.
  void first(Genome& g) const override;
  bool next(Genome& g) const override;  // false after the last point

  // log10 of the number of points enumerated (factorizations x orders x keeps), an estimate.
  double log10_size() const;

 private:
  // The constructor's parts (mapspace.cpp).
  struct Pins {  // keep and bypass pinned by the constraints, per level, bit t: model tensor t
    std::array<uint32_t, kMaxLevels> keep{}, bypass{};
  };
  void build_slots();
  void build_signatures();
  void apply_constraint(const LevelConstraint& lc, Pins& pins);
  void apply_factor_bounds(const LevelConstraint& lc, int lvl);
  void apply_orders(const LevelConstraint& lc, int lvl);
  void apply_residuals();
  struct Residual {
    int level = 0, rank = 0;
    SourceLoc loc;
  };
  std::vector<Residual> m_residual;  // (level, local rank): the rest of the rank goes there
  int local_rank_of(const std::string& name, const SourceLoc& loc) const;
  void build_sizes(const MapperConfig& config);
  void build_keeps(const MapperConfig& config, const Pins& pins);

  struct SizeOption {
    int64_t padded = 1;              // the free part of the rank, padded
    std::vector<int64_t> primes;     // its prime factors, ascending
  };
  struct RankSpace {
    int rank = -1;                   // cascade rank
    int64_t size = 1;
    std::array<int64_t, kMaxSlots> fixed{};  // pinned factors (1: none)
    std::vector<int> slots;          // slots the free factors may take
    std::vector<SizeOption> sizes;
  };

  void factors(const Genome& g, int64_t (*f)[kMaxSlots]) const;
  void first_order(int level, const int64_t (*f)[kMaxSlots], Genome& g) const;
  bool next_order(int level, const int64_t (*f)[kMaxSlots], Genome& g) const;
  bool canonical_order(int level, const int64_t (*f)[kMaxSlots], const Genome& g) const;
  bool next_slots(int r, Genome& g) const;
  void random_order(Rng& rng, int level, Genome& g) const;
  void pinned_layout(int level, Genome& g) const;
  // The end of a level's free ranks in its order (the ranks pinned innermost follow).
  int free_end(int level) const { return m_n_ranks - static_cast<int>(m_pinned_inner[level].size()); }
  void random_rank(Rng& rng, int r, Genome& g) const;
  void sized_rank(Rng& rng, int r, int size, Genome& g) const;  // padded size `size`, its primes in random slots
  bool exchange(Rng& rng, Genome& g) const;  // a random exchange of two ranks' primes; false when none was made
  static void sort_runs(const std::vector<int64_t>& primes, std::array<uint8_t, kMaxPrimes>& slot);

  // The local search's moves (mapspace_neighbours.cpp).
  struct Unit {  // equal primes of a rank in one slot
    int r;
    int64_t prime;
    int slot, count;  // slot: the path's slot (m_slots), not the rank's index
  };
  std::vector<Unit> units(const Genome& g) const;
  int slot_index(int r, int slot) const;  // the rank's index of a path slot, -1 when it may not go there
  bool pinned(int lvl, int r) const;      // r's place in the level's order is pinned (outermost or innermost)
  void move_unit(Genome& h, const Unit& u, int k, int to) const;  // k copies of u's prime to the rank's slot index `to`
  void place_loop(const int64_t (*f)[kMaxSlots], int lvl, int r, int at, Genome& h) const;
  void move_neighbours(const Genome& g, const int64_t (*f)[kMaxSlots], const std::vector<Unit>& us,
                       std::vector<Genome>& out) const;
  void exchange_neighbours(const Genome& g, const std::vector<Unit>& us, std::vector<Genome>& out) const;
  void order_neighbours(const Genome& g, const int64_t (*f)[kMaxSlots], std::vector<Genome>& out) const;
  void redraw_spatial(Rng& rng, int level, Genome& g) const;
  std::vector<int> fanout_levels() const;  // levels with spatial slots

  const arch::Architecture& m_arch;
  const workloads::Cascade& m_cascade;
  int m_einsum;
  int m_compute;
  bool m_imperfect;
  sim::analytical::NestModel m_model;
  int m_n_ranks = 0;
  int m_n_levels = 0;
  int m_n_tensors = 0;
  std::vector<int> m_path;                 // storage nodes, root first
  std::vector<Slot> m_slots;               // in nest order: level 0 T, X, Y, level 1 ...
  std::array<int, kMaxLevels> m_temporal_slot{};
  std::vector<RankSpace> m_ranks;
  std::array<std::vector<int>, kMaxLevels> m_pinned_order;  // outermost temporal ranks per level
  std::array<std::vector<int>, kMaxLevels> m_pinned_inner;  // innermost temporal ranks per level, outermost first
  struct Bound {  // a factor's bounds: a level's temporal slot, or the product of its spatial slots
    int level = 0;
    bool spatial = false;
    int rank = 0;
    int64_t lo = 1, hi = 0;  // hi 0: none
  };
  std::vector<Bound> m_bounds;
  std::array<uint32_t, kMaxLevels> m_keep_fixed{};          // bits decided by the architecture or constraints
  std::array<uint32_t, kMaxLevels> m_keep_value{};
  std::vector<std::pair<int, int>> m_keep_choices;          // (level, tensor) searched
  std::array<double, kMaxLevels> m_capacity{};              // words the tiles may use, 0 = unbounded
  std::array<uint32_t, kMaxLevels> m_reduce_forbidden{};    // ranks that may not be spatial below a level
  std::vector<std::pair<int, int>> m_required_spatial;      // (level, rank)
  std::array<uint32_t, kMaxRanks> m_signature{};            // tensors each rank indexes
  std::array<uint32_t, kMaxRanks> m_sliding{};              // ranks sharing a sliding window with each rank
};

}  // namespace einflow::search
