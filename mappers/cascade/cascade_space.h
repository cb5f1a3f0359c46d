// The cascade space: every way to cut the dependency order into fusion groups,
// the factors of the loops each group shares, where its intermediates stay
// (the buffer its units share, and each unit's own level for what one unit
// makes and uses), which rank it pipelines and which unit runs each Einsum.
// Each point decodes to a cascade mapping with canonical tiles (named.h) that
// follow every choice. A space that implements search::SpaceOf, so every
// registered search runs on it (cascade_search.h).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/search/cascade_genome.h"
#include "mappers/search/space.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::cascade {

using search::CascadeGenome;

class CascadeSpace final : public search::SpaceOf<CascadeGenome> {
 public:
  // UserError at the Einsum when no unit of the architecture can run it.
  CascadeSpace(const arch::Architecture& arch, const workloads::Cascade& cascade);

  // From now on only the shared loops' factors vary; the grouping, binding,
  // retention and pipelining are the design's. UserError when its groups are
  // not runs of the dependency order or it binds an Einsum to a unit without its ops.
  void constrain_to(const mapping::CascadeMapping& design);

  // Where searches start: the design's point when constrained, else one group
  // sharing the independent ranks, every Einsum alone, one group that also
  // pipelines its recurrences, and, with a PIM DRAM, every Einsum alone with
  // what the PIM unit can run on it.
  std::vector<CascadeGenome> natural_starts() const;
  // The point of a mapping whose groups are runs of the dependency order and
  // whose units can run their Einsums; nothing otherwise.
  std::optional<CascadeGenome> encode(const mapping::CascadeMapping& m) const;
  // The cascade mapping of a point (validated by the caller). Thread-safe.
  mapping::CascadeMapping decode(const CascadeGenome& g) const;
  // The group of positions [first, end) of the dependency order, from the
  // genes of position `first` and each position's unit (what decode makes of
  // a group; an Einsum on the PIM unit must be alone). `tile_cascade`: the
  // tile cascade of the group's shared loops when the caller has it.
  mapping::FusionGroup decode_group(const CascadeGenome& g, int first, int end,
                                    const workloads::Cascade* tile_cascade = nullptr) const;

  // What the optimal search (optimal.h) enumerates directly.
  int positions() const { return size(); }
  int einsum_at(int i) const { return m_order[static_cast<size_t>(i)]; }
  const std::vector<int>& units_at(int i) const { return m_units[static_cast<size_t>(i)]; }
  const std::vector<int64_t>& divisors(int rank) const { return m_divisors[static_cast<size_t>(rank)]; }
  // The ranks some Einsum of the group at [first, end) iterates, ascending.
  std::vector<int> group_ranks(int first, int end) const;
  // A blank point: no cuts, nothing shared, intermediates retained, the
  // natural binding (contractions on the widest unit, the rest on the narrowest).
  CascadeGenome blank() const;
  // Tile k of a group made by decode_group, validated on the group's tile
  // cascade, and its nest-model Stats when valid; cached with the tile.
  struct TileFacts {
    mapping::MappingStatus status;
    sim::Stats stats;
  };
  const TileFacts& tile_facts(const workloads::Cascade& tile_cascade, const mapping::FusionGroup& grp, size_t k) const;

  void random(search::Rng& rng, CascadeGenome& g) const override;
  void mutate(search::Rng& rng, CascadeGenome& g) const override;
  // One-point crossover: positions before a random cut from a, the rest from b.
  void crossover(search::Rng& rng, const CascadeGenome& a, const CascadeGenome& b,
                 CascadeGenome& child) const override;
  // Every grouping (outermost), then per group its shared factors, retention
  // and pipelined rank, and every Einsum's unit; genes a group ignores stay 0.
  void first(CascadeGenome& g) const override;
  bool next(CascadeGenome& g) const override;

 private:
  // Gene kinds that vary (all, or only sharing when constrained).
  struct Free {
    bool grouping = true, sharing = true, retention = true, pipelining = true, binding = true;
  };
  // One enumerated gene: kind, position, rank (sharing) and how many values.
  struct Digit {
    enum Kind : uint8_t { kShare, kRetain, kPrivate, kPipeline, kUnit } kind;
    int position = 0, rank = 0, values = 1;
  };

  int size() const { return static_cast<int>(m_order.size()); }
  CascadeGenome one_group() const;
  CascadeGenome unfused() const;
  CascadeGenome recurrent_group() const;
  CascadeGenome pim_start() const;
  std::vector<int> starts(const CascadeGenome& g) const;
  // Whether position i's Einsum is on the DRAM's PIM unit.
  bool on_pim(const CascadeGenome& g, int i) const;
  // A PIM unit's mapping of Einsum e in `layout` ("" for the cache's copies).
  mapping::Mapping pim_tile(int e, const std::string& layout) const;
  int group_end(const CascadeGenome& g, int first) const;
  std::vector<Digit> digits(const CascadeGenome& g) const;
  int digit_value(const CascadeGenome& g, const Digit& d) const;
  void set_digit(CascadeGenome& g, const Digit& d, int v) const;
  // Every free gene but the cuts at its first value, 0.
  void clear_inner(CascadeGenome& g) const;
  mapping::Mapping tile(const workloads::Cascade& tc, int e, int unit, const mapping::FusionGroup& grp) const;
  // What a canonical tile depends on: the Einsum, its unit, its ranks' tile
  // sizes and the intermediates it keeps in its unit's own level.
  std::string tile_key(const workloads::Cascade& tc, int e, int unit, const mapping::FusionGroup& grp) const;

  const arch::Architecture& m_arch;
  const workloads::Cascade& m_cascade;
  std::vector<int> m_order;                    // the dependency order
  std::vector<std::vector<int64_t>> m_divisors;  // per rank, ascending
  std::vector<std::vector<int>> m_units;       // per position, the units able to run its Einsum
  std::map<int, mapping::Mapping> m_pim_tiles;  // per Einsum the PIM unit can run, its mapping there
  Free m_free;
  std::optional<CascadeGenome> m_base;         // the constraining design's point
  mutable std::mutex m_tiles_mutex;
  mutable std::map<std::string, mapping::Mapping> m_tiles;  // canonical tiles already made
  mutable std::map<std::string, TileFacts> m_facts;          // and their checks and Stats, when asked
};

}  // namespace einflow::cascade
