// Every point of the mapspace, once, without symmetric duplicates.
#include "mappers/search/search.h"

namespace einflow::search {

class Exhaustive final : public Search {
 public:
  Exhaustive(const Mapspace& space, const MapperConfig&, uint64_t) : m_space(space) { space.first(m_next); }
  void ask(int n, std::vector<Genome>& out) override {
    for (int i = 0; i < n && !m_done; ++i) {
      out.push_back(m_next);
      m_done = !m_space.next(m_next);
    }
  }
  void tell(const std::vector<Genome>&, const std::vector<double>&) override {}

 private:
  const Mapspace& m_space;
  Genome m_next;
  bool m_done = false;
};

EINFLOW_REGISTER_SEARCH("exhaustive", Exhaustive)

}  // namespace einflow::search
