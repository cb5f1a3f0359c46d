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
#include "sim/analytical/pim_layout.h"

namespace einflow::sim {

struct PimEstimate {
  double cycles = 0;           // the slowest channel's, tCK (all channels run in parallel)
  double activations = 0;      // PIM row activations (all-bank or all-parity commands), all channels
  double column_commands = 0;  // PIM column commands (each reaching every unit of its channel), all channels
  double inbank_bytes = 0;     // bank accesses that stay in the DRAM
  double offchip_bytes = 0;    // inputs written, results read over the channels
  double unit_ops = 0;         // lane operations
  double row_hit_rate() const { return column_commands > 0 ? 1.0 - activations / column_commands : 0.0; }
  // Energy at the standard's per-bit and per-MAC figures (as run_pim charges them).
  double energy_pj(const arch::DramStandard& s) const {
    return 8 * inbank_bytes * s.pim.inbank_pj_per_bit + 8 * offchip_bytes * s.pj_per_bit + unit_ops * s.pim.pj_per_mac;
  }
};

// y[rows] = W[rows x cols] x[cols] on the standard's PIM units, in HBM-PIM's
// own layout or AiM's rounds.
PimEstimate estimate_pim_gemv(const arch::DramStandard& s, int64_t rows, int64_t cols, bool refresh = true);
// `g.matrices` GEMVs in a layout (AiM-style devices; HBM-PIM runs its own, one GEMV after another).
PimEstimate estimate_pim_gemv(const arch::DramStandard& s, const PimGemv& g, PimLayout layout, bool refresh = true);
// An element-wise kernel of `elements` values with one or two operands (HBM-PIM).
PimEstimate estimate_pim_eltwise(const arch::DramStandard& s, int64_t elements, bool two_operands,
                                 bool refresh = true);

}  // namespace einflow::sim
