// Simulated annealing on log(cost): each ask proposes neighbours of the current
// point; tell() walks them in order and accepts a worse one with probability
// exp(-(increase) / T), T falling linearly to 0 over the evaluation budget (or
// geometrically per batch when there is none). Starts from the best of the
// starting points it is given, else from random points until one is valid.
#include <cmath>
#include <unordered_set>

#include "mappers/search/search.h"

namespace einflow::search {

template <class Point>
class Annealing final : public SearchOf<Point> {
 public:
  Annealing(const SpaceOf<Point>& space, const MapperConfig& config, uint64_t seed)
      : m_space(space), m_rng(seed), m_budget(config.max_evaluations) {}

  void ask(int n, std::vector<Point>& out) override {
    for (int i = 0; i < n; ++i) {
      out.emplace_back();
      if (!m_has_current) {
        m_space.random(m_rng, out.back());
      } else {
        // A neighbour not asked for recently (small spaces, such as a
        // cascade's, have few neighbours; a batch would repeat them).
        for (int tries = 0; tries < kTries; ++tries) {
          out.back() = m_current;
          const int moves = 1 + static_cast<int>(m_rng.below(2));
          for (int k = 0; k < moves; ++k) m_space.mutate(m_rng, out.back());
          if (m_asked.insert(hash_point(out.back())).second) break;
        }
        if (m_asked.size() > kRemembered) m_asked.clear();
      }
    }
  }

  void start(const std::vector<Point>& points, const std::vector<double>& cost) override {
    for (size_t i = 0; i < points.size(); ++i)
      if (cost[i] != kInvalid && (!m_has_current || std::log(cost[i]) < m_cost)) accept(points[i], std::log(cost[i]));
  }

  void tell(const std::vector<Point>& asked, const std::vector<double>& cost) override {
    for (size_t i = 0; i < asked.size(); ++i) {
      ++m_seen;
      if (cost[i] == kInvalid) continue;
      const double c = std::log(cost[i]);
      if (!m_has_current || c <= m_cost) {
        accept(asked[i], c);
        continue;
      }
      const double t = temperature();
      if (t > 0 && m_rng.uniform() < std::exp(-(c - m_cost) / t)) accept(asked[i], c);
    }
    m_batches++;
    // Every eighth of the budget the walk restarts from the best point it found.
    if (m_budget >= 8 && m_seen >= m_restart) {
      m_restart += m_budget / 8;
      if (m_has_best) accept(m_best, m_best_cost);
    }
  }

 private:
  double temperature() const {
    constexpr double kStart = 0.5;  // in log units: a 2x worse point is accepted with p = 0.25 at first
    if (m_budget > 0) return kStart * std::max(0.0, 1.0 - static_cast<double>(m_seen) / static_cast<double>(m_budget));
    return kStart * std::pow(0.97, static_cast<double>(m_batches));
  }
  void accept(const Point& g, double c) {
    if (!m_has_best || c < m_best_cost) {
      m_best = g;
      m_best_cost = c;
      m_has_best = true;
    }
    m_current = g;
    m_cost = c;
    m_has_current = true;
  }

  static constexpr int kTries = 16;
  static constexpr size_t kRemembered = size_t{1} << 16;
  const SpaceOf<Point>& m_space;
  std::unordered_set<uint64_t> m_asked;  // hashes of the neighbours asked since the last clear
  Rng m_rng;
  int64_t m_budget;
  int64_t m_seen = 0;
  int64_t m_batches = 0;
  Point m_current;
  double m_cost = 0;
  bool m_has_current = false;
  Point m_best;
  double m_best_cost = 0;
  bool m_has_best = false;
  int64_t m_restart = m_budget / 8;
};

EINFLOW_REGISTER_SEARCH("annealing", Annealing)

}  // namespace einflow::search
