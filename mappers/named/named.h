// Named mappings: the five designs of FuseMax's ablation (unfused, FLAT,
// +cascade, +architecture, FuseMax) built from first principles for any
// attention cascade on any architecture with a 2D and a 1D array, and a
// canonical tiler that gives any Einsum a sensible mapping on a unit.
// Each design is the set of choices the search would otherwise make: which
// cascade (passes), how Einsums group and which loops they share, where the
// intermediates stay, which unit runs each Einsum, and whether the units are
// pipelined; within a design the one free size (the query tile) is chosen by
// evaluating every candidate with the analytical model.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/mapping/plan.h"
#include "sim/analytical/deployment.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"
#include "workloads/workload.h"

namespace einflow {
class YamlNode;
}

namespace einflow::named {

struct Design;
// What a design costed by a model of its own gives (the GPU attention
// algorithms, sim/analytical/gpu_attention.h: thread blocks and waves are not
// tilings of the mapping format): its Stats, each kernel's, and the model's
// own figures (block sizes, splits, SM utilization) for reports.
struct ModelCost {
  sim::Stats stats;
  std::vector<std::pair<std::string, sim::Stats>> parts;
  std::vector<std::pair<std::string, double>> figures;
  // A whole layer of a model: the model's deployment with every layer costed
  // this way (sim/analytical/deployment.h), beside its peak bound's.
  std::optional<sim::analytical::DeploymentBound> deployment;
};
using ModelFn = ModelCost (*)(const Design& design, const arch::Architecture& arch, const workloads::Workload& workload,
                              const SourceLoc& where);
// A design over a whole workload: the parts that run one after another
// (design_plan below says what the attention family does). UserError, at
// `where`, when the design does not apply to the workload or architecture.
using PlanFn = mapping::Plan (*)(const Design& design, const arch::Architecture& arch,
                                 const workloads::Workload& workload, const std::string& variant,
                                 const SourceLoc& where);

// A design's parameters, where the published design fixes what einflow would
// otherwise choose (FLAT's configuration per sequence length, as its own tool
// gives it: reference/fusemax-artifact.md). Unset, the design chooses.
struct DesignParams {
  int64_t query_tile = 0;                 // queries per row block (0: the least energy-delay product)
  std::vector<std::string> offchip;       // intermediates written to DRAM and read back: the group splits
                                          // into passes there, each pass sharing a tile of the keys
  std::vector<std::pair<std::string, std::string>> stationary;  // Einsum -> "output" or "weight" on the 2D array
  int64_t devices = 1;                    // GPU designs: tensor-parallel devices for the model's deployment
  SourceLoc loc;                          // where they were given
  bool empty() const { return query_tile == 0 && offchip.empty() && stationary.empty() && devices == 1; }
};

// Reads `params:` (a map: query_tile, offchip, stationary, devices); every error located.
DesignParams read_design_params(const YamlNode& params);
// The parameters' keys (query_tile, offchip, stationary, devices).
const std::vector<std::string>& design_param_keys();

struct Design {
  std::string name;         // unfused, flat, cascade, architecture, fusemax, weight-stationary, ...
  std::string variant;      // attention: the cascade it runs (3pass or 1pass); "" when any
  std::string description;
  bool fused = false;       // attention: one group sharing the batch, head and query loops
  bool fusemax_binding = false;  // attention: the 2D array runs every Einsum over the M0 fiber, not only the contractions
  bool pipelined = false;   // attention: the 2D and 1D arrays overlap across M1
  std::string family;       // "attention", "gemm", ...: the family that registered it
  PlanFn plan = nullptr;    // how the design maps a workload
  DesignParams params;      // set by with_params; the registered designs have none
  ModelFn model = nullptr;  // set: the design is costed by this model, not by a plan (plan is null)
};

// The design with parameters; a UserError at the parameters when the design
// takes none of them (only the attention family's 3-pass designs take them).
Design with_params(const Design& design, const DesignParams& params);
// Whether the design takes parameters (FLAT, the fused 3-pass design).
bool takes_params(const Design& design);
// The design `name` (design_named) with the command line's `--design-set
// KEY=VALUE` parameters.
Design design_with_sets(const std::string& name, const std::vector<std::string>& sets);

// Named designs as a registry: each family registers its designs from its own
// file (EINFLOW_REGISTER_DESIGNS), so a new design is one file (and its line in
// mappers/named/CMakeLists.txt). Registration order across files is not fixed:
// designs() lists them by family name, each family in its own order.
bool register_designs(const std::string& family, const std::vector<Design>& designs);
std::vector<const Design*> designs();
#define EINFLOW_REGISTER_DESIGNS(ID, FAMILY, LIST)                                       \
  namespace {                                                                            \
  const bool registered_designs_##ID = ::einflow::named::register_designs(FAMILY, LIST); \
  }

// FuseMax's ablation, in its order.
const std::vector<Design>& attention_designs();
// Null when no design has that name.
const Design* find_design(const std::string& name);
// The design of that name; a UserError at `where` (key `key`) listing the
// designs, with the nearest suggested, when none has it. The one lookup the
// command line and sweeps use.
const Design& design_named(const std::string& name, const SourceLoc& where, const std::string& key);

// The compute units of a 2D/1D architecture: the 2D array sits under a fan-out
// with both axes wider than 1, the 1D array under one with a single row. With
// one unit, both are that unit.
struct ArrayUnits {
  int array2d = -1;
  int array1d = -1;
};
ArrayUnits find_array_units(const arch::Architecture& arch);

// The deepest storage node on the paths to every one of `units` (the root at least).
int common_storage(const arch::Architecture& arch, const std::vector<int>& units);

// Spatial preferences and retention for the canonical tiler.
struct TileRequest {
  std::vector<std::string> x_ranks;  // the first that the Einsum iterates goes across the x axis
  std::vector<std::string> y_ranks;  // ... across the y axis
  std::vector<std::pair<int, int>> retain;  // (tensor, node): keep there, bypass the levels between it and the root
};

// A mapping of Einsum `einsum` of `cascade` on `unit`: the preferred ranks
// across the fan-out (largest factor that divides and fits), every other loop
// at the level above the fan-out (output ranks outermost, reduced ranks
// innermost, so partial sums stay put), moved out to the root outermost first
// until the tiles fit. May be invalid (the unit lacks an op); the caller validates.
mapping::Mapping canonical_tile(const arch::Architecture& arch, const workloads::Cascade& cascade, int einsum,
                                int unit, const TileRequest& request);

// One group per Einsum (dependency order), each on unit `unit_of[einsum]`, canonical tiles.
mapping::CascadeMapping canonical_unfused(const arch::Architecture& arch, const workloads::Cascade& cascade,
                                          const std::vector<int>& unit_of, const TileRequest& request);

// The named mapping of an attention cascade (the design's variant) on an
// architecture, valid, or why the design does not apply here (the cascade is
// not attention, not the design's variant, or no mapping of the design fits the
// architecture) as a status; input faults (model limits) throw UserError.
struct DesignMapping {
  mapping::MappingStatus status;    // ok: `mapping` is valid
  mapping::CascadeMapping mapping;
};
DesignMapping try_attention_mapping(const Design& design, const arch::Architecture& arch,
                                    const workloads::Cascade& cascade);
// The same, where a design that does not apply is the user's error: a UserError with its reason.
mapping::CascadeMapping attention_mapping(const Design& design, const arch::Architecture& arch,
                                          const workloads::Cascade& cascade);

// A named design over a whole workload, the one composition the command line
// (`evaluate --design`, `simulate --design`) and sweeps use: the design's own
// plan. For the attention family: the design's attention cascade (the variant `variant` names, else the design's own) and,
// on a model workload of scope `layer`, then each linear layer (a contraction
// that reads a weight) alone on the 2D array with canonical tiles, tokens
// across the columns and the largest reduced ranks down the rows (FuseMax's
// end-to-end figure). UserError, located at `where`, when the design does not
// apply or a linear layer cannot run.
mapping::Plan design_plan(const Design& design, const arch::Architecture& arch, const workloads::Workload& workload,
                          const std::string& variant, const SourceLoc& where);
// The attention family's plan (what design_plan does for it).
mapping::Plan attention_plan(const Design& design, const arch::Architecture& arch,
                             const workloads::Workload& workload, const std::string& variant, const SourceLoc& where);

}  // namespace einflow::named
