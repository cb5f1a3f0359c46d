// Moving through the cascade space: random points, mutation, crossover and
// the enumeration.
#include <algorithm>

#include "mappers/cascade/cascade_space.h"

namespace einflow::cascade {

void CascadeSpace::random(search::Rng& rng, CascadeGenome& g) const {
  g = m_base ? *m_base : blank();
  if (m_free.grouping)
    for (auto& cut : g.cut) cut = static_cast<uint8_t>(rng.below(2));
  for (int first : starts(g)) {
    const std::vector<int> ranks = group_ranks(first, group_end(g, first));
    if (m_free.sharing)
      for (int r : ranks) g.share[first][r] = static_cast<uint16_t>(rng.below(m_divisors[r].size()));
    if (m_free.retention) {
      g.retain[first] = static_cast<uint8_t>(rng.below(2));
      g.private_retain[first] = static_cast<uint8_t>(rng.below(2));
    }
    if (m_free.pipelining) {
      const uint64_t v = rng.below(ranks.size() + 1);
      g.pipeline[first] = v == 0 ? 0 : static_cast<uint8_t>(ranks[v - 1] + 1);
    }
  }
  if (m_free.binding)
    for (int i = 0; i < size(); ++i) g.unit[i] = static_cast<uint8_t>(rng.below(m_units[i].size()));
}

void CascadeSpace::mutate(search::Rng& rng, CascadeGenome& g) const {
  const std::vector<int> s = starts(g);
  const int first = s[rng.below(s.size())];
  std::vector<int> kinds;
  if (m_free.grouping) kinds.push_back(0);
  if (m_free.sharing) kinds.push_back(1);
  if (m_free.retention) kinds.insert(kinds.end(), {2, 3});
  if (m_free.pipelining) kinds.push_back(4);
  if (m_free.binding) kinds.push_back(5);
  if (kinds.empty()) return;
  const int group_size = group_end(g, first) - first;
  switch (kinds[rng.below(kinds.size())]) {
    case 0:
      if (size() > 1) g.cut[rng.below(size() - 1)] ^= 1;
      break;
    case 1: {
      // A rank some Einsum of the group iterates; a neighbouring or a random divisor.
      const auto& ranks = m_cascade.einsums[m_order[first + rng.below(group_size)]].iteration_ranks;
      if (ranks.empty()) break;
      const int r = ranks[rng.below(ranks.size())];
      const int n = static_cast<int>(m_divisors[r].size());
      int v = g.share[first][r];
      if (rng.below(2)) v = static_cast<int>(rng.below(n));
      else v = std::clamp(v + (rng.below(2) ? 1 : -1), 0, n - 1);
      g.share[first][r] = static_cast<uint16_t>(v);
      break;
    }
    case 2:
      g.retain[first] ^= 1;
      break;
    case 3:
      g.private_retain[first] ^= 1;
      break;
    case 4: {
      const auto& ranks = m_cascade.einsums[m_order[first + rng.below(group_size)]].iteration_ranks;
      g.pipeline[first] = rng.below(2) || ranks.empty() ? 0 : static_cast<uint8_t>(ranks[rng.below(ranks.size())] + 1);
      break;
    }
    default: {
      const int i = static_cast<int>(rng.below(size()));
      g.unit[i] = static_cast<uint8_t>(rng.below(m_units[i].size()));
    }
  }
}

void CascadeSpace::crossover(search::Rng& rng, const CascadeGenome& a, const CascadeGenome& b,
                             CascadeGenome& child) const {
  child = a;
  const int p = static_cast<int>(rng.below(static_cast<uint64_t>(size()) + 1));
  for (int i = p; i < size(); ++i) {
    child.share[i] = b.share[i];
    child.retain[i] = b.retain[i];
    child.private_retain[i] = b.private_retain[i];
    child.pipeline[i] = b.pipeline[i];
    child.unit[i] = b.unit[i];
    if (i + 1 < size()) child.cut[i] = b.cut[i];
  }
}

std::vector<CascadeSpace::Digit> CascadeSpace::digits(const CascadeGenome& g) const {
  std::vector<Digit> out;
  for (int first : starts(g)) {
    const std::vector<int> ranks = group_ranks(first, group_end(g, first));
    if (m_free.sharing)
      for (int r : ranks)
        if (m_divisors[r].size() > 1) out.push_back({Digit::kShare, first, r, static_cast<int>(m_divisors[r].size())});
    if (m_free.retention) {
      out.push_back({Digit::kRetain, first, 0, 2});
      out.push_back({Digit::kPrivate, first, 0, 2});
    }
    if (m_free.pipelining && !ranks.empty())
      out.push_back({Digit::kPipeline, first, 0, static_cast<int>(ranks.size()) + 1});
  }
  if (m_free.binding)
    for (int i = 0; i < size(); ++i)
      if (m_units[i].size() > 1) out.push_back({Digit::kUnit, i, 0, static_cast<int>(m_units[i].size())});
  return out;
}

int CascadeSpace::digit_value(const CascadeGenome& g, const Digit& d) const {
  const size_t i = static_cast<size_t>(d.position);
  switch (d.kind) {
    case Digit::kShare:
      return g.share[i][d.rank];
    case Digit::kRetain:
      return g.retain[i];
    case Digit::kPrivate:
      return g.private_retain[i];
    case Digit::kPipeline: {
      if (g.pipeline[i] == 0) return 0;
      const std::vector<int> ranks = group_ranks(d.position, group_end(g, d.position));
      return static_cast<int>(std::find(ranks.begin(), ranks.end(), g.pipeline[i] - 1) - ranks.begin()) + 1;
    }
    default:
      return g.unit[i];
  }
}

void CascadeSpace::set_digit(CascadeGenome& g, const Digit& d, int v) const {
  const size_t i = static_cast<size_t>(d.position);
  switch (d.kind) {
    case Digit::kShare:
      g.share[i][d.rank] = static_cast<uint16_t>(v);
      break;
    case Digit::kRetain:
      g.retain[i] = static_cast<uint8_t>(v);
      break;
    case Digit::kPrivate:
      g.private_retain[i] = static_cast<uint8_t>(v);
      break;
    case Digit::kPipeline:
      g.pipeline[i] = v == 0 ? 0 : static_cast<uint8_t>(group_ranks(d.position, group_end(g, d.position))[v - 1] + 1);
      break;
    default:
      g.unit[i] = static_cast<uint8_t>(v);
  }
}

void CascadeSpace::clear_inner(CascadeGenome& g) const {
  for (int i = 0; i < size(); ++i) {
    if (m_free.sharing) std::fill(g.share[i].begin(), g.share[i].end(), 0);
    if (m_free.retention) g.retain[i] = g.private_retain[i] = 0;
    if (m_free.pipelining) g.pipeline[i] = 0;
    if (m_free.binding) g.unit[i] = 0;
  }
}

void CascadeSpace::first(CascadeGenome& g) const {
  g = m_base ? *m_base : blank();
  if (m_free.grouping) std::fill(g.cut.begin(), g.cut.end(), 0);
  clear_inner(g);
}

bool CascadeSpace::next(CascadeGenome& g) const {
  const std::vector<Digit> ds = digits(g);
  for (size_t d = ds.size(); d-- > 0;) {
    const int v = digit_value(g, ds[d]);
    if (v + 1 < ds[d].values) {
      set_digit(g, ds[d], v + 1);
      return true;
    }
    set_digit(g, ds[d], 0);
  }
  if (!m_free.grouping) return false;
  // The next grouping (the cuts counted in binary), every other gene at its first value.
  for (size_t i = g.cut.size(); i-- > 0;) {
    if (!g.cut[i]) {
      g.cut[i] = 1;
      clear_inner(g);
      return true;
    }
    g.cut[i] = 0;
  }
  return false;
}

}  // namespace einflow::cascade
