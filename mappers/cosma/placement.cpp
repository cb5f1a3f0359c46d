// Addresses for stays chosen without them: greedy planners, then an exact program.
#include "mappers/cosma/placement.h"

#include <algorithm>
#include <numeric>

#include "mappers/cosma/cbc_model.h"

namespace einflow::cosma {

namespace {

// Exactly: an address per stay and, per pair of stays sharing a step, which
// is below the other; the addresses then packed down to integers.
bool place_exact(const OpGraph& g, MemorySchedule& s, int64_t budget, double seconds) {
  int64_t unit = 0;
  for (const Stay& y : s.stays) unit = std::gcd(unit, g.tensors[static_cast<size_t>(y.tensor)].bytes);
  unit = std::max<int64_t>(unit, 1);
  const double cap = static_cast<double>(budget / unit);
  auto size = [&](size_t i) { return static_cast<double>(g.tensors[static_cast<size_t>(s.stays[i].tensor)].bytes / unit); };
  Model m;
  std::vector<int> L;
  for (size_t i = 0; i < s.stays.size(); ++i) L.push_back(m.col(0, std::max(0.0, cap - size(i)), 0, false));
  for (size_t i = 0; i < s.stays.size(); ++i)
    for (size_t j = i + 1; j < s.stays.size(); ++j) {
      const Stay &a = s.stays[i], &b = s.stays[j];
      if (a.last < b.first || b.last < a.first) continue;
      const int z = m.col(0, 1, 0, true);  // 1: i below j
      m.row({{L[i], 1}, {L[j], -1}, {z, cap}}, 'L', cap - size(i));
      m.row({{L[j], 1}, {L[i], -1}, {z, -cap}}, 'L', -size(j));
    }
  Cbc_setLogLevel(m.m, 0);
  if (seconds > 0) Cbc_setMaximumSeconds(m.m, seconds);
  Cbc_solve(m.m);
  const double* sol = Cbc_bestSolution(m.m);
  if (!sol || Cbc_isProvenInfeasible(m.m)) return false;
  std::vector<double> where;
  for (int c : L) where.push_back(sol[c]);
  return pack_stays(g, s, where, budget);
}

// Addresses for a schedule's stays in the given order of stays, each at the
// lowest address of the smallest gap among the stays placed already that
// share a step with it; false when one does not fit.
bool place_in_order(const OpGraph& g, MemorySchedule& s, const std::vector<size_t>& by, int64_t budget) {
  auto bytes = [&](const Stay& y) { return g.tensors[static_cast<size_t>(y.tensor)].bytes; };
  std::vector<size_t> placed;
  for (size_t i : by) {
    Stay& y = s.stays[i];
    std::vector<std::pair<int64_t, int64_t>> taken;  // [address, end) of placed stays sharing a step
    for (size_t j : placed) {
      const Stay& z = s.stays[j];
      if (z.first <= y.last && y.first <= z.last) taken.emplace_back(z.address, z.address + bytes(z));
    }
    std::sort(taken.begin(), taken.end());
    const int64_t best = best_fit(taken, bytes(y), budget);
    if (best < 0) return false;
    y.address = best;
    placed.push_back(i);
  }
  return true;
}

}  // namespace

int64_t best_fit(const std::vector<std::pair<int64_t, int64_t>>& taken, int64_t size, int64_t budget) {
  int64_t best = -1, best_gap = 0, from = 0;
  auto consider = [&](int64_t end) {
    if (end - from >= size && (best < 0 || end - from < best_gap)) best = from, best_gap = end - from;
  };
  for (const auto& [a, e] : taken) {
    consider(a);
    from = std::max(from, e);
  }
  consider(budget);
  return best;
}

void trim_stays(const OpGraph& g, MemorySchedule& s) {
  std::vector<int> step(g.ops.size());
  for (size_t t = 0; t < s.order.size(); ++t) step[static_cast<size_t>(s.order[t])] = static_cast<int>(t);
  std::vector<Stay> kept;
  for (Stay y : s.stays) {
    const OpTensor& v = g.tensors[static_cast<size_t>(y.tensor)];
    int need = y.loaded ? -1 : y.first;  // a creation stays: its producer's step
    for (int o : v.consumers) {
      const int t = step[static_cast<size_t>(o)];
      if (t >= y.first && t <= y.last) need = std::max(need, t);
    }
    const int sp = s.spill_step[static_cast<size_t>(y.tensor)];
    if (sp >= y.first && sp <= y.last) need = std::max(need, sp);
    if (need < 0) continue;
    y.last = need;
    kept.push_back(y);
  }
  s.stays = std::move(kept);
}

bool pack_stays(const OpGraph& g, MemorySchedule& s, const std::vector<double>& where, int64_t budget) {
  std::vector<size_t> by(s.stays.size());
  std::iota(by.begin(), by.end(), 0);
  std::sort(by.begin(), by.end(), [&](size_t a, size_t b) { return where[a] < where[b] || (where[a] == where[b] && a < b); });
  for (size_t k = 0; k < by.size(); ++k) {
    Stay& y = s.stays[by[k]];
    y.address = 0;
    for (size_t j = 0; j < k; ++j) {
      const Stay& z = s.stays[by[j]];
      if (z.first <= y.last && y.first <= z.last)
        y.address = std::max(y.address, z.address + g.tensors[static_cast<size_t>(z.tensor)].bytes);
    }
    if (y.address + g.tensors[static_cast<size_t>(y.tensor)].bytes > budget) return false;
  }
  return true;
}

bool place_stays(const OpGraph& g, MemorySchedule& s, int64_t budget, double seconds) {
  trim_stays(g, s);
  auto bytes = [&](size_t i) { return g.tensors[static_cast<size_t>(s.stays[i].tensor)].bytes; };
  std::vector<size_t> by(s.stays.size());
  std::iota(by.begin(), by.end(), 0);
  std::stable_sort(by.begin(), by.end(), [&](size_t a, size_t b) {
    return bytes(a) != bytes(b) ? bytes(a) > bytes(b) : s.stays[a].first < s.stays[b].first;
  });
  if (place_in_order(g, s, by, budget)) return true;
  std::stable_sort(by.begin(), by.end(), [&](size_t a, size_t b) {
    return s.stays[a].first != s.stays[b].first ? s.stays[a].first < s.stays[b].first : bytes(a) > bytes(b);
  });
  if (place_in_order(g, s, by, budget)) return true;
  return place_exact(g, s, budget, seconds);
}

}  // namespace einflow::cosma
