// The columns, summaries and tables the table formats share.
#include "tools/report/tables.h"

#include <algorithm>
#include <cmath>

#include "common/text.h"

namespace einflow::report {

bool wants(const ReportData& d, const std::string& m) {
  return std::find(d.metrics.begin(), d.metrics.end(), m) != d.metrics.end();
}

double util(const sweep::Record& r, const std::string& unit) {
  auto it = r.total().utilization().find(unit);
  return it == r.total().utilization().end() ? 0.0 : it->second;
}

std::vector<Column> columns(const ReportData& d) {
  std::vector<Column> cols;
  const auto& R = d.records;
  for (const auto& k : d.axis_keys)
    cols.push_back({d.labels.at(k), [&, k](size_t i) { return axis_value(R[i], k); }});
  cols.push_back({"design", [&](size_t i) { return R[i].design(); }});
  if (wants(d, "cycles"))
    cols.push_back({"cycles", [&](size_t i) { return std::to_string(R[i].total().cycles()); }});
  if (wants(d, "seconds"))
    cols.push_back({"time (s)", [&](size_t i) { return num(R[i].total().seconds()); }});
  if (std::find(d.figures.begin(), d.figures.end(), "measured_seconds") != d.figures.end()) {
    // measured times beside the model's (the sweep's `measured:` file)
    auto figure = [&R](size_t i, const char* name, int digits) {
      const auto& f = R[i].total().figures();
      const auto it = f.find(name);
      return it == f.end() ? std::string("-") : num(it->second, digits);
    };
    cols.push_back({"measured (s)", [figure](size_t i) { return figure(i, "measured_seconds", 4); }});
    cols.push_back({"measured / model", [figure](size_t i) { return figure(i, "measured_over_model", 3); }});
  }
  if (wants(d, "energy_pj"))
    cols.push_back({"energy (pJ)", [&](size_t i) { return num(R[i].total().energy_pj()); }});
  if (wants(d, "dram_bytes"))
    cols.push_back({"DRAM (bytes)",
                    [&](size_t i) { return num(static_cast<double>(R[i].total().dram_bytes())); }});
  if (wants(d, "area_um2"))
    cols.push_back({"area (um^2)", [&](size_t i) { return num(R[i].total().area_um2()); }});
  if (wants(d, "onchip_bytes"))
    cols.push_back({"on chip (bytes)",
                    [&](size_t i) { return num(static_cast<double>(R[i].total().onchip_bytes())); }});
  if (wants(d, "utilization"))
    for (const auto& u : d.units)
      cols.push_back(
          {"util " + u + " (%)", [&, u](size_t i) { return num(100 * util(R[i], u), 3); }});
  cols.push_back({"speedup vs " + d.baseline + " (x)", [&](size_t i) {
                    return d.speedup[i] ? num(*d.speedup[i], 3) : std::string("-");
                  }});
  cols.push_back({"energy vs " + d.baseline + " (x)", [&](size_t i) {
                    return d.energy_ratio[i] ? num(*d.energy_ratio[i], 3) : std::string("-");
                  }});
  return cols;
}

static std::string group_of(const ReportData& d, const sweep::Record& r) {
  std::vector<std::string> parts;
  for (const auto& k : d.by) parts.push_back(d.labels.at(k) + " " + axis_value(r, k));
  return join(parts, ", ");
}

std::vector<Summary> summarise(const ReportData& d) {
  std::vector<std::string> groups;
  for (const auto& r : d.records)
    if (std::find(groups.begin(), groups.end(), group_of(d, r)) == groups.end())
      groups.push_back(group_of(d, r));
  std::vector<Summary> out;
  for (const auto& g : groups)
    for (const auto& name : d.designs) {
      Summary s;
      s.group = g;
      s.design = name;
      double log_s = 0, log_e = 0;
      int with_energy = 0;  // a peak bound has no energy ratio
      for (size_t i = 0; i < d.records.size(); ++i) {
        if (d.records[i].design() != name || !d.speedup[i] || group_of(d, d.records[i]) != g)
          continue;
        ++s.n;
        log_s += std::log(*d.speedup[i]);
        if (d.energy_ratio[i]) {
          log_e += std::log(*d.energy_ratio[i]);
          ++with_energy;
        }
        for (const auto& u : d.units) s.util[u] += util(d.records[i], u);
      }
      if (s.n == 0) continue;
      s.speedup = std::exp(log_s / s.n);
      s.energy = with_energy ? std::exp(log_e / with_energy) : std::nan("");
      for (auto& [u, v] : s.util) v /= s.n;
      out.push_back(s);
    }
  return out;
}

std::string provenance_line(const ReportData& d) {
  return "einflow " + join(d.versions, ", ") + " (git " + join(d.git_hashes, ", ") + "), mode " +
         join(d.modes, ", ") + ", " + std::to_string(d.records.size()) +
         " results (config hashes in the CSV and JSON; set hash " + d.set_hash + "), generated " +
         d.generated;
}


Table results_table(const ReportData& d) {
  Table t;
  const auto cols = columns(d);
  t.headers = {"point", "status"};
  for (const auto& c : cols) t.headers.push_back(c.header);
  t.headers.push_back("error");
  for (size_t i = 0; i < d.records.size(); ++i) {
    const auto& r = d.records[i];
    std::vector<std::string> row = {std::to_string(r.point()), r.status() == results::OK ? "ok" : "failed"};
    for (const auto& c : cols) row.push_back(r.status() == results::OK ? c.cell(i) : std::string("-"));
    row.push_back(r.error());
    t.rows.push_back(std::move(row));
    t.record.push_back(i);
  }
  return t;
}

Table summary_table(const ReportData& d) {
  Table t;
  if (!d.by.empty()) t.headers.push_back("group");
  for (const std::string h : {"design", "points"}) t.headers.push_back(h);
  t.headers.push_back("speedup vs " + d.baseline + " (x)");
  t.headers.push_back("energy vs " + d.baseline + " (x)");
  for (const auto& u : d.units) t.headers.push_back("util " + u + " (%)");
  for (const auto& s : summarise(d)) {
    std::vector<std::string> row;
    if (!d.by.empty()) row.push_back(s.group);
    row.push_back(s.design);
    row.push_back(std::to_string(s.n));
    row.push_back(num(s.speedup, 3));
    row.push_back(num(s.energy, 3));
    for (const auto& u : d.units) row.push_back(num(100 * s.util.at(u), 3));
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace einflow::report
