// Chrome/Perfetto traces (the JSON trace-event format) of the cycle model's
// activity: one track per unit, link and DRAM; an interval per busy span.
#pragma once

#include <string>
#include <vector>

#include "sim/cycle/nest_sim.h"

namespace einflow::cli {

// Writes `path` atomically. Times in cycles become microseconds at clock_mhz.
void write_trace(const std::string& path, const std::vector<sim::cycle::Activity>& activity,
                 double clock_mhz);

}  // namespace einflow::cli
