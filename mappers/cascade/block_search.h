// The chunk size as a mapping choice: the cascade search run once per chunk
// size a mapper file lists (`blocks:`), each on the model workload rebuilt with
// that block (FuseMax's M0 of the 2- and 1-pass cascades, the chunk of the
// linear mixers' chunkwise forms), the best kept by the search's objective.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mappers/cascade/cascade_search.h"
#include "workloads/workload.h"

namespace einflow::cascade {

struct BlockSearch {
  CascadeSearchResult result;        // the best block's search
  workloads::Workload workload;      // rebuilt with that block (the input when blocks do not apply)
  int64_t block = 0;                 // the chosen block; 0 when not explored
  // Each listed block: its best cost, or why it was not tried.
  std::vector<std::pair<int64_t, std::string>> tried;
};

// Whether `variant` of `w` is cut into blocks (2pass, 1pass, chunkwise of a model workload).
bool has_blocks(const workloads::Workload& w, const std::string& variant);

// search_cascade on `variant` of `w` for each of config.blocks dividing the
// keys (just once, on `w` itself, when config.blocks is empty or the variant
// has no blocks). Seeds and constraints need a fixed cascade: with them,
// blocks is a UserError. UserError when no block gives a valid mapping.
BlockSearch search_blocks(const arch::Architecture& arch, const workloads::Workload& w, const std::string& variant,
                          const search::MapperConfig& config, const CascadeSearchOptions& options = {},
                          const search::ProgressFn& progress = {});

}  // namespace einflow::cascade
