// SK hynix GDDR6-AiM's GEMV (internal to sim/cycle/pim): the ISR sequence of
// CENT's trace generator (each bank holds whole output rows, a 1024-value
// chunk of the input in the global buffer at a time; per chunk and per 16
// outputs of a channel WR_BIAS, MAC_ABK over a full row, RD_MAC) expanded into
// commands as the AiM simulator's controller does (TMOD on each mode change,
// PREA and ACT16 before a MAC16 to a row not open) and issued in order.
#pragma once

#include "sim/cycle/pim/pim_kernel.h"

namespace einflow::sim::pim {

PimRun run_aim(const arch::DramStandard& s, const Kernel& k, const RunOptions& o);

}  // namespace einflow::sim::pim
