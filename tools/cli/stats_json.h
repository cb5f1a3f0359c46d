// Stats as the JSON of DESIGN §4 and as a text table, shared by evaluate,
// simulate and map.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "sim/stats/stats.h"

namespace einflow::cli {

nlohmann::json stats_json(const sim::Stats& s);
// The same, headed by what ran: "architecture", "workload" and `what` (a key
// such as "variant" or "design") with its value.
nlohmann::json stats_json(const sim::Stats& s, const std::string& arch, const std::string& workload,
                          const char* what, const std::string& value);
void print_stats(std::ostream& os, const sim::Stats& s);

}  // namespace einflow::cli
