// The mapping of a whole cascade: fusion groups run one after another. The
// Einsums of a group share outer loops at the root (LoopTree's shared loops),
// so the intermediates passed between them can stay at an on-chip level for one
// iteration instead of going through DRAM; each Einsum's tile (the cascade with
// every shared rank divided by its factor) is mapped as usual and bound to a
// compute unit; the units may be pipelined across the iterations of a rank
// (FuseMax's binding). A single-Einsum mapping is a group of one with no shared
// loops. YAML in and out with an exact round trip (format in README.md).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mappers/mapping/mapping.h"

namespace einflow::mapping {

struct FusionGroup {
  std::vector<int> einsums;            // cascade Einsum indices, in cascade order
  std::vector<Loop> shared;            // shared loops at the root, outermost first
  int retain = -1;                     // node where intermediates stay; -1: every intermediate spills
  std::vector<std::pair<int, int>> retain_at;  // (tensor, node): intermediates kept elsewhere than `retain`
  int pipeline_rank = -1;              // rank whose iterations the units overlap; -1: none
  std::vector<Mapping> tiles;          // per Einsum (same order), on tile_cascade(cascade, shared)
  SourceLoc loc;

  // Where intermediate `tensor` stays (-1: it spills).
  int retention_node(int tensor) const;
  // Whether the group may retain `tensor`: an intermediate that it writes (every
  // writer in the group) and reads (some reader in it). A later group may read
  // it too: then its writer also writes it out (it is exported).
  bool may_retain(const workloads::Cascade& c, int tensor) const;
  // An Einsum runs inside the shared loops down to the innermost one over a rank
  // it iterates (those it does not iterate in between re-run it: recomputation,
  // e.g. K re-read for every query tile) and after the loops inside that (AV
  // after the loop over M1). The index of that innermost loop, -1 if none.
  int innermost(const workloads::Cascade& cascade, int einsum) const;
  // Per Einsum of the group (same order): whether it runs at the first
  // iteration of the shared loops inside its innermost one (else at the
  // last). First when an Einsum of the group inside a loop it is outside of
  // reads what it writes (MU, LayerNorm's mean, read by the normalisation
  // inside the loop over D), and then also each producer at its own depth that
  // it reads (so that it is ready in time: the mean's sum before the mean).
  std::vector<bool> runs_first(const workloads::Cascade& cascade) const;
  // Number of times the Einsum runs its tile: the product of the factors of the
  // shared loops down to innermost().
  int64_t executions(const workloads::Cascade& cascade, int einsum) const;
};

struct CascadeMapping {
  std::string variant;                 // workload variant, "" when not given
  std::vector<FusionGroup> groups;     // in execution order
  std::string file;
  SourceLoc loc;
};

// The cascade of one tile of a group: every rank of a shared loop divided by
// its factor (tensor extents follow; indices of ranks, tensors and Einsums are
// those of `cascade`). UserError when a shared factor does not divide its rank.
workloads::Cascade tile_cascade(const workloads::Cascade& cascade, const std::vector<Loop>& shared);
// The same without a copy when there are no shared loops (the cascade itself):
// what the searches' per-group checks and models use. Refers to `cascade`.
// Rank r's size on the tile of the shared loops, and the elements of tensor t
// there: what tile_cascade(cascade, shared) holds, without copying the cascade.
int64_t tile_rank_size(const workloads::Cascade& cascade, const std::vector<Loop>& shared, int rank);
int64_t tile_elements(const workloads::Cascade& cascade, const std::vector<Loop>& shared, int tensor);

class TileCascade {
 public:
  TileCascade(const workloads::Cascade& cascade, const std::vector<Loop>& shared)
      : m_base(&cascade), m_own(shared.empty() ? std::nullopt : std::optional(tile_cascade(cascade, shared))) {}
  TileCascade(const TileCascade&) = delete;
  TileCascade& operator=(const TileCascade&) = delete;
  const workloads::Cascade& get() const { return m_own ? *m_own : *m_base; }

 private:
  const workloads::Cascade* m_base;
  std::optional<workloads::Cascade> m_own;
};

// Reads a `cascade_mapping:` document; names are resolved with file:line:col.
CascadeMapping load_cascade_mapping(const std::string& path, const workloads::Cascade& cascade,
                                    const arch::Architecture& arch);
CascadeMapping load_cascade_mapping_text(const std::string& text, const std::string& name,
                                         const workloads::Cascade& cascade, const arch::Architecture& arch);
// Whether the file's document is a cascade mapping (else a single-Einsum one).
bool is_cascade_mapping_file(const std::string& path);

std::string write_cascade_mapping(const CascadeMapping& m, const workloads::Cascade& cascade,
                                  const arch::Architecture& arch);

// Every Einsum in exactly one group; groups in dependency order; shared loops
// legal (no Einsum inside the loop over a rank consumes a reduction over that
// rank made in the group: that needs another pass); retention nodes on the
// tiles' paths; each tile valid (validate_mapping on the tile cascade).
MappingStatus validate_cascade_mapping(const CascadeMapping& m, const workloads::Cascade& cascade,
                                       const arch::Architecture& arch);

// A group's shared loops and pipelined rank alone (no tiles needed): each
// loop iterated by some Einsum, none splitting a reduction that an Einsum
// inside it reads, what runs at the first iteration, the pipelined rank iterated.
MappingStatus validate_shared_loops(const FusionGroup& group, const workloads::Cascade& cascade);
// One group's own rules, without its tiles' mappings: a PIM unit's Einsum
// alone; shared loops iterated and legal; what runs at the first iteration;
// the pipelined rank iterated; retention nodes on the tiles' paths.
MappingStatus validate_group_rules(const FusionGroup& group, const workloads::Cascade& cascade,
                                   const arch::Architecture& arch);
// The rules, each tile on the tile cascade (skipped when `tiles_checked`: the
// caller validated each tile there), and every retained intermediate kept by
// the tiles that touch it. What validate_cascade_mapping checks per group.
// `tile_cascade`: the group's tile cascade when the caller has it (else made here).
MappingStatus validate_fusion_group(const FusionGroup& group, const workloads::Cascade& cascade,
                                    const arch::Architecture& arch, bool tiles_checked = false,
                                    const workloads::Cascade* tile_cascade = nullptr);

// The one-group-per-Einsum cascade mapping of single-Einsum mappings (unfused).
CascadeMapping unfused(const std::vector<Mapping>& per_einsum);

}  // namespace einflow::mapping
