// Reads the mapping YAML; names (Einsum, unit, levels, ranks, tensors) are
// resolved against the cascade and the architecture here, with locations.
#include <algorithm>

#include "common/text.h"
#include "common/yaml_node.h"
#include "mappers/mapping/mapping.h"
#include "mappers/mapping/body.h"

namespace einflow::mapping {
namespace {

using workloads::Cascade;

std::vector<std::string> rank_names(const Cascade& c, const std::vector<int>& ranks) {
  std::vector<std::string> names;
  for (int r : ranks) names.push_back(c.ranks[r].name);
  return names;
}

class Reader {
 public:
  Reader(const Cascade& c, const arch::Architecture& a, Diagnostics& d) : m_c(c), m_a(a), m_d(d) {}

  Mapping read(const YamlNode& doc) {
    Mapping m;
    m.file = doc.file();
    if (!doc.expect_map(m_d)) return m;
    doc.check_keys({"mapping"}, m_d);
    if (!doc.require("mapping", m_d)) return m;
    return read_body(doc["mapping"]);
  }

  Mapping read_body(const YamlNode& n) {
    Mapping m;
    m.file = n.file();
    m.loc = n.loc();
    if (!n.expect_map(m_d)) return m;
    n.check_keys({"einsum", "variant", "compute", "imperfect", "layout", "levels"}, m_d);
    if (n.has("variant")) m.variant = n["variant"].as_string(m_d).value_or("");
    if (n.has("imperfect")) m.imperfect = n["imperfect"].as_bool(m_d).value_or(false);
    read_einsum(n, m);
    read_compute(n, m);
    if (m.einsum < 0 || m.compute < 0) return m;
    read_layout(n, m);
    for (int node : m_a.storage_path(m.compute)) {
      LevelMapping l;
      l.node = node;
      l.loc = n.loc();
      m.levels.push_back(l);
    }
    if (n.has("levels")) read_levels(n["levels"], m);
    return m;
  }

 private:
  // A PIM unit's mapping is its layout; no other unit has one.
  void read_layout(const YamlNode& n, Mapping& m) {
    if (!n.has("layout")) return;  // validate_mapping says whether the Einsum needs one
    auto v = n["layout"].as_string(m_d);
    if (!v) return;
    if (!m_a.is_pim(m.compute))
      m_d.error(n["layout"].key_loc(), n["layout"].path(),
                "'layout' is a PIM unit's mapping; '" + m_a.nodes[static_cast<size_t>(m.compute)].name +
                    "' is not a PIM unit");
    else if (*v != "rounds" && *v != "row-stream")
      m_d.error(n["layout"].loc(), n["layout"].path(),
                "expected rounds or row-stream, got '" + *v + "'" + did_you_mean(*v, {"rounds", "row-stream"}));
    else
      m.pim_layout = *v;
  }

  void read_einsum(const YamlNode& n, Mapping& m) {
    if (!n.has("einsum")) {
      if (m_c.einsums.size() == 1) {
        m.einsum = 0;
        m.einsum_name = m_c.einsums[0].name;
      } else {
        m_d.error(n.loc(), n.path(), "missing required key 'einsum' (the cascade has " +
                                         std::to_string(m_c.einsums.size()) + " Einsums)");
      }
      return;
    }
    auto name = n["einsum"].as_string(m_d);
    if (!name) return;
    std::vector<std::string> names;
    for (size_t i = 0; i < m_c.einsums.size(); ++i) {
      names.push_back(m_c.einsums[i].name);
      if (m_c.einsums[i].name == *name) m.einsum = static_cast<int>(i);
    }
    m.einsum_name = *name;
    if (m.einsum < 0)
      m_d.error(n["einsum"].loc(), n["einsum"].path(),
                "no Einsum '" + *name + "' in cascade '" + m_c.name + "'" + did_you_mean(*name, names));
  }

  void read_compute(const YamlNode& n, Mapping& m) {
    std::vector<int> units = m_a.host_units();
    std::vector<std::string> names;
    for (int u : units) names.push_back(m_a.nodes[u].name);
    if (!n.has("compute")) {
      if (units.size() == 1) m.compute = units[0];
      else m_d.error(n.loc(), n.path(), "missing required key 'compute' (one of " + join(names, ", ") + ")");
      return;
    }
    auto name = n["compute"].as_string(m_d);
    if (!name) return;
    int node = m_a.find(*name);
    if (node < 0 || m_a.nodes[node].cls != arch::NodeClass::kCompute)
      m_d.error(n["compute"].loc(), n["compute"].path(),
                "no compute unit '" + *name + "' in architecture '" + m_a.name + "'" + did_you_mean(*name, names));
    else
      m.compute = node;
  }

  void read_levels(const YamlNode& levels, Mapping& m) {
    if (!levels.expect_sequence(m_d)) return;
    std::vector<std::string> path_names;
    for (const auto& l : m.levels) path_names.push_back(m_a.nodes[l.node].name);
    size_t next = 0;  // levels must follow the path's order
    for (size_t i = 0; i < levels.size(); ++i) {
      YamlNode l = levels.at(i);
      if (!l.expect_map(m_d)) continue;
      l.check_keys({"target", "temporal", "spatial", "keep", "bypass", "first_bank"}, m_d);
      if (!l.require("target", m_d)) continue;
      auto target = l["target"].as_string(m_d);
      if (!target) continue;
      auto it = std::find(path_names.begin(), path_names.end(), *target);
      if (it == path_names.end()) {
        m_d.error(l["target"].loc(), l["target"].path(),
                  "'" + *target + "' is not a storage level on the path to '" + m_a.nodes[m.compute].name +
                      "' (" + join(path_names, ", ") + ")" + did_you_mean(*target, path_names));
        continue;
      }
      size_t at = static_cast<size_t>(it - path_names.begin());
      if (at < next) {
        m_d.error(l["target"].loc(), l["target"].path(),
                  "level '" + *target + "' is out of order or repeated; list levels from the root down");
        continue;
      }
      next = at + 1;
      LevelMapping& lm = m.levels[at];
      lm.written = true;
      lm.loc = l.loc();
      if (l.has("temporal")) read_loops(l["temporal"], m, false, lm.temporal);
      if (l.has("spatial")) read_loops(l["spatial"], m, true, lm.spatial);
      if (l.has("keep")) read_tensors(l["keep"], lm.keep);
      if (l.has("bypass")) read_tensors(l["bypass"], lm.bypass);
      if (l.has("first_bank")) read_first_banks(l["first_bank"], m_a.nodes[lm.node], lm.first_bank);
      for (int t : lm.keep)
        if (std::find(lm.bypass.begin(), lm.bypass.end(), t) != lm.bypass.end())
          m_d.error(l["bypass"].loc(), l["bypass"].path(),
                    "tensor '" + m_c.tensors[t].name + "' is both kept and bypassed");
    }
  }

  void read_loops(const YamlNode& list, const Mapping& m, bool spatial, std::vector<Loop>& out) {
    if (!list.expect_sequence(m_d)) return;
    const auto& ranks = m_c.einsums[m.einsum].iteration_ranks;
    for (size_t i = 0; i < list.size(); ++i) {
      YamlNode e = list.at(i);
      if (!e.expect_map(m_d)) continue;
      Loop loop;
      loop.loc = e.loc();
      int rank_keys = 0;
      for (const auto& [key, value] : e.entries()) {
        if (spatial && key == "axis") {
          auto a = value.as_string(m_d);
          if (a && *a == "x") loop.axis = Axis::kX;
          else if (a && *a == "y") loop.axis = Axis::kY;
          else if (a) m_d.error(value.loc(), value.path(), "expected x or y, got '" + *a + "'");
          continue;
        }
        ++rank_keys;
        int r = m_c.find_rank(key);
        if (r < 0 || std::find(ranks.begin(), ranks.end(), r) == ranks.end()) {
          auto names = rank_names(m_c, ranks);
          m_d.error(value.key_loc(), value.path(),
                    "'" + key + "' is not a rank of Einsum " + m.einsum_name + " (" + join(names, ", ") + ")" +
                        did_you_mean(key, names));
          continue;
        }
        loop.rank = r;
        auto f = value.as_int(m_d);
        if (f && *f < 1) m_d.error(value.loc(), value.path(), "expected a positive factor, got " + value.scalar());
        else if (f) loop.factor = *f;
      }
      if (rank_keys != 1) {
        m_d.error(e.loc(), e.path(), std::string("a loop names exactly one rank and its factor, e.g. {P: 16}") +
                                         (spatial ? " with an optional axis: x or y" : ""));
        continue;
      }
      if (loop.rank >= 0) out.push_back(loop);
    }
  }

  // {TENSOR: bank, ...}: each bank within the node's banks.
  void read_first_banks(const YamlNode& n, const arch::Node& node, std::vector<std::pair<int, int64_t>>& out) {
    if (!n.expect_map(m_d)) return;
    std::vector<std::string> all;
    for (const auto& t : m_c.tensors) all.push_back(t.name);
    for (const auto& [name, v] : n.entries()) {
      const int t = m_c.find_tensor(name);
      if (t < 0) {
        m_d.error(v.key_loc(), v.path(), "no tensor '" + name + "'" + did_you_mean(name, all));
        continue;
      }
      auto b = v.as_int(m_d);
      if (!b) continue;
      if (*b < 0 || *b >= node.banks)
        m_d.error(v.loc(), v.path(), "bank " + std::to_string(*b) + " of '" + node.name + "', which has " +
                                         std::to_string(node.banks) + " (0 to " + std::to_string(node.banks - 1) + ")");
      else
        out.push_back({t, *b});
    }
  }

  void read_tensors(const YamlNode& n, std::vector<int>& out) {
    auto names = n.as_string_list(m_d);
    if (!names) return;
    std::vector<std::string> all;
    for (const auto& t : m_c.tensors) all.push_back(t.name);
    for (const auto& name : *names) {
      int t = m_c.find_tensor(name);
      if (t < 0) m_d.error(n.loc(), n.path(), "no tensor '" + name + "'" + did_you_mean(name, all));
      else out.push_back(t);
    }
  }

  const Cascade& m_c;
  const arch::Architecture& m_a;
  Diagnostics& m_d;
};

Mapping build(const YamlNode& doc, const Cascade& c, const arch::Architecture& a) {
  Diagnostics d;
  Mapping m = Reader(c, a, d).read(doc);
  d.throw_if_any();
  return m;
}

}  // namespace

Mapping read_mapping_body(const YamlNode& body, const Cascade& c, const arch::Architecture& a, Diagnostics& d) {
  return Reader(c, a, d).read_body(body);
}

Mapping load_mapping(const std::string& path, const Cascade& c, const arch::Architecture& a) {
  return build(YamlNode::load_file(path), c, a);
}

Mapping load_mapping_text(const std::string& text, const std::string& name, const Cascade& c,
                          const arch::Architecture& a) {
  return build(YamlNode::load_string(text, name), c, a);
}

std::string mapping_variant(const std::string& path) {
  YamlNode doc = YamlNode::load_file(path);
  Diagnostics d;
  for (const char* key : {"mapping", "cascade_mapping"})
    if (doc.is_map() && doc.has(key) && doc[key].is_map() && doc[key].has("variant"))
      return doc[key]["variant"].as_string(d).value_or("");
  return "";
}

std::vector<int> einsum_tensors(const workloads::Einsum& e) {
  std::vector<int> out;
  for (const auto& a : e.inputs)
    if (std::find(out.begin(), out.end(), a.tensor) == out.end() && a.tensor != e.output.tensor)
      out.push_back(a.tensor);
  out.push_back(e.output.tensor);
  return out;
}

}  // namespace einflow::mapping
