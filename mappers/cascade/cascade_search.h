// The cascade search: chooses fusion groups, the loops each group shares, where
// its intermediates stay, which unit runs each Einsum and whether the units are
// pipelined, all together, with canonical tiles for each Einsum (named.h) that
// follow every choice (the cascade space, cascade_space.h). It runs the search
// the mapper file names (mapper.algorithm: every registered search works here,
// as for single Einsums) through the same driver (search/batches.h): threads,
// the evaluation budget, patience and time limit, deterministic for a seed at
// any thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/search/batches.h"
#include "mappers/search/mapper_config.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::cascade {

struct CascadeSearchOptions {
  // Cascade mappings to start from (e.g. the named designs); the search returns
  // nothing worse than the best of them.
  std::vector<mapping::CascadeMapping> seeds;
  // A design as constraints: its grouping, binding, retention and pipelining are
  // kept and only the shared loops' factors (hence the tiles) are searched,
  // starting from it (and never worse than it). Its groups must be runs of the
  // dependency order.
  const mapping::CascadeMapping* constrain_to = nullptr;
};

// algorithm: optimal (optimal.h): the partial mappings (group points) it made.
struct OptimalCounts {
  int64_t runs = 0;        // runs of the dependency order searched as groups
  int64_t runs_bounded = 0;  // runs not searched: what any of their groups costs could not beat the best known
  int64_t generated = 0;   // group points costed or rejected (partial mappings generated)
  int64_t rejected = 0;    // of which the mapping rules rejected
  int64_t bounded = 0;     // of which not costed: their bound could not beat the best known
  int64_t costed = 0;      // of which valid and costed by the group model
  int64_t kept = 0;        // on their run's front
  int64_t joined = 0;      // prefix-front x run-front sums the grouping DP formed
  int64_t front = 0;       // points on the whole cascade's front
};

// A point of the front of latency and energy.
struct FrontPoint {
  int64_t cycles = 0;
  double energy_pj = 0;
  mapping::CascadeMapping mapping;
};

struct CascadeSearchResult {
  mapping::CascadeMapping best;
  sim::Stats stats;
  double cost = 0;           // search::objective of the best
  int64_t evaluated = 0;     // points scored (the space's starting points included)
  int64_t valid = 0;         // of which valid and costed
  int64_t rejected = 0;      // points and seeds the mapping rules rejected
  std::string first_reject;  // the reason of the first of them
  bool from_seed = false;    // the best is one of the seeds, unimproved
  std::string stopped_by;    // as search::SearchResult ("optimal" for algorithm: optimal)
  double seconds = 0;
  // algorithm: optimal: the space the best is optimal over, the counts, and
  // (objective: pareto) the front of latency and energy, by cycles.
  std::string optimal_space;
  OptimalCounts counts;
  std::vector<FrontPoint> front;
};

// `config`: the algorithm, objective, seed, threads and stopping rule of the
// mapper file (its per-level constraints and min_utilization are per Einsum
// and do not apply). UserError when no valid mapping is found.
CascadeSearchResult search_cascade(const arch::Architecture& arch, const workloads::Cascade& cascade,
                                   const search::MapperConfig& config, const CascadeSearchOptions& options = {},
                                   const search::ProgressFn& progress = {});

}  // namespace einflow::cascade
