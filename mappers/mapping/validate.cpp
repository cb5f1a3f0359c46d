// Whether a mapping can run: factors, fan-out, capacity, keep permissions, ops.
#include <algorithm>
#include <sstream>

#include "common/checked.h"
#include "common/contains.h"
#include "mappers/mapping/mapping.h"
#include "mappers/mapping/projection.h"
#include "mappers/mapping/unit_ops.h"
#include "sim/analytical/pim_layout.h"  // header only: the PIM layouts' row counts
#include "workloads/analysis.h"

namespace einflow::mapping {
namespace {

MappingStatus fail(const SourceLoc& loc, const std::string& reason) { return {false, reason, loc}; }

}  // namespace

bool arch_permits(const arch::Node& n, const std::string& tensor) {
  if (!n.keep.empty() && !contains(n.keep, tensor)) return false;
  return !contains(n.bypass, tensor);
}

bool level_keeps(const Mapping& m, const arch::Architecture& a, const workloads::Cascade& c, int level,
                 int tensor) {
  if (level == 0) return true;
  const LevelMapping& l = m.levels[level];
  if (contains(l.bypass, tensor)) return false;
  if (contains(l.keep, tensor)) return true;
  return arch_permits(a.nodes[l.node], c.tensors[tensor].name);
}

namespace {

// Factors multiply to each rank's size (at least, with remainder tiles); `product` gets each local rank's.
MappingStatus check_factors(const Mapping& m, const workloads::Cascade& c, std::vector<int64_t>& product) {
  const workloads::Einsum& e = c.einsums[m.einsum];
  const int n_ranks = static_cast<int>(e.iteration_ranks.size());
  // Factors multiply to each rank's size.
  product.assign(static_cast<size_t>(n_ranks), 1);
  for (const auto& l : m.levels)
    for (const auto* loops : {&l.temporal, &l.spatial})
      for (const Loop& loop : *loops) {
        int r = local_rank(e, loop.rank);
        auto p = checked_mul(product[r], loop.factor);
        if (!p) return fail(loop.loc, "factors of rank " + c.ranks[loop.rank].name + " overflow 64 bits");
        product[r] = *p;
      }
  for (int r = 0; r < n_ranks; ++r) {
    const workloads::Rank& rank = c.ranks[e.iteration_ranks[r]];
    if (!m.imperfect && product[r] != rank.size)
      return fail(m.loc, "the factors of rank " + rank.name + " multiply to " + std::to_string(product[r]) +
                             ", not to its size " + std::to_string(rank.size) +
                             " (say `imperfect: true` to allow remainder tiles)");
    if (m.imperfect && product[r] < rank.size)
      return fail(m.loc, "the factors of rank " + rank.name + " multiply to " + std::to_string(product[r]) +
                             ", less than its size " + std::to_string(rank.size));
  }
  return {};
}

// A recurrence's carried ranks are not spread over instances.
MappingStatus check_recurrence(const Mapping& m, const workloads::Cascade& c) {
  const workloads::Einsum& e = c.einsums[m.einsum];
  // A recurrence (it reads its own output at another entry: RM[m1] to write
  // RM[m1+1]) runs its iterations in order, so no spatial loop may spread a
  // rank that carries it: each instance would read a value another one has
  // not written yet.
  std::vector<int> carried;
  for (const auto& in : e.inputs) {
    if (in.tensor != e.output.tensor) continue;
    for (size_t d = 0; d < in.index.size() && d < e.output.index.size(); ++d) {
      const workloads::IndexExpr &w = e.output.index[d], &r = in.index[d];
      bool same = w.constant == r.constant && w.terms.size() == r.terms.size();
      for (size_t i = 0; same && i < w.terms.size(); ++i)
        same = w.terms[i].rank == r.terms[i].rank && w.terms[i].coef == r.terms[i].coef;
      if (same) continue;
      for (const auto* x : {&w, &r})
        for (const auto& t : x->terms) carried.push_back(t.rank);
    }
  }
  for (const auto& l : m.levels)
    for (const Loop& loop : l.spatial)
      if (loop.factor > 1 && std::find(carried.begin(), carried.end(), loop.rank) != carried.end())
        return fail(loop.loc, "Einsum " + e.name + " carries a recurrence over rank " + c.ranks[loop.rank].name +
                                  " (it reads " + c.tensors[e.output.tensor].name +
                                  " where an earlier iteration wrote it); its iterations run in order, not on " +
                                  std::to_string(loop.factor) + " instances");
  return {};
}

// With remainder tiles, no outermost loop has an always-empty iteration.
MappingStatus check_remainders(const Mapping& m, const workloads::Cascade& c, const std::vector<int64_t>& product) {
  const workloads::Einsum& e = c.einsums[m.einsum];
  const int n_ranks = static_cast<int>(e.iteration_ranks.size());
  // With remainder tiles, the outermost loop of each rank must not have an
  // iteration that is always empty: ceil(size / inner tile) == its factor.
  if (m.imperfect) {
    std::vector<bool> seen(n_ranks, false);
    for (const auto& l : m.levels)
      for (const auto* loops : {&l.temporal, &l.spatial})
        for (const Loop& loop : *loops) {
          const int r = local_rank(e, loop.rank);
          if (seen[r] || loop.factor == 1) continue;
          seen[r] = true;
          const int64_t size = c.ranks[loop.rank].size, inner = product[r] / loop.factor;
          const int64_t used = (size + inner - 1) / inner;
          if (used != loop.factor)
            return fail(loop.loc, "the outermost loop of rank " + c.ranks[loop.rank].name + " has factor " +
                                      std::to_string(loop.factor) + " but only " + std::to_string(used) +
                                      " of its iterations reach into the rank's size " + std::to_string(size));
        }
  }
  return {};
}

// Spatial loops fit the fan-out below their level, and reduce only where it can.
MappingStatus check_fanouts(const Mapping& m, const workloads::Cascade& c, const arch::Architecture& a) {
  const workloads::Einsum& e = c.einsums[m.einsum];
  const int n_levels = static_cast<int>(m.levels.size());
  // Spatial loops fit the fan-out below their level, axis by axis.
  for (int i = 0; i < n_levels; ++i) {
    const LevelMapping& l = m.levels[i];
    const int below = i + 1 < n_levels ? m.levels[i + 1].node : m.compute;
    int64_t mesh_x = 1, mesh_y = 1;
    for (int n = below; n >= 0 && n != l.node; n = a.nodes[n].parent) {
      mesh_x *= a.nodes[n].mesh.x;
      mesh_y *= a.nodes[n].mesh.y;
    }
    int64_t used_x = 1, used_y = 1;
    for (const Loop& loop : l.spatial) (loop.axis == Axis::kX ? used_x : used_y) *= loop.factor;
    const std::string& name = a.nodes[l.node].name;
    if (used_x > mesh_x || used_y > mesh_y)
      return fail(l.loc, "spatial loops of level " + name + " use " + std::to_string(used_x) + " x " +
                             std::to_string(used_y) + " instances; the fan-out below it is " +
                             std::to_string(mesh_x) + " x " + std::to_string(mesh_y));
    if (!a.nodes[l.node].spatial_reduction)
      for (const Loop& loop : l.spatial)
        if (!contains(e.output_ranks, loop.rank))
          return fail(loop.loc, "rank " + c.ranks[loop.rank].name + " is reduced across the fan-out below " + name +
                                    ", which cannot reduce spatially (spatial_reduction: false)");
  }
  return {};
}

// Keep requests the architecture permits.
MappingStatus check_keeps(const Mapping& m, const workloads::Cascade& c, const arch::Architecture& a) {
  const int n_levels = static_cast<int>(m.levels.size());
  // Keep requests the architecture forbids.
  for (int i = 1; i < n_levels; ++i) {
    const LevelMapping& l = m.levels[i];
    for (int t : l.keep)
      if (!arch_permits(a.nodes[l.node], c.tensors[t].name))
        return fail(l.loc, "level " + a.nodes[l.node].name + " cannot hold tensor " + c.tensors[t].name +
                               " (the architecture bypasses it)");
  }
  return {};
}

// Tiles fit each level's capacity.
MappingStatus check_capacities(const Mapping& m, const workloads::Cascade& c, const arch::Architecture& a) {
  const workloads::Einsum& e = c.einsums[m.einsum];
  const int n_ranks = static_cast<int>(e.iteration_ranks.size());
  const int n_levels = static_cast<int>(m.levels.size());
  // Tiles fit each level's capacity.
  auto proj = project(c, m.einsum);
  std::vector<int64_t> tile(n_ranks, 1);
  // Every level's, an on-chip root's too (it holds the whole tensors); the DRAM's
  // capacity is not a mapping's concern.
  const int first_checked = a.is_offchip(m.levels[0].node) ? 1 : 0;
  for (int i = n_levels - 1; i >= first_checked; --i) {
    const LevelMapping& l = m.levels[i];
    for (const auto* loops : {&l.temporal, &l.spatial})
      for (const Loop& loop : *loops) tile[local_rank(e, loop.rank)] *= loop.factor;
    const arch::Node& node = a.nodes[l.node];
    if (node.size_words == 0) continue;
    int64_t words = 0;
    std::ostringstream parts;
    for (const auto& p : proj) {
      if (!level_keeps(m, a, c, i, p.tensor)) continue;
      int64_t w = p.footprint(tile.data());
      words += w;
      parts << (parts.tellp() > 0 ? " + " : "") << c.tensors[p.tensor].name << " " << w;
    }
    if (words > node.size_words)
      return fail(l.loc, "the tiles kept at " + node.name + " need " + std::to_string(words) + " words (" +
                             parts.str() + "), more than its " + std::to_string(node.size_words));
  }
  return {};
}

// The unit performs every op the Einsum needs.
MappingStatus check_ops(const Mapping& m, const workloads::Cascade& c, const arch::Architecture& a) {
  const workloads::Einsum& e = c.einsums[m.einsum];
  // The unit performs every op the Einsum needs.
  const arch::Node& unit = a.nodes[m.compute];
  const OpCover cover = cover_einsum(unit, c, m.einsum);
  if (!cover.ok)
    return fail(m.loc, "compute unit " + unit.name + " cannot perform '" + cover.missing + "', which Einsum " +
                           e.name + " needs (give the unit the op, or a sequence of ops it has)");
  return {};
}

// A PIM unit runs vector-matrix products over an operand in the DRAM, in a
// layout, and the KV cache's copies (read in place, the new token appended),
// without one; its levels carry no loops (the layout places the weights).
MappingStatus check_pim(const Mapping& m, const workloads::Cascade& c, const arch::Architecture& a) {
  const workloads::Einsum& e = c.einsums[static_cast<size_t>(m.einsum)];
  const workloads::VectorMatrix v = workloads::vector_matrix(c, e);
  if (!v.ok && !workloads::in_place_copy(c, e) && !workloads::cache_append(c, e))
    return {false,
            "a PIM unit runs vector-matrix products over an operand in the DRAM (weights, the KV cache) and the "
            "cache's copies; " + e.name + " is neither",
            m.loc};
  for (const LevelMapping& l : m.levels)
    if (!l.temporal.empty() || !l.spatial.empty())
      return {false, "a PIM unit's mapping is its layout: no loops at " + a.nodes[static_cast<size_t>(l.node)].name,
              l.loc};
  if (!v.ok) {
    if (!m.pim_layout.empty()) return {false, e.name + " is a copy of the KV cache: it has no layout", m.loc};
    return {};
  }
  const std::optional<sim::PimLayout> layout = sim::pim_layout_named(m.pim_layout);
  if (!layout)
    return {false, "a PIM unit's mapping of a vector-matrix product needs a layout (rounds or row-stream)", m.loc};
  const arch::DramStandard& s = *a.node(a.dram()).dram_standard;
  if (*layout == sim::PimLayout::kRowStream && s.pim.command_set != arch::PimCommandSet::kAim)
    return {false, "the row-stream layout needs AiM's commands; " + s.name + " runs its own GEMV (rounds)", m.loc};
  if (!sim::pim_gemv_fits(s, {v.matrices, v.rows, v.cols}, *layout))
    return {false, e.name + "'s weights do not fit the rows of " + s.name + "'s banks in the " + m.pim_layout +
                       " layout", m.loc};
  return {};
}

}  // namespace

MappingStatus validate_mapping(const Mapping& m, const workloads::Cascade& c, const arch::Architecture& a) {
  if (a.is_pim(m.compute)) return check_pim(m, c, a);
  // In this order, each only once the ones before it passed (the capacity
  // check multiplies factors that the first check found not to overflow).
  std::vector<int64_t> product;
  MappingStatus st = check_factors(m, c, product);
  if (st.ok) st = check_recurrence(m, c);
  if (st.ok) st = check_remainders(m, c, product);
  if (st.ok) st = check_fanouts(m, c, a);
  if (st.ok) st = check_keeps(m, c, a);
  if (st.ok) st = check_capacities(m, c, a);
  if (st.ok) st = check_ops(m, c, a);
  return st;
}

}  // namespace einflow::mapping
