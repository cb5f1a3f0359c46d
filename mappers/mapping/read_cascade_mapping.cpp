// The `cascade_mapping:` YAML: groups of shared loops, retention, pipelining
// and per-Einsum tiles (each in the `mapping:` body form), in and out.
#include <algorithm>
#include <sstream>

#include "common/text.h"
#include "mappers/mapping/body.h"
#include "mappers/mapping/cascade_mapping.h"

namespace einflow::mapping {
namespace {

using workloads::Cascade;

std::vector<std::string> all_names(const std::vector<workloads::Rank>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.name);
  return out;
}

class Reader {
 public:
  Reader(const Cascade& c, const arch::Architecture& a, Diagnostics& d) : m_c(c), m_a(a), m_d(d) {}

  CascadeMapping read(const YamlNode& doc) {
    CascadeMapping m;
    m.file = doc.file();
    if (!doc.expect_map(m_d)) return m;
    doc.check_keys({"cascade_mapping"}, m_d);
    if (!doc.require("cascade_mapping", m_d)) return m;
    YamlNode n = doc["cascade_mapping"];
    m.loc = n.loc();
    if (!n.expect_map(m_d)) return m;
    n.check_keys({"variant", "groups"}, m_d);
    if (n.has("variant")) m.variant = n["variant"].as_string(m_d).value_or("");
    if (!n.require("groups", m_d)) return m;
    YamlNode groups = n["groups"];
    if (!groups.expect_sequence(m_d)) return m;
    for (size_t i = 0; i < groups.size(); ++i) read_group(groups.at(i), m);
    return m;
  }

 private:
  int storage_node(const YamlNode& n) {
    auto name = n.as_string(m_d);
    if (!name) return -1;
    std::vector<std::string> names;
    for (const auto& node : m_a.nodes)
      if (node.is_storage()) names.push_back(node.name);
    const int node = m_a.find(*name);
    if (node < 0 || !m_a.nodes[node].is_storage()) {
      m_d.error(n.loc(), n.path(), "no storage level '" + *name + "' in architecture '" + m_a.name + "'" +
                                       did_you_mean(*name, names));
      return -1;
    }
    return node;
  }

  int rank(const YamlNode& n, const std::string& name) {
    const int r = m_c.find_rank(name);
    if (r < 0) {
      auto names = all_names(m_c.ranks);
      m_d.error(n.loc(), n.path(), "no rank '" + name + "' in cascade '" + m_c.name + "'" + did_you_mean(name, names));
    }
    return r;
  }

  void read_group(const YamlNode& n, CascadeMapping& m) {
    FusionGroup g;
    g.loc = n.loc();
    if (!n.expect_map(m_d)) return;
    n.check_keys({"shared", "retain", "retain_at", "pipeline", "tiles"}, m_d);
    if (n.has("shared")) read_shared(n["shared"], g);
    if (n.has("retain")) g.retain = storage_node(n["retain"]);
    if (n.has("retain_at") && n["retain_at"].expect_map(m_d))
      for (const auto& [tensor, node] : n["retain_at"].entries()) {
        const int t = m_c.find_tensor(tensor);
        if (t < 0) {
          m_d.error(node.key_loc(), node.path(), "no tensor '" + tensor + "'");
          continue;
        }
        if (m_c.tensors[t].kind != workloads::TensorKind::kIntermediate) {
          m_d.error(node.key_loc(), node.path(), "'" + tensor + "' is not an intermediate; only intermediates are retained");
          continue;
        }
        const int at = storage_node(node);
        if (at >= 0) g.retain_at.emplace_back(t, at);
      }
    if (n.has("pipeline")) {
      if (auto name = n["pipeline"].as_string(m_d)) g.pipeline_rank = rank(n["pipeline"], *name);
    }
    if (!n.require("tiles", m_d)) return;
    YamlNode tiles = n["tiles"];
    if (!tiles.expect_sequence(m_d)) return;
    Cascade tc;
    try {
      tc = tile_cascade(m_c, g.shared);
    } catch (const UserError& e) {
      for (const auto& item : e.diagnostics()) m_d.error(item.loc, item.key_path, item.message);
      return;
    }
    for (size_t i = 0; i < tiles.size(); ++i) {
      Mapping t = read_mapping_body(tiles.at(i), tc, m_a, m_d);
      if (t.einsum < 0 || t.compute < 0) continue;
      t.variant = m.variant;
      g.tiles.push_back(t);
    }
    std::vector<size_t> order(g.tiles.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::vector<int> topo_pos(m_c.einsums.size(), 0);
    for (size_t i = 0; i < m_c.topo_order.size(); ++i) topo_pos[m_c.topo_order[i]] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t x, size_t y) { return topo_pos[g.tiles[x].einsum] < topo_pos[g.tiles[y].einsum]; });
    std::vector<Mapping> sorted;
    for (size_t i : order) {
      sorted.push_back(g.tiles[i]);
      g.einsums.push_back(g.tiles[i].einsum);
    }
    g.tiles = sorted;
    m.groups.push_back(g);
  }

  void read_shared(const YamlNode& list, FusionGroup& g) {
    if (!list.expect_sequence(m_d)) return;
    for (size_t i = 0; i < list.size(); ++i) {
      YamlNode e = list.at(i);
      if (!e.expect_map(m_d)) continue;
      auto entries = e.entries();
      if (entries.size() != 1) {
        m_d.error(e.loc(), e.path(), "a shared loop names exactly one rank and its factor, e.g. {P: 16}");
        continue;
      }
      Loop loop;
      loop.loc = e.loc();
      loop.rank = rank(entries[0].second, entries[0].first);
      auto f = entries[0].second.as_int(m_d);
      if (f && *f < 1) m_d.error(entries[0].second.loc(), entries[0].second.path(), "expected a positive factor");
      else if (f) loop.factor = *f;
      if (loop.rank >= 0) g.shared.push_back(loop);
    }
  }

  const Cascade& m_c;
  const arch::Architecture& m_a;
  Diagnostics& m_d;
};

CascadeMapping build(const YamlNode& doc, const Cascade& c, const arch::Architecture& a) {
  Diagnostics d;
  CascadeMapping m = Reader(c, a, d).read(doc);
  d.throw_if_any();
  return m;
}

}  // namespace

CascadeMapping load_cascade_mapping(const std::string& path, const Cascade& c, const arch::Architecture& a) {
  return build(YamlNode::load_file(path), c, a);
}

CascadeMapping load_cascade_mapping_text(const std::string& text, const std::string& name, const Cascade& c,
                                         const arch::Architecture& a) {
  return build(YamlNode::load_string(text, name), c, a);
}

bool is_cascade_mapping_file(const std::string& path) {
  YamlNode doc = YamlNode::load_file(path);
  return doc.is_map() && doc.has("cascade_mapping");
}

std::string write_cascade_mapping(const CascadeMapping& m, const Cascade& c, const arch::Architecture& a) {
  std::ostringstream os;
  os << "cascade_mapping:\n";
  if (!m.variant.empty()) os << "  variant: " << m.variant << "\n";
  os << "  groups:\n";
  for (const FusionGroup& g : m.groups) {
    os << "    - ";
    std::string lead;
    if (!g.shared.empty()) {
      os << "shared: [";
      for (size_t i = 0; i < g.shared.size(); ++i)
        os << (i ? ", " : "") << "{" << c.ranks[g.shared[i].rank].name << ": " << g.shared[i].factor << "}";
      os << "]\n";
      lead = "      ";
    }
    if (g.retain >= 0) {
      os << lead << "retain: " << a.nodes[g.retain].name << "\n";
      lead = "      ";
    }
    if (!g.retain_at.empty()) {
      os << lead << "retain_at: {";
      for (size_t i = 0; i < g.retain_at.size(); ++i)
        os << (i ? ", " : "") << c.tensors[g.retain_at[i].first].name << ": " << a.nodes[g.retain_at[i].second].name;
      os << "}\n";
      lead = "      ";
    }
    if (g.pipeline_rank >= 0) {
      os << lead << "pipeline: " << c.ranks[g.pipeline_rank].name << "\n";
      lead = "      ";
    }
    os << lead << "tiles:\n";
    const Cascade tc = tile_cascade(c, g.shared);
    for (const Mapping& t : g.tiles) {
      Mapping body = t;
      body.variant.clear();
      write_mapping_body(os, "        ", "        - ", body, tc, a);
    }
  }
  return os.str();
}

}  // namespace einflow::mapping
