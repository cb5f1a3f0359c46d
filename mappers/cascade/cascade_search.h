// The cascade search: chooses fusion groups, the loops each group shares, where
// its intermediates stay, which unit runs each Einsum and whether the units are
// pipelined, all together, with canonical tiles for each Einsum (named.h) that
// follow every choice; the best point's tiles can then be refined by the
// per-Einsum search. Simulated annealing on log(cost), deterministic for a seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::cascade {

struct CascadeSearchConfig {
  uint64_t seed = 1;
  int64_t max_evaluations = 3000;
  double latency_weight = 1;   // cost = cycles^latency_weight * energy^energy_weight (EDP by default)
  double energy_weight = 1;
  // Cascade mappings to start from (e.g. the named designs); the search returns
  // nothing worse than the best of them.
  std::vector<mapping::CascadeMapping> seeds;
  // A design as constraints: its grouping, binding, retention and pipelining are
  // kept and only the shared loops' factors (hence the tiles) are searched,
  // starting from it (and never worse than it). Its groups must be runs of the
  // dependency order.
  const mapping::CascadeMapping* constrain_to = nullptr;
};

struct CascadeSearchResult {
  mapping::CascadeMapping best;
  sim::Stats stats;
  double cost = 0;
  int64_t evaluated = 0;   // candidates decoded
  int64_t valid = 0;       // of which valid and costed
  int64_t rejected = 0;    // candidates and seeds the mapping rules rejected
  std::string first_reject;  // the reason of the first of them
  bool from_seed = false;  // the best is one of the seeds, unimproved
};

CascadeSearchResult search_cascade(const arch::Architecture& arch, const workloads::Cascade& cascade,
                                   const CascadeSearchConfig& config);

}  // namespace einflow::cascade
