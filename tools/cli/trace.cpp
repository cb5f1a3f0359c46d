#include "tools/cli/trace.h"

#include <nlohmann/json.hpp>

#include "tools/cli/options.h"

namespace einflow::cli {

void write_trace(const std::string& path, const std::vector<sim::cycle::Activity>& activity,
                 double clock_mhz) {
  // Tracks in order of first appearance, each a thread of one process.
  std::vector<std::string> tracks;
  nlohmann::json events = nlohmann::json::array();
  events.push_back({{"name", "process_name"},
                    {"ph", "M"},
                    {"pid", 1},
                    {"args", {{"name", "einflow cycle model"}}}});
  auto track = [&](const std::string& unit) {
    for (size_t i = 0; i < tracks.size(); ++i)
      if (tracks[i] == unit) return static_cast<int>(i) + 1;
    tracks.push_back(unit);
    const int tid = static_cast<int>(tracks.size());
    events.push_back({{"name", "thread_name"},
                      {"ph", "M"},
                      {"pid", 1},
                      {"tid", tid},
                      {"args", {{"name", unit}}}});
    events.push_back({{"name", "thread_sort_index"},
                      {"ph", "M"},
                      {"pid", 1},
                      {"tid", tid},
                      {"args", {{"sort_index", tid}}}});
    return tid;
  };
  const double us_per_cycle = clock_mhz > 0 ? 1.0 / clock_mhz : 1.0;
  for (const auto& a : activity) {
    const int tid = track(a.unit);
    events.push_back(
        {{"name", a.name},
         {"cat", a.unit},
         {"ph", "X"},
         {"pid", 1},
         {"tid", tid},
         {"ts", a.start * us_per_cycle},
         {"dur", (a.end - a.start) * us_per_cycle},
         {"args", {{"group", a.group + 1}, {"start_cycle", a.start}, {"end_cycle", a.end}}}});
  }
  nlohmann::json doc = {{"traceEvents", events}, {"displayTimeUnit", "ns"}};
  write_file_atomic(path, doc.dump() + "\n");
}

}  // namespace einflow::cli
