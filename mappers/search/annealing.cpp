// Simulated annealing on log(cost): each ask proposes neighbours of the current
// point; tell() walks them in order and accepts a worse one with probability
// exp(-(increase) / T), T falling linearly to 0 over the evaluation budget (or
// geometrically per batch when there is none). Starts from random points until
// one is valid.
#include <cmath>

#include "mappers/search/search.h"

namespace einflow::search {

class Annealing final : public Search {
 public:
  Annealing(const Mapspace& space, const MapperConfig& config, uint64_t seed)
      : m_space(space), m_rng(seed), m_budget(config.max_evaluations) {}

  void ask(int n, std::vector<Genome>& out) override {
    for (int i = 0; i < n; ++i) {
      out.emplace_back();
      if (!m_has_current) {
        m_space.random(m_rng, out.back());
      } else {
        out.back() = m_current;
        const int moves = 1 + static_cast<int>(m_rng.below(2));
        for (int k = 0; k < moves; ++k) m_space.mutate(m_rng, out.back());
      }
    }
  }

  void tell(const std::vector<Genome>& asked, const std::vector<double>& cost) override {
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
  }

 private:
  double temperature() const {
    constexpr double kStart = 0.5;  // in log units: a 2x worse point is accepted with p = 0.25 at first
    if (m_budget > 0) return kStart * std::max(0.0, 1.0 - static_cast<double>(m_seen) / static_cast<double>(m_budget));
    return kStart * std::pow(0.97, static_cast<double>(m_batches));
  }
  void accept(const Genome& g, double c) {
    m_current = g;
    m_cost = c;
    m_has_current = true;
  }

  const Mapspace& m_space;
  Rng m_rng;
  int64_t m_budget;
  int64_t m_seen = 0;
  int64_t m_batches = 0;
  Genome m_current;
  double m_cost = 0;
  bool m_has_current = false;
};

EINFLOW_REGISTER_SEARCH("annealing", Annealing)

}  // namespace einflow::search
