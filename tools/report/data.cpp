// Loading a sweep directory into ReportData: records, axes, baseline ratios,
// Pareto front and provenance.
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <ostream>
#include <set>

#include "common/text.h"
#include "common/yaml_node.h"
#include "tools/report/report.h"
#include "tools/sweep/measured.h"
#include "tools/sweep/runner.h"
#include "tools/sweep/spec.h"

namespace einflow::report {

namespace fs = std::filesystem;

std::string axis_value(const sweep::Record& r, const std::string& key) {
  for (const auto& a : r.axes())
    if (a.key() == key) {
      const std::string v = sweep::unquoted(a.value());
      return key == "arch" || key == "workload" ? fs::path(v).stem().string() : v;
    }
  return "";
}

double metric(const sweep::Record& r, const std::string& name) {
  const auto& t = r.total();
  if (name == "cycles") return static_cast<double>(t.cycles());
  if (name == "seconds") return t.seconds();
  if (name == "energy_pj") return t.energy_pj();
  if (name == "dram_bytes") return static_cast<double>(t.dram_bytes());
  if (name == "area_um2") return t.area_um2();
  if (name == "onchip_bytes") return static_cast<double>(t.onchip_bytes());
  throw InternalError("no scalar metric " + name);
}

std::vector<size_t> pareto_front(const std::vector<sweep::Record>& records, const std::string& a,
                                 const std::string& b) {
  std::vector<size_t> ok;
  for (size_t i = 0; i < records.size(); ++i)
    if (records[i].status() == results::OK) ok.push_back(i);
  // Sorted by a, then b: a point is on the front when its b is below every b before it.
  std::stable_sort(ok.begin(), ok.end(), [&](size_t x, size_t y) {
    const double ax = metric(records[x], a), ay = metric(records[y], a);
    return ax != ay ? ax < ay : metric(records[x], b) < metric(records[y], b);
  });
  std::vector<size_t> front;
  for (size_t i : ok)
    if (front.empty() || metric(records[i], b) < metric(records[front.back()], b))
      front.push_back(i);
  return front;
}

// The problem a record solves: its workload and instance, and the values of
// the axes that change the workload.
std::string problem_of(const ReportData& d, const sweep::Record& r) {
  std::string key = r.workload();
  if (r.has_instance()) {
    const auto& in = r.instance();
    key += " " + in.scope() + " " + in.phase() + " batch " + std::to_string(in.batch()) + " seq_len " +
           std::to_string(in.seq_len()) + (in.causal() ? " causal" : "");
  }
  for (const auto& k : d.axis_keys)
    if (k == "workload" || k.rfind("workload.", 0) == 0) key += " " + k + "=" + axis_value(r, k);
  return key;
}

void pareto_fronts(ReportData& d) {
  std::map<std::string, std::vector<sweep::Record>> by_problem;
  std::map<std::string, std::vector<size_t>> index;
  std::vector<std::string> order;
  for (size_t i = 0; i < d.records.size(); ++i) {
    const std::string p = problem_of(d, d.records[i]);
    if (!by_problem.count(p)) order.push_back(p);
    by_problem[p].push_back(d.records[i]);
    index[p].push_back(i);
  }
  d.front.clear();
  d.front_problem.clear();
  for (const auto& p : order)
    for (size_t j : pareto_front(by_problem[p], d.pareto[0], d.pareto[1])) {
      d.front.push_back(index[p][j]);
      d.front_problem.push_back(p);
    }
}

namespace {

// What the report takes from the sweep file's copy; its file paths are not
// checked again (they were relative to where the sweep ran).
void read_spec_copy(const std::string& path, ReportData& d) {
  if (!fs::exists(path)) return;
  const YamlNode doc = YamlNode::load_file(path);
  const YamlNode n = doc["sweep"];
  if (!n.is_map()) return;
  Diagnostics ignore;
  if (n.has("name")) d.name = n["name"].scalar();
  if (n.has("metrics"))
    if (auto m = n["metrics"].as_string_list(ignore)) d.metrics = *m;
  if (n.has("axes") && n["axes"].is_sequence())
    for (size_t i = 0; i < n["axes"].size(); ++i) {
      const YamlNode a = n["axes"].at(i);
      if (a.has("zip") && a["zip"].is_sequence()) {
        for (size_t j = 0; j < a["zip"].size(); ++j)
          d.axis_keys.push_back(a["zip"].at(j)["key"].scalar());
      } else {
        d.axis_keys.push_back(a["key"].scalar());
      }
    }
  const YamlNode r = n["report"];
  if (r.is_map()) {
    if (r.has("baseline")) d.baseline = r["baseline"].scalar();
    if (r.has("x")) d.x = r["x"].scalar();
    if (r.has("pareto"))
      if (auto p = r["pareto"].as_string_list(ignore)) d.pareto = *p;
    if (r.has("by"))
      if (auto b = r["by"].as_string_list(ignore)) d.by = *b;
    if (r.has("lines"))
      if (auto l = r["lines"].as_string_list(ignore)) d.lines = *l;
    if (r.has("per_token")) d.per_token = r["per_token"].as_bool(ignore).value_or(false);
  }
}

void add_unique(std::vector<std::string>& v, const std::string& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

namespace {

// Axes: the spec's order, then any key only the records name. Labels: the
// shortest trailing part of each key that no other key ends with (two parts
// at least when the last is a single letter, as in mesh.x).
void axes_and_labels(ReportData& d) {
  for (const auto& r : d.records)
    for (const auto& a : r.axes()) add_unique(d.axis_keys, a.key());
  auto parts = [](const std::string& k) {
    std::vector<std::string> p;
    for (size_t pos = 0;;) {
      const size_t dot = k.find('.', pos);
      p.push_back(k.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
      if (dot == std::string::npos) return p;
      pos = dot + 1;
    }
  };
  auto suffix = [&](const std::string& k, size_t n) {
    const auto p = parts(k);
    std::vector<std::string> tail(p.end() - static_cast<std::ptrdiff_t>(std::min(n, p.size())), p.end());
    return join(tail, ".");
  };
  for (const auto& k : d.axis_keys) {
    const size_t total = parts(k).size();
    size_t n = parts(k).back().size() <= 1 ? 2 : 1;
    for (; n < total; ++n) {
      bool unique = true;
      for (const auto& other : d.axis_keys) unique = unique && (other == k || suffix(other, n) != suffix(k, n));
      if (unique) break;
    }
    d.labels[k] = suffix(k, n);
  }
}

// The measured times kept beside the results (sweep/measured.h), joined to
// the records they were measured for.
void join_measured(const std::string& dir, ReportData& d, std::ostream& log) {
  const std::string path = sweep::measured_copy_path(dir);
  if (!fs::exists(path)) return;
  const sweep::Measurements m = sweep::read_measurements(path);
  size_t joined = 0;
  for (auto& r : d.records) {
    if (!r.has_instance() || r.status() != results::OK) continue;
    const auto t = m.find(r.design(), r.arch(), r.instance().phase(), r.instance().batch(), r.instance().seq_len(),
                          r.instance().causal());
    if (!t) continue;
    ++joined;
    auto& fig = *r.mutable_total()->mutable_figures();
    fig["measured_seconds"] = *t;
    if (r.total().seconds() > 0) fig["measured_over_model"] = *t / r.total().seconds();
  }
  log << "measured: " << joined << " of " << d.records.size() << " results have a measured time (" << m.rows.size()
      << " row" << (m.rows.size() == 1 ? "" : "s") << " in " << path << ")\n";
}

// Designs, units and components seen, and the provenance of the records.
void designs_and_provenance(ReportData& d) {
  std::set<std::string> versions, hashes, modes;
  std::string all_hashes;
  for (const auto& r : d.records) {
    add_unique(d.designs, r.design());
    for (const auto& [u, f] : r.total().utilization()) add_unique(d.units, u);
    for (const auto& [name, v] : r.total().figures()) add_unique(d.figures, name);
    for (const auto& [cname, e] : r.total().energy_by_component_pj()) add_unique(d.components, cname);
    for (const auto& [cname, cls] : r.total().component_class()) d.component_class[cname] = cls;
    versions.insert(r.provenance().version());
    hashes.insert(r.provenance().git_hash());
    modes.insert(r.provenance().mode());
    all_hashes += r.config_hash() + "\n";
  }
  std::sort(d.units.begin(), d.units.end());  // protobuf maps iterate in no fixed order
  std::sort(d.components.begin(), d.components.end());
  d.versions.assign(versions.begin(), versions.end());
  d.git_hashes.assign(hashes.begin(), hashes.end());
  d.modes.assign(modes.begin(), modes.end());
  d.set_hash = sweep::hash_hex(all_hashes);
  char when[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  d.generated = when;
}

// The command line's report options over the sweep file's, each checked.
void apply_options(ReportData& d, const ReportOptions& opts) {
  if (!opts.baseline.empty()) d.baseline = opts.baseline;
  if (!opts.x.empty()) d.x = opts.x;
  if (!opts.pareto.empty()) d.pareto = opts.pareto;
  if (!opts.by.empty()) d.by = opts.by;
  for (const auto& k : d.by)
    if (std::find(d.axis_keys.begin(), d.axis_keys.end(), k) == d.axis_keys.end())
      throw UserError(SourceLoc{}, "--by", "no axis '" + k + "' (" + join(d.axis_keys, ", ") + ")");
  if (d.baseline.empty()) d.baseline = d.designs.front();
  if (std::find(d.designs.begin(), d.designs.end(), d.baseline) == d.designs.end())
    throw UserError(SourceLoc{}, "--baseline",
                    "no design '" + d.baseline + "' in the results (" + join(d.designs, ", ") + ")" +
                        did_you_mean(d.baseline, d.designs));
  if (d.x.empty() && !d.axis_keys.empty()) d.x = d.axis_keys.front();
  if (!d.x.empty() && std::find(d.axis_keys.begin(), d.axis_keys.end(), d.x) == d.axis_keys.end())
    throw UserError(SourceLoc{}, "--x", "no axis '" + d.x + "' (" + join(d.axis_keys, ", ") + ")");
  if (d.pareto.empty()) d.pareto = {"cycles", "energy_pj"};
  const std::vector<std::string>& scalar = sweep::scalar_metrics();
  if (d.pareto.size() != 2) throw UserError(SourceLoc{}, "--pareto", "expected two metrics, e.g. cycles,energy_pj");
  for (const auto& m : d.pareto)
    if (std::find(scalar.begin(), scalar.end(), m) == scalar.end())
      throw UserError(SourceLoc{}, "--pareto",
                      "'" + m + "' is not a scalar metric (" + join(scalar, ", ") + ")" + did_you_mean(m, scalar));
}

// Baseline ratios: the baseline's row with the same axis values.
void baseline_ratios(ReportData& d) {
  auto where = [&](const sweep::Record& r) {
    std::string k;
    for (const auto& key : d.axis_keys) k += axis_value(r, key) + "\x1f";
    return k;
  };
  std::map<std::string, const sweep::Record*> base;
  for (const auto& r : d.records)
    if (r.design() == d.baseline && r.status() == results::OK) base[where(r)] = &r;
  for (const auto& r : d.records) {
    auto it = base.find(where(r));
    const bool ok = it != base.end() && r.status() == results::OK && r.total().cycles() > 0;
    d.speedup.push_back(ok ? std::optional<double>(static_cast<double>(it->second->total().cycles()) /
                                                   static_cast<double>(r.total().cycles()))
                           : std::nullopt);
    // A peak bound has no energy: no ratio against it, nor of it.
    const bool energies = ok && r.total().energy_pj() > 0 && it->second->total().energy_pj() > 0;
    d.energy_ratio.push_back(
        energies ? std::optional<double>(r.total().energy_pj() / it->second->total().energy_pj()) : std::nullopt);
  }
}

}  // namespace

ReportData load_report(const std::string& dir, const ReportOptions& opts, std::ostream& log) {
  ReportData d;
  d.name = fs::path(dir).filename().string();
  d.metrics = {"cycles", "seconds", "energy_pj", "dram_bytes", "utilization"};
  read_spec_copy(sweep::spec_copy_path(dir), d);
  const std::string store = sweep::store_path(dir);
  if (!fs::exists(store))
    throw UserError(SourceLoc{dir, 0, 0}, "no results.pb here (run einflow sweep --out " + dir + ")");
  sweep::StoreContents c = sweep::read_store(store);
  if (!c.warning.empty()) log << "warning: " << c.warning << "\n";
  d.records = sweep::merge_records({c.records});
  if (d.records.empty()) throw UserError(SourceLoc{store, 0, 0}, "the store holds no results yet");
  join_measured(dir, d, log);
  axes_and_labels(d);
  designs_and_provenance(d);
  apply_options(d, opts);
  baseline_ratios(d);
  pareto_fronts(d);
  return d;
}

}  // namespace einflow::report
