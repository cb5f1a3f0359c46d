// Stats as the JSON of DESIGN §4 and as a text table: what the command line
// prints and what search outputs (mappers/search/search_output.h) write.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "sim/stats/stats.h"

namespace einflow::sim {

nlohmann::json stats_json(const Stats& s);
// The same, headed by what ran: "architecture", "workload" and `what` (a key
// such as "variant" or "design") with its value.
nlohmann::json stats_json(const Stats& s, const std::string& arch, const std::string& workload,
                          const char* what, const std::string& value);
void print_stats(std::ostream& os, const Stats& s);
// The DRAM capacity line of print_stats (nothing when the size is not known).
void print_capacity(std::ostream& os, const Stats& s);

}  // namespace einflow::sim
