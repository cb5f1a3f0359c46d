// Internal to the optimal search (optimal.cpp): fronts of (cycles, energy),
// the dominance they keep, and the size of a factor point's space.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "mappers/cascade/optimal_bound.h"

namespace einflow::cascade::optimal_detail {

// What dominance compares: both costs (an objective weighing both, or the
// front), or one of them first with the other breaking ties (a front of one point).
enum class Order { kBoth, kCycles, kEnergy };

inline bool dominates(const Cost& p, const Cost& q, Order o) {
  switch (o) {
    case Order::kCycles: return p.cycles < q.cycles || (p.cycles == q.cycles && p.energy <= q.energy);
    case Order::kEnergy: return p.energy < q.energy || (p.energy == q.energy && p.cycles <= q.cycles);
    case Order::kBoth: break;
  }
  return p.cycles <= q.cycles && p.energy <= q.energy;
}

// Points that no other dominates, with what made each; the first of equal points stays.
template <class Payload>
class Front {
 public:
  explicit Front(Order o) : m_order(o) {}
  void insert(const Cost& c, Payload p) {
    for (const auto& [x, _] : m_points)
      if (dominates(x, c, m_order)) return;
    m_points.erase(std::remove_if(m_points.begin(), m_points.end(),
                                  [&](const auto& x) { return dominates(c, x.first, m_order); }),
                   m_points.end());
    m_points.emplace_back(c, std::move(p));
  }
  const std::vector<std::pair<Cost, Payload>>& points() const { return m_points; }

 private:
  Order m_order;
  std::vector<std::pair<Cost, Payload>> m_points;
};

// The group points of a factor point with `shared` shared loops and these
// binding digits (per digit, the units it may take): per binding, three
// retentions and, on more than one unit, each pipelining (the bindings that
// put every position on one unit: the units common to every digit).
inline double factor_point_size(const std::vector<std::vector<int>>& bindings, size_t shared) {
  double all = 1;
  std::vector<int> common = bindings.empty() ? std::vector<int>{} : bindings[0];
  for (const auto& b : bindings) {
    all *= static_cast<double>(b.size());
    common.erase(std::remove_if(common.begin(), common.end(),
                                [&](int u) { return std::find(b.begin(), b.end(), u) == b.end(); }),
                 common.end());
  }
  const double one_unit = static_cast<double>(common.size());
  return 3 * ((all - one_unit) * static_cast<double>(1 + shared) + one_unit);
}

}  // namespace einflow::cascade::optimal_detail
