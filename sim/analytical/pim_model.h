// The analytical cost of a kernel on processing-in-memory DRAM, in closed
// form from the layout: how many rows each bank visits, the column commands
// per visit, the input broadcast and the result read-out, each visit charged
// the timing gap that opens it (row switch after reads or after writes, a bus
// turnaround, a mode change) plus tCCD per further column command. The
// command-level model (sim/cycle/pim/) issues the same kernels command by
// command; tests hold the two within 5%.
#pragma once

#include <cstdint>

#include "arch/dram_standard.h"

namespace einflow::sim {

struct PimEstimate {
  double cycles = 0;           // one channel's, tCK (all channels run in parallel)
  double activations = 0;      // row activations per channel
  double column_commands = 0;  // per channel
};

// y[rows] = W[rows x cols] x[cols] on the standard's PIM units.
PimEstimate estimate_pim_gemv(const arch::DramStandard& s, int64_t rows, int64_t cols, bool refresh = true);
// An element-wise kernel of `elements` values with one or two operands (HBM-PIM).
PimEstimate estimate_pim_eltwise(const arch::DramStandard& s, int64_t elements, bool two_operands,
                                 bool refresh = true);

}  // namespace einflow::sim
