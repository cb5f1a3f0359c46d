// Reads a `mapper:` document; every error at file:line:col, all collected.
#include <cmath>
#include <limits>
#include <string>

#include "common/yaml_node.h"
#include "mappers/search/mapper_config.h"

namespace einflow::search {
namespace {

template <class T>
void read_number(const YamlNode& n, const char* key, T& out, double lo, Diagnostics& d) {
  if (!n.has(key)) return;
  YamlNode v = n[key];
  auto x = v.as_double(d);
  if (!x) return;
  if (*x < lo) {
    d.error(v.loc(), v.path(), "expected at least " + std::to_string(static_cast<int64_t>(lo)) + ", got " + v.scalar());
    return;
  }
  // Found by tools/fuzz: .inf (or a number beyond the field's type) has no value to convert to.
  if (!std::isfinite(*x) || *x >= static_cast<double>(std::numeric_limits<T>::max())) {
    d.error(v.loc(), v.path(), "expected a finite number within range, got " + v.scalar());
    return;
  }
  out = static_cast<T>(*x);
}

void read_objective(const YamlNode& n, MapperConfig& c, Diagnostics& d) {
  if (n.is_scalar()) {
    auto name = n.as_string(d);
    if (!name) return;
    if (*name == "latency") c.latency_weight = 1, c.energy_weight = 0;
    else if (*name == "energy") c.latency_weight = 0, c.energy_weight = 1;
    else if (*name == "edp") c.latency_weight = 1, c.energy_weight = 1;
    else if (*name == "pareto") c.pareto = true;
    else d.error(n.loc(), n.path(), "expected latency, energy, edp, pareto or {latency: W, energy: W}, got '" + *name + "'");
    return;
  }
  if (!n.expect_map(d)) return;
  n.check_keys({"latency", "energy"}, d);
  c.latency_weight = c.energy_weight = 0;
  read_number(n, "latency", c.latency_weight, 0, d);
  read_number(n, "energy", c.energy_weight, 0, d);
  if (c.latency_weight == 0 && c.energy_weight == 0)
    d.error(n.loc(), n.path(), "the objective needs a positive weight on latency or energy");
}

void read_list(const YamlNode& n, const char* key, std::vector<std::string>& out, Diagnostics& d) {
  if (n.has(key))
    if (auto v = n[key].as_string_list(d)) out = *v;
}

// {RANK: positive factor, ...}
void read_factors(const YamlNode& l, const char* key, std::map<std::string, int64_t>& out, Diagnostics& d) {
  if (!l.has(key)) return;
  YamlNode f = l[key];
  if (f.expect_map(d))
    for (const auto& [rank, v] : f.entries()) {
      auto x = v.as_int(d);
      if (x && *x < 1) d.error(v.loc(), v.path(), "expected a positive factor, got " + v.scalar());
      else if (x) out[rank] = *x;
    }
}

LevelConstraint read_level(const YamlNode& l, Diagnostics& d) {
  LevelConstraint c;
  c.loc = l.loc();
  if (!l.expect_map(d)) return c;
  l.check_keys({"target", "factors", "max_factors", "min_factors", "residual", "permutation", "innermost",
                "spatial_factors", "spatial_max_factors", "spatial_x", "spatial_y", "require_spatial", "keep",
                "bypass", "max_capacity_use"},
               d);
  if (l.require("target", d)) c.target = l["target"].as_string(d).value_or("");
  read_factors(l, "factors", c.factors, d);
  read_factors(l, "max_factors", c.max_factors, d);
  read_factors(l, "min_factors", c.min_factors, d);
  read_factors(l, "spatial_factors", c.spatial_factors, d);
  read_factors(l, "spatial_max_factors", c.spatial_max_factors, d);
  read_list(l, "residual", c.residual, d);
  read_list(l, "permutation", c.permutation, d);
  read_list(l, "innermost", c.innermost, d);
  c.has_spatial_x = l.has("spatial_x");
  c.has_spatial_y = l.has("spatial_y");
  read_list(l, "spatial_x", c.spatial_x, d);
  read_list(l, "spatial_y", c.spatial_y, d);
  read_list(l, "require_spatial", c.require_spatial, d);
  read_list(l, "keep", c.keep, d);
  read_list(l, "bypass", c.bypass, d);
  if (l.has("max_capacity_use")) {
    YamlNode v = l["max_capacity_use"];
    auto x = v.as_double(d);
    if (x && (*x <= 0 || *x > 1)) d.error(v.loc(), v.path(), "expected a fraction in (0, 1], got " + v.scalar());
    else if (x) c.max_capacity_use = *x;
  }
  return c;
}

// The COSMA mapper's keys (budget, order): only with algorithm: cosma.
void read_cosma_keys(const YamlNode& n, MapperConfig& c, Diagnostics& d) {
  for (const char* key : {"budget", "order"})
    if (n.has(key) && c.algorithm != "cosma")
      d.error(n[key].loc(), n[key].path(), std::string(key) + " goes with algorithm: cosma (the memory scheduler)");
  if (n.has("budget")) {
    const YamlNode b = n["budget"];
    c.budget_loc = b.loc();
    const std::string text = b.scalar();
    if (text == "arch" || text == "tightest" || text == "min-peak" || text == "mean") {
      c.budget = text;
    } else if (!text.empty() && text.size() < 19 && text.find_first_not_of("0123456789") == std::string::npos &&
               std::stoll(text) > 0) {
      c.budget = "bytes";
      c.budget_bytes = std::stoll(text);
    } else {
      d.error(b.loc(), b.path(), "expected arch, tightest, min-peak, mean or a positive number of bytes, got " + text);
    }
  }
  if (n.has("order")) {
    const YamlNode o = n["order"];
    const std::string text = o.as_string(d).value_or("");
    if (text != "free" && text != "given")
      d.error(o.loc(), o.path(), "expected free (chosen with the memory) or given (the cascade's), got " + text);
    else
      c.order = text;
  }
}

// The optimal search's cut of the space (factors, binding, max_group): only with algorithm: optimal.
void read_optimal_keys(const YamlNode& n, MapperConfig& c, Diagnostics& d) {
  for (const char* key : {"factors", "binding", "max_group", "max_points"})
    if (n.has(key) && c.algorithm != "optimal")
      d.error(n[key].loc(), n[key].path(), std::string(key) + " goes with algorithm: optimal (the space it is optimal over)");
  if (c.pareto && c.algorithm != "optimal" && n.has("objective"))
    d.error(n["objective"].loc(), n["objective"].path(),
            "objective: pareto goes with algorithm: optimal (the front of latency and energy)");
  auto one_of = [&](const char* key, std::string& out, std::initializer_list<const char*> names, const char* what) {
    if (!n.has(key)) return;
    const YamlNode v = n[key];
    const std::string text = v.as_string(d).value_or("");
    for (const char* x : names)
      if (text == x) {
        out = text;
        return;
      }
    d.error(v.loc(), v.path(), std::string("expected ") + what + ", got " + text);
  };
  one_of("factors", c.factors, {"all", "powers-of-two", "ends"}, "all, powers-of-two or ends");
  one_of("binding", c.binding, {"all", "classes"}, "all or classes");
  read_number(n, "max_group", c.max_group, 0, d);
  read_number(n, "max_points", c.max_points, 1, d);
}

MapperConfig build(const YamlNode& doc) {
  Diagnostics d;
  MapperConfig c;
  c.file = doc.file();
  if (doc.expect_map(d)) {
    doc.check_keys({"mapper"}, d);
    if (doc.require("mapper", d)) {
      YamlNode n = doc["mapper"];
      c.loc = n.loc();
      if (n.expect_map(d)) {
        n.check_keys({"algorithm", "objective", "seed", "threads", "max_evaluations", "max_seconds", "patience",
                      "top_k", "batch", "imperfect", "search_bypass", "min_utilization", "compute", "levels",
                      "blocks", "budget", "order", "factors", "binding", "max_group", "max_points"},
                     d);
        if (n.has("algorithm")) {
          c.algorithm = n["algorithm"].as_string(d).value_or(c.algorithm);
          c.algorithm_loc = n["algorithm"].loc();
        }
        if (n.has("objective")) read_objective(n["objective"], c, d);
        if (n.has("seed"))
          if (auto s = n["seed"].as_int(d)) c.seed = static_cast<uint64_t>(*s);
        read_number(n, "threads", c.threads, 0, d);
        read_number(n, "max_evaluations", c.max_evaluations, 0, d);
        read_number(n, "max_seconds", c.max_seconds, 0, d);
        read_number(n, "patience", c.patience, 0, d);
        read_number(n, "top_k", c.top_k, 1, d);
        read_number(n, "batch", c.batch, 1, d);
        if (n.has("imperfect")) c.imperfect = n["imperfect"].as_bool(d).value_or(false);
        if (n.has("search_bypass")) c.search_bypass = n["search_bypass"].as_bool(d).value_or(true);
        if (n.has("min_utilization")) {
          YamlNode v = n["min_utilization"];
          auto x = v.as_double(d);
          if (x && (*x < 0 || *x > 1)) d.error(v.loc(), v.path(), "expected a fraction in [0, 1], got " + v.scalar());
          else if (x) c.min_utilization = *x;
        }
        if (n.has("compute")) c.compute = n["compute"].as_string(d).value_or("");
        if (n.has("blocks") && n["blocks"].expect_sequence(d))
          for (size_t i = 0; i < n["blocks"].size(); ++i) {
            const YamlNode b = n["blocks"].at(i);
            auto v = b.as_int(d);
            if (v && *v < 1) d.error(b.loc(), b.path(), "expected a positive chunk size, got " + b.scalar());
            else if (v) c.blocks.push_back(*v);
          }
        read_cosma_keys(n, c, d);
        read_optimal_keys(n, c, d);
        if (n.has("levels") && n["levels"].expect_sequence(d))
          for (size_t i = 0; i < n["levels"].size(); ++i) c.levels.push_back(read_level(n["levels"].at(i), d));
        // Only the enumeration ends by itself; any other search without a
        // budget, a time limit or patience would run forever.
        if (n.has("max_evaluations") && c.max_evaluations == 0 && c.max_seconds == 0 && c.patience == 0 &&
            c.algorithm != "exhaustive" && c.algorithm != "optimal")
          d.error(n["max_evaluations"].loc(), n["max_evaluations"].path(),
                  "max_evaluations: 0 (no limit) never stops the search '" + c.algorithm +
                      "'; give max_seconds or patience, or use algorithm: exhaustive");
      }
    }
  }
  d.throw_if_any();
  return c;
}

}  // namespace

MapperConfig load_mapper_config(const std::string& path) { return build(YamlNode::load_file(path)); }
MapperConfig load_mapper_config_node(const YamlNode& doc) { return build(doc); }
MapperConfig load_mapper_config_text(const std::string& text, const std::string& name) {
  return build(YamlNode::load_string(text, name));
}

}  // namespace einflow::search
