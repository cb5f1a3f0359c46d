// Every point of the mapspace, once, without symmetric duplicates. Also the
// search `optimal` of a single Einsum: the same enumeration, which the driver
// runs to the end (no evaluation budget or patience), so its best is the
// optimum of the mapspace; on a cascade `optimal` is the search of
// mappers/cascade/optimal.h, and this enumeration is only what make_search builds.
#include "mappers/search/search.h"

namespace einflow::search {

template <class Point>
class Exhaustive : public SearchOf<Point> {
 public:
  Exhaustive(const SpaceOf<Point>& space, const MapperConfig&, uint64_t) : m_space(space) { space.first(m_next); }
  void ask(int n, std::vector<Point>& out) override {
    for (int i = 0; i < n && !m_done; ++i) {
      out.push_back(m_next);
      m_done = !m_space.next(m_next);
    }
  }
  void tell(const std::vector<Point>&, const std::vector<double>&) override {}
  // Starting points change nothing: the enumeration visits them anyway.
  void start(const std::vector<Point>&, const std::vector<double>&) override {}

 private:
  const SpaceOf<Point>& m_space;
  Point m_next;
  bool m_done = false;
};

template <class Point>
class Optimal final : public Exhaustive<Point> {
 public:
  using Exhaustive<Point>::Exhaustive;
};

EINFLOW_REGISTER_SEARCH("exhaustive", Exhaustive)
EINFLOW_REGISTER_SEARCH("optimal", Optimal)

}  // namespace einflow::search
