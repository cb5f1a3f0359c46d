// The table formats: Markdown, CSV, JSON, LaTeX (booktabs).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/text.h"
#include "tools/report/format.h"
#include "tools/report/report.h"
#include "tools/report/tables.h"

namespace einflow::report {

std::string num(double v, int digits) {
  if (std::isnan(v)) return "-";  // not known (an energy ratio against a peak bound)
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

namespace {

std::string tex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$') out += '\\';
    if (c == '^') {
      out += "\\textasciicircum{}";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

// The metrics against x, line by line (per token when asked), and where the
// lines cross.
static std::string lines_markdown(const ReportData& d) {
  std::ostringstream md;
  const std::string xl = d.x.empty() ? "point" : d.labels.at(d.x);
  for (const auto& metric : line_metrics(d))
    for (const MetricLines& m : metric_lines(d, metric)) {
      md << "\n## " << metric_label(metric, per_token(d, metric)) << " against " << xl
         << (m.title.empty() ? "" : " (" + m.title + ")") << "\n\n| line |";
      for (const auto& x : m.xs) md << " " << x << " |";
      md << "\n|---|";
      for (size_t i = 0; i < m.xs.size(); ++i) md << "---|";
      md << "\n";
      for (size_t l = 0; l < m.names.size(); ++l) {
        md << "| " << m.names[l] << " |";
        for (double v : m.values[l]) md << " " << (std::isnan(v) ? std::string("-") : num(v, 4)) << " |";
        md << "\n";
      }
    }
  const auto cs = crossovers(d);
  md << "\n## Crossovers\n\n";
  if (cs.empty()) md << "No two lines swap order between neighbouring " << xl << " values.\n";
  else
    md << "Where two lines swap order between neighbouring " << xl
       << " values (the crossing interpolated in log-log).\n\n| metric | group | lower before | lower after | between "
          "| near |\n|---|---|---|---|---|---|\n";
  for (const auto& c : cs)
    md << "| " << metric_label(c.metric, per_token(d, c.metric)) << " | " << (c.group.empty() ? "-" : c.group) << " | "
       << c.low_first << " | " << c.high_first << " | " << c.x_before << " - " << c.x_after << " | "
       << num(c.x_estimate, 3) << " |\n";
  return md.str();
}

// A table as Markdown: a header row, the separator, a row per row.
static std::string markdown_table(const Table& t) {
  std::ostringstream md;
  md << "|";
  for (const auto& h : t.headers) md << " " << h << " |";
  md << "\n|";
  for (size_t i = 0; i < t.headers.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& row : t.rows) {
    md << "|";
    for (const auto& cell : row) md << " " << cell << " |";
    md << "\n";
  }
  return md.str();
}

std::string markdown(const ReportData& d) {
  std::ostringstream md;
  int failed = 0;
  for (const auto& r : d.records) failed += r.status() == results::FAILED;
  md << "# Sweep " << d.name << "\n\n"
     << d.records.size() << " points (" << failed << " failed), designs " << join(d.designs, ", ")
     << "; ratios against `" << d.baseline << "` at the same axis values.\n\n"
     << "Provenance: " << provenance_line(d) << ".\n";
  md << "\n## Summary\n\nGeometric means of the ratios over the points with a baseline; mean "
        "utilizations.\n\n"
     << markdown_table(summary_table(d));
  const auto cols = columns(d);
  md << "\n## Results\n\n|";
  for (const auto& c : cols) md << " " << c.header << " |";
  md << "\n|";
  for (size_t i = 0; i < cols.size(); ++i) md << "---|";
  md << "\n";
  for (size_t i = 0; i < d.records.size(); ++i) {
    if (d.records[i].status() != results::OK) continue;
    md << "|";
    for (const auto& c : cols) md << " " << c.cell(i) << " |";
    md << "\n";
  }
  md << "\n## Pareto front (" << d.pareto[0] << " vs " << d.pareto[1]
     << ", both minimised)\n\n"
     << "Per problem (the same workload and instance): the points no other point of the same problem beats "
        "in both.\n\n| point | design |";
  for (const auto& k : d.axis_keys) md << " " << d.labels.at(k) << " |";
  md << " " << d.pareto[0] << " | " << d.pareto[1] << " |\n|---|---|";
  for (size_t i = 0; i < d.axis_keys.size() + 2; ++i) md << "---|";
  md << "\n";
  for (size_t i : d.front) {
    md << "| " << d.records[i].point() << " | " << d.records[i].design() << " |";
    for (const auto& k : d.axis_keys) md << " " << axis_value(d.records[i], k) << " |";
    md << " " << num(metric(d.records[i], d.pareto[0])) << " | "
       << num(metric(d.records[i], d.pareto[1])) << " |\n";
  }
  if (d.per_token || !d.lines.empty()) md << lines_markdown(d);
  if (has_deployment(d)) md << deployment_markdown(d);
  if (failed) {
    md << "\n## Failed points\n\n";
    for (const auto& r : d.records)
      if (r.status() == results::FAILED)
        md << "- point " << r.point() << " (" << r.design() << "): " << r.error() << "\n";
  }
  return md.str();
}

namespace {

// The instance columns of the CSV and their values at a record ("" when the
// workload is a cascade, not a model).
const std::vector<std::string>& instance_columns() {
  static const std::vector<std::string> c = {"instance_scope", "instance_phase", "instance_batch",
                                             "instance_seq_len", "instance_causal", "instance_block"};
  return c;
}
std::vector<std::string> instance_values(const results::Record& r) {
  if (!r.has_instance()) return std::vector<std::string>(instance_columns().size());
  const auto& in = r.instance();
  return {in.scope(), in.phase(), std::to_string(in.batch()), std::to_string(in.seq_len()),
          in.causal() ? "true" : "false", std::to_string(in.block())};
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

static std::vector<std::string> csv_columns(const ReportData& d, const std::set<std::string>& causes) {
  std::vector<std::string> cols = {"point", "config_hash"};
  for (const auto& k : d.axis_keys) cols.push_back(k);
  for (const char* c : {"design", "arch_name", "workload_name"}) cols.push_back(c);
  for (const auto& c : instance_columns()) cols.push_back(c);
  for (const char* c : {"status", "cycles", "seconds", "energy_pj", "dram_bytes", "area_um2", "onchip_bytes",
                        "resident_bytes", "dram_capacity_bytes", "fits_in_dram"})
    cols.push_back(c);
  for (const auto& u : d.units) cols.push_back("util_" + u);
  for (const auto& c : d.components) cols.push_back("energy_" + c + "_pj");
  for (const auto& c : causes) cols.push_back("stall_" + c + "_cycles");
  for (const auto& f : d.figures) cols.push_back("fig_" + f);
  if (has_deployment(d))
    for (const auto& c : deployment_columns()) cols.push_back(c);
  for (const std::string& c : {"speedup_vs_" + d.baseline, "energy_vs_" + d.baseline, std::string("pareto"),
                              std::string("error")})
    cols.push_back(c);
  // Unique names: an axis key that repeats a fixed column is marked as the axis.
  std::set<std::string> seen;
  for (auto& c : cols)
    while (!seen.insert(c).second) c += "_axis";
  return cols;
}

std::string csv(const ReportData& d) {
  std::set<std::string> causes;
  for (const auto& r : d.records)
    for (const auto& [c, n] : r.total().stalls()) causes.insert(c);
  std::ostringstream o;
  const std::vector<std::string> cols = csv_columns(d, causes);
  for (size_t i = 0; i < cols.size(); ++i) o << (i ? "," : "") << csv_field(cols[i]);
  o << "\n";
  for (size_t i = 0; i < d.records.size(); ++i) {
    const auto& r = d.records[i];
    const auto& t = r.total();
    o << r.point() << "," << r.config_hash();
    for (const auto& k : d.axis_keys) o << "," << csv_field(axis_value(r, k));
    o << "," << csv_field(r.design()) << "," << csv_field(r.arch()) << "," << csv_field(r.workload());
    for (const auto& v : instance_values(r)) o << "," << csv_field(v);
    o << "," << (r.status() == results::OK ? "ok" : "failed") << "," << t.cycles() << ","
      << format_number(t.seconds()) << "," << format_number(t.energy_pj()) << "," << t.dram_bytes()
      << "," << format_number(t.area_um2()) << "," << t.onchip_bytes() << "," << format_number(t.resident_bytes())
      << "," << format_number(t.dram_capacity_bytes()) << ","
      << (t.dram_capacity_bytes() <= 0 || t.resident_bytes() <= t.dram_capacity_bytes() ? 1 : 0);
    for (const auto& u : d.units) o << "," << format_number(util(r, u));
    for (const auto& c : d.components) {
      auto it = t.energy_by_component_pj().find(c);
      o << "," << format_number(it == t.energy_by_component_pj().end() ? 0.0 : it->second);
    }
    for (const auto& c : causes) {
      auto it = t.stalls().find(c);
      o << "," << (it == t.stalls().end() ? 0 : it->second);
    }
    for (const auto& f : d.figures) {  // empty where the design gives no such figure
      auto it = t.figures().find(f);
      o << "," << (it == t.figures().end() ? std::string() : format_number(it->second));
    }
    if (has_deployment(d))  // a record without one: empty cells
      for (double v : deployment_values(r)) o << "," << (r.has_deployment() ? format_number(v) : "");
    o << "," << (d.speedup[i] ? format_number(*d.speedup[i]) : "") << ","
      << (d.energy_ratio[i] ? format_number(*d.energy_ratio[i]) : "") << ","
      << (std::find(d.front.begin(), d.front.end(), i) != d.front.end() ? "1" : "0") << ","
      << csv_field(r.error()) << "\n";
  }
  return o.str();
}

// results.csv's sidecar: where the table came from and what its columns hold.
std::string csv_provenance(const ReportData& d) {
  nlohmann::json j;
  j["table"] = "results.csv";
  j["sweep"] = d.name;
  j["provenance"] = {{"summary", provenance_line(d)},
                     {"versions", d.versions},
                     {"git_hashes", d.git_hashes},
                     {"modes", d.modes},
                     {"set_hash", d.set_hash},
                     {"generated", d.generated}};
  j["baseline"] = d.baseline;
  j["columns"] = {
      {"point", "index of the point in the sweep"},
      {"config_hash", "hash of the point's fully resolved configuration"},
      {"arch_name", "the architecture's name"},
      {"workload_name", "the workload's (model's) name"},
      {"instance_*", "the model workload's instance as it ran (empty for a cascade workload)"},
      {"cycles", "cycles"},
      {"seconds", "seconds at the architecture's clock"},
      {"energy_pj", "energy, pJ"},
      {"dram_bytes", "bytes moved to and from DRAM"},
      {"area_um2", "the architecture's area, um^2"},
      {"onchip_bytes", "the most bytes the mapping holds on chip at once (largest fusion group; 0: not known)"},
      {"resident_bytes", "bytes that must sit in DRAM: a model's weights and KV caches, the step's activations"},
      {"dram_capacity_bytes", "the DRAM's size_bytes (0: not given)"},
      {"fits_in_dram", "1 when resident_bytes fit in the DRAM (or its size is not given), else 0"},
      {"util_UNIT", "the unit's utilization, 0 to 1"},
      {"energy_COMPONENT_pj", "energy of one component (unit, level, network), pJ"},
      {"stall_CAUSE_cycles", "cycle model: unit-idle cycles by cause"},
      {"fig_NAME", "a design model's own figure (PIM: row_hit_rate, non_vmm_share, pim_seconds, ...; GPU: "
                   "block sizes, splits, sm_utilization, ...); empty where the design gives none"},
      {"deploy_*", "a model's deployment (bound designs; GPU designs on a layer): devices, context, weights bytes, "
                   "KV cache bytes per token and per request, prefill seconds, decode seconds per token, concurrent "
                   "requests that fit (-1: no DRAM size), context switch seconds (-1: no host link)"},
      {"speedup_vs_BASELINE", "baseline's cycles over this point's, same axes"},
      {"energy_vs_BASELINE", "this point's energy over the baseline's, same axes"},
      {"pareto", "1 on the Pareto front of the report's two metrics"},
      {"error", "why a failed point failed"}};
  for (const auto& k : d.axis_keys) j["axes"].push_back(k);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string json(const ReportData& d) {
  nlohmann::json j;
  j["sweep"] = d.name;
  j["provenance"] = {{"versions", d.versions},
                     {"git_hashes", d.git_hashes},
                     {"modes", d.modes},
                     {"set_hash", d.set_hash},
                     {"generated", d.generated}};
  j["baseline"] = d.baseline;
  j["axes"] = d.axis_keys;
  j["records"] = records_json(d);
  std::vector<int64_t> front;
  for (size_t i : d.front) front.push_back(d.records[i].point());
  j["pareto"] = {{"metrics", d.pareto}, {"points", front}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

nlohmann::json records_json(const ReportData& d) {
  nlohmann::json recs = nlohmann::json::array();
  for (size_t i = 0; i < d.records.size(); ++i) {
    const auto& r = d.records[i];
    const auto& t = r.total();
    nlohmann::json x;
    x["point"] = r.point();
    x["config_hash"] = r.config_hash();
    for (const auto& k : d.axis_keys) x["axes"][k] = axis_value(r, k);
    x["design"] = r.design();
    x["arch"] = r.arch();
    x["workload"] = r.workload();
    if (r.has_instance()) {
      const auto& in = r.instance();
      x["instance"] = {{"scope", in.scope()},         {"phase", in.phase()},   {"batch", in.batch()},
                       {"seq_len", in.seq_len()},     {"causal", in.causal()}, {"block", in.block()}};
    }
    x["status"] = r.status() == results::OK ? "ok" : "failed";
    if (!r.error().empty()) x["error"] = r.error();
    x["cycles"] = t.cycles();
    x["seconds"] = t.seconds();
    x["energy_pj"] = t.energy_pj();
    x["dram_bytes"] = t.dram_bytes();
    x["area_um2"] = t.area_um2();
    x["onchip_bytes"] = t.onchip_bytes();
    x["resident_bytes"] = t.resident_bytes();
    x["dram_capacity_bytes"] = t.dram_capacity_bytes();
    x["fits_in_dram"] = t.dram_capacity_bytes() <= 0 || t.resident_bytes() <= t.dram_capacity_bytes();
    x["utilization"] =
        std::map<std::string, double>(t.utilization().begin(), t.utilization().end());
    x["energy_by_component_pj"] = std::map<std::string, double>(t.energy_by_component_pj().begin(),
                                                                t.energy_by_component_pj().end());
    if (!t.stalls().empty())
      x["stalls"] = std::map<std::string, int64_t>(t.stalls().begin(), t.stalls().end());
    if (r.has_deployment()) {
      const std::vector<double> v = deployment_values(r);
      for (size_t k = 0; k < v.size(); ++k) x["deployment"][deployment_columns()[k].substr(7)] = v[k];
    }
    if (!t.figures().empty())  // a design model's own figures, and measured times (sweep/measured.h)
      x["figures"] = std::map<std::string, double>(t.figures().begin(), t.figures().end());
    if (t.fast_forwarded()) x["fast_forwarded"] = true;
    nlohmann::json pe = nlohmann::json::array();
    for (const auto& e : r.per_einsum())
      pe.push_back({{"name", e.name()},
                    {"unit", e.unit()},
                    {"cycles", e.cycles()},
                    {"energy_pj", e.energy_pj()}});
    x["per_einsum"] = pe;
    if (d.speedup[i]) x["speedup"] = *d.speedup[i];
    if (d.energy_ratio[i]) x["energy_ratio"] = *d.energy_ratio[i];
    const auto& p = r.provenance();
    x["provenance"] = {{"version", p.version()},
                       {"git_hash", p.git_hash()},
                       {"seed", p.seed()},
                       {"mode", p.mode()},
                       {"wall_seconds", p.wall_seconds()},
                       {"finished_unix", p.finished_unix()},
                       {"host", p.host()}};
    recs.push_back(x);
  }
  return recs;
}

std::string latex(const ReportData& d) {
  std::ostringstream t;
  t << "% sweep " << d.name << ": " << provenance_line(d) << "\n"
    << "% Needs \\usepackage{booktabs}. Geometric means over the points; ratios against "
    << d.baseline << ".\n"
    << "\\begin{tabular}{" << (d.by.empty() ? "" : "l") << "lrr";
  for (size_t i = 0; i < d.units.size(); ++i) t << "r";
  t << "}\n\\toprule\n"
    << (d.by.empty() ? "" : "Group & ") << "Design & Speedup ($\\times$) & Energy ($\\times$)";
  for (const auto& u : d.units) t << " & " << tex_escape(u) << " util. (\\%)";
  t << " \\\\\n\\midrule\n";
  for (const auto& s : summarise(d)) {
    t << (d.by.empty() ? "" : tex_escape(s.group) + " & ") << tex_escape(s.design) << " & "
      << num(s.speedup, 3) << " & " << num(s.energy, 3);
    for (const auto& u : d.units) t << " & " << num(100 * s.util.at(u), 3);
    t << " \\\\\n";
  }
  t << "\\bottomrule\n\\end{tabular}\n\n";
  const auto cols = columns(d);
  t << "% Every point.\n\\begin{tabular}{";
  for (size_t i = 0; i < cols.size(); ++i) t << (i <= d.axis_keys.size() ? "l" : "r");
  t << "}\n\\toprule\n";
  for (size_t i = 0; i < cols.size(); ++i) t << (i ? " & " : "") << tex_escape(cols[i].header);
  t << " \\\\\n\\midrule\n";
  for (size_t i = 0; i < d.records.size(); ++i) {
    if (d.records[i].status() != results::OK) continue;
    for (size_t c = 0; c < cols.size(); ++c) t << (c ? " & " : "") << tex_escape(cols[c].cell(i));
    t << " \\\\\n";
  }
  t << "\\bottomrule\n\\end{tabular}\n";
  return t.str();
}

EINFLOW_REGISTER_FORMAT(md, "md", "report.md: summary, Pareto front and results tables",
                        [](const ReportData& d, FormatOutput& out) {
                          out.put("report.md", markdown(d));
                        })
EINFLOW_REGISTER_FORMAT(csv, "csv", "results.csv: one row per point",
                        [](const ReportData& d, FormatOutput& out) {
                          out.put("results.csv", csv(d));
                          out.put("results.provenance.json", csv_provenance(d));
                        })
EINFLOW_REGISTER_FORMAT(json, "json", "report.json: every record with its provenance",
                        [](const ReportData& d, FormatOutput& out) {
                          out.put("report.json", json(d));
                        })
EINFLOW_REGISTER_FORMAT(tex, "tex", "report.tex: a booktabs table",
                        [](const ReportData& d, FormatOutput& out) {
                          out.put("report.tex", latex(d));
                        })

}  // namespace einflow::report
