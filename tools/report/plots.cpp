// Plots rendered by gnuplot: speedup against the x axis per group of the other
// axes, energy by component as stacked bars, utilization per unit, and the
// Pareto front. Each plot is a tab-separated .dat and a .gp script that writes
// PDF, SVG and PNG; the scripts stay beside the figures, to be edited.

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "common/files.h"
#include "common/text.h"
#include "common/yaml_node.h"
#include "tools/report/format.h"
#include "tools/report/report.h"

namespace einflow::report {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxGroups = 12;

std::string num(double v) {
  if (!std::isfinite(v)) return "NaN";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Text safe inside a gnuplot single-quoted string and in a file name.
std::string label(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\'' ? '"' : c;
  return out;
}
}  // namespace

std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' ? c : '-';
  return out;
}

namespace {

// A gnuplot script writing `name`.pdf, .svg and .png with the same plot.
std::string script(const ReportData& d, const std::string& name, const std::string& setup,
                   const std::string& plot) {
  std::ostringstream s;
  s << "# einflow report: " << name << " (run with: gnuplot " << name << ".gp)\n"
    << "# sweep " << d.name << "; einflow " << join(d.versions, ", ") << " (git "
    << join(d.git_hashes, ", ") << "); results set hash " << d.set_hash << "; generated "
    << d.generated << "\n"
    << "set datafile separator '\\t'\nset key outside right top\nset grid ytics\n"
    << setup << "set terminal pdfcairo noenhanced size 6in,3.6in font 'Helvetica,10'\nset output '"
    << name << ".pdf'\n"
    << plot
    << "\nset terminal svg noenhanced size 720,430 dynamic font 'Helvetica,11'\nset output '"
    << name << ".svg'\nreplot\n"
    << "set terminal pngcairo noenhanced size 1080,640 font 'Helvetica,12'\nset output '" << name
    << ".png'\nreplot\nunset output\n";
  return s.str();
}


}  // namespace

std::vector<std::pair<std::string, std::vector<size_t>>> plot_groups(const ReportData& d) {
  std::vector<std::pair<std::string, std::vector<size_t>>> out;
  for (size_t i = 0; i < d.records.size(); ++i) {
    std::vector<std::string> parts;
    for (const auto& k : d.axis_keys)
      if (k != d.x) parts.push_back(d.labels.at(k) + " " + axis_value(d.records[i], k));
    const std::string g = join(parts, ", ");
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& x) { return x.first == g; });
    if (it == out.end())
      out.push_back({g, {i}});
    else
      it->second.push_back(i);
  }
  return out;
}

namespace {

// A plot: its name, its data and its gnuplot script.
struct Plot {
  std::string name, data, script;
};

// One group of records (the same values of every axis but x).
struct Group {
  std::string suffix, title;
  const std::vector<size_t>* members = nullptr;
  std::vector<std::string> xs;  // x values in order of appearance
  bool numeric = false;         // every x is a positive number
  bool wide = false;            // spanning a factor of 8 or more (log scale)
};

Group make_group(const ReportData& d, const std::string& name, const std::vector<size_t>& members,
                 bool only) {
  Group g;
  g.suffix = only ? "" : "-" + slug(name);
  g.title = name.empty() ? d.name : d.name + ": " + name;
  g.members = &members;
  XScale x = x_scale(d, members);
  g.xs = std::move(x.xs);
  g.numeric = x.numeric;
  g.wide = x.wide;
  return g;
}

// Speedup against the x axis, a line per design.
Plot speedup_plot(const ReportData& d, const Group& g) {
  std::ostringstream dat;
  dat << "x";
  for (const auto& des : d.designs) dat << "\t" << des;
  dat << "\n";
  for (const auto& x : g.xs) {
    dat << (g.numeric ? num(axis_number(x).value_or(0)) : x);
    for (const auto& des : d.designs) {
      double v = NAN;
      for (size_t i : *g.members)
        if (d.records[i].design() == des && axis_value(d.records[i], d.x) == x && d.speedup[i])
          v = *d.speedup[i];
      dat << "\t" << num(v);
    }
    dat << "\n";
  }
  std::ostringstream setup, plot;
  setup << "set title '" << label(g.title) << "'\nset xlabel '"
        << label(d.x.empty() ? "point" : d.labels.at(d.x)) << "'\nset ylabel 'speedup vs "
        << label(d.baseline) << " (x)'\nset logscale y 2\n";
  if (g.wide) setup << "set logscale x 2\n";
  const std::string name = "speedup" + g.suffix;
  plot << "plot for [i=2:" << d.designs.size() + 1 << "] '" << name << ".dat' using "
       << (g.numeric ? "1:i" : "0:i:xtic(1)")
       << " with linespoints lw 2 pt 7 title columnheader(i)";
  return {name, dat.str(), script(d, name, setup.str(), plot.str())};
}

// A metric against x, a line per design and value of the `lines` axes.
Plot metric_plot(const ReportData& d, const std::string& metric, const MetricLines& m) {
  std::ostringstream dat;
  dat << "x";
  for (const auto& n : m.names) dat << "\t" << n;
  dat << "\n";
  const XScale x = x_scale(m);
  const bool numeric = x.numeric;
  bool positive = true;
  for (size_t k = 0; k < m.xs.size(); ++k) {
    dat << (numeric ? num(m.x_numbers[k]) : m.xs[k]);
    for (const auto& line : m.values) {
      dat << "\t" << num(line[k]);
      positive = positive && (std::isnan(line[k]) || line[k] > 0);
    }
    dat << "\n";
  }
  std::ostringstream setup, plot;
  setup << "set title '" << label(m.title.empty() ? d.name : d.name + ": " + m.title) << "'\nset xlabel '"
        << label(d.x.empty() ? "point" : d.labels.at(d.x)) << "'\nset ylabel '"
        << label(metric_label(metric, per_token(d, metric))) << "'\n";
  if (x.wide) setup << "set logscale x 2\n";
  if (numeric) setup << "set format x '%.0f'\n";
  if (positive) setup << "set logscale y 10\nset format y '%.0e'\n";
  const std::string name = metric + m.suffix;
  plot << "plot for [i=2:" << m.names.size() + 1 << "] '" << name << ".dat' using " << (numeric ? "1:i" : "0:i:xtic(1)")
       << " with linespoints lw 2 pt 7 title columnheader(i)";
  return {name, dat.str(), script(d, name, setup.str(), plot.str())};
}

}  // namespace

std::string component_label(const ReportData& d, const std::string& c) {
  static const std::map<std::string, std::string> kind = {{"compute", "compute array"},
                                                         {"regfile", "register files"},
                                                         {"sram", "SRAM buffer"},
                                                         {"dram", "DRAM"},
                                                         {"network", "network"}};
  auto it = d.component_class.find(c);
  if (it == d.component_class.end()) return c;
  const std::string what = kind.count(it->second) ? kind.at(it->second) : it->second;
  return what == c ? c : c + " (" + what + ")";
}

namespace {

// Energy by component, a stacked bar per design, grouped by x value (a gap
// between groups). Each bar is relative to the baseline design's energy at
// the same axis values, so that every length is readable on one scale and
// the baseline's bar is 1; without a baseline, each bar is its own total's
// breakdown (fractions summing to 1).
Plot energy_plot(const ReportData& d, const Group& g) {
  bool relative = !d.baseline.empty();
  for (size_t i : *g.members)
    relative = relative && (d.records[i].status() != results::OK || d.energy_ratio[i].has_value());
  std::ostringstream dat;
  dat << "point";
  for (const auto& c : d.components) dat << "\t\"" << component_label(d, c) << "\"";
  dat << "\n";
  // Bars are numbered from 0; each group's x value is written under its middle.
  std::ostringstream group_labels;
  int bar = 0;
  for (const auto& x : g.xs) {
    if (bar > 0) {  // an empty bar between groups
      dat << "\"\"";
      for (size_t c = 0; c < d.components.size(); ++c) dat << "\t0";
      dat << "\n";
      ++bar;
    }
    const int group_start = bar;
    for (const auto& des : d.designs)
      for (size_t i : *g.members) {
        const auto& r = d.records[i];
        if (r.design() != des || axis_value(r, d.x) != x || r.status() != results::OK) continue;
        const double total = r.total().energy_pj();
        const double scale = total <= 0 ? 0.0 : (relative ? *d.energy_ratio[i] : 1.0) / total;
        dat << "\"" << des << "\"";
        for (const auto& c : d.components) {
          auto it = r.total().energy_by_component_pj().find(c);
          dat << "\t" << num((it == r.total().energy_by_component_pj().end() ? 0.0 : it->second) * scale);
        }
        dat << "\n";
        ++bar;
      }
    if (!x.empty() && bar > group_start)
      group_labels << "set label '" << label(x) << "' at " << num(0.5 * (group_start + bar - 1))
                   << ", graph -0.22 center\n";
  }
  std::ostringstream setup, plot;
  setup << "set title '" << label(g.title) << ": energy by component'\nset ylabel '"
        << (relative ? "energy relative to " + label(d.baseline) + " at the same " + label(d.labels.count(d.x) ? d.labels.at(d.x) : d.x)
                     : std::string("fraction of the point's energy"))
        << "'\nset style data histograms\nset style histogram rowstacked\nset style fill solid 0.85 "
           "border -1\n"
        << "set boxwidth 0.75\nset xtics rotate by -60 scale 0 font ',9'\nset key outside right top\n"
        << "set grid ytics\nset yrange [0:*]\nset bmargin 7\n" << group_labels.str();
  const std::string name = "energy" + g.suffix;
  plot << "plot for [i=2:" << d.components.size() + 1 << "] '" << name
       << ".dat' using i:xtic(1) title columnheader(i)";
  return {name, dat.str(), script(d, name, setup.str(), plot.str())};
}

// Utilization per unit: a cluster per design, mean over its points.
Plot utilization_plot(const ReportData& d) {
  std::ostringstream dat;
  dat << "design";
  for (const auto& u : d.units) dat << "\t" << u;
  dat << "\n";
  for (const auto& des : d.designs) {
    std::map<std::string, double> sum;
    int n = 0;
    for (const auto& r : d.records) {
      if (r.design() != des || r.status() != results::OK) continue;
      ++n;
      for (const auto& u : d.units) {
        auto it = r.total().utilization().find(u);
        sum[u] += it == r.total().utilization().end() ? 0.0 : it->second;
      }
    }
    dat << des;
    for (const auto& u : d.units) dat << "\t" << num(n ? 100 * sum[u] / n : NAN);
    dat << "\n";
  }
  std::ostringstream setup, plot;
  setup << "set title '" << label(d.name) << ": utilization per unit (mean over the points)'\n"
        << "set ylabel 'utilization (%)'\nset yrange [0:100]\nset style data histograms\n"
        << "set style histogram clustered gap 1\nset style fill solid 0.85 border -1\nset xtics "
           "scale 0\n";
  plot << "plot for [i=2:" << d.units.size() + 1
       << "] 'utilization.dat' using i:xtic(1) title columnheader(i)";
  return {"utilization", dat.str(), script(d, "utilization", setup.str(), plot.str())};
}

// The Pareto front: every point, by design, and the front as a step line.
Plot pareto_plot(const ReportData& d) {
  std::ostringstream dat;
  for (size_t k = 0; k < d.designs.size(); ++k) {
    dat << "# " << d.designs[k] << "\n" << d.pareto[0] << "\t" << d.pareto[1] << "\n";
    for (const auto& r : d.records)
      if (r.design() == d.designs[k] && r.status() == results::OK)
        dat << num(metric(r, d.pareto[0])) << "\t" << num(metric(r, d.pareto[1])) << "\n";
    dat << "\n\n";
  }
  // Each problem's front, a step line of its own (a blank line between them).
  dat << "# front\n" << d.pareto[0] << "\t" << d.pareto[1] << "\n";
  for (size_t k = 0; k < d.front.size(); ++k) {
    if (k > 0 && d.front_problem[k] != d.front_problem[k - 1]) dat << "\n";
    dat << num(metric(d.records[d.front[k]], d.pareto[0])) << "\t"
        << num(metric(d.records[d.front[k]], d.pareto[1])) << "\n";
  }
  std::ostringstream setup;
  std::set<std::string> problems(d.front_problem.begin(), d.front_problem.end());
  setup << "set title '" << label(d.name) << ": Pareto front"
        << (problems.size() > 1 ? " of each of the " + std::to_string(problems.size()) + " problems" : "")
        << "'\nset xlabel '" << d.pareto[0]
        << "'\nset ylabel '" << d.pareto[1]
        << "'\nset logscale xy\nset key autotitle columnheader\n";
  std::ostringstream plot;
  plot << "plot for [i=0:" << d.designs.size() - 1
       << "] 'pareto.dat' index i using 1:2 with points pt 7 ps 0.8 title '"
       << "'.word('" << label(join(d.designs, " ")) << "', i+1), 'pareto.dat' index "
       << d.designs.size() << " using 1:2 with steps lw 1.5 lc rgb 'black' title 'Pareto front'";
  return {"pareto", dat.str(), script(d, "pareto", setup.str(), plot.str())};
}

}  // namespace

std::vector<std::string> plots(const ReportData& d, const std::string& dir, bool render,
                               std::ostream& log) {
  fs::create_directories(dir);
  std::vector<Plot> all;
  const auto gs = plot_groups(d);
  if (gs.size() > kMaxGroups)
    log << "note: " << gs.size() << " groups of points; plotting the first " << kMaxGroups << "\n";
  for (size_t gi = 0; gi < gs.size() && gi < kMaxGroups; ++gi) {
    const Group g = make_group(d, gs[gi].first, gs[gi].second, gs.size() == 1);
    all.push_back(speedup_plot(d, g));
    all.push_back(energy_plot(d, g));
  }
  if (d.per_token || !d.lines.empty())
    for (const auto& metric : line_metrics(d))
      for (const MetricLines& m : metric_lines(d, metric)) all.push_back(metric_plot(d, metric, m));
  all.push_back(utilization_plot(d));
  all.push_back(pareto_plot(d));
  for (const auto& p : all) {
    std::ofstream(fs::path(dir) / (p.name + ".dat")) << p.data;
    std::ofstream(fs::path(dir) / (p.name + ".gp")) << p.script;
  }
  std::vector<std::string> out;
  for (const auto& p : all) out.push_back((fs::path(dir) / (p.name + ".gp")).string());
  if (!render) {
    log << "note: gnuplot is not on the PATH; the scripts are in " << dir
        << " (Debian: apt-get install gnuplot-nox)\n";
    return out;
  }
  for (const auto& plot : all) {
    const std::string& name = plot.name;
    const std::string cmd = "cd '" + dir + "' && gnuplot '" + name + ".gp' 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string msg;
    char buf[512];
    while (p && std::fgets(buf, sizeof buf, p)) msg += buf;
    const int status = p ? ::pclose(p) : -1;
    if (status != 0) {
      log << "warning: gnuplot failed on " << name << ".gp: " << msg;
      continue;
    }
    for (const char* ext : {".pdf", ".svg", ".png"})
      out.push_back((fs::path(dir) / (name + ext)).string());
  }
  return out;
}

EINFLOW_REGISTER_FORMAT(plots, "plots",
                        "plots/: gnuplot data and scripts, rendered to PDF, SVG and PNG",
                        [](const ReportData& d, FormatOutput& out) {
                          for (const auto& p :
                               plots(d, (out.dir / "plots").string(), out.gnuplot, *out.log))
                            out.written.push_back(p);
                        })

}  // namespace einflow::report
