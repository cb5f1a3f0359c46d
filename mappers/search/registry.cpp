#include <map>

#include "common/text.h"
#include "mappers/search/search.h"

namespace einflow::search {
namespace {

std::map<std::string, SearchFactory>& registry() {
  static std::map<std::string, SearchFactory> r;
  return r;
}

}  // namespace

bool register_search(const char* name, SearchFactory factory) {
  registry()[name] = factory;
  return true;
}

std::vector<std::string> search_names() {
  std::vector<std::string> names;
  for (const auto& [name, f] : registry()) names.push_back(name);
  return names;
}

std::unique_ptr<Search> make_search(const Mapspace& space, const MapperConfig& config, uint64_t seed) {
  auto it = registry().find(config.algorithm);
  if (it == registry().end())
    throw UserError(config.algorithm_loc, "mapper.algorithm",
                    "no search named '" + config.algorithm + "' (" + join(search_names(), ", ") + ")" +
                        did_you_mean(config.algorithm, search_names()));
  return it->second(space, config, seed);
}

}  // namespace einflow::search
