// report.html: one self-contained page. The C++ side computes everything the
// page shows (the tables and each plot's points, from the same ReportData and
// the same groups as the static report); the page's own script
// (tools/report/html/report.js, einflow's, embedded at build time with its
// style sheet, no third-party code, no network) only draws, sorts, filters,
// zooms and shows tooltips.
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "tools/report/format.h"
#include "tools/report/report.h"
#include "tools/report/tables.h"

namespace einflow::report {

extern const char* const kHtmlScript;  // generated: html_assets.cpp
extern const char* const kHtmlStyle;

namespace {

using Json = nlohmann::json;

// A number for the page: null for NaN and infinities (JSON has neither).
Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json table_json(const Table& t) {
  Json j{{"headers", t.headers}, {"rows", t.rows}};
  if (!t.record.empty()) j["record"] = t.record;
  return j;
}

// A plot: kind "line" (x numeric or categorical), "scatter" (log-log),
// "bars" (grouped) or "stacked"; series of points {x, y, r}, r the record (-1: none).
Json plot(const std::string& id, const std::string& kind, const std::string& title, const std::string& xlabel,
          const std::string& ylabel) {
  return Json{{"id", id},         {"kind", kind},     {"title", title},      {"xlabel", xlabel},
              {"ylabel", ylabel}, {"logx", false},    {"logy", false},       {"categories", Json::array()},
              {"series", Json::array()}};
}

Json point(const Json& x, double y, long r) { return Json{{"x", x}, {"y", number(y)}, {"r", r}}; }

std::string x_label(const ReportData& d) { return d.x.empty() ? "point" : d.labels.at(d.x); }

// A record's x on the plot: its number, or its category's index.
Json x_at(const XScale& s, const std::string& x) {
  if (s.numeric) return number(axis_number(x).value_or(NAN));
  return static_cast<long>(std::find(s.xs.begin(), s.xs.end(), x) - s.xs.begin());
}

Json speedup_plot(const ReportData& d, const std::string& name, const std::vector<size_t>& members, size_t k) {
  const XScale a = x_scale(d, members);
  Json p = plot("speedup-" + std::to_string(k), "line", name.empty() ? d.name : d.name + ": " + name, x_label(d),
                "speedup vs " + d.baseline + " (x)");
  p["logy"] = true;
  p["logx"] = a.wide;
  if (!a.numeric) p["categories"] = a.xs;
  for (const auto& des : d.designs) {
    Json s{{"name", des}, {"points", Json::array()}};
    for (size_t i : members)
      if (d.records[i].design() == des && d.speedup[i])
        s["points"].push_back(point(x_at(a, d.x.empty() ? "" : axis_value(d.records[i], d.x)), *d.speedup[i],
                                    static_cast<long>(i)));
    p["series"].push_back(s);
  }
  return p;
}

// Energy by component: a stacked bar per point, relative to the baseline's
// energy at the same axes (or the point's own total), as the static plot.
Json energy_plot(const ReportData& d, const std::string& name, const std::vector<size_t>& members, size_t k) {
  bool relative = !d.baseline.empty();
  for (size_t i : members)
    relative = relative && (d.records[i].status() != results::OK || d.energy_ratio[i].has_value());
  Json p = plot("energy-" + std::to_string(k), "stacked",
                (name.empty() ? d.name : d.name + ": " + name) + ": energy by component", "",
                relative ? "energy relative to " + d.baseline : "fraction of the point's energy");
  std::vector<size_t> bars;
  for (const auto& x : x_scale(d, members).xs)
    for (const auto& des : d.designs)
      for (size_t i : members) {
        const auto& r = d.records[i];
        if (r.design() != des || (d.x.empty() ? "" : axis_value(r, d.x)) != x || r.status() != results::OK) continue;
        bars.push_back(i);
        p["categories"].push_back(x.empty() ? des : des + " @ " + x);
      }
  for (const auto& c : d.components) {
    Json s{{"name", component_label(d, c)}, {"points", Json::array()}};
    for (size_t b = 0; b < bars.size(); ++b) {
      const auto& t = d.records[bars[b]].total();
      const double total = t.energy_pj();
      const double scale = total <= 0 ? 0.0 : (relative ? *d.energy_ratio[bars[b]] : 1.0) / total;
      auto it = t.energy_by_component_pj().find(c);
      const double v = it == t.energy_by_component_pj().end() ? 0.0 : it->second;
      s["points"].push_back(point(static_cast<long>(b), v * scale, static_cast<long>(bars[b])));
    }
    p["series"].push_back(s);
  }
  return p;
}

Json lines_plot(const ReportData& d, const std::string& metric, const MetricLines& m, size_t k) {
  Json p = plot(metric + "-" + std::to_string(k), "line", m.title.empty() ? d.name : d.name + ": " + m.title,
                x_label(d), metric_label(metric, per_token(d, metric)));
  const XScale a = x_scale(m);
  const bool numeric = a.numeric;
  bool positive = true;
  for (size_t l = 0; l < m.names.size(); ++l) {
    Json s{{"name", m.names[l]}, {"points", Json::array()}};
    for (size_t x = 0; x < m.xs.size(); ++x) {
      if (std::isnan(m.values[l][x])) continue;
      positive = positive && m.values[l][x] > 0;
      s["points"].push_back(point(numeric ? Json(m.x_numbers[x]) : Json(static_cast<long>(x)), m.values[l][x], -1));
    }
    p["series"].push_back(s);
  }
  p["logx"] = a.wide;
  p["logy"] = positive;
  if (!numeric) p["categories"] = m.xs;
  return p;
}

Json utilization_plot(const ReportData& d) {
  Json p = plot("utilization", "bars", d.name + ": utilization per unit (mean over the points)", "", "utilization (%)");
  p["categories"] = d.designs;
  for (const auto& u : d.units) {
    Json s{{"name", u}, {"points", Json::array()}};
    for (size_t k = 0; k < d.designs.size(); ++k) {
      double sum = 0;
      int n = 0;
      for (const auto& r : d.records)
        if (r.design() == d.designs[k] && r.status() == results::OK) ++n, sum += util(r, u);
      s["points"].push_back(point(static_cast<long>(k), n ? 100 * sum / n : NAN, -1));
    }
    p["series"].push_back(s);
  }
  return p;
}

Json pareto_plot(const ReportData& d) {
  Json p = plot("pareto", "scatter", d.name + ": Pareto front (per problem)", d.pareto[0], d.pareto[1]);
  p["logx"] = p["logy"] = true;
  for (const auto& des : d.designs) {
    Json s{{"name", des}, {"points", Json::array()}};
    for (size_t i = 0; i < d.records.size(); ++i)
      if (d.records[i].design() == des && d.records[i].status() == results::OK)
        s["points"].push_back(
            point(number(metric(d.records[i], d.pareto[0])), metric(d.records[i], d.pareto[1]), static_cast<long>(i)));
    p["series"].push_back(s);
  }
  Json front{{"name", "Pareto front"}, {"line", true}, {"points", Json::array()}};
  for (size_t k = 0; k < d.front.size(); ++k) {
    const size_t i = d.front[k];
    front["points"].push_back(Json{{"x", number(metric(d.records[i], d.pareto[0]))},
                                   {"y", number(metric(d.records[i], d.pareto[1]))},
                                   {"r", static_cast<long>(i)},
                                   {"problem", d.front_problem[k]}});
  }
  p["series"].push_back(front);
  return p;
}

Json page_data(const ReportData& d) {
  Json j;
  j["name"] = d.name;
  j["baseline"] = d.baseline;
  j["provenance_line"] = provenance_line(d);
  j["summary"] = table_json(summary_table(d));
  j["table"] = table_json(results_table(d));
  j["records"] = records_json(d);
  j["components"] = Json::object();
  for (const auto& c : d.components) j["components"][c] = component_label(d, c);
  Json plots = Json::array();
  const auto groups = plot_groups(d);
  for (size_t k = 0; k < groups.size(); ++k) {
    const std::string name = groups.size() == 1 ? "" : groups[k].first;
    plots.push_back(speedup_plot(d, name, groups[k].second, k));
    plots.push_back(energy_plot(d, name, groups[k].second, k));
  }
  if (d.per_token || !d.lines.empty())
    for (const auto& metric : line_metrics(d)) {
      size_t k = 0;
      for (const MetricLines& m : metric_lines(d, metric)) plots.push_back(lines_plot(d, metric, m, k++));
    }
  plots.push_back(utilization_plot(d));
  plots.push_back(pareto_plot(d));
  j["plots"] = plots;
  return j;
}

// Text safe inside a <script> element and in HTML: "</" and "<!--" cannot end it.
std::string script_safe(std::string s) {
  for (size_t at = 0; (at = s.find('<', at)) != std::string::npos; at += 6) s.replace(at, 1, "\\u003c");
  return s;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return out;
}

}  // namespace

std::string html(const ReportData& d) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>einflow: " +
                     escape(d.name) + "</title>\n<style>\n" + kHtmlStyle + "</style>\n</head>\n<body>\n";
  page += "<noscript>This report draws its tables and plots with JavaScript; report.md and results.csv hold the "
          "same figures.</noscript>\n<div id=\"app\"></div>\n";
  page += "<script type=\"application/json\" id=\"einflow-data\">" + script_safe(page_data(d).dump(-1, ' ', false, Json::error_handler_t::replace)) +
          "</script>\n<script>\n" + kHtmlScript + "</script>\n</body>\n</html>\n";
  return page;
}

EINFLOW_REGISTER_FORMAT(html, "html", "report.html: one self-contained interactive page (tables, plots, provenance)",
                        [](const ReportData& d, FormatOutput& out) { out.put("report.html", html(d)); })

}  // namespace einflow::report
