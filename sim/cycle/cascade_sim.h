// The cycle model of a whole cascade mapping (fusion groups one after another),
// carrying real values.
//
// Values: every execution of every Einsum's tile (one per iteration of the
// group's shared loops down to the innermost one over a rank the Einsum
// iterates) runs on the nest walker of nest_sim.h in program order, reading
// and writing the cascade's tensors at the tile's offset, so a recurrence
// (RM[m1+1] from RM[m1]) sees the value the previous iteration left.
//
// Time: the executions form a dependency graph (a reader after the last
// execution of each writer of what it reads; a writer at most two generations
// ahead of the readers of its output, i.e. double-buffered intermediates;
// executions of one Einsum in order; in a group without a pipelined rank,
// everything in program order). A list scheduler runs it: each compute unit
// takes the lowest-numbered ready execution, each execution lasting its tile's
// cycle-model time with an ideal root link; the DRAM moves each execution's
// root traffic (after the group's retention and reuse across shared loops),
// one transfer at a time, at most two executions of an Einsum ahead; an
// execution may start with its transfer (its tiles stream in) and ends no
// earlier. Time a unit waits is charged to what it waited for: another unit's
// data (pipelined groups), the DRAM, or a full double buffer.
//
// A group holding an Einsum on the DRAM's PIM unit runs on the PIM models
// instead (pim_group.h): its time command by command, its values by the
// device's arithmetic.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/pim_values.h"
#include "sim/stats/stats.h"
#include "workloads/cascade.h"
#include "workloads/golden/tensor.h"

namespace einflow::sim::cycle {

struct CascadeSimResult {
  Stats stats;
  std::map<std::string, int64_t> stalls;  // unit-idle cycles by cause, over all units
  std::map<std::string, int64_t> bank_conflicts;  // link cycles bank conflicts added, by node
  // With a root link: what the DRAM's timing added to its transfers over the peak bandwidth.
  int64_t dram_timing_cycles = 0;
  int64_t executions = 0;
  bool fast_forwarded = false;            // some tile's iterations were extrapolated
  std::vector<Activity> activity;  // with SimOptions::record_activity
  std::vector<std::string> retained, spilled;
  // Functional runs: every tensor the cascade writes, at cascade extents.
  golden::TensorSet<double> tensors;
  // Functional runs: each Einsum on the DRAM's PIM unit against the exact
  // product of its operands (pim_values.h), in execution order.
  std::vector<PimCheck> pim_checks;
};

// Runs a cascade mapping that validate_cascade_mapping() accepted. `inputs`
// holds the cascade's inputs (functional runs only).
CascadeSimResult simulate_cascade(const arch::Architecture& arch, const workloads::Cascade& cascade,
                                  const mapping::CascadeMapping& m,
                                  const golden::TensorSet<double>& inputs,
                                  const SimOptions& opts = {});

}  // namespace einflow::sim::cycle
