// Uniform random points (each prime factor in a random slot, random orders).
#include "mappers/search/search.h"

namespace einflow::search {

template <class Point>
class RandomSearch final : public SearchOf<Point> {
 public:
  RandomSearch(const SpaceOf<Point>& space, const MapperConfig&, uint64_t seed) : m_space(space), m_rng(seed) {}
  void ask(int n, std::vector<Point>& out) override {
    for (int i = 0; i < n; ++i) {
      out.emplace_back();
      m_space.random(m_rng, out.back());
    }
  }
  void tell(const std::vector<Point>&, const std::vector<double>&) override {}
  void start(const std::vector<Point>&, const std::vector<double>&) override {}

 private:
  const SpaceOf<Point>& m_space;
  Rng m_rng;
};

EINFLOW_REGISTER_SEARCH("random", RandomSearch)

}  // namespace einflow::search
