// The per-cycle reference simulator of the differential tests (issue 24).
//
// Written for clarity, not speed, and independently of sim/cycle: it
// enumerates the tiles of a mapped nest itself, moves words between levels as
// einflow's reuse model says (a tile keeps what overlaps the next one, the
// union of children's tiles crosses a multicast fan-out once, partial sums
// come back up and reduce), and then ticks every resource every cycle: each
// port, bank, network and the DRAM has a rate in words per cycle, and in every
// cycle the operations in flight take their words in program order (the
// oldest first), each word needing a token of every resource it passes. See
// tests/README.md ("The per-cycle reference") for the rules and what the
// cycle model is measured against.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/mapping/mapping.h"
#include "workloads/cascade.h"

namespace einflow::reference {

struct Counts {
  int64_t reads = 0, fills = 0, updates = 0;
  bool operator==(const Counts& o) const {
    return reads == o.reads && fills == o.fills && updates == o.updates;
  }
};

struct Result {
  int64_t cycles = 0;        // the fewest cycles of the schedules run
  int64_t fixed_cycles = 0;  // of the fixed arbitration rules alone
  std::string arbitration;   // the rule (and seed) of the fewest
  // (level, tensor) -> accesses, Timeloop's meaning (as sim/stats/stats.h).
  std::map<std::pair<std::string, std::string>, Counts> counts;
};

// One mapped Einsum (perfect factors, no recurrence). Every fixed arbitration
// rule is run; when none takes at most `search_to` cycles (>= 0), a search
// follows for a schedule that does (engine.h, run_best).
Result simulate_nest(const arch::Architecture& a, const workloads::Cascade& c, const mapping::Mapping& m,
                     int64_t search_to = -1);

// A cascade mapping of one group whose Einsums run on their units, with every
// intermediate retained in the group's retention level (it must fit) and every
// input read per execution (each tensor's tile moves with every iteration of
// the shared loops).
Result simulate_group(const arch::Architecture& a, const workloads::Cascade& c,
                      const mapping::CascadeMapping& m, int64_t search_to = -1);

}  // namespace einflow::reference
