// einflow report DIR [--format md,csv,json,tex,plots,mappings] [--out DIR2] [--baseline D] [--pareto A,B] [--x KEY] [--by KEYS]
//                    [--baseline DESIGN] [--pareto A,B] [--x KEY]
// Tables and plots of a sweep's results (tools/report/report.h).
#include "tools/report/report.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <sstream>

#include "tools/cli/commands.h"
#include "tools/cli/options.h"
#include "tools/report/format.h"

namespace einflow::cli {

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');)
    if (!x.empty()) out.push_back(x);
  return out;
}

}  // namespace

Runner add_report(CLI::App& app) {
  auto* sub =
      app.add_subcommand("report", "Tables (md, csv, json, tex) and plots of a sweep's results");
  auto dir = std::make_shared<std::string>();
  auto formats = std::make_shared<std::string>("md");
  auto pareto = std::make_shared<std::string>();
  auto opts = std::make_shared<report::ReportOptions>();
  sub->add_option("DIR", *dir, "Sweep directory (results.pb)")->required();
  std::string names;
  for (const auto& f : report::report_formats())
    names += std::string(names.empty() ? "" : "; ") + f.name + " (" + f.doc + ")";
  sub->add_option("--format", *formats, "Comma-separated formats (default md): " + names);
  sub->add_option("--out", opts->out_dir, "Output directory (default: DIR)");
  sub->add_option("--baseline", opts->baseline,
                  "Design the speedup and energy ratios are taken against");
  sub->add_option("--pareto", *pareto, "Two metrics for the Pareto front, e.g. cycles,energy_pj");
  sub->add_option("--x", opts->x, "Axis key along the plots' x axis");
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json, "Print report.json's object (every record with its provenance) instead of writing files");
  auto by = std::make_shared<std::string>();
  sub->add_option("--by", *by, "Comma-separated axis keys the summary is split by");
  return [=]() {
    report::ReportOptions o = *opts;
    o.formats = split_commas(*formats);
    if (!pareto->empty()) o.pareto = split_commas(*pareto);
    if (!by->empty()) o.by = split_commas(*by);
    if (*json) {
      std::cout << report::json(report::load_report(*dir, o, std::cerr));
      return 0;
    }
    o.gnuplot = on_path("gnuplot");
    for (const auto& f : report::write_report(*dir, o, std::cerr)) std::cout << f << "\n";
    return 0;
  };
}

}  // namespace einflow::cli
