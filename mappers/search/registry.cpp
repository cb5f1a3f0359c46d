#include <map>
#include <utility>

#include "common/text.h"
#include "mappers/search/search.h"

namespace einflow::search {
namespace {

using Factories = std::pair<SearchFactory<Genome>, SearchFactory<CascadeGenome>>;

std::map<std::string, Factories>& registry() {
  static std::map<std::string, Factories> r;
  return r;
}

const Factories& factories(const MapperConfig& config) {
  auto it = registry().find(config.algorithm);
  if (it == registry().end())
    throw UserError(config.algorithm_loc, "mapper.algorithm",
                    "no search named '" + config.algorithm + "' (" + join(search_names(), ", ") + ")" +
                        did_you_mean(config.algorithm, search_names()));
  return it->second;
}

}  // namespace

bool register_search(const char* name, SearchFactory<Genome> einsum, SearchFactory<CascadeGenome> cascade) {
  registry()[name] = {einsum, cascade};
  return true;
}

std::vector<std::string> search_names() {
  std::vector<std::string> names;
  for (const auto& [name, f] : registry()) names.push_back(name);
  return names;
}

std::unique_ptr<Search> make_search(const SpaceOf<Genome>& space, const MapperConfig& config, uint64_t seed) {
  return factories(config).first(space, config, seed);
}

std::unique_ptr<CascadeSearch> make_search(const SpaceOf<CascadeGenome>& space, const MapperConfig& config,
                                           uint64_t seed) {
  return factories(config).second(space, config, seed);
}

}  // namespace einflow::search
