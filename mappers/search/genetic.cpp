// A genetic search: a population of the best valid points seen; each child is
// the crossover of two tournament winners, then one or two mutations. The
// population is refilled with random points until it is full.
#include <algorithm>

#include "mappers/search/search.h"

namespace einflow::search {

template <class Point>
class Genetic final : public SearchOf<Point> {
 public:
  Genetic(const SpaceOf<Point>& space, const MapperConfig& config, uint64_t seed)
      : m_space(space), m_rng(seed), m_size(std::max(8, std::min(config.batch, 64))) {}

  void ask(int n, std::vector<Point>& out) override {
    for (int i = 0; i < n; ++i) {
      out.emplace_back();
      if (static_cast<int>(m_pop.size()) < m_size) {
        m_space.random(m_rng, out.back());
        continue;
      }
      const Point& a = tournament();
      const Point& b = tournament();
      if (m_rng.below(10) < 9) m_space.crossover(m_rng, a, b, out.back());
      else out.back() = a;
      const int moves = 1 + static_cast<int>(m_rng.below(2));
      for (int k = 0; k < moves; ++k) m_space.mutate(m_rng, out.back());
    }
  }

  void tell(const std::vector<Point>& asked, const std::vector<double>& cost) override {
    for (size_t i = 0; i < asked.size(); ++i) {
      if (cost[i] == kInvalid) continue;
      bool dup = false;
      for (const auto& m : m_pop) dup = dup || (m.cost == cost[i] && m.g == asked[i]);
      if (!dup) m_pop.push_back({asked[i], cost[i]});
    }
    std::stable_sort(m_pop.begin(), m_pop.end(), [](const Member& x, const Member& y) { return x.cost < y.cost; });
    if (static_cast<int>(m_pop.size()) > m_size) m_pop.resize(static_cast<size_t>(m_size));
  }

 private:
  struct Member {
    Point g;
    double cost;
  };
  const Point& tournament() {
    size_t best = m_rng.below(m_pop.size());
    for (int k = 0; k < 2; ++k) best = std::min<size_t>(best, m_rng.below(m_pop.size()));  // sorted: lower index is better
    return m_pop[best].g;
  }

  const SpaceOf<Point>& m_space;
  Rng m_rng;
  int m_size;
  std::vector<Member> m_pop;
};

EINFLOW_REGISTER_SEARCH("genetic", Genetic)

}  // namespace einflow::search
