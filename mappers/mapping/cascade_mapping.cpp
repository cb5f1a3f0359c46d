// Cascade mappings: the tile cascade, executions, validation.
#include "mappers/mapping/cascade_mapping.h"
#include "common/contains.h"

#include <algorithm>

namespace einflow::mapping {
namespace {

MappingStatus fail(const SourceLoc& loc, const std::string& reason) { return {false, reason, loc}; }

}  // namespace

int FusionGroup::retention_node(int tensor) const {
  for (const auto& [t, node] : retain_at)
    if (t == tensor) return node;
  return retain;
}

bool FusionGroup::may_retain(const workloads::Cascade& c, int tensor) const {
  const auto& t = c.tensors[static_cast<size_t>(tensor)];
  if (t.kind != workloads::TensorKind::kIntermediate || t.writers.empty()) return false;
  bool read_inside = false;
  for (int e : t.writers)
    if (!contains(einsums, e)) return false;
  for (int e : t.readers) read_inside = read_inside || contains(einsums, e);
  return read_inside;
}

int FusionGroup::innermost(const workloads::Cascade& c, int einsum) const {
  int last = -1;
  for (size_t i = 0; i < shared.size(); ++i)
    if (contains(c.einsums[einsum].iteration_ranks, shared[i].rank)) last = static_cast<int>(i);
  return last;
}

std::vector<bool> FusionGroup::runs_first(const workloads::Cascade& c) const {
  const size_t n = einsums.size();
  std::vector<int> depth(n);
  for (size_t k = 0; k < n; ++k) depth[k] = innermost(c, einsums[k]);
  auto reads = [&](size_t reader, size_t writer) {
    return reader != writer && c.einsums[static_cast<size_t>(einsums[reader])].reads(
                                   c.einsums[static_cast<size_t>(einsums[writer])].output.tensor);
  };
  std::vector<bool> first(n, false);
  for (size_t k = 0; k < n; ++k)
    for (size_t j = 0; j < n; ++j)
      if (reads(j, k) && depth[j] > depth[k]) first[k] = true;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t x = 0; x < n; ++x)
      for (size_t w = 0; first[x] && w < n; ++w)
        if (!first[w] && depth[w] == depth[x] && reads(x, w)) {
          first[w] = true;
          changed = true;
        }
  }
  return first;
}

int64_t FusionGroup::executions(const workloads::Cascade& c, int einsum) const {
  int64_t n = 1;
  const int last = innermost(c, einsum);
  for (int i = 0; i <= last; ++i) n *= shared[i].factor;
  return n;
}

int64_t tile_rank_size(const workloads::Cascade& c, const std::vector<Loop>& shared, int rank) {
  int64_t div = 1;
  for (const auto& loop : shared)
    if (loop.rank == rank) div *= loop.factor;
  return c.ranks[static_cast<size_t>(rank)].size / div;
}

int64_t tile_elements(const workloads::Cascade& c, const std::vector<Loop>& shared, int tensor) {
  const workloads::Tensor& x = c.tensors[static_cast<size_t>(tensor)];
  int64_t n = 1;
  for (size_t i = 0; i < x.ranks.size(); ++i) {
    const int r = x.ranks[i];
    n *= tile_rank_size(c, shared, r) + (x.extents[i] - c.ranks[static_cast<size_t>(r)].size);
  }
  return n;
}

workloads::Cascade tile_cascade(const workloads::Cascade& c, const std::vector<Loop>& shared) {
  workloads::Cascade t = c;
  std::vector<int64_t> div(c.ranks.size(), 1);
  for (const auto& loop : shared) {
    div[loop.rank] *= loop.factor;
    if (c.ranks[loop.rank].size % div[loop.rank] != 0)
      throw UserError(loop.loc, "the shared loops of rank " + c.ranks[loop.rank].name + " (" +
                                    std::to_string(div[loop.rank]) + ") do not divide its size " +
                                    std::to_string(c.ranks[loop.rank].size));
  }
  for (size_t r = 0; r < c.ranks.size(); ++r) t.ranks[r].size = c.ranks[r].size / div[r];
  for (auto& tensor : t.tensors)
    for (size_t i = 0; i < tensor.ranks.size(); ++i) {
      const int r = tensor.ranks[i];
      tensor.extents[i] = t.ranks[r].size + (tensor.extents[i] - c.ranks[r].size);  // keeps the +1 of iterative ranks
    }
  return t;
}

// An intermediate the group produces and consumes, retained at a node: every
// tile that touches it keeps it at that node's level.
static MappingStatus retention_kept(const FusionGroup& g, const workloads::Cascade& c, const workloads::Cascade& tc,
                                    const arch::Architecture& a) {
  for (size_t t = 0; t < c.tensors.size(); ++t) {
    const auto& tensor = c.tensors[t];
    const int node = g.retention_node(static_cast<int>(t));
    if (node < 0 || !g.may_retain(c, static_cast<int>(t))) continue;
    for (size_t k = 0; k < g.einsums.size(); ++k) {
      const Mapping& tile = g.tiles[k];
      if (!contains(tensor.writers, tile.einsum) && !contains(tensor.readers, tile.einsum)) continue;
      bool kept = false;
      for (size_t i = 0; i < tile.levels.size(); ++i)
        kept = kept || (tile.levels[i].node == node && level_keeps(tile, a, tc, static_cast<int>(i), static_cast<int>(t)));
      if (!kept)
        return fail(tile.loc, "intermediate " + tensor.name + " is retained at " + a.nodes[node].name +
                                  ", but the mapping of Einsum " + c.einsums[tile.einsum].name +
                                  " does not keep it there");
    }
  }
  return {};
}

// An Einsum that runs once, at the first iteration of the shared loops inside
// its innermost one (runs_first), must not read what an Einsum inside one of
// those loops (with more than one iteration) finishes only at its last
// iteration: LayerNorm's mean, from a sum over the rank the loop splits, read
// back by the loop's normalisation, needs a second pass.
static MappingStatus check_first_iteration_reads(const FusionGroup& g, const workloads::Cascade& c) {
  const std::vector<bool> first = g.runs_first(c);
  for (size_t k = 0; k < g.einsums.size(); ++k) {
    if (!first[k]) continue;
    const workloads::Einsum& xe = c.einsums[static_cast<size_t>(g.einsums[k])];
    const int ix = g.innermost(c, g.einsums[k]);
    for (int w : g.einsums) {
      if (w == g.einsums[k] || !xe.reads(c.einsums[w].output.tensor)) continue;
      for (int l = ix + 1; l <= g.innermost(c, w); ++l)
        if (g.shared[static_cast<size_t>(l)].factor > 1)
          return fail(g.shared[static_cast<size_t>(l)].loc,
                      "Einsum " + xe.name + " runs once, at the first iteration of the shared loop over " +
                          c.ranks[g.shared[static_cast<size_t>(l)].rank].name + " (an Einsum inside it reads " +
                          c.tensors[xe.output.tensor].name + "), but reads " +
                          c.tensors[c.einsums[w].output.tensor].name + ", which " + c.einsums[w].name +
                          " finishes only at the last: that needs another pass over the rank; share fewer ranks "
                          "or split the group");
    }
  }
  return {};
}

MappingStatus validate_shared_loops(const FusionGroup& g, const workloads::Cascade& c) {
  // Shared loops: iterated by some Einsum of the group, and legal.
  for (size_t li = 0; li < g.shared.size(); ++li) {
    const Loop& loop = g.shared[li];
    bool used = false;
    for (int e : g.einsums) used = used || contains(c.einsums[e].iteration_ranks, loop.rank);
    if (!used)
      return fail(loop.loc, "no Einsum of the group iterates rank " + c.ranks[loop.rank].name +
                                ", so a shared loop over it would repeat the same work");
    if (loop.factor == 1) continue;
    for (int w : g.einsums) {
      const workloads::Einsum& we = c.einsums[w];
      const int t = we.output.tensor;
      for (int r : c.tensors[t].readers) {
        if (!contains(g.einsums, r)) continue;
        const workloads::Einsum& re = c.einsums[r];
        const bool reader_inside = g.innermost(c, r) >= static_cast<int>(li);
        if (contains(we.reduced_ranks, loop.rank) && reader_inside)
          return fail(loop.loc, "Einsum " + re.name + " reads " + c.tensors[t].name + ", the reduction of " +
                                    we.name + " over " + c.ranks[loop.rank].name +
                                    ", inside a shared loop over that rank: it needs the finished reduction "
                                    "(another pass over the rank); share fewer ranks or split the group");
        if (!contains(re.iteration_ranks, loop.rank) && contains(c.tensors[t].ranks, loop.rank))
          for (const auto& in : re.inputs)
            if (in.tensor == t && in.uses(loop.rank))
              return fail(loop.loc, "Einsum " + re.name + " does not iterate rank " + c.ranks[loop.rank].name +
                                        " but reads " + c.tensors[t].name + " along it");
      }
    }
  }
  const MappingStatus first = check_first_iteration_reads(g, c);
  if (!first.ok) return first;
  if (g.pipeline_rank >= 0) {
    bool used = false;
    for (int e : g.einsums) used = used || contains(c.einsums[e].iteration_ranks, g.pipeline_rank);
    if (!used)
      return fail(g.loc, "no Einsum of the group iterates the pipelined rank " + c.ranks[g.pipeline_rank].name);
  }
  return {};
}

MappingStatus validate_group_rules(const FusionGroup& g, const workloads::Cascade& c, const arch::Architecture& a) {
  // A PIM unit's Einsum runs alone: its operand stays in the banks and its
  // results leave through the host, so nothing is shared, kept or pipelined.
  for (size_t k = 0; k < g.tiles.size(); ++k)
    if (a.is_pim(g.tiles[k].compute) &&
        (g.einsums.size() > 1 || !g.shared.empty() || g.retain >= 0 || g.pipeline_rank >= 0))
      return fail(g.tiles[k].loc, "Einsum " + c.einsums[g.einsums[k]].name +
                                      " on the PIM unit runs in a group of its own, with no shared loops, "
                                      "retention or pipelining");
  const MappingStatus loops = validate_shared_loops(g, c);
  if (!loops.ok) return loops;
  // Retention nodes lie on the path of every tile that touches the tensor.
  for (size_t k = 0; k < g.einsums.size(); ++k) {
    const Mapping& tile = g.tiles[k];
    const std::vector<int> path = a.storage_path(tile.compute);
    for (int t : einsum_tensors(c.einsums[g.einsums[k]])) {
      if (c.tensors[t].kind != workloads::TensorKind::kIntermediate) continue;
      const int node = g.retention_node(t);
      if (node >= 0 && !contains(path, node))
        return fail(tile.loc, "intermediate " + c.tensors[t].name + " is to stay at " + a.nodes[node].name +
                                  ", which is not on the path of Einsum " + c.einsums[g.einsums[k]].name +
                                  " to " + a.nodes[tile.compute].name);
    }
  }
  return {};
}

MappingStatus validate_fusion_group(const FusionGroup& g, const workloads::Cascade& c, const arch::Architecture& a,
                                    bool tiles_checked, const workloads::Cascade* tile_c) {
  const MappingStatus rules = validate_group_rules(g, c, a);
  if (!rules.ok) return rules;
  const TileCascade tiled(c, tile_c ? std::vector<Loop>{} : g.shared);
  const workloads::Cascade& tc = tile_c ? *tile_c : tiled.get();
  for (size_t k = 0; k < g.tiles.size() && !tiles_checked; ++k) {
    MappingStatus st = validate_mapping(g.tiles[k], tc, a);
    if (!st.ok) return st;
  }
  return retention_kept(g, c, tc, a);
}

MappingStatus validate_cascade_mapping(const CascadeMapping& m, const workloads::Cascade& c,
                                       const arch::Architecture& a) {
  // Every Einsum once; producers in an earlier group or the same one.
  std::vector<int> group_of(c.einsums.size(), -1);
  for (size_t g = 0; g < m.groups.size(); ++g)
    for (size_t k = 0; k < m.groups[g].einsums.size(); ++k) {
      const int e = m.groups[g].einsums[k];
      if (group_of[e] >= 0)
        return fail(m.groups[g].tiles[k].loc, "Einsum " + c.einsums[e].name + " is mapped twice (groups " +
                                                  std::to_string(group_of[e] + 1) + " and " +
                                                  std::to_string(g + 1) + ")");
      group_of[e] = static_cast<int>(g);
    }
  for (size_t e = 0; e < c.einsums.size(); ++e)
    if (group_of[e] < 0) return fail(m.loc, "Einsum " + c.einsums[e].name + " is in no group");
  for (size_t e = 0; e < c.einsums.size(); ++e)
    for (const auto& in : c.einsums[e].inputs)
      for (int w : c.tensors[in.tensor].writers)
        if (group_of[w] > group_of[e])
          return fail(m.groups[group_of[e]].loc, "Einsum " + c.einsums[e].name + " reads " +
                                                     c.tensors[in.tensor].name + ", which Einsum " +
                                                     c.einsums[w].name + " of a later group writes");

  for (const FusionGroup& g : m.groups) {
    const MappingStatus st = validate_fusion_group(g, c, a);
    if (!st.ok) return st;
  }
  return {};
}

CascadeMapping unfused(const std::vector<Mapping>& per_einsum) {
  CascadeMapping m;
  for (const Mapping& e : per_einsum) {
    FusionGroup g;
    g.einsums = {e.einsum};
    g.tiles = {e};
    g.loc = e.loc;
    m.groups.push_back(g);
    if (m.variant.empty()) m.variant = e.variant;
  }
  return m;
}

}  // namespace einflow::mapping
