// Samsung HBM-PIM's kernels (internal to sim/cycle/pim): the command stream of
// one pseudo-channel as PIMSimulator's PIMKernel generates it, issued in order
// on the ordinary protocol model (ChannelTiming). In the all-bank modes a
// command to bank 0 or 1 reaches every bank of that parity; its timing is that
// of bank 0 or 1 (both in bank group 0), as in the simulator.
#pragma once

#include "sim/cycle/pim/pim_kernel.h"

namespace einflow::sim::pim {

PimRun run_hbm_pim(const arch::DramStandard& s, const Kernel& k, const RunOptions& o);

}  // namespace einflow::sim::pim
