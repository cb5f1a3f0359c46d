// The mapspace's constraints from the mapper file (mapper_config.h),
// resolved against one Einsum and unit: fixed and bounded factors, residual
// ranks, loop orders, axes, required spatial ranks, keep and bypass.
#include <algorithm>

#include "common/text.h"
#include "mappers/search/mapspace.h"

namespace einflow::search {

namespace {

// The rank may no longer take slot s.
template <class RankSpace>
void drop_slot(RankSpace& rs, int s) {
  rs.slots.erase(std::remove(rs.slots.begin(), rs.slots.end(), s), rs.slots.end());
}

// Whether the constraint lets rank `name` onto the axis of slot kind `kind`.
bool ok_on_axis(const LevelConstraint& lc, const std::string& name, SlotKind kind) {
  const bool x = kind == SlotKind::kX;
  if (!(x ? lc.has_spatial_x : lc.has_spatial_y)) return true;
  const auto& allowed = x ? lc.spatial_x : lc.spatial_y;
  return std::find(allowed.begin(), allowed.end(), name) != allowed.end();
}

}  // namespace

// The Einsum's local rank named `name` (-1: a rank of the cascade this Einsum
// does not iterate, to which the constraint does not apply); an unknown name
// is the user's error at `loc`.
int Mapspace::local_rank_of(const std::string& name, const SourceLoc& loc) const {
  const int cr = m_cascade.find_rank(name);
  if (cr < 0) {
    std::vector<std::string> names;
    for (const auto& rk : m_cascade.ranks) names.push_back(rk.name);
    throw UserError(loc, "no rank '" + name + "' in cascade '" + m_cascade.name + "'" + did_you_mean(name, names));
  }
  return mapping::local_rank(m_cascade.einsums[static_cast<size_t>(m_einsum)], cr);
}

// Bounds on a level's factors (Timeloop's N<=4, C>=2), fixed spatial factors
// (on the axis the constraints allow, x first), and the rest of a rank here.
void Mapspace::apply_factor_bounds(const LevelConstraint& lc, int lvl) {
  for (const auto& [name, f] : lc.max_factors)
    if (const int r = local_rank_of(name, lc.loc); r >= 0) m_bounds.push_back({lvl, false, r, 1, f});
  for (const auto& [name, f] : lc.min_factors)
    if (const int r = local_rank_of(name, lc.loc); r >= 0) m_bounds.push_back({lvl, false, r, f, 0});
  for (const auto& [name, f] : lc.spatial_max_factors)
    if (const int r = local_rank_of(name, lc.loc); r >= 0) m_bounds.push_back({lvl, true, r, 1, f});
  for (const auto& [name, f] : lc.spatial_factors) {
    const int r = local_rank_of(name, lc.loc);
    if (r < 0) continue;
    if (f == 1) {  // not spread at all: no fan-out needed
      m_bounds.push_back({lvl, true, r, 1, 1});
      continue;
    }
    // The first allowed axis with room left beside the factors fixed there.
    auto room = [&](int s) {
      int64_t used = 1;
      for (const RankSpace& rs : m_ranks) used *= rs.fixed[static_cast<size_t>(s)];
      return m_slots[s].limit / used;
    };
    int slot = -1;
    for (int s = 0; s < static_cast<int>(m_slots.size()) && slot < 0; ++s)
      if (m_slots[s].level == lvl && m_slots[s].kind != SlotKind::kTemporal &&
          std::find(m_ranks[r].slots.begin(), m_ranks[r].slots.end(), s) != m_ranks[r].slots.end() &&
          f <= room(s) && ok_on_axis(lc, name, m_slots[s].kind))
        slot = s;
    if (slot < 0)
      throw UserError(lc.loc, "rank '" + name + "' cannot be spread " + std::to_string(f) + " ways over the fan-out below " +
                                  lc.target);
    m_ranks[r].fixed[slot] = f;
    drop_slot(m_ranks[r], slot);
    m_bounds.push_back({lvl, true, r, f, f});
  }
  // The factor the fixed ones leave goes to this level (applied once every
  // constraint has fixed its factors: apply_residuals).
  for (const auto& name : lc.residual) {
    const int r = local_rank_of(name, lc.loc);
    if (r < 0) continue;
    for (const auto& [other, rank, at] : m_residual)
      if (rank == r && other != lvl)
        throw UserError(lc.loc, "rank '" + name + "': the rest of it is claimed by two levels");
    m_residual.push_back({lvl, r, lc.loc});
  }
}

void Mapspace::apply_residuals() {
  for (const auto& [lvl, r, at] : m_residual) {
    auto& slots = m_ranks[static_cast<size_t>(r)].slots;
    const int keep = m_temporal_slot[static_cast<size_t>(lvl)];
    if (std::find(slots.begin(), slots.end(), keep) == slots.end())
      throw UserError(at, "rank '" + m_cascade.ranks[static_cast<size_t>(m_ranks[static_cast<size_t>(r)].rank)].name +
                              "' has a fixed factor at the level that should take the rest of it");
    slots.assign(1, keep);
  }
}

// The innermost loops (outermost first) and the outermost ones; a rank in
// either list at most once.
void Mapspace::apply_orders(const LevelConstraint& lc, int lvl) {
  auto pin = [&](const std::vector<std::string>& names, std::vector<int>& into) {
    for (const auto& name : names) {
      const int r = local_rank_of(name, lc.loc);
      if (r < 0) continue;
      const auto& inner = m_pinned_inner[lvl];
      const auto& outer = m_pinned_order[lvl];
      if (std::find(inner.begin(), inner.end(), r) != inner.end() ||
          std::find(outer.begin(), outer.end(), r) != outer.end())
        throw UserError(lc.loc, "rank '" + name + "' appears twice in the permutation of " + lc.target);
      into.push_back(r);
    }
  };
  pin(lc.innermost, m_pinned_inner[lvl]);
  pin(lc.permutation, m_pinned_order[lvl]);
}

// One level's constraints from the mapper file: fixed factors, a pinned
// permutation, the ranks allowed on each axis, required spatial ranks, keep
// and bypass, and the usable capacity.
void Mapspace::apply_constraint(const LevelConstraint& lc, Pins& pins) {
  const arch::Architecture& arch = m_arch;
  const workloads::Cascade& cascade = m_cascade;
  const int compute = m_compute;
  const auto& proj = m_model.projections();
  auto& pinned_keep = pins.keep;
  auto& pinned_bypass = pins.bypass;
  auto tensor_of = [&](const std::string& name, const SourceLoc& loc) {
    const int ct = cascade.find_tensor(name);
    if (ct < 0) {
      std::vector<std::string> names;
      for (const auto& t : cascade.tensors) names.push_back(t.name);
      throw UserError(loc, "no tensor '" + name + "' in cascade '" + cascade.name + "'" + did_you_mean(name, names));
    }
    for (int t = 0; t < m_n_tensors; ++t)
      if (proj[t].tensor == ct) return t;
    return -1;
  };

  std::vector<std::string> path_names;
  for (int n : m_path) path_names.push_back(arch.nodes[n].name);
  auto it = std::find(path_names.begin(), path_names.end(), lc.target);
  if (it == path_names.end())
    throw UserError(lc.loc, "'" + lc.target + "' is not a storage level on the path to '" +
                                arch.nodes[compute].name + "' (" + join(path_names, ", ") + ")" +
                                did_you_mean(lc.target, path_names));
  const int lvl = static_cast<int>(it - path_names.begin());
  for (const auto& [name, f] : lc.factors) {
    const int r = local_rank_of(name, lc.loc);
    if (r < 0) continue;
    m_ranks[r].fixed[m_temporal_slot[lvl]] = f;
    drop_slot(m_ranks[r], m_temporal_slot[lvl]);
  }
  apply_factor_bounds(lc, lvl);
  apply_orders(lc, lvl);
  for (int axis = 0; axis < 2; ++axis) {
    if (!(axis == 0 ? lc.has_spatial_x : lc.has_spatial_y)) continue;
    const auto& allowed = axis == 0 ? lc.spatial_x : lc.spatial_y;
    std::vector<bool> ok(m_n_ranks, false);
    for (const auto& name : allowed) {
      const int r = local_rank_of(name, lc.loc);
      if (r >= 0) ok[r] = true;
    }
    for (int s = 0; s < static_cast<int>(m_slots.size()); ++s)
      if (m_slots[s].level == lvl && m_slots[s].kind == (axis == 0 ? SlotKind::kX : SlotKind::kY))
        for (int r = 0; r < m_n_ranks; ++r)
          if (!ok[r]) drop_slot(m_ranks[r], s);
  }
  for (const auto& name : lc.require_spatial) {
    const int r = local_rank_of(name, lc.loc);
    if (r < 0) continue;
    bool any = false;
    for (const Slot& s : m_slots) any = any || (s.level == lvl && s.kind != SlotKind::kTemporal);
    if (!any) throw UserError(lc.loc, "rank '" + name + "' cannot be spatial at " + lc.target + ": no fan-out below it");
    m_required_spatial.push_back({lvl, r});
  }
  for (const auto& name : lc.keep) {
    const int t = tensor_of(name, lc.loc);
    if (t < 0 || lvl == 0) continue;
    if (!mapping::arch_permits(arch.nodes[m_path[lvl]], name))
      throw UserError(lc.loc, "level " + lc.target + " cannot hold tensor " + name + " (the architecture bypasses it)");
    pinned_keep[lvl] |= 1u << t;
  }
  for (const auto& name : lc.bypass) {
    const int t = tensor_of(name, lc.loc);
    if (t < 0) continue;
    if (lvl == 0) throw UserError(lc.loc, "the root level " + lc.target + " holds every tensor; it cannot bypass " + name);
    if (pinned_keep[lvl] & (1u << t)) throw UserError(lc.loc, "tensor " + name + " is both kept and bypassed at " + lc.target);
    pinned_bypass[lvl] |= 1u << t;
  }
  if (m_capacity[lvl] > 0) m_capacity[lvl] *= lc.max_capacity_use;
}

}  // namespace einflow::search
