#include "tools/sweep/spec.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/files.h"
#include "common/text.h"
#include "mappers/named/named.h"
#include "tools/sweep/filter.h"

namespace einflow::sweep {

namespace fs = std::filesystem;

const std::vector<std::string>& scalar_metrics() {
  static const std::vector<std::string> scalar = {"cycles",   "seconds",     "energy_pj",
                                                  "dram_bytes", "area_um2", "onchip_bytes"};
  return scalar;
}

const std::vector<std::string>& known_metrics() {
  static const std::vector<std::string> k = {"cycles",           "seconds",  "energy_pj",
                                             "dram_bytes",       "area_um2", "utilization",
                                             "energy_breakdown", "stalls",   "onchip_bytes"};
  return k;
}

std::string unquoted(const std::string& v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    return v.substr(1, v.size() - 2);
  return v;
}

std::string hash_hex(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

// Numbers of a range as YAML text: integers when every bound is one.
std::vector<std::string> range_values(const YamlNode& r, bool log, Diagnostics& d) {
  std::vector<std::string> out;
  if (!r.expect_map(d)) return out;
  const char* step_key = log ? "factor" : "step";
  r.check_keys({"from", "to", step_key}, d);
  if (!r.require("from", d) || !r.require("to", d) || !r.require(step_key, d)) return out;
  // Integers (with K/M/G) where written so, else floating point.
  auto number = [&](const char* key) -> std::optional<double> {
    if (auto i = parse_int_with_suffix(r[key].scalar())) return static_cast<double>(*i);
    return r[key].as_double(d);
  };
  const auto from_i = parse_int_with_suffix(r["from"].scalar());
  const auto to_i = parse_int_with_suffix(r["to"].scalar());
  const auto step_i = parse_int_with_suffix(r[step_key].scalar());
  const std::optional<double> fromv = number("from"), tov = number("to"), stepv = number(step_key);
  if (!fromv || !tov || !stepv) return out;
  const bool ints = from_i && to_i && step_i;
  if (log ? (*stepv <= 1 || *fromv <= 0) : *stepv <= 0) {
    d.error(r[step_key].loc(), r[step_key].path(),
            log ? "expected a factor > 1 and a positive start" : "expected a positive step");
    return out;
  }
  if (*tov < *fromv) {
    d.error(r["to"].loc(), r["to"].path(), "the range ends before it starts");
    return out;
  }
  const double eps = 1e-9 * std::max(1.0, std::fabs(*tov));
  for (double v = *fromv; v <= *tov + eps; v = log ? v * *stepv : v + *stepv) {
    if (out.size() >= 100000) {
      d.error(r.loc(), r.path(), "more than 100000 values");
      break;
    }
    out.push_back(ints ? std::to_string(static_cast<int64_t>(std::llround(v))) : format_number(v));
  }
  return out;
}

AxisKey read_axis_key(const YamlNode& x, Diagnostics& d) {
  AxisKey k;
  k.loc = x.loc();
  if (!x.expect_map(d)) return k;
  x.check_keys({"key", "values", "range", "log_range"}, d);
  if (!x.require("key", d)) return k;
  k.key = x["key"].as_string(d).value_or("");
  k.loc = x["key"].loc();
  const int forms = x.has("values") + x.has("range") + x.has("log_range");
  if (forms != 1) {
    d.error(x.loc(), x.path(), "an axis takes exactly one of values, range, log_range");
    return k;
  }
  if (x.has("values")) {
    const YamlNode v = x["values"];
    if (v.expect_sequence(d))
      for (size_t i = 0; i < v.size(); ++i) k.values.push_back(v.at(i).emit_flow());
    if (v.is_sequence() && v.size() == 0)
      d.error(v.loc(), v.path(), "an axis needs at least one value");
  } else {
    k.values = range_values(x.has("range") ? x["range"] : x["log_range"], x.has("log_range"), d);
  }
  const std::string prefix = k.key.substr(0, k.key.find('.'));
  if (!k.key.empty() && prefix != "arch" && prefix != "workload" && prefix != "mapper" && prefix != "design")
    d.error(x["key"].loc(), x["key"].path(),
            "a key starts with arch, workload, mapper or design, got '" + k.key + "'" +
                did_you_mean(prefix, {"arch", "workload", "mapper", "design"}));
  return k;
}

void read_sets(const YamlNode& n, std::vector<std::pair<std::string, std::string>>& out,
               Diagnostics& d) {
  if (!n.expect_map(d)) return;
  for (const auto& [key, value] : n.entries()) {
    const std::string prefix = key.substr(0, key.find('.'));
    if (prefix != "arch" && prefix != "workload" && prefix != "mapper" && prefix != "design")
      d.error(value.key_loc(), value.path(),
              "a key starts with arch, workload, mapper or design, got '" + key + "'");
    out.emplace_back(key, value.emit_flow());
  }
}

DesignSpec read_design(const YamlNode& x, const fs::path& dir, Diagnostics& d) {
  DesignSpec s;
  s.loc = x.loc();
  auto resolve = [&](const std::string& f) {
    return fs::path(f).is_absolute() ? f : (dir / f).string();
  };
  if (!x.expect_map(d)) return s;
  x.check_keys({"name", "design", "mapping", "mapper", "bound", "fuse", "variant", "arch", "set", "params"}, d);
  const int kinds = x.has("design") + x.has("mapping") + x.has("mapper") + x.has("bound");
  if (kinds != 1)
    d.error(x.loc(), x.path(), "a design takes exactly one of design, mapping, mapper, bound");
  if (x.has("bound")) {  // the peak bound (einflow bound): true, or {devices: N}
    s.kind = DesignSpec::Kind::kBound;
    const YamlNode b = x["bound"];
    if (b.is_map()) {
      b.check_keys({"devices"}, d);
      if (b.has("devices")) {
        const auto v = b["devices"].as_int(d);
        if (v && *v < 1) d.error(b["devices"].loc(), b["devices"].path(), "expected at least one device");
        else if (v) s.devices = *v;
      }
    } else if (!b.as_bool(d).value_or(false)) {
      d.error(b.loc(), b.path(), "expected true or {devices: N}");
    }
  }
  if (x.has("design")) {
    s.kind = DesignSpec::Kind::kNamed;
    s.named = x["design"].as_string(d).value_or("");
    if (!s.named.empty()) {
      try {
        named::design_named(s.named, x["design"].loc(), x["design"].path());
      } catch (const UserError& e) {  // collected with the file's other faults
        for (const auto& diag : e.diagnostics()) d.error(diag.loc, diag.key_path, diag.message);
      }
    }
  }
  for (const char* key : {"mapping", "mapper"})
    if (x.has(key)) {
      s.kind =
          std::string(key) == "mapping" ? DesignSpec::Kind::kMapping : DesignSpec::Kind::kMapper;
      s.file = resolve(x[key].as_string(d).value_or(""));
      if (!fs::exists(s.file)) d.error(x[key].loc(), x[key].path(), "no file " + s.file);
    }
  s.name = x.has("name") ? x["name"].as_string(d).value_or("") : s.named;
  if (s.name.empty()) d.error(x.loc(), x.path(), "a design needs a name");
  if (x.has("fuse")) {
    s.fuse = x["fuse"].as_bool(d).value_or(false);
    if (s.kind != DesignSpec::Kind::kMapper)
      d.error(x["fuse"].loc(), x["fuse"].path(), "fuse goes with mapper");
  }
  if (x.has("variant")) s.variant = x["variant"].as_string(d).value_or("");
  if (x.has("arch")) {
    s.arch_file = resolve(x["arch"].as_string(d).value_or(""));
    if (!fs::exists(s.arch_file))
      d.error(x["arch"].loc(), x["arch"].path(), "no architecture file " + s.arch_file);
  }
  if (x.has("set")) read_sets(x["set"], s.sets, d);
  if (x.has("params")) {
    s.params = x["params"];
    if (s.kind != DesignSpec::Kind::kNamed) {
      d.error(s.params.loc(), s.params.path(), "params go with a named design");
    } else if (!s.named.empty() && named::find_design(s.named)) {
      try {  // checked now, so that a bad table fails before the first point
        named::with_params(*named::find_design(s.named), named::read_design_params(s.params));
      } catch (const UserError& e) {
        for (const auto& diag : e.diagnostics()) d.error(diag.loc, diag.key_path, diag.message);
      }
    }
  }
  return s;
}

// A `design.NAME.KEY` override names a named design of the sweep and one of its parameters.
void check_design_key(const SweepSpec& s, const std::string& key, const SourceLoc& loc, Diagnostics& d) {
  if (key == "design") {
    d.error(loc, key, "expected design.NAME.KEY (a parameter of one of the sweep's named designs)");
    return;
  }
  if (key.rfind("design.", 0) != 0) return;
  const std::string rest = key.substr(7);
  const size_t dot = rest.find('.');
  const std::string name = rest.substr(0, dot);
  std::vector<std::string> names;
  const DesignSpec* found = nullptr;
  for (const auto& x : s.designs) {
    names.push_back(x.name);
    if (x.name == name) found = &x;
  }
  if (!found || dot == std::string::npos)
    d.error(loc, key, "expected design.NAME.KEY with NAME one of the sweep's designs (" + join(names, ", ") + ")" +
                          did_you_mean(name, names));
  else if (found->kind != DesignSpec::Kind::kNamed)
    d.error(loc, key, "design " + name + " is not a named design; only those take parameters");
  else {
    const std::string param = rest.substr(dot + 1, rest.find('.', dot + 1) - dot - 1);
    const std::vector<std::string>& params = named::design_param_keys();
    const named::Design* nd = named::find_design(found->named);
    if (std::find(params.begin(), params.end(), param) == params.end())
      d.error(loc, key, "no design parameter '" + param + "' (" + join(params, ", ") + ")" + did_you_mean(param, params));
    else if (nd && (!named::takes_params(*nd) || (param == "devices") != (nd->family == "gpu-attention")))
      d.error(loc, key, "design " + nd->name + " does not take these parameters (query_tile, offchip and "
                                               "stationary are FLAT's, the fused 3-pass design's; devices, "
                                               "tensor-parallel GPUs, the GPU designs')");
  }
}

}  // namespace

namespace {

void read_axes(const YamlNode& n, SweepSpec& s, Diagnostics& d) {
  if (n.has("axes") && n["axes"].expect_sequence(d))
    for (size_t i = 0; i < n["axes"].size(); ++i) {
      const YamlNode x = n["axes"].at(i);
      Axis axis;
      if (x.is_map() && x.has("zip")) {
        x.check_keys({"zip"}, d);
        const YamlNode z = x["zip"];
        if (z.expect_sequence(d))
          for (size_t j = 0; j < z.size(); ++j) axis.keys.push_back(read_axis_key(z.at(j), d));
        for (const auto& k : axis.keys)
          if (k.values.size() != axis.size())
            d.error(k.loc, z.path(),
                    "zipped keys need as many values each (" + std::to_string(axis.size()) +
                        " vs " + std::to_string(k.values.size()) + ")");
        if (axis.keys.empty()) d.error(z.loc(), z.path(), "a zip needs at least one key");
      } else {
        axis.keys.push_back(read_axis_key(x, d));
      }
      s.axes.push_back(std::move(axis));
    }
  if (n.has("combine")) {
    const std::string c = n["combine"].as_string(d).value_or("grid");
    if (c != "grid" && c != "zip")
      d.error(n["combine"].loc(), n["combine"].path(), "expected grid or zip, got '" + c + "'");
    s.zip = c == "zip";
    for (const auto& a : s.axes)
      if (s.zip && a.size() != s.axes.front().size())
        d.error(n["combine"].loc(), n["combine"].path(), "combine: zip needs axes of equal length");
  }
  if (n.has("filters") && n["filters"].expect_sequence(d))
    for (size_t i = 0; i < n["filters"].size(); ++i) {
      const YamlNode f = n["filters"].at(i);
      const auto text = f.as_string(d);
      if (!text) continue;
      try {
        s.filters.push_back(std::make_shared<Filter>(
            *text, f.is_quoted() ? f.loc().shifted(1) : f.loc(), f.path()));
      } catch (const UserError& e) {
        for (const auto& x : e.diagnostics()) d.error(x.loc, x.key_path, x.message);
      }
    }
}

// metrics, mode, rerank, seed.
void read_options(const YamlNode& n, SweepSpec& s, Diagnostics& d) {
  s.metrics = {"cycles", "seconds", "energy_pj", "dram_bytes", "utilization"};
  if (n.has("metrics"))
    if (auto m = n["metrics"].as_string_list(d)) {
      s.metrics = *m;
      for (const auto& x : *m)
        if (std::find(known_metrics().begin(), known_metrics().end(), x) == known_metrics().end())
          d.error(n["metrics"].loc(), n["metrics"].path(),
                  "unknown metric '" + x + "' (" + join(known_metrics(), ", ") + ")" +
                      did_you_mean(x, known_metrics()));
    }
  if (n.has("mode")) {
    s.mode = n["mode"].as_string(d).value_or("analytical");
    const std::vector<std::string> modes = {"analytical", "cycle", "rerank"};
    if (std::find(modes.begin(), modes.end(), s.mode) == modes.end())
      d.error(n["mode"].loc(), n["mode"].path(),
              "unknown mode '" + s.mode + "' (analytical, cycle, rerank)" +
                  did_you_mean(s.mode, modes));
  }
  if (n.has("rerank")) {
    const auto k = n["rerank"].as_int(d);
    if (k && (*k < 1 || *k > 1000))
      d.error(n["rerank"].loc(), n["rerank"].path(), "expected 1 to 1000");
    else if (k)
      s.rerank = static_cast<int>(*k);
  }
  if (n.has("seed")) {
    const auto k = n["seed"].as_int(d);
    if (k && *k < 0)
      d.error(n["seed"].loc(), n["seed"].path(), "expected a seed >= 0");
    else if (k)
      s.seed = static_cast<uint64_t>(*k);
  }
}

void read_report(const YamlNode& n, SweepSpec& s, Diagnostics& d) {
  if (n.has("report") && n["report"].expect_map(d)) {
    const YamlNode r = n["report"];
    r.check_keys({"baseline", "x", "pareto", "by", "lines", "per_token"}, d);
    auto is_axis = [&](const std::string& key) {
      for (const auto& a : s.axes)
        for (const auto& k : a.keys)
          if (k.key == key) return true;
      return false;
    };
    if (r.has("by"))
      if (auto by = r["by"].as_string_list(d)) {
        s.report.by = *by;
        for (const auto& k : *by)
          if (!is_axis(k))
            d.error(r["by"].loc(), r["by"].path(), "'" + k + "' is not an axis of the sweep");
      }
    if (r.has("lines"))
      if (auto lines = r["lines"].as_string_list(d)) {
        s.report.lines = *lines;
        for (const auto& k : *lines)
          if (!is_axis(k))
            d.error(r["lines"].loc(), r["lines"].path(), "'" + k + "' is not an axis of the sweep");
      }
    if (r.has("per_token")) s.report.per_token = r["per_token"].as_bool(d).value_or(false);
    if (r.has("baseline")) {
      s.report.baseline = r["baseline"].as_string(d).value_or("");
      bool found = false;
      for (const auto& ds : s.designs) found = found || ds.name == s.report.baseline;
      if (!found)
        d.error(r["baseline"].loc(), r["baseline"].path(),
                "the baseline '" + s.report.baseline + "' is not a design of the sweep");
    }
    if (r.has("x")) {
      s.report.x = r["x"].as_string(d).value_or("");
      if (!is_axis(s.report.x))
        d.error(r["x"].loc(), r["x"].path(), "'" + s.report.x + "' is not an axis of the sweep");
    }
    if (r.has("pareto"))
      if (auto p = r["pareto"].as_string_list(d)) {
        s.report.pareto = *p;
        const std::vector<std::string>& scalar = scalar_metrics();
        if (p->size() != 2) d.error(r["pareto"].loc(), r["pareto"].path(), "expected two metrics");
        for (const auto& x : *p)
          if (std::find(scalar.begin(), scalar.end(), x) == scalar.end())
            d.error(r["pareto"].loc(), r["pareto"].path(),
                    "'" + x + "' is not a scalar metric (" + join(scalar, ", ") + ")" +
                        did_you_mean(x, scalar));
      }
  }
}

}  // namespace

SweepSpec read_sweep(const std::string& path) {
  Diagnostics d;
  YamlNode doc = YamlNode::load_file(path);
  SweepSpec s;
  s.file = path;
  s.text = read_file(path);
  const fs::path dir = fs::path(path).parent_path();
  auto resolve = [&](const std::string& f) {
    return fs::path(f).is_absolute() ? f : (dir / f).string();
  };
  if (doc.expect_map(d)) doc.check_keys({"sweep"}, d);
  if (!doc.require("sweep", d)) d.throw_if_any();
  const YamlNode n = doc["sweep"];
  if (!n.expect_map(d)) d.throw_if_any();
  n.check_keys({"name", "base", "axes", "combine", "filters", "designs", "metrics", "mode",
                "rerank", "seed", "report", "measured"},
               d);
  n.require("base", d);
  n.require("designs", d);
  s.name = n.has("name") ? n["name"].as_string(d).value_or("") : fs::path(path).stem().string();
  if (n.has("base") && n["base"].expect_map(d)) {
    const YamlNode b = n["base"];
    b.check_keys({"arch", "workload", "set"}, d);
    for (const char* key : {"arch", "workload"}) {
      if (!b.require(key, d)) continue;
      const std::string f = resolve(b[key].as_string(d).value_or(""));
      if (!fs::exists(f)) d.error(b[key].loc(), b[key].path(), "no file " + f);
      (std::string(key) == "arch" ? s.arch_file : s.workload_file) = f;
    }
    if (b.has("set")) read_sets(b["set"], s.sets, d);
  }
  if (n.has("designs") && n["designs"].expect_sequence(d)) {
    for (size_t i = 0; i < n["designs"].size(); ++i)
      s.designs.push_back(read_design(n["designs"].at(i), dir, d));
    for (size_t i = 0; i < s.designs.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (!s.designs[i].name.empty() && s.designs[i].name == s.designs[j].name)
          d.error(s.designs[i].loc, n["designs"].at(i).path(),
                  "a second design named '" + s.designs[i].name + "'");
    if (s.designs.empty())
      d.error(n["designs"].loc(), n["designs"].path(), "a sweep needs at least one design");
  }
  read_axes(n, s, d);
  for (const auto& [k, v] : s.sets) check_design_key(s, k, n.has("base") ? n["base"].loc() : n.loc(), d);
  for (const auto& axis : s.axes)
    for (const auto& k : axis.keys) check_design_key(s, k.key, k.loc, d);
  for (const auto& x : s.designs)
    for (const auto& [k, v] : x.sets) check_design_key(s, k, x.loc, d);
  read_options(n, s, d);
  read_report(n, s, d);
  if (n.has("measured")) {  // the file need not exist yet: measurements come from hardware
    const std::string f = n["measured"].as_string(d).value_or("");
    if (f.empty()) d.error(n["measured"].loc(), n["measured"].path(), "expected a CSV file of measured times");
    else s.measured_file = resolve(f);
  }
  d.throw_if_any();
  return s;
}

}  // namespace einflow::sweep
