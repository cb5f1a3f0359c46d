// Stats as the JSON of DESIGN §4 and as a text table, shared by evaluate and
// (later) simulate.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "sim/stats/stats.h"

namespace einflow::cli {

nlohmann::json stats_json(const sim::Stats& s);
void print_stats(std::ostream& os, const sim::Stats& s);

}  // namespace einflow::cli
