// Timeloop architecture formats: v0.2/v0.3 (`subtree` / `local`, ranges such
// as PE[0..15]) and v0.4 (`nodes` with !Container, !Component tags).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

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

// v0.4 constraints on a component: dataspace keep/bypass, and the temporal
// and spatial loops at its level (turned into mapper constraints). What
// einflow's mapper has no counterpart for is noted.
void read_constraints(const YamlNode& c, TlComponent& comp, std::vector<std::string>& notes) {
  Diagnostics d;
  if (c.is_null()) return;
  if (!c.is_map()) throw UserError(c.loc(), c.path(), "constraints is a map");
  YamlNode ds = c["dataspace"];
  auto given = [](const YamlNode& m, const char* k) { return m.defined() && m.is_map() && m.has(k) && !m[k].is_null(); };
  if (given(ds, "keep")) comp.keep = ds["keep"].as_string_list(d).value_or(std::vector<std::string>{});
  if (given(ds, "bypass")) comp.bypass = ds["bypass"].as_string_list(d).value_or(std::vector<std::string>{});
  if (given(c, "temporal")) comp.temporal = c["temporal"];
  if (given(c, "spatial")) comp.spatial = c["spatial"];
  for (const auto& [key, v] : c.entries())
    if (key != "dataspace" && key != "temporal" && key != "spatial" && !v.is_null())
      notes.push_back("constraint '" + key + "' of " + comp.name + " is not used by einflow's mapper");
  d.throw_if_any();
}

TlComponent make_component(const YamlNode& n, int64_t mult, int64_t mult_x, bool has_x, std::vector<std::string>& notes,
                           const std::vector<YamlNode>& inherited) {
  Diagnostics d;
  TlComponent c;
  c.loc = n.loc();
  auto [name, count] = split_range(n["name"].as_string(d).value_or(""), n.loc());
  d.throw_if_any();
  c.name = name;
  c.cls = n["class"].as_string(d).value_or("");
  if (n.has("subclass") && !n["subclass"].is_null()) c.subclass = n["subclass"].as_string(d).value_or("");
  if (!n.has("class")) throw UserError(n.loc(), n.path(), "component '" + name + "' has no class");
  c.attributes = n["attributes"];
  c.inherited = inherited;
  c.instances = times(mult, count, n.loc());
  int64_t total_x = 0;
  if (n.has("spatial")) {
    YamlNode s = n["spatial"];
    int64_t x = s.has("meshX") ? read_count(s["meshX"]) : 1, y = s.has("meshY") ? read_count(s["meshY"]) : 1;
    c.instances = times(c.instances, times(x, y, n.loc()), n.loc());
    total_x = times(x, mult_x, n.loc());
  }
  // Timeloop's `instances` and `meshX` attributes count the whole array, not
  // per parent. timeloopfe's resolved input writes meshX: 1 on components
  // inside a fan-out: the containers' mesh then stands.
  const YamlNode& at = c.attributes;
  auto given = [&](const char* k) { return at.defined() && at.is_map() && at.has(k) && !at[k].is_null(); };
  if (given("meshX")) {
    const int64_t x = read_count(at["meshX"]);
    if (x > 1 || !has_x) total_x = x;
  }
  if (given("instances")) c.instances = std::max(read_count(at["instances"]), c.instances);
  c.mesh_x = total_x ? total_x : (has_x ? mult_x : 0);
  c.is_compute = is_compute_class(c.cls);
  c.is_dram = c.cls == "DRAM";
  if (n.has("constraints")) read_constraints(n["constraints"], c, notes);
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

void read_parallel(const YamlNode& n, TlArch& arch, int64_t mult, int64_t mult_x, bool has_x,
                   std::vector<std::string>& notes, std::vector<YamlNode> inherit);

// v0.4: a flat list; a !Container's spatial fan-out applies to every node after it.
void read_nodes(const YamlNode& nodes, TlArch& arch, int64_t mult, int64_t mult_x, bool has_x,
                std::vector<std::string>& notes, std::vector<YamlNode> inherit) {
  if (!nodes.is_sequence()) throw UserError(nodes.loc(), nodes.path(), "expected a list of nodes");
  for (size_t i = 0; i < nodes.size(); ++i) {
    YamlNode n = nodes.at(i);
    const std::string tag = n.tag();
    if (tag == "!Parallel") {
      read_parallel(n, arch, mult, mult_x, has_x, notes, inherit);
      continue;
    }
    if (tag == "!Container" || tag == "!Hierarchical" || (tag.empty() && n.has("nodes"))) {
      read_top_attributes(n["attributes"], arch);
      // What comes after it (and inside it) shares its attributes.
      if (n.has("attributes") && n["attributes"].is_map()) inherit.insert(inherit.begin(), n["attributes"]);
      if (n.has("name")) {
        Diagnostics d;
        const std::string name = n["name"].as_string(d).value_or("");
        d.throw_if_any();
        arch.containers[split_range(name, n.loc()).first] = arch.components.size();
      }
      if (n.has("constraints")) {
        YamlNode c = n["constraints"];
        if (c.is_map() && c.has("spatial") && !c["spatial"].is_null())
          arch.container_spatial.emplace_back(arch.components.size(), c["spatial"]);
        if (c.is_map())
          for (const auto& [key, v] : c.entries())
            if (key != "spatial" && !v.is_null())
              notes.push_back("constraint '" + key + "' of a container is not used by einflow's mapper");
      }
      if (n.has("spatial")) {
        YamlNode s = n["spatial"];
        int64_t x = s.has("meshX") ? read_count(s["meshX"]) : 1, y = s.has("meshY") ? read_count(s["meshY"]) : 1;
        mult = times(mult, times(x, y, n.loc()), n.loc());
        mult_x = times(mult_x, x, n.loc());
        has_x = has_x || s.has("meshX");
      }
      if (n.has("nodes")) read_nodes(n["nodes"], arch, mult, mult_x, has_x, notes, inherit);
      continue;
    }
    if (tag == "!Component" || tag.empty()) {
      arch.components.push_back(make_component(n, mult, mult_x, has_x, notes, inherit));
      continue;
    }
    throw UserError(n.loc(), n.path(), "unsupported Timeloop node tag '" + tag + "'");
  }
}

// v0.4 !Parallel (timeloopfe's transpilation): sibling branches of storage,
// each tensor kept in exactly one of them, become serial levels that bypass
// the tensors the other branches keep. A branch without a keep list holds
// what the others do not keep (at most one such branch).
void read_parallel(const YamlNode& n, TlArch& arch, int64_t mult, int64_t mult_x, bool has_x,
                   std::vector<std::string>& notes, std::vector<YamlNode> inherit) {
  std::vector<std::pair<size_t, size_t>> branches;
  for (const YamlNode& b : list_items(n["nodes"], "nodes")) {
    const size_t first = arch.components.size();
    const std::string tag = b.tag();
    if (tag == "!Component" || (tag.empty() && !b.has("nodes"))) {
      arch.components.push_back(make_component(b, mult, mult_x, has_x, notes, inherit));
    } else if (tag == "!Hierarchical" || tag == "!Container" || tag.empty()) {
      if (b.has("spatial"))
        throw UserError(b.loc(), b.path(), "unsupported Timeloop feature: a spatial fan-out inside a !Parallel branch");
      read_nodes(b["nodes"], arch, mult, mult_x, has_x, notes, inherit);
    } else {
      throw UserError(b.loc(), b.path(), "unsupported Timeloop node tag '" + tag + "' in a !Parallel branch");
    }
    branches.emplace_back(first, arch.components.size());
  }
  std::vector<std::vector<std::string>> kept(branches.size());
  int open_branch = -1;
  for (size_t k = 0; k < branches.size(); ++k) {
    bool any_keep = false;
    for (size_t i = branches[k].first; i < branches[k].second; ++i) {
      const TlComponent& c = arch.components[i];
      if (c.is_compute)
        throw UserError(c.loc, "unsupported Timeloop feature: arithmetic '" + c.name +
                                   "' inside a !Parallel branch (einflow maps onto one compute unit per path)");
      any_keep = any_keep || !c.keep.empty();
      kept[k].insert(kept[k].end(), c.keep.begin(), c.keep.end());
    }
    if (!any_keep && branches[k].first < branches[k].second) {
      if (open_branch >= 0)
        throw UserError(arch.components[branches[k].first].loc,
                        "!Parallel branches '" + arch.components[branches[static_cast<size_t>(open_branch)].first].name +
                            "' and '" + arch.components[branches[k].first].name +
                            "' both keep any tensor: give each branch a dataspace keep list");
      open_branch = static_cast<int>(k);
    }
  }
  for (size_t k = 0; k < branches.size(); ++k)
    for (size_t i = branches[k].first; i < branches[k].second; ++i) {
      TlComponent& c = arch.components[i];
      for (size_t o = 0; o < branches.size(); ++o)
        if (o != k)
          for (const std::string& t : kept[o])
            if (std::find(c.keep.begin(), c.keep.end(), t) == c.keep.end() &&
                std::find(c.bypass.begin(), c.bypass.end(), t) == c.bypass.end())
              c.bypass.push_back(t);
    }
}

// v0.2/v0.3: nested subtrees; a range in a subtree's name replicates what it holds.
void read_subtree(const YamlNode& t, TlArch& arch, int64_t mult, std::vector<std::string>& notes,
                  std::vector<YamlNode> inherit) {
  Diagnostics d;
  auto [name, count] = split_range(t["name"].as_string(d).value_or(""), t.loc());
  d.throw_if_any();
  arch.containers[name] = arch.components.size();
  mult = times(mult, count, t.loc());
  read_top_attributes(t["attributes"], arch);
  // What the subtree holds shares its attributes (Accelergy's rule).
  if (t.has("attributes") && t["attributes"].is_map()) inherit.insert(inherit.begin(), t["attributes"]);
  if (t.has("local")) {
    YamlNode local = t["local"];
    for (const YamlNode& c : list_items(local, "local")) arch.components.push_back(make_component(c, mult, 1, false, notes, inherit));
  }
  if (t.has("subtree")) {
    const std::vector<YamlNode> sub = list_items(t["subtree"], "subtree");
    if (sub.size() > 1)
      throw UserError(sub[1].loc(), sub[1].path(), "unsupported Timeloop feature: more than one subtree at one level");
    for (const YamlNode& s : sub) read_subtree(s, arch, mult, notes, inherit);
  }
}

}  // namespace

std::vector<std::string> storage_names(const TlArch& arch) {
  std::vector<std::string> storage;
  for (const auto& c : arch.components)
    if (!c.is_compute) storage.push_back(c.name);
  return storage;
}

std::string resolve_target(const TlArch& arch, std::string target, bool spatial, bool& column, const SourceLoc& loc) {
  const std::vector<std::string> storage = storage_names(arch);
  column = false;
  int64_t idx = -1;
  if (!target.empty() && std::all_of(target.begin(), target.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }) &&
      target.size() < 10)
    idx = std::stoll(target);
  if (idx >= 0 && idx < static_cast<int64_t>(storage.size()))
    return storage[storage.size() - 1 - static_cast<size_t>(idx)];  // Timeloop counts levels from the innermost
  target = split_range(target, loc).first;
  if (std::find(storage.begin(), storage.end(), target) != storage.end()) return target;
  if (!spatial) return "";
  std::string container = target;
  for (const std::string suffix : {"_column_spatial", "_spatial"})
    if (container.rfind("inter_", 0) == 0 && container.size() > 6 + suffix.size() &&
        container.compare(container.size() - suffix.size(), suffix.size(), suffix) == 0) {
      column = suffix == "_column_spatial";
      container = container.substr(6, container.size() - 6 - suffix.size());
      break;
    }
  auto c = arch.containers.find(container);
  if (c == arch.containers.end()) return "";
  std::string above;
  for (size_t j = 0; j < c->second && j < arch.components.size(); ++j)
    if (!arch.components[j].is_compute) above = arch.components[j].name;
  return above;
}

namespace {

// v0.3 `architecture_constraints` / `mapspace_constraints`: {targets: [...]}
// or a list of {target, type, factors, permutation, split, keep, bypass}.
void read_target_constraints(const YamlNode& n, TlArch& arch, std::vector<std::string>& notes) {
  const YamlNode targets = n.is_map() ? n["targets"] : n;
  for (const YamlNode& e : list_items(targets, "targets")) {
    Diagnostics d;
    const std::string type = e["type"].as_string(d).value_or("");
    const std::string raw = e["target"].as_string(d).value_or("");
    d.throw_if_any();
    bool column = false;
    const std::string target = resolve_target(arch, raw, type == "spatial", column, e.loc());
    auto it = std::find_if(arch.components.begin(), arch.components.end(),
                           [&](const TlComponent& c) { return !c.is_compute && c.name == target; });
    if (it == arch.components.end())
      throw UserError(e["target"].loc(), e["target"].path(), "'" + raw + "' is not a storage level of the architecture");
    if (type == "temporal") {
      it->temporal = e;
    } else if (type == "spatial") {
      it->spatial = e;
    } else if (type == "bypass" || type == "dataspace" || type == "datatype") {
      if (e.has("keep")) it->keep = e["keep"].as_string_list(d).value_or(std::vector<std::string>{});
      if (e.has("bypass")) it->bypass = e["bypass"].as_string_list(d).value_or(std::vector<std::string>{});
      d.throw_if_any();
    } else {
      notes.push_back("constraint type '" + type + "' at " + raw + " is not used by einflow's mapper");
    }
  }
}

}  // namespace

void read_constraints_doc(const YamlNode& doc, TlArch& arch, std::vector<std::string>& notes) {
  for (const char* key : {"architecture_constraints", "mapspace_constraints"})
    if (doc.has(key)) read_target_constraints(doc[key], arch, notes);
}

TlArch read_timeloop_arch(const YamlNode& doc, std::vector<std::string>& notes) {
  TlArch arch;
  YamlNode a = doc["architecture"];
  if (!a.defined()) throw UserError(doc.loc(), "a Timeloop architecture file has an 'architecture' key");
  if (a.has("nodes")) {
    read_nodes(a["nodes"], arch, 1, 1, false, notes, {});
  } else if (a.has("subtree")) {
    for (const YamlNode& s : list_items(a["subtree"], "subtree")) read_subtree(s, arch, 1, notes, {});
  } else {
    throw UserError(a.loc(), a.path(), "expected 'nodes' (v0.4) or 'subtree' (v0.2/v0.3)");
  }
  if (arch.components.empty()) throw UserError(a.loc(), a.path(), "no components");
  // Timeloop puts the arithmetic innermost wherever v0.2/v0.3 list it (a
  // subtree's `local` may name it before its storage).
  size_t n_compute = 0;
  for (const auto& c : arch.components) n_compute += c.is_compute ? 1 : 0;
  if (n_compute > 1)
    throw UserError(a.loc(), a.path(), "unsupported Timeloop feature: more than one arithmetic unit");
  for (size_t ci = 0; ci + 1 < arch.components.size(); ++ci)
    if (arch.components[ci].is_compute) {
      // Containers that began after it begin one earlier.
      for (auto& [name, first] : arch.containers) first -= first > ci ? 1 : 0;
      for (auto& [first, spatial] : arch.container_spatial) first -= first > ci ? 1 : 0;
      std::stable_partition(arch.components.begin(), arch.components.end(),
                            [](const TlComponent& c) { return !c.is_compute; });
      break;
    }
  read_constraints_doc(doc, arch, notes);
  if (!arch.components.back().is_compute)
    throw UserError(arch.components.back().loc, "the innermost component '" + arch.components.back().name +
                                                    "' is not an arithmetic unit (class intmac, fpmac, ...)");
  return arch;
}

}  // namespace einflow::import
