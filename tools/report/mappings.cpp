// The `mappings` report format: each point's mapping in a file of its own, to
// evaluate or simulate alone (mappings/POINT-DESIGN.yaml, headed by where it
// comes from).
#include "tools/report/format.h"

namespace einflow::report {

namespace {

void write_mappings(const ReportData& d, FormatOutput& out) {
  for (const auto& r : d.records) {
    if (r.mapping_yaml().empty()) continue;
    std::string axes;
    for (const auto& k : d.axis_keys)
      axes += (axes.empty() ? "" : ", ") + d.labels.at(k) + " " + axis_value(r, k);
    out.put("mappings/" + std::to_string(r.point()) + "-" + slug(r.design()) + ".yaml",
            "# point " + std::to_string(r.point()) + " of sweep " + d.name + ": " + r.design() +
                " on " + r.arch() + (axes.empty() ? "" : " (" + axes + ")") + ", config " +
                r.config_hash() + "\n" + r.mapping_yaml());
  }
}

}  // namespace

EINFLOW_REGISTER_FORMAT(mappings, "mappings",
                        "mappings/: each point's mapping, to evaluate or simulate alone",
                        write_mappings)

}  // namespace einflow::report
