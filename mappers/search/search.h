// The ask/tell interface every search implements (Timeloop's Next()/Report()):
// the driver asks for candidates, evaluates them (in parallel) and tells the
// costs back in the order asked. A search sees costs only through tell(), in a
// fixed order, so its result depends on the seed and not on the thread count.
// Implementations register by name from their own .cpp (EINFLOW_REGISTER_SEARCH).
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "mappers/search/mapper_config.h"
#include "mappers/search/mapspace.h"

namespace einflow::search {

constexpr double kInvalid = std::numeric_limits<double>::infinity();

class Search {
 public:
  virtual ~Search() = default;
  // Appends at most `n` candidates to `out`; appends none when the search is over.
  virtual void ask(int n, std::vector<Genome>& out) = 0;
  // The cost of each candidate of the last ask, in order (kInvalid: rejected).
  virtual void tell(const std::vector<Genome>& asked, const std::vector<double>& cost) = 0;
};

using SearchFactory = std::unique_ptr<Search> (*)(const Mapspace& space, const MapperConfig& config, uint64_t seed);

// Registers a search under `name`; returns true (for static initialisation).
bool register_search(const char* name, SearchFactory factory);
// The search named config.algorithm; UserError at its location when unknown.
std::unique_ptr<Search> make_search(const Mapspace& space, const MapperConfig& config, uint64_t seed);
std::vector<std::string> search_names();

#define EINFLOW_REGISTER_SEARCH(NAME, TYPE)                                                                 \
  namespace {                                                                                               \
  std::unique_ptr<Search> make_##TYPE(const Mapspace& s, const MapperConfig& c, uint64_t seed) {           \
    return std::make_unique<TYPE>(s, c, seed);                                                              \
  }                                                                                                         \
  const bool registered_##TYPE = register_search(NAME, make_##TYPE);                                        \
  }

}  // namespace einflow::search
