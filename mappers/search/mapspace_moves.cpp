// Moving through the mapspace: random points, mutations, crossover, and the
// enumeration without symmetric duplicates (a local search's moves:
// mapspace_neighbours.cpp).
#include <algorithm>

#include "mappers/search/mapspace.h"

namespace einflow::search {

// Keeps equal primes' slots non-decreasing: the canonical form of a factorization.
void Mapspace::sort_runs(const std::vector<int64_t>& primes, std::array<uint8_t, kMaxPrimes>& slot) {
  for (size_t a = 0; a < primes.size();) {
    size_t b = a;
    while (b < primes.size() && primes[b] == primes[a]) ++b;
    std::sort(slot.begin() + static_cast<long>(a), slot.begin() + static_cast<long>(b));
    a = b;
  }
}

void Mapspace::random_rank(Rng& rng, int r, Genome& g) const {
  sized_rank(rng, r, static_cast<int>(rng.below(m_ranks[r].sizes.size())), g);
}

void Mapspace::sized_rank(Rng& rng, int r, int size, Genome& g) const {
  const RankSpace& rs = m_ranks[r];
  g.size[r] = static_cast<uint8_t>(size);
  g.slot[r].fill(0);
  const auto& primes = rs.sizes[g.size[r]].primes;
  for (size_t p = 0; p < primes.size(); ++p) g.slot[r][p] = static_cast<uint8_t>(rng.below(rs.slots.size()));
  sort_runs(primes, g.slot[r]);
}

// A level's order holds the ranks pinned outermost first, then the free
// ranks, then the ranks pinned innermost (their place is fixed, so only the
// free ones are permuted: [start, free_end)).
void Mapspace::pinned_layout(int level, Genome& g) const {
  int k = 0;
  for (int r : m_pinned_order[level]) g.order[level][k++] = static_cast<int8_t>(r);
  for (int r = 0; r < m_n_ranks; ++r)
    if (!pinned(level, r)) g.order[level][k++] = static_cast<int8_t>(r);
  for (int r : m_pinned_inner[level]) g.order[level][k++] = static_cast<int8_t>(r);
}

void Mapspace::random_order(Rng& rng, int level, Genome& g) const {
  pinned_layout(level, g);
  const int start = static_cast<int>(m_pinned_order[level].size());
  for (int i = free_end(level) - 1; i > start; --i) {
    const int j = start + static_cast<int>(rng.below(static_cast<uint64_t>(i - start + 1)));
    std::swap(g.order[level][i], g.order[level][j]);
  }
}

void Mapspace::random(Rng& rng, Genome& g) const {
  g = Genome{};
  for (int r = 0; r < m_n_ranks; ++r) random_rank(rng, r, g);
  for (int i = 0; i < m_n_levels; ++i) random_order(rng, i, g);
  for (const auto& [lvl, t] : m_keep_choices)
    if (rng.below(2)) g.keep[lvl] |= 1u << t;
}

void Mapspace::mutate(Rng& rng, Genome& g) const {
  for (int attempt = 0; attempt < 8; ++attempt) {
    const uint64_t kind = rng.below(100);
    if (kind < 35) {  // move one prime factor to another slot
      const int r = static_cast<int>(rng.below(static_cast<uint64_t>(m_n_ranks)));
      const RankSpace& rs = m_ranks[r];
      const auto& primes = rs.sizes[g.size[r]].primes;
      if (primes.empty() || rs.slots.size() < 2) continue;
      const size_t p = rng.below(primes.size());
      const uint8_t before = g.slot[r][p];
      g.slot[r][p] = static_cast<uint8_t>(rng.below(rs.slots.size()));
      if (g.slot[r][p] == before) continue;
      sort_runs(primes, g.slot[r]);
      return;
    }
    if (kind < 60) {  // exchange two prime factors of two ranks between their slots
      if (exchange(rng, g)) return;
      continue;
    }
    if (kind < 85) {  // swap two free loops of one level's order
      const int lvl = static_cast<int>(rng.below(static_cast<uint64_t>(m_n_levels)));
      const int start = static_cast<int>(m_pinned_order[lvl].size());
      const int free = free_end(lvl) - start;
      if (free < 2) continue;
      const int a = start + static_cast<int>(rng.below(static_cast<uint64_t>(free)));
      const int b = start + static_cast<int>(rng.below(static_cast<uint64_t>(free)));
      if (a == b) continue;
      std::swap(g.order[lvl][a], g.order[lvl][b]);
      return;
    }
    if (kind < 95) {  // keep or bypass one tensor at one level
      if (m_keep_choices.empty()) continue;
      const auto& [lvl, t] = m_keep_choices[rng.below(m_keep_choices.size())];
      g.keep[lvl] ^= 1u << t;
      return;
    }
    // another padded size for one rank (remainder tiles)
    const int r = static_cast<int>(rng.below(static_cast<uint64_t>(m_n_ranks)));
    if (m_ranks[r].sizes.size() < 2) continue;
    random_rank(rng, r, g);
    return;
  }
}

bool Mapspace::exchange(Rng& rng, Genome& g) const {
  const int r = static_cast<int>(rng.below(static_cast<uint64_t>(m_n_ranks)));
  const int q = static_cast<int>(rng.below(static_cast<uint64_t>(m_n_ranks)));
  const auto& pr = m_ranks[r].sizes[g.size[r]].primes;
  const auto& pq = m_ranks[q].sizes[g.size[q]].primes;
  if (r == q || pr.empty() || pq.empty()) return false;
  const size_t a = rng.below(pr.size()), b = rng.below(pq.size());
  const int sa = m_ranks[r].slots[g.slot[r][a]], sb = m_ranks[q].slots[g.slot[q][b]];
  const int ia = slot_index(r, sb), ib = slot_index(q, sa);
  if (sa == sb || ia < 0 || ib < 0) return false;
  g.slot[r][a] = static_cast<uint8_t>(ia);
  g.slot[q][b] = static_cast<uint8_t>(ib);
  sort_runs(pr, g.slot[r]);
  sort_runs(pq, g.slot[q]);
  return true;
}

void Mapspace::crossover(Rng& rng, const Genome& a, const Genome& b, Genome& child) const {
  child = a;
  for (int r = 0; r < m_n_ranks; ++r)
    if (rng.below(2)) {
      child.size[r] = b.size[r];
      child.slot[r] = b.slot[r];
    }
  for (int i = 0; i < m_n_levels; ++i) {
    if (rng.below(2)) child.order[i] = b.order[i];
    if (rng.below(2)) child.keep[i] = b.keep[i];
  }
}

bool Mapspace::canonical_order(int level, const int64_t (*f)[kMaxSlots], const Genome& g) const {
  const int ts = m_temporal_slot[level];
  const int start = static_cast<int>(m_pinned_order[level].size());
  for (int k = start; k + 1 < free_end(level); ++k) {
    const int x = g.order[level][k], y = g.order[level][k + 1];
    if (f[x][ts] == 1 || f[y][ts] == 1) break;  // loops of factor 1 sit after the others
    const bool swappable = m_signature[x] == m_signature[y] && !(m_sliding[x] & (1u << y));
    if (swappable && x > y) return false;
  }
  return true;
}

void Mapspace::first_order(int level, const int64_t (*f)[kMaxSlots], Genome& g) const {
  const int ts = m_temporal_slot[level];
  pinned_layout(level, g);
  // The free ranks with loops here first, each part ascending.
  auto* first = g.order[level].data() + m_pinned_order[level].size();
  std::stable_partition(first, g.order[level].data() + free_end(level), [&](int8_t r) { return f[r][ts] > 1; });
}

bool Mapspace::next_order(int level, const int64_t (*f)[kMaxSlots], Genome& g) const {
  const int ts = m_temporal_slot[level];
  const int start = static_cast<int>(m_pinned_order[level].size());
  int end = start;
  while (end < free_end(level) && f[g.order[level][end]][ts] > 1) ++end;
  auto* first = g.order[level].data() + start;
  auto* last = g.order[level].data() + end;
  while (std::next_permutation(first, last))
    if (canonical_order(level, f, g)) return true;
  return false;  // back to ascending: the first order again
}

bool Mapspace::next_slots(int r, Genome& g) const {
  const RankSpace& rs = m_ranks[r];
  const auto& primes = rs.sizes[g.size[r]].primes;
  const int n = static_cast<int>(rs.slots.size());
  for (int p = static_cast<int>(primes.size()) - 1; p >= 0; --p) {
    if (g.slot[r][p] + 1 >= n) continue;
    const uint8_t v = static_cast<uint8_t>(g.slot[r][p] + 1);
    g.slot[r][p] = v;
    for (size_t q = static_cast<size_t>(p) + 1; q < primes.size(); ++q) g.slot[r][q] = primes[q] == primes[p] ? v : 0;
    return true;
  }
  g.slot[r].fill(0);
  return false;
}

void Mapspace::first(Genome& g) const {
  g = Genome{};
  int64_t f[kMaxRanks][kMaxSlots];
  factors(g, f);
  for (int i = 0; i < m_n_levels; ++i) first_order(i, f, g);
}

bool Mapspace::next(Genome& g) const {
  // Least significant first: keep choices, orders, factors, padded sizes.
  for (size_t c = m_keep_choices.size(); c-- > 0;) {
    const auto& [lvl, t] = m_keep_choices[c];
    g.keep[lvl] ^= 1u << t;
    if (g.keep[lvl] & (1u << t)) return true;
  }
  int64_t f[kMaxRanks][kMaxSlots];
  factors(g, f);
  for (int i = m_n_levels - 1; i >= 0; --i)
    if (next_order(i, f, g)) {
      for (int j = i + 1; j < m_n_levels; ++j) first_order(j, f, g);
      return true;
    }
  auto reset_orders = [&]() {
    factors(g, f);
    for (int i = 0; i < m_n_levels; ++i) first_order(i, f, g);
  };
  for (int r = m_n_ranks - 1; r >= 0; --r)
    if (next_slots(r, g)) {
      reset_orders();
      return true;
    }
  for (int r = m_n_ranks - 1; r >= 0; --r) {
    if (g.size[r] + 1u < m_ranks[r].sizes.size()) {
      ++g.size[r];
      reset_orders();
      return true;
    }
    g.size[r] = 0;
  }
  return false;
}

}  // namespace einflow::search
