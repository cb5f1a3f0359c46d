// Every point of the mapspace, once, without symmetric duplicates.
#include "mappers/search/search.h"

namespace einflow::search {

template <class Point>
class Exhaustive final : public SearchOf<Point> {
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

EINFLOW_REGISTER_SEARCH("exhaustive", Exhaustive)

}  // namespace einflow::search
