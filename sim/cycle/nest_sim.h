// The cycle model of one mapped Einsum, carrying real values (DESIGN §5).
//
// The nest is walked in time order, one step (an iteration of every temporal
// loop) at a time, every instance of every level in parallel. At each step the
// levels whose tile changes evict their old output words to the level above
// (deepest first) and fetch the words of the new tile they do not hold (top
// first); then every compute instance evaluates its iteration point on the
// values present in its innermost buffers. Tiles are sets of tensor elements,
// enumerated, so counts are exact by construction (sliding windows, remainder
// tiles, multicast and spatial reduction as unions over the children of one
// parent). A schedule over the steps gives the cycles: each level's link moves
// its words at its bandwidth, a tile may load while the previous one computes
// when the level holds two (double buffering), and a step computes when its
// data is present; time lost waiting is charged to the level that was late.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "sim/cycle/pim_values.h"
#include "sim/cycle/root_link.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"
#include "workloads/golden/tensor.h"

namespace einflow::workloads {
struct VectorMatrix;
}
namespace einflow::sim {
enum class PimLayout : uint8_t;
}
namespace einflow::sim::analytical {
struct Residency;
struct PimVmmCost;
}

namespace einflow::sim::cycle {

struct SimOptions {
  bool functional = true;        // carry values (else counts and timing only)
  bool record_activity = false;  // keep the units' and links' busy intervals (for --trace)
  // Timing-only runs: extrapolate the outermost loop's iterations once they
  // repeat (the result says fast_forwarded).
  bool fast_forward = true;
  // The root's link as a timing model of its own (the command-level DRAM,
  // cycle/dram/dram_link.h) instead of the DRAM's bandwidth; not owned. Single
  // Einsums only; turns fast-forward off (the DRAM's state does not repeat).
  RootLink* root_link = nullptr;
  // Cascades: called with each group's index and the residency decision
  // (which intermediates stay, which inputs stay resident; group_counts.h)
  // before the group counts by it. What-if studies force a spill with it; the
  // agreement tests give this model a wrong retention to show they catch it.
  std::function<void(int group, analytical::Residency& residency)> adjust_residency;
  // Einsums on the DRAM's PIM unit: times one vector-matrix product. Unset:
  // the timer registered for the binary (register_pim_command_timer), else
  // the PIM model's closed forms (sim/analytical/pim_model.h).
  std::function<analytical::PimVmmCost(const workloads::VectorMatrix&, PimLayout)> pim_timer;
};

// What times a vector-matrix product on a DRAM standard's PIM units command
// by command (sim/cycle/pim/: run_pim_vmm). This library does not link the
// command models (they need the SystemC engine), so the binary that does
// registers it once at start (einflow's main); every cycle-model run without
// SimOptions::pim_timer (simulate, sweeps in cycle mode) then uses it.
using PimCommandTimer = std::function<analytical::PimVmmCost(const arch::DramStandard&, const workloads::VectorMatrix&,
                                                             PimLayout)>;
void register_pim_command_timer(PimCommandTimer timer);

// One interval of activity, for traces: a unit computing, a level's link
// moving a tile, or a DRAM transfer. Contiguous intervals of one kind merge.
struct Activity {
  std::string unit;  // the compute unit, storage level or DRAM
  std::string name;  // the Einsum, or what the link moves
  int group = 0;
  double start = 0, end = 0;  // cycles from the start of the run
};

struct SimResult {
  Stats stats;                            // the struct the analytical model fills
  std::map<std::string, int64_t> stalls;  // compute-idle cycles by cause
  // Link cycles that bank conflicts added, by the storage node whose banks
  // conflicted: a link's time over what it would be with each side's words
  // spread evenly over its banks. Compute waits for them only when the link is late
  // (then as `fill <level>` stalls).
  std::map<std::string, int64_t> bank_conflicts;
  // With a root link: the cycles its transfers took beyond the same words at
  // the DRAM's peak bandwidth (row misses, refresh, bus turnarounds).
  int64_t dram_timing_cycles = 0;
  int64_t steps = 0;
  bool fast_forwarded = false;  // some iterations were extrapolated, not simulated
  // Functional runs: the Einsum's output tensor as it stands in the root at the end.
  golden::TensorSet<double> outputs;
  std::vector<Activity> activity;  // with SimOptions::record_activity
  // A mapping on the DRAM's PIM unit (functional): its values against their
  // error bound (pim_values.h).
  std::vector<PimCheck> pim_checks;
};

// Runs a mapping that validate_mapping() accepted. `inputs` holds every tensor
// the Einsum reads (functional runs only). A mapping on the DRAM's PIM unit
// runs as a PIM group does in a cascade (pim_group.h).
SimResult simulate_mapping(const arch::Architecture& arch, const workloads::Cascade& cascade,
                           const mapping::Mapping& m, const golden::TensorSet<double>& inputs,
                           const SimOptions& opts = {});

}  // namespace einflow::sim::cycle
