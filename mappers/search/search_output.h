// What `einflow map` writes for one Einsum's search, in DIR/EINSUM:
// top/NN.yaml (the top list in rank order), mapping.yaml (the best),
// stats.json (its analytical Stats, the search's counts and, when the top K
// were re-ranked on the cycle model, the cycle model's figures) and top.csv
// (rank, cost, cycles, energy, utilization of every kept mapping).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/search/driver.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"

namespace einflow::search {

// A re-ranked candidate's cycle-model figures (sim/cycle/rerank.h gives them).
struct CycleFigures {
  size_t index = 0;  // in the search's top list
  sim::Stats stats;
  std::map<std::string, int64_t> stalls;
};

// Writes the directory; `reranked` (best first) puts its candidates first in
// the cycle model's order, the rest keep the analytical one; `variant` is
// written into each mapping when the workload has several. Returns the best
// mapping (what mapping.yaml holds) and its analytical Stats.
struct BestMapping {
  mapping::Mapping mapping;
  sim::Stats stats;
};
BestMapping write_einsum_search(const std::filesystem::path& dir, const arch::Architecture& arch,
                                const workloads::Cascade& cascade, const std::string& variant,
                                const EinsumSearch& search, const std::vector<CycleFigures>& reranked);

}  // namespace einflow::search
