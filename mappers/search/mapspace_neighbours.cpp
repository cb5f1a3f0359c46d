// The mapspace as a local search sees it (space.h): every point one move
// away, the strata (keep/bypass choices), fresh starts that fill the
// fan-outs, and kicks.
#include <algorithm>

#include "mappers/search/mapspace.h"

namespace einflow::search {

bool Mapspace::pinned(int lvl, int r) const {
  const auto& outer = m_pinned_order[lvl];
  const auto& inner = m_pinned_inner[lvl];
  return std::find(outer.begin(), outer.end(), r) != outer.end() || std::find(inner.begin(), inner.end(), r) != inner.end();
}

int Mapspace::slot_index(int r, int slot) const {
  const auto& s = m_ranks[r].slots;
  const auto it = std::find(s.begin(), s.end(), slot);
  return it == s.end() ? -1 : static_cast<int>(it - s.begin());
}

std::vector<Mapspace::Unit> Mapspace::units(const Genome& g) const {
  std::vector<Unit> out;
  for (int r = 0; r < m_n_ranks; ++r) {
    const RankSpace& rs = m_ranks[r];
    const auto& primes = rs.sizes[g.size[r]].primes;
    if (rs.slots.size() < 2) continue;
    for (size_t p = 0; p < primes.size(); ++p) {
      if (p > 0 && primes[p] == primes[p - 1] && g.slot[r][p] == g.slot[r][p - 1]) {
        ++out.back().count;
        continue;
      }
      out.push_back({r, primes[p], rs.slots[g.slot[r][p]], 1});
    }
  }
  return out;
}

void Mapspace::move_unit(Genome& h, const Unit& u, int k, int to) const {
  const auto& primes = m_ranks[u.r].sizes[h.size[u.r]].primes;
  const int from = slot_index(u.r, u.slot);
  for (size_t p = 0; p < primes.size() && k > 0; ++p)
    if (primes[p] == u.prime && h.slot[u.r][p] == from) {
      h.slot[u.r][p] = static_cast<uint8_t>(to);
      --k;
    }
}

// Rebuilds a level's order with rank r's loop at place `at` among the loops
// with factor > 1 in f (r's not among them), the factor-1 ranks after them.
void Mapspace::place_loop(const int64_t (*f)[kMaxSlots], int lvl, int r, int at, Genome& h) const {
  auto& order = h.order[lvl];
  const int start = static_cast<int>(m_pinned_order[lvl].size());
  const int ts = m_temporal_slot[lvl];
  std::array<int8_t, kMaxRanks> active{}, rest{};
  int na = 0, nr = 0;
  for (int k = start; k < free_end(lvl); ++k) {  // the ranks pinned innermost stay after
    const int8_t x = order[k];
    if (x == r) continue;
    if (f[x][ts] > 1) {
      active[na++] = x;
    } else {
      rest[nr++] = x;
    }
  }
  int n = start;
  for (int j = 0; j < na; ++j) {
    if (j == at) order[n++] = static_cast<int8_t>(r);
    order[n++] = active[j];
  }
  if (at >= na) order[n++] = static_cast<int8_t>(r);
  for (int j = 0; j < nr; ++j) order[n++] = rest[j];
}

// k copies of a prime to another slot; a rank that gets its first loop at a
// level has that loop at every place among the level's loops.
void Mapspace::move_neighbours(const Genome& g, const int64_t (*f)[kMaxSlots], const std::vector<Unit>& us,
                               std::vector<Genome>& out) const {
  for (const Unit& u : us)
    for (size_t i = 0; i < m_ranks[u.r].slots.size(); ++i) {
      const int to = m_ranks[u.r].slots[i];
      if (to == u.slot) continue;
      const Slot& s = m_slots[to];
      int places = 1;
      if (s.kind == SlotKind::kTemporal && f[u.r][to] == 1 && !pinned(s.level, u.r)) {
        for (int k = static_cast<int>(m_pinned_order[s.level].size()); k < m_n_ranks; ++k)
          places += f[g.order[s.level][k]][to] > 1 && !pinned(s.level, g.order[s.level][k]);
      }
      for (int k = 1; k <= u.count; ++k)
        for (int at = 0; at < places; ++at) {
          out.push_back(g);
          Genome& h = out.back();
          move_unit(h, u, k, static_cast<int>(i));
          sort_runs(m_ranks[u.r].sizes[h.size[u.r]].primes, h.slot[u.r]);
          if (places > 1) place_loop(f, s.level, u.r, at, h);
        }
    }
}

// Two ranks' primes in different slots exchanged: one of each, or k copies of
// an equal prime (a tile keeps its size while its shape changes).
void Mapspace::exchange_neighbours(const Genome& g, const std::vector<Unit>& us, std::vector<Genome>& out) const {
  for (size_t a = 0; a < us.size(); ++a)
    for (size_t b = a + 1; b < us.size(); ++b) {
      const Unit& u = us[a];
      const Unit& v = us[b];
      if (u.slot == v.slot || (u.r == v.r && u.prime == v.prime)) continue;
      const int iu = slot_index(u.r, v.slot), iv = slot_index(v.r, u.slot);
      if (iu < 0 || iv < 0) continue;
      const int most = u.prime == v.prime ? std::min(u.count, v.count) : 1;
      for (int k = 1; k <= most; ++k) {
        out.push_back(g);
        Genome& h = out.back();
        move_unit(h, u, k, iu);
        move_unit(h, v, k, iv);
        sort_runs(m_ranks[u.r].sizes[h.size[u.r]].primes, h.slot[u.r]);
        sort_runs(m_ranks[v.r].sizes[h.size[v.r]].primes, h.slot[v.r]);
      }
    }
}

// One loop of a level moved to another place among the loops with factor > 1
// (not the pinned ones: decode puts the innermost pins innermost whatever the order).
void Mapspace::order_neighbours(const Genome& g, const int64_t (*f)[kMaxSlots], std::vector<Genome>& out) const {
  for (int lvl = 0; lvl < m_n_levels; ++lvl) {
    const int ts = m_temporal_slot[lvl];
    std::vector<int> active;  // positions of the free loops with factor > 1
    for (int k = static_cast<int>(m_pinned_order[lvl].size()); k < m_n_ranks; ++k)
      if (f[g.order[lvl][k]][ts] > 1 && !pinned(lvl, g.order[lvl][k])) active.push_back(k);
    for (size_t i = 0; i < active.size(); ++i)
      for (size_t j = 0; j < active.size(); ++j) {
        if (i == j || j + 1 == i) continue;  // moving a loop just above its upper neighbour is a swap, listed once
        out.push_back(g);
        auto& order = out.back().order[lvl];
        const int8_t moved = order[active[i]];
        if (i < j) {
          for (size_t k = i; k < j; ++k) order[active[k]] = order[active[k + 1]];
        } else {
          for (size_t k = i; k > j; --k) order[active[k]] = order[active[k - 1]];
        }
        order[active[j]] = moved;
      }
  }
}

void Mapspace::neighbours(Rng& rng, const Genome& g, std::vector<Genome>& out) const {
  const size_t first = out.size();
  int64_t f[kMaxRanks][kMaxSlots];
  factors(g, f);
  const std::vector<Unit> us = units(g);
  move_neighbours(g, f, us, out);
  exchange_neighbours(g, us, out);
  order_neighbours(g, f, out);
  for (size_t c = kStratifiedKeeps; c < m_keep_choices.size(); ++c) {
    out.push_back(g);
    out.back().keep[m_keep_choices[c].first] ^= 1u << m_keep_choices[c].second;
  }
  for (int r = 0; r < m_n_ranks; ++r)
    for (size_t z = 0; z < m_ranks[r].sizes.size(); ++z) {
      if (z == g.size[r]) continue;
      out.push_back(g);
      sized_rank(rng, r, static_cast<int>(z), out.back());
    }
  for (size_t i = out.size(); i > first + 1; --i) std::swap(out[i - 1], out[first + rng.below(i - first)]);
}

uint64_t Mapspace::strata() const {
  return uint64_t{1} << std::min<size_t>(m_keep_choices.size(), kStratifiedKeeps);
}

void Mapspace::set_stratum(uint64_t s, Genome& g) const {
  const size_t n = std::min<size_t>(m_keep_choices.size(), kStratifiedKeeps);
  for (size_t c = 0; c < n; ++c) {
    const auto& [lvl, t] = m_keep_choices[c];
    if (s & (uint64_t{1} << c)) {
      g.keep[lvl] |= 1u << t;
    } else {
      g.keep[lvl] &= ~(1u << t);
    }
  }
}

uint64_t Mapspace::stratum_of(const Genome& g) const {
  const size_t n = std::min<size_t>(m_keep_choices.size(), kStratifiedKeeps);
  uint64_t s = 0;
  for (size_t c = 0; c < n; ++c)
    if (g.keep[m_keep_choices[c].first] & (1u << m_keep_choices[c].second)) s |= uint64_t{1} << c;
  return s;
}

std::vector<int> Mapspace::fanout_levels() const {
  std::vector<int> levels;
  for (const Slot& s : m_slots)
    if (s.kind != SlotKind::kTemporal && (levels.empty() || levels.back() != s.level)) levels.push_back(s.level);
  return levels;
}

void Mapspace::fresh(Rng& rng, Genome& g) const {
  random(rng, g);
  for (int lvl : fanout_levels()) redraw_spatial(rng, lvl, g);
}

void Mapspace::perturb(Rng& rng, Genome& g) const {
  const std::vector<int> levels = fanout_levels();
  if (!levels.empty() && rng.below(2)) {
    redraw_spatial(rng, levels[rng.below(levels.size())], g);
    return;
  }
  SpaceOf<Genome>::perturb(rng, g);  // two to four mutations
}

void Mapspace::redraw_spatial(Rng& rng, int lvl, Genome& g) const {
  // The fan-out's primes back to the nearest temporal loop at or above the
  // level that the rank may use; the candidates: primes of temporal loops at
  // or above the level (the tiles below keep their size).
  std::vector<std::pair<int, int>> candidates;  // (rank, prime index)
  for (int r = 0; r < m_n_ranks; ++r) {
    const auto& primes = m_ranks[r].sizes[g.size[r]].primes;
    int home = -1;
    for (int up = lvl; up >= 0 && home < 0; --up) home = slot_index(r, m_temporal_slot[up]);
    for (size_t p = 0; p < primes.size(); ++p) {
      const Slot& s = m_slots[m_ranks[r].slots[g.slot[r][p]]];
      if (s.level == lvl && s.kind != SlotKind::kTemporal && home >= 0) g.slot[r][p] = static_cast<uint8_t>(home);
      const Slot& now = m_slots[m_ranks[r].slots[g.slot[r][p]]];
      if (now.kind == SlotKind::kTemporal && now.level <= lvl) candidates.emplace_back(r, static_cast<int>(p));
    }
  }
  for (size_t i = candidates.size(); i > 1; --i) std::swap(candidates[i - 1], candidates[rng.below(i)]);
  std::vector<int> axes;
  for (int s = 0; s < static_cast<int>(m_slots.size()); ++s)
    if (m_slots[s].level == lvl && m_slots[s].kind != SlotKind::kTemporal) axes.push_back(s);
  if (axes.size() == 2 && rng.below(2)) std::swap(axes[0], axes[1]);
  // What stays across the fan-out (pinned factors, primes of ranks with no
  // temporal loop at the level), per slot and per rank.
  int64_t f[kMaxRanks][kMaxSlots];
  factors(g, f);
  int64_t across[kMaxRanks];
  for (int r = 0; r < m_n_ranks; ++r) {
    across[r] = 1;
    for (int s : axes) across[r] *= f[r][s];
  }
  auto bound = [&](int r) {  // the most rank r may take across this fan-out, 0: no bound
    int64_t hi = 0;
    for (const Bound& b : m_bounds)
      if (b.spatial && b.level == lvl && b.rank == r && b.hi > 0) hi = hi > 0 ? std::min(hi, b.hi) : b.hi;
    return hi;
  };
  for (int s : axes) {
    int64_t used = 1;
    for (int r = 0; r < m_n_ranks; ++r) used *= f[r][s];
    for (auto& [r, p] : candidates) {
      if (r < 0) continue;
      const int64_t prime = m_ranks[r].sizes[g.size[r]].primes[static_cast<size_t>(p)];
      const int at = slot_index(r, s);
      const int64_t hi = bound(r);
      if (at < 0 || used * prime > m_slots[s].limit || (m_reduce_forbidden[lvl] & (1u << r)) ||
          (hi > 0 && across[r] * prime > hi))
        continue;
      g.slot[r][p] = static_cast<uint8_t>(at);
      used *= prime;
      across[r] *= prime;
      r = -1;  // taken
    }
  }
  for (int r = 0; r < m_n_ranks; ++r) sort_runs(m_ranks[r].sizes[g.size[r]].primes, g.slot[r]);
}

}  // namespace einflow::search
