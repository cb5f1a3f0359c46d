// The ask/tell interface every search implements (Timeloop's Next()/Report()):
// the driver asks for candidates, evaluates them (in parallel) and tells the
// costs back in the order asked. A search sees costs only through tell(), in a
// fixed order, so its result depends on the seed and not on the thread count.
//
// A search is a class template over the point type and draws points only
// through its space (space.h), so one registration
// (EINFLOW_REGISTER_SEARCH, from the search's own .cpp) builds it for the
// per-Einsum mapspace (Genome) and for the cascade space (CascadeGenome).
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "mappers/search/cascade_genome.h"
#include "mappers/search/mapper_config.h"
#include "mappers/search/mapspace.h"
#include "mappers/search/space.h"

namespace einflow::search {

constexpr double kInvalid = std::numeric_limits<double>::infinity();

template <class Point>
class SearchOf {
 public:
  virtual ~SearchOf() = default;
  // Appends at most `n` candidates to `out`; appends none when the search is over.
  virtual void ask(int n, std::vector<Point>& out) = 0;
  // The cost of each candidate of the last ask, in order (kInvalid: rejected).
  virtual void tell(const std::vector<Point>& asked, const std::vector<double>& cost) = 0;
  // Points to start from, costed (a space's natural starts, the named designs),
  // told once before the first ask. By default they are told like any others.
  virtual void start(const std::vector<Point>& points, const std::vector<double>& cost) { tell(points, cost); }
};

using Search = SearchOf<Genome>;
using CascadeSearch = SearchOf<CascadeGenome>;

template <class Point>
using SearchFactory = std::unique_ptr<SearchOf<Point>> (*)(const SpaceOf<Point>& space, const MapperConfig& config,
                                                           uint64_t seed);

// Registers a search under `name`, built for both point types; returns true
// (for static initialisation).
bool register_search(const char* name, SearchFactory<Genome> einsum, SearchFactory<CascadeGenome> cascade);
// The search named config.algorithm over a space; UserError at its location when unknown.
std::unique_ptr<Search> make_search(const SpaceOf<Genome>& space, const MapperConfig& config, uint64_t seed);
std::unique_ptr<CascadeSearch> make_search(const SpaceOf<CascadeGenome>& space, const MapperConfig& config,
                                           uint64_t seed);
std::vector<std::string> search_names();

#define EINFLOW_REGISTER_SEARCH(NAME, TEMPLATE)                                                              \
  namespace {                                                                                                \
  template <class P>                                                                                         \
  std::unique_ptr<SearchOf<P>> make_##TEMPLATE(const SpaceOf<P>& s, const MapperConfig& c, uint64_t seed) {  \
    return std::make_unique<TEMPLATE<P>>(s, c, seed);                                                        \
  }                                                                                                          \
  const bool registered_##TEMPLATE =                                                                         \
      register_search(NAME, make_##TEMPLATE<Genome>, make_##TEMPLATE<CascadeGenome>);                        \
  }

}  // namespace einflow::search
