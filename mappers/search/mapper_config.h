// What a mapper search is told: the algorithm, the objective, when to stop, and
// the constraints that narrow the mapspace. Read from a `mapper:` YAML document
// (configs/mappers/); names are resolved later against a particular Einsum and
// architecture, so each constraint keeps its source location.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"

namespace einflow {
class YamlNode;
}

namespace einflow::search {

// Constraints on one storage level of the path.
struct LevelConstraint {
  std::string target;                         // storage node name
  std::map<std::string, int64_t> factors;     // fixed temporal factors (unlisted ranks stay free)
  std::map<std::string, int64_t> max_factors, min_factors;  // bounds on temporal factors
  std::vector<std::string> residual;          // ranks whose factor left by the fixed ones is all here
  std::vector<std::string> permutation;       // these ranks are the outermost temporal loops, in this order
  std::vector<std::string> innermost;         // these ranks are the innermost temporal loops, outermost first
  std::map<std::string, int64_t> spatial_factors;      // fixed spatial factors over the fan-out below
  std::map<std::string, int64_t> spatial_max_factors;  // bounds on them
  bool has_spatial_x = false, has_spatial_y = false;
  std::vector<std::string> spatial_x;         // ranks allowed on the x axis below this level
  std::vector<std::string> spatial_y;         // ranks allowed on the y axis
  std::vector<std::string> require_spatial;   // ranks that must be split across the fan-out
  std::vector<std::string> keep, bypass;      // pinned; the rest are searched
  double max_capacity_use = 1.0;              // fraction of the level's capacity the tiles may use
  SourceLoc loc;
};

struct MapperConfig {
  std::string algorithm = "annealing";        // exhaustive, random, annealing, genetic, descent
  SourceLoc algorithm_loc;
  double latency_weight = 1, energy_weight = 1;  // of search::objective (objective.h); EDP by default
  uint64_t seed = 1;
  int threads = 0;                            // 0: every hardware thread
  int64_t max_evaluations = 20000;            // 0: no limit
  double max_seconds = 0;                     // 0: no limit (a time limit makes the result timing-dependent)
  int64_t patience = 0;                       // stop after this many evaluations without improvement; 0: never
  int top_k = 10;
  int batch = 256;                            // candidates per ask; fixed, so results do not depend on threads
  bool imperfect = false;                     // allow remainder tiles
  bool search_bypass = true;                  // search keep/bypass where the architecture permits both
  double min_utilization = 0;                 // reject mappings below this utilization of the unit
  std::string compute;                        // pin the compute unit ("" = try every unit that can run the Einsum)
  // The cascade search on a model workload's partitioned form (FuseMax's 2-
  // and 1-pass M0, the linear mixers' chunk): the chunk sizes to try, each a
  // cascade of its own; the best is kept (empty: the instance's block only).
  std::vector<int64_t> blocks;
  std::vector<LevelConstraint> levels;
  // algorithm: cosma (mappers/cosma/cosma.h): the scratchpad budget, "arch"
  // (the architecture's first on-chip buffer), "tightest", "min-peak", "mean"
  // or a number of bytes; and whether the order is chosen ("free") or the
  // cascade's ("given"). max_seconds is the solver's time limit (0: 60 s).
  std::string budget = "arch";
  int64_t budget_bytes = 0;                   // when budget is a number
  std::string order = "free";
  SourceLoc budget_loc;
  // algorithm: optimal (mappers/cascade/optimal.h): the space its result is
  // optimal over. Shared factors: "all" (every divisor of the rank),
  // "powers-of-two" (those and the whole rank) or "ends" (1 or the whole
  // rank); binding: "all" (any able unit per Einsum) or "classes" (the
  // Einsums of a group that iterate the same ranks on one unit); max_group:
  // the most Einsums in a group (0: any); max_points: below.
  std::string factors = "all", binding = "all";
  int max_group = 0;
  // The most group points the optimal search may cost: a larger space (its
  // bound, before the loop rules prune) is an error that names the cuts.
  int64_t max_points = 10'000'000;
  // objective: pareto: the front of latency and energy (algorithm: optimal);
  // the weights stay EDP's, which picks the one mapping written.
  bool pareto = false;
  std::string file;
  SourceLoc loc;
};

MapperConfig load_mapper_config(const std::string& path);
MapperConfig load_mapper_config_text(const std::string& text, const std::string& name);
// From a parsed document (a sweep's point, with its overrides applied).
MapperConfig load_mapper_config_node(const YamlNode& doc);

}  // namespace einflow::search
