// Reports of a sweep directory (its results.pb and sweep.yaml): tables in
// Markdown, CSV, JSON and LaTeX (booktabs), and plots rendered by gnuplot to
// PDF, SVG and PNG. Every report carries its provenance: einflow version, git
// hashes, the config hashes (one per row, and one over all of them), date.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tools/sweep/store.h"

namespace einflow::report {

struct ReportOptions {
  std::vector<std::string> formats = {"md"};  // names of registered formats (format.h)
  std::string out_dir;                        // "" = the sweep directory
  std::string baseline;                       // overrides sweep.report.baseline
  std::vector<std::string> pareto;            // overrides sweep.report.pareto (two metrics)
  std::string x;                              // overrides sweep.report.x
  std::vector<std::string> by;                // overrides sweep.report.by
  bool gnuplot = true;                        // render the plots (gnuplot is there)
};

// What every format is made from.
struct ReportData {
  std::string name;                            // the sweep's name
  std::vector<sweep::Record> records;          // sorted by point, one per config hash
  std::vector<std::string> axis_keys;          // in the sweep's order
  std::map<std::string, std::string> labels;   // axis key -> column label
  std::vector<std::string> designs;            // in order of first appearance
  std::vector<std::string> units, components;  // compute units, energy components seen
  std::vector<std::string> figures;            // design models' figures seen
  std::map<std::string, std::string> component_class;  // component -> compute, regfile, sram, dram, network
  std::vector<std::string> metrics;            // sweep.metrics
  std::string baseline, x;
  std::vector<std::string> pareto;
  std::vector<std::string> by;  // axis keys the summary is split by
  std::vector<std::string> lines;  // axis keys drawn as lines of one metric plot (sweep.report.lines)
  bool per_token = false;          // metric plots and crossovers per token
  // Per record (index as in `records`): baseline cycles / cycles and energy /
  // baseline energy, at the same axis values; empty without a baseline row.
  std::vector<std::optional<double>> speedup, energy_ratio;
  // Records on the Pareto front of their problem, by problem then by the first
  // metric; `problems[k]` is the problem of front[k]. A problem is what the
  // points solve: the same workload values (the `workload` axes, the workload's
  // name and instance); the front trades the rest (designs, hardware axes) off.
  std::vector<size_t> front;
  std::vector<std::string> front_problem;
  // Provenance.
  std::vector<std::string> versions, git_hashes, modes;
  std::string set_hash;   // over every row's config hash
  std::string generated;  // UTC date and time
};

// Reads DIR/results.pb (and DIR/sweep.yaml when present). A store with no
// record is a UserError.
ReportData load_report(const std::string& dir, const ReportOptions& opts, std::ostream& log);

// The value of an axis at a record, for tables ("1024"; a file's stem).
std::string axis_value(const sweep::Record& r, const std::string& key);
// A scalar metric of a record: cycles, seconds, energy_pj, dram_bytes, area_um2.
double metric(const sweep::Record& r, const std::string& name);
// The non-dominated records (both metrics minimised) among the OK ones, sorted by `a`.
std::vector<size_t> pareto_front(const std::vector<sweep::Record>& records, const std::string& a,
                                 const std::string& b);

// Metrics against x (report.lines / report.per_token): per group of the other
// axes, a line per design and value of the `lines` axes.
struct MetricLines {
  std::string title, suffix;
  std::vector<std::string> xs;                // x values in order
  std::vector<double> x_numbers;              // as numbers (NAN when not)
  std::vector<std::string> names;             // the lines
  std::vector<std::vector<double>> values;    // [line][x]; NAN where missing
};
std::vector<MetricLines> metric_lines(const ReportData& d, const std::string& metric);
// Where two lines of a metric swap order between neighbouring x values; the
// crossing estimated by interpolating log(metric) against log(x).
struct Crossover {
  std::string group, metric, low_first, high_first;  // which is lower before the crossing
  std::string x_before, x_after;
  double x_estimate = 0;
};
std::vector<Crossover> crossovers(const ReportData& d);
// The x values of a plot, in order of first appearance: whether every one is
// a positive number (else they are categories), and whether they then span a
// factor of 8 or more (a log axis).
struct XScale {
  std::vector<std::string> xs;
  bool numeric = false;
  bool wide = false;
};
// Of `members` along the report's x axis.
XScale x_scale(const ReportData& d, const std::vector<size_t>& members);
// Of a metric's lines (their x_numbers).
XScale x_scale(const MetricLines& m);
// An axis value as a number (1K = 1024), if it is one.
std::optional<double> axis_number(const std::string& x);
// The metrics the line plots draw: the sweep's scalar metrics but the area.
std::vector<std::string> line_metrics(const ReportData& d);
std::string metric_label(const std::string& metric, bool per_token);
// Whether a metric's lines are per token: a flow (time, energy, traffic) is,
// the on-chip footprint (a peak, not a flow) is not.
bool per_token(const ReportData& d, const std::string& metric);

// A number for tables: `digits` significant digits; "-" for NaN (not known).
std::string num(double v, int digits = 4);

// A model's deployment (records of bound designs and GPU designs on a layer).
bool has_deployment(const ReportData& d);
const std::vector<std::string>& deployment_columns();       // deploy_* (CSV and JSON)
std::vector<double> deployment_values(const sweep::Record& r);  // in that order
std::string deployment_markdown(const ReportData& d);

// The records grouped by every axis but x (the groups the plots draw one by
// one, named "label value, ..."), in order of first appearance.
std::vector<std::pair<std::string, std::vector<size_t>>> plot_groups(const ReportData& d);
// A component's legend entry: its name and what it is ("Array2D (compute
// array)", "PE2D (register files)").
std::string component_label(const ReportData& d, const std::string& c);

// A table as the Markdown report writes it: headers and text cells.
struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> record;  // per row, its record (results table), else empty
};
// Every record (failed ones too): point, status, the Markdown results columns, error.
Table results_table(const ReportData& d);
// The summary: per design (and `by` group), geometric-mean ratios and mean utilizations.
Table summary_table(const ReportData& d);

std::string markdown(const ReportData& d);
// results.csv: a plain rectangular table (a header row, unique column names,
// no comment lines); results.provenance.json: where it came from, its columns.
std::string csv(const ReportData& d);
std::string csv_provenance(const ReportData& d);
std::string json(const ReportData& d);
std::string latex(const ReportData& d);
// report.html: one self-contained page (tools/report/html/): summary, a
// sortable and filterable results table, interactive plots of the static
// report's figures, each point's energy breakdown, and the provenance.
std::string html(const ReportData& d);
// Writes the plots' data and gnuplot scripts under `dir` and, with `render`,
// runs gnuplot on them; returns the files written (without: the scripts, and
// a note in `log`).
std::vector<std::string> plots(const ReportData& d, const std::string& dir, bool render,
                               std::ostream& log);

// A name safe in a file name: letters, digits and dots kept, the rest '-'.
std::string slug(const std::string& s);

// Writes the formats asked for (format.h: the registry); returns the files written.
std::vector<std::string> write_report(const std::string& dir, const ReportOptions& opts,
                                      std::ostream& log);

}  // namespace einflow::report
