// Runs a search: asks for fixed-size batches, evaluates each batch on every
// thread (the model is read-only, each thread has its own result buffers),
// tells the costs back in order, and keeps the top-K distinct mappings.
// Deterministic for a seed whatever the thread count, unless a time limit stops it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mappers/search/batches.h"
#include "mappers/search/mapper_config.h"
#include "mappers/search/mapspace.h"

namespace einflow::search {

struct Candidate {
  Genome genome;
  double cost = 0;           // cycles^wl * energy^we
  int64_t cycles = 0;
  double energy_pj = 0;
  double utilization = 0;
};

struct SearchResult {
  std::vector<Candidate> top;  // best first, distinct mappings
  int64_t evaluated = 0;       // candidates asked and checked
  int64_t valid = 0;           // of which passed every check and were costed by the model
  double seconds = 0;
  std::string stopped_by;      // "space exhausted", "evaluations", "time" or "patience"
};

SearchResult run_search(const Mapspace& space, const MapperConfig& config, const ProgressFn& progress = {});

// The best mapping of one Einsum over every compute unit that can run it (or
// the one config.compute names).
struct EinsumSearch {
  std::unique_ptr<Mapspace> space;
  SearchResult result;
};
// The first `k` mappings of a search's top list, best first.
std::vector<mapping::Mapping> top_mappings(const EinsumSearch& search, int k);

EinsumSearch search_einsum(const arch::Architecture& arch, const workloads::Cascade& cascade, int einsum,
                           const MapperConfig& config, const ProgressFn& progress = {});

}  // namespace einflow::search
