// Timeloop architecture formats: v0.2/v0.3 (`subtree` / `local`, ranges such
// as PE[0..15]) and v0.4 (`nodes` with !Container, !Component tags).
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "common/checked.h"
#include "tools/import/timeloop_internal.h"

namespace einflow::import {

std::pair<std::string, int64_t> split_range(const std::string& name, const SourceLoc& loc) {
  auto open = name.find('[');
  if (open == std::string::npos) return {name, 1};
  long long lo = 0, hi = 0;
  if (std::sscanf(name.c_str() + open, "[%lld..%lld]", &lo, &hi) != 2 || hi < lo)
    throw UserError(loc, "cannot read the instance range of '" + name + "' (expected NAME[lo..hi])");
  return {name.substr(0, open), hi - lo + 1};
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::vector<YamlNode> list_items(const YamlNode& n, const std::string& what) {
  std::vector<YamlNode> out;
  if (!n.defined() || n.is_null()) return out;
  if (!n.is_sequence()) throw UserError(n.loc(), n.path(), "'" + what + "' is a list");
  for (size_t i = 0; i < n.size(); ++i) out.push_back(n.at(i));
  return out;
}

namespace {

bool is_compute_class(const std::string& c) {
  return c == "intmac" || c == "fpmac" || c == "mac" || c == "compute" || c == "intadder" || c == "fpadder";
}

// a * b instances; the user's error at `loc` beyond 2^63.
int64_t times(int64_t a, int64_t b, const SourceLoc& loc) {
  const auto v = checked_mul(a, b);
  if (!v) throw UserError(loc, "more instances than einflow can count (over 2^63)");
  return *v;
}

int64_t read_count(const YamlNode& n) {
  Diagnostics d;
  auto v = n.as_int(d);
  d.throw_if_any();
  if (*v < 1) throw UserError(n.loc(), n.path(), "expected a positive count");
  return *v;
}

void read_constraints(const YamlNode& c, TlComponent& comp) {
  Diagnostics d;
  YamlNode ds = c["dataspace"];
  if (ds.defined()) {
    if (ds.has("keep")) comp.keep = ds["keep"].as_string_list(d).value_or(std::vector<std::string>{});
    if (ds.has("bypass")) comp.bypass = ds["bypass"].as_string_list(d).value_or(std::vector<std::string>{});
  }
  for (const auto& [key, v] : c.entries())
    if (key != "dataspace")
      throw UserError(v.key_loc(), v.path(), "unsupported Timeloop constraint '" + key +
                                                 "' in an architecture (give it as a mapping instead)");
  d.throw_if_any();
}

TlComponent make_component(const YamlNode& n, int64_t mult, int64_t mult_x, bool has_x) {
  Diagnostics d;
  TlComponent c;
  c.loc = n.loc();
  auto [name, count] = split_range(n["name"].as_string(d).value_or(""), n.loc());
  d.throw_if_any();
  c.name = name;
  c.cls = n["class"].as_string(d).value_or("");
  if (!n.has("class")) throw UserError(n.loc(), n.path(), "component '" + name + "' has no class");
  c.attributes = n["attributes"];
  c.instances = times(mult, count, n.loc());
  int64_t own_x = 0;
  if (n.has("spatial")) {
    YamlNode s = n["spatial"];
    int64_t x = s.has("meshX") ? read_count(s["meshX"]) : 1, y = s.has("meshY") ? read_count(s["meshY"]) : 1;
    c.instances = times(c.instances, times(x, y, n.loc()), n.loc());
    own_x = x;
  }
  if (c.attributes.defined() && c.attributes.has("meshX")) own_x = read_count(c.attributes["meshX"]);
  if (c.attributes.defined() && c.attributes.has("instances")) c.instances = read_count(c.attributes["instances"]) * mult;
  c.mesh_x = own_x ? own_x * mult_x : (has_x ? mult_x : 0);
  c.is_compute = is_compute_class(c.cls);
  c.is_dram = c.cls == "DRAM";
  if (n.has("constraints")) read_constraints(n["constraints"], c);
  return c;
}

void read_top_attributes(const YamlNode& attrs, TlArch& arch) {
  if (!attrs.defined() || !attrs.is_map()) return;
  Diagnostics d;
  if (attrs.has("technology")) arch.technology = attrs["technology"].as_string(d).value_or("");
  if (attrs.has("global_cycle_seconds")) {
    double s = attrs["global_cycle_seconds"].as_double(d).value_or(1e-9);
    if (s > 0) arch.clock_mhz = 1e-6 / s;
  }
  d.throw_if_any();
}

// v0.4: a flat list; a !Container's spatial fan-out applies to every node after it.
void read_nodes(const YamlNode& nodes, TlArch& arch, int64_t mult, int64_t mult_x, bool has_x,
                std::vector<std::string>& notes) {
  if (!nodes.is_sequence()) throw UserError(nodes.loc(), nodes.path(), "expected a list of nodes");
  for (size_t i = 0; i < nodes.size(); ++i) {
    YamlNode n = nodes.at(i);
    const std::string tag = n.tag();
    if (tag == "!Parallel")
      throw UserError(n.loc(), n.path(), "unsupported Timeloop feature '!Parallel' (sibling branches); describe "
                                         "heterogeneous siblings in einflow's own architecture format");
    if (tag == "!Container" || tag == "!Hierarchical" || (tag.empty() && n.has("nodes"))) {
      read_top_attributes(n["attributes"], arch);
      if (n.has("name")) {
        Diagnostics d;
        const std::string name = n["name"].as_string(d).value_or("");
        d.throw_if_any();
        arch.containers[split_range(name, n.loc()).first] = arch.components.size();
      }
      if (n.has("spatial")) {
        YamlNode s = n["spatial"];
        int64_t x = s.has("meshX") ? read_count(s["meshX"]) : 1, y = s.has("meshY") ? read_count(s["meshY"]) : 1;
        mult = times(mult, times(x, y, n.loc()), n.loc());
        mult_x = times(mult_x, x, n.loc());
        has_x = has_x || s.has("meshX");
      }
      if (n.has("nodes")) read_nodes(n["nodes"], arch, mult, mult_x, has_x, notes);
      continue;
    }
    if (tag == "!Component" || tag.empty()) {
      arch.components.push_back(make_component(n, mult, mult_x, has_x));
      continue;
    }
    throw UserError(n.loc(), n.path(), "unsupported Timeloop node tag '" + tag + "'");
  }
}

// v0.2/v0.3: nested subtrees; a range in a subtree's name replicates what it holds.
void read_subtree(const YamlNode& t, TlArch& arch, int64_t mult) {
  Diagnostics d;
  auto [name, count] = split_range(t["name"].as_string(d).value_or(""), t.loc());
  d.throw_if_any();
  arch.containers[name] = arch.components.size();
  mult = times(mult, count, t.loc());
  read_top_attributes(t["attributes"], arch);
  if (t.has("local")) {
    YamlNode local = t["local"];
    for (const YamlNode& c : list_items(local, "local")) arch.components.push_back(make_component(c, mult, 1, false));
  }
  if (t.has("subtree")) {
    const std::vector<YamlNode> sub = list_items(t["subtree"], "subtree");
    if (sub.size() > 1)
      throw UserError(sub[1].loc(), sub[1].path(), "unsupported Timeloop feature: more than one subtree at one level");
    for (const YamlNode& s : sub) read_subtree(s, arch, mult);
  }
}

}  // namespace

TlArch read_timeloop_arch(const YamlNode& doc, std::vector<std::string>& notes) {
  TlArch arch;
  YamlNode a = doc["architecture"];
  if (!a.defined()) throw UserError(doc.loc(), "a Timeloop architecture file has an 'architecture' key");
  if (a.has("nodes")) {
    read_nodes(a["nodes"], arch, 1, 1, false, notes);
  } else if (a.has("subtree")) {
    for (const YamlNode& s : list_items(a["subtree"], "subtree")) read_subtree(s, arch, 1);
  } else {
    throw UserError(a.loc(), a.path(), "expected 'nodes' (v0.4) or 'subtree' (v0.2/v0.3)");
  }
  if (arch.components.empty()) throw UserError(a.loc(), a.path(), "no components");
  for (size_t i = 0; i + 1 < arch.components.size(); ++i)
    if (arch.components[i].is_compute)
      throw UserError(arch.components[i].loc, "unsupported Timeloop feature: arithmetic '" + arch.components[i].name +
                                                  "' above storage (einflow expects it innermost)");
  if (!arch.components.back().is_compute)
    throw UserError(arch.components.back().loc, "the innermost component '" + arch.components.back().name +
                                                    "' is not an arithmetic unit (class intmac, fpmac, ...)");
  return arch;
}

}  // namespace einflow::import
