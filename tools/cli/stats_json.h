// The command line prints Stats with sim/stats/stats_json.h.
#pragma once

#include "sim/stats/stats_json.h"

namespace einflow::cli {

using sim::print_capacity;
using sim::print_stats;
using sim::stats_json;

}  // namespace einflow::cli
