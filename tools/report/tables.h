// The columns, summaries and records the formats share (Markdown, LaTeX, HTML,
// JSON, CSV's utilizations): private to tools/report.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/report/report.h"

namespace einflow::report {

// Whether the sweep asked for metric `m`.
bool wants(const ReportData& d, const std::string& m);
// A unit's utilization at a record (0 when it has none).
double util(const sweep::Record& r, const std::string& unit);

// A column of the results tables: header (with its unit) and the cell of a record.
struct Column {
  std::string header;
  std::function<std::string(size_t)> cell;
};
std::vector<Column> columns(const ReportData& d);

// Per design (and per value of the `by` axes): geometric means of the ratios,
// arithmetic means of the utilizations.
struct Summary {
  std::string group;  // "scope layer", or "" without `by`
  std::string design;
  int n = 0;
  double speedup = 0, energy = 0;
  std::map<std::string, double> util;
};
std::vector<Summary> summarise(const ReportData& d);

// report.json's records (report.json and report.html).
nlohmann::json records_json(const ReportData& d);

// "einflow VERSION (git HASH), mode M, N results (...), generated DATE".
std::string provenance_line(const ReportData& d);

}  // namespace einflow::report
