// Reads and validates the architecture YAML (format in README.md), then fills in
// the defaults from the technology tables.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "arch/arch.h"
#include "arch/params.h"
#include "arch/pim_units.h"
#include "arch/tech.h"
#include "common/checked.h"
#include "common/text.h"
#include "common/yaml_node.h"

namespace einflow::arch {
namespace {

const std::vector<std::string> kClassNames = {"dram", "sram", "regfile", "compute"};

unsigned class_bit(NodeClass c) { return 1u << static_cast<unsigned>(c); }

std::optional<int64_t> read_int(const YamlNode& parent, const char* key, int64_t min, Diagnostics& diags) {
  if (!parent.has(key)) return std::nullopt;
  YamlNode n = parent[key];
  auto v = n.as_int(diags);
  if (v && *v < min) {
    diags.error(n.loc(), n.path(), "expected an integer >= " + std::to_string(min) + ", got " + std::to_string(*v));
    return std::nullopt;
  }
  return v;
}

std::optional<double> read_number(const YamlNode& parent, const char* key, bool allow_zero, Diagnostics& diags) {
  if (!parent.has(key)) return std::nullopt;
  YamlNode n = parent[key];
  auto v = n.as_double(diags);
  if (v && (!(*v >= 0) || (*v == 0 && !allow_zero) || *v > 1e300)) {
    diags.error(n.loc(), n.path(),
                std::string("expected a ") + (allow_zero ? "non-negative" : "positive") + " number, got " +
                    n.scalar());
    return std::nullopt;
  }
  return v;
}

class Reader {
 public:
  Reader(Architecture& arch, Diagnostics& diags) : m_arch(arch), m_diags(diags) {}

  void read_top(const YamlNode& top) {
    if (!top.expect_map(m_diags)) return;
    top.check_keys({"architecture"}, m_diags);
    if (!top.require("architecture", m_diags)) return;
    YamlNode a = top["architecture"];
    if (!a.expect_map(m_diags)) return;
    a.check_keys(keys_for(arch_params(), kAllBits), m_diags);
    m_arch.loc = a.loc();
    if (a.require("name", m_diags)) m_arch.name = a["name"].as_string(m_diags).value_or("");
    if (auto v = read_number(a, "clock_mhz", false, m_diags)) m_arch.clock_mhz = *v;
    if (a.has("technology")) {
      auto t = a["technology"].as_string(m_diags);
      if (t && !known_technology(*t))
        m_diags.error(a["technology"].loc(), a["technology"].path(),
                      "expected one of " + join(technology_names(), ", ") + ", got '" + *t + "'" +
                          did_you_mean(*t, technology_names()));
      else if (t)
        m_arch.technology = *t;
    }
    if (auto v = read_int(a, "word_bits", 1, m_diags)) m_word_bits = static_cast<int>(*v);
    if (auto v = read_number(a, "host_link_gbps", true, m_diags)) m_arch.host_link_gbps = *v;
    if (a.has("pipeline_fill_drain"))
      if (auto v = a["pipeline_fill_drain"].as_bool(m_diags)) m_arch.pipeline_fill_drain = *v;
    if (a.has("reuse_model")) {
      auto v = a["reuse_model"].as_string(m_diags);
      if (v && *v == "timeloop") m_arch.reuse_model = ReuseModel::kTimeloop;
      else if (v && *v != "einflow")
        m_diags.error(a["reuse_model"].loc(), a["reuse_model"].path(), "expected einflow or timeloop, got '" + *v + "'");
    }
    if (a.require("tree", m_diags)) read_node(a["tree"], -1);
  }

 private:
  void read_node(const YamlNode& n, int parent) {
    if (!n.expect_map(m_diags)) return;
    Node node;
    node.loc = n.loc();
    node.parent = parent;
    node.word_bits = m_word_bits;
    if (n.require("name", m_diags)) node.name = n["name"].as_string(m_diags).value_or("");
    if (!n.require("class", m_diags)) return;
    auto cls = n["class"].as_string(m_diags);
    if (!cls) return;
    auto it = std::find(kClassNames.begin(), kClassNames.end(), *cls);
    if (it == kClassNames.end()) {
      m_diags.error(n["class"].loc(), n["class"].path(),
                    "expected one of " + join(kClassNames, ", ") + ", got '" + *cls + "'" +
                        did_you_mean(*cls, kClassNames));
      return;
    }
    node.cls = static_cast<NodeClass>(it - kClassNames.begin());
    n.check_keys(keys_for(node_params(), class_bit(node.cls)), m_diags);
    if (!node.name.empty() && !m_names.insert(node.name).second)
      m_diags.error(n["name"].loc(), n["name"].path(), "node name '" + node.name + "' is used twice");

    read_mesh(n, node);
    if (auto v = read_int(n, "word_bits", 1, m_diags)) node.word_bits = static_cast<int>(*v);
    if (node.is_storage()) read_storage(n, node);
    if (node.cls == NodeClass::kDram) read_dram(n, node);
    if (node.cls == NodeClass::kCompute) read_compute(n, node);
    if (auto v = read_number(n, "area_um2", true, m_diags)) {
      node.area_um2 = *v;
      node.area_source = "given";
    }

    const int index = static_cast<int>(m_arch.nodes.size());
    if (parent >= 0) m_arch.nodes[parent].children.push_back(index);
    m_arch.nodes.push_back(node);
    if (n.has("children")) {
      YamlNode ch = n["children"];
      if (ch.expect_sequence(m_diags))
        for (size_t i = 0; i < ch.size(); ++i) read_node(ch.at(i), index);
    }
  }

  void read_mesh(const YamlNode& n, Node& node) {
    if (!n.has("mesh")) return;
    YamlNode m = n["mesh"];
    if (!m.expect_map(m_diags)) return;
    m.check_keys({"x", "y"}, m_diags);
    if (auto v = read_int(m, "x", 1, m_diags)) node.mesh.x = *v;
    if (auto v = read_int(m, "y", 1, m_diags)) node.mesh.y = *v;
  }

  void read_storage(const YamlNode& n, Node& node) {
    const bool has_words = n.has("size_words"), has_bytes = n.has("size_bytes");
    if (has_words && has_bytes)
      m_diags.error(n["size_bytes"].key_loc(), n["size_bytes"].path(), "give size_words or size_bytes, not both");
    if (auto v = read_int(n, "size_words", 1, m_diags)) node.size_words = *v;
    if (auto v = read_int(n, "size_bytes", 1, m_diags)) {
      const int64_t bits = *v * 8;
      if (bits % node.word_bits != 0 || *v > (int64_t{1} << 56))
        m_diags.error(n["size_bytes"].loc(), n["size_bytes"].path(),
                      "size_bytes is not a whole number of " + std::to_string(node.word_bits) + "-bit words");
      else
        node.size_words = bits / node.word_bits;
    }
    if (node.cls != NodeClass::kDram && !has_words && !has_bytes)
      m_diags.error(n.loc(), n.path(), "missing required key 'size_words' (or 'size_bytes')");
    if (auto v = read_int(n, "banks", 1, m_diags)) node.banks = *v;
    if (auto v = read_number(n, "read_bandwidth", true, m_diags)) node.read_bandwidth = *v;
    if (auto v = read_number(n, "write_bandwidth", true, m_diags)) node.write_bandwidth = *v;
    if (auto v = read_int(n, "noc_latency_cycles", 0, m_diags)) node.noc_latency_cycles = *v;
    if (auto v = read_int(n, "ports_per_bank", 0, m_diags)) {
      node.ports_per_bank = *v;
      // The cycle model counts accesses per bank: keep that table small.
      if (*v > 0 && node.banks > (int64_t{1} << 20))
        m_diags.error(n["ports_per_bank"].loc(), n["ports_per_bank"].path(),
                      "timing " + std::to_string(node.banks) + " banks is not supported (at most 1048576)");
    }
    for (const char* key : {"read_ports_per_bank", "write_ports_per_bank"})
      if (auto v = read_int(n, key, 0, m_diags)) {
        (std::string(key) == "read_ports_per_bank" ? node.read_ports_per_bank : node.write_ports_per_bank) = *v;
        if (n.has("ports_per_bank"))
          m_diags.error(n[key].key_loc(), n[key].path(),
                        "give ports_per_bank (shared) or read_ports_per_bank and write_ports_per_bank, not both");
      }
    if (node.separate_bank_ports() && (node.read_ports_per_bank == 0 || node.write_ports_per_bank == 0))
      m_diags.error(n.loc(), n.path(), "separate bank ports need both read_ports_per_bank and write_ports_per_bank");
    if (node.separate_bank_ports() && node.banks > (int64_t{1} << 20))
      m_diags.error(n.loc(), n.path(), "timing " + std::to_string(node.banks) + " banks is not supported (at most 1048576)");
    if (auto v = read_int(n, "access_latency_cycles", 0, m_diags)) node.access_latency_cycles = *v;
    if (auto v = read_number(n, "noc_bandwidth", true, m_diags)) node.noc_bandwidth = *v;
    if (n.has("systolic")) node.systolic = n["systolic"].as_bool(m_diags).value_or(false);
    if (n.has("multicast")) node.multicast = n["multicast"].as_bool(m_diags).value_or(true);
    if (n.has("spatial_reduction"))
      node.spatial_reduction = n["spatial_reduction"].as_bool(m_diags).value_or(true);
    if (n.has("keep")) node.keep = n["keep"].as_string_list(m_diags).value_or(std::vector<std::string>{});
    if (n.has("bypass")) node.bypass = n["bypass"].as_string_list(m_diags).value_or(std::vector<std::string>{});
    for (const auto& t : node.keep)
      if (std::find(node.bypass.begin(), node.bypass.end(), t) != node.bypass.end())
        m_diags.error(n["bypass"].loc(), n["bypass"].path(), "tensor '" + t + "' is both kept and bypassed");
    if (auto v = read_number(n, "read_pj", true, m_diags)) {
      node.read_pj = *v;
      m_given_read.insert(node.name);
    }
    if (auto v = read_number(n, "write_pj", true, m_diags)) {
      node.write_pj = *v;
      m_given_write.insert(node.name);
    }
    if (auto v = read_number(n, "update_pj", true, m_diags)) {
      node.update_pj = *v;
      m_given_update.insert(node.name);
    }
    if (auto v = read_int(n, "block_words", 1, m_diags)) node.block_words = *v;
    if (auto v = read_int(n, "cluster", 1, m_diags)) node.cluster = *v;
    if (auto v = read_number(n, "leak_pj", true, m_diags)) node.leak_pj = *v;
  }

  void read_dram(const YamlNode& n, Node& node) {
    if (n.has("standard")) {
      auto s = n["standard"].as_string(m_diags);
      if (s) {
        // A built-in name, or a standard's file beside the architecture's.
        const std::string dir = std::filesystem::path(n.file()).parent_path().string();
        try {
          node.dram_standard = resolve_dram_standard(*s, n["standard"].loc(), n["standard"].path(), dir);
        } catch (const UserError& e) {
          for (const auto& d : e.diagnostics()) m_diags.error(d.loc, d.key_path, d.message);
        }
      }
    }
    if (auto v = read_int(n, "channels", 1, m_diags)) {
      if (!node.dram_standard)
        m_diags.error(n["channels"].key_loc(), n["channels"].path(), "'channels' changes a standard's channel count: "
                                                                     "give 'standard' too");
      else if (*v > 4096)
        m_diags.error(n["channels"].loc(), n["channels"].path(), "at most 4096 channels");
      else
        node.dram_standard->channels = static_cast<int>(*v);
    }
    if (auto v = read_number(n, "bandwidth_gbps", true, m_diags)) node.bandwidth_gbps = *v;  // 0: unlimited
    else if (node.dram_standard)
      node.bandwidth_gbps = node.dram_standard->channel_gbps * node.dram_standard->channels;
    else if (!n.has("standard"))
      m_diags.error(n.loc(), n.path(), "a dram node needs 'bandwidth_gbps' or 'standard'");
    if (auto v = read_number(n, "pj_per_bit", true, m_diags)) {
      node.pj_per_bit = *v;
      node.energy_source = "given";
    } else if (node.dram_standard) {
      node.pj_per_bit = node.dram_standard->pj_per_bit;
      node.energy_source = node.dram_standard->energy_source;
    } else {
      node.pj_per_bit = kDefaultDramPjPerBit;
      node.energy_source = default_dram_energy_source();
    }
  }

  void read_compute(const YamlNode& n, Node& node) {
    node.datatype = default_datatype(node.word_bits);
    if (n.has("datatype")) {
      auto d = n["datatype"].as_string(m_diags);
      if (d && datatype_bits(*d) == 0)
        m_diags.error(n["datatype"].loc(), n["datatype"].path(),
                      "expected one of " + join(datatype_names(), ", ") + ", got '" + *d + "'" +
                          did_you_mean(*d, datatype_names()));
      else if (d)
        node.datatype = *d;
    }
    if (n.has("contractions_only")) node.contractions_only = n["contractions_only"].as_bool(m_diags).value_or(false);
    if (!n.require("ops", m_diags)) return;
    YamlNode ops = n["ops"];
    if (!ops.expect_map(m_diags)) return;
    for (const auto& [name, o] : ops.entries()) {
      OpSpec op;
      op.name = name;
      if (!o.is_null()) {
        if (!o.expect_map(m_diags)) continue;
        o.check_keys(keys_for(op_params(), kComputeBit), m_diags);
        if (auto v = read_int(o, "latency", 1, m_diags)) op.latency_cycles = *v;
        if (auto v = read_number(o, "per_cycle", false, m_diags)) op.per_cycle = *v;
        if (auto v = read_number(o, "energy_pj", true, m_diags)) {
          op.energy_pj = *v;
          op.energy_source = "given";
        }
        if (o.has("functional_unit"))
          if (auto v = o["functional_unit"].as_string(m_diags)) op.functional_unit = *v;
        if (o.has("pattern")) {
          if (auto t = o["pattern"].as_string(m_diags)) {
            std::string why;
            op.pattern_text = *t;
            op.pattern = parse_op_pattern(*t, why);
            if (!why.empty()) m_diags.error(o["pattern"].loc(), o["pattern"].path(), "bad pattern '" + *t + "': " + why);
          }
        }
        if (o.has("sequence")) {
          YamlNode seq = o["sequence"];
          if (seq.expect_map(m_diags))
            for (const auto& [sub, cnt] : seq.entries()) {
              auto c = cnt.as_int(m_diags);
              if (c && *c < 1) m_diags.error(cnt.loc(), cnt.path(), "expected a positive count");
              else if (c) op.sequence.emplace_back(sub, *c);
            }
          m_seq_locs[node.name + "/" + name] = seq;
        }
      }
      node.ops.push_back(op);
    }
    if (node.ops.empty()) m_diags.error(ops.loc(), ops.path(), "a compute unit needs at least one op");
  }

 public:
  std::set<std::string> m_given_read, m_given_write, m_given_update;
  std::map<std::string, YamlNode> m_seq_locs;

 private:
  Architecture& m_arch;
  Diagnostics& m_diags;
  int m_word_bits = 16;
  std::set<std::string> m_names;
};


// Busy cycles (per functional unit), latency, actions and energy of `op` on
// `node`, expanding sequences: a sequence's steps add up on each functional
// unit, and the op issues at the pace of its busiest one.
void resolve_op(const Architecture& arch, Node& node, OpSpec& op, std::set<std::string>& visiting,
                const SourceLoc& loc, const std::string& path, Diagnostics& diags) {
  if (!op.busy.empty()) return;  // resolved already (a step of an earlier op)
  if (op.sequence.empty()) {
    op.issue_cycles = 1.0 / op.per_cycle;
    op.busy = {{op.functional_unit, op.issue_cycles}};
    op.actions = {{op.name, 1}};
    if (op.energy_source.empty()) {
      if (auto c = op_cost(arch.technology, node.datatype, op.name)) {
        op.energy_pj = c->energy_pj;
        op.energy_source = c->source;
      } else {
        diags.error(loc, path, "no built-in energy for op '" + op.name + "' (known: " + join(known_ops(), ", ") +
                                   "); give energy_pj or a sequence");
      }
    }
    return;
  }
  if (!visiting.insert(op.name).second) {
    diags.error(loc, path, "op '" + op.name + "' is defined through itself");
    return;
  }
  double energy = 0;
  int64_t latency = 0;
  std::map<std::string, double> busy;
  std::map<std::string, int64_t> actions;
  for (const auto& step : op.sequence) {
    // Named, not bound: a lambda may not capture a structured binding in C++17 (clang).
    const std::string& sub = step.first;
    const auto count = step.second;
    auto it = std::find_if(node.ops.begin(), node.ops.end(), [&](const OpSpec& o) { return o.name == sub; });
    if (it == node.ops.end()) {
      std::vector<std::string> names;
      for (const auto& o : node.ops) names.push_back(o.name);
      diags.error(loc, path, "op '" + op.name + "' uses '" + sub + "', which unit '" + node.name +
                                 "' does not have" + did_you_mean(sub, names));
      continue;
    }
    resolve_op(arch, node, *it, visiting, loc, path, diags);
    for (const auto& [fu, cycles] : it->busy) busy[fu] += static_cast<double>(count) * cycles;
    for (const auto& [action, n] : it->actions) actions[action] += count * n;
    energy += static_cast<double>(count) * it->energy_pj;
    latency += count * it->latency_cycles;
  }
  visiting.erase(op.name);
  op.busy.assign(busy.begin(), busy.end());
  op.issue_cycles = 0;
  for (const auto& b : op.busy) op.issue_cycles = std::max(op.issue_cycles, b.second);
  op.latency_cycles = latency;
  if (op.energy_source.empty()) {
    op.energy_pj = energy;
    op.energy_source = "sum of its sequence";
    op.actions.assign(actions.begin(), actions.end());
  } else {
    op.actions = {{op.name, 1}};  // its own energy: charged as one action of its own
  }
}

void resolve(Architecture& arch, Reader& reader, Diagnostics& diags) {
  if (arch.nodes.empty()) return;
  const Node& root = arch.nodes[static_cast<size_t>(arch.root())];
  if (root.cls == NodeClass::kCompute)
    diags.error(root.loc, "architecture.tree", "the root of the tree must be storage (dram, sram or regfile)");
  if (root.mesh.size() != 1)
    diags.error(root.loc, "architecture.tree.mesh", "the root has exactly one instance");
  for (size_t i = 0; i < arch.nodes.size(); ++i) {
    Node& n = arch.nodes[i];
    // The one place that fixes where the DRAM may be: at the root (the models
    // find it with dram(), so a DRAM elsewhere is a change here and in the links).
    if (n.cls == NodeClass::kDram && static_cast<int>(i) != arch.root())
      diags.error(n.loc, n.name, "dram '" + n.name + "' must be the root of the tree");
    if (n.is_storage() && n.children.empty())
      diags.error(n.loc, n.name, "storage '" + n.name + "' has no compute unit below it");
    if (n.systolic &&
        (n.children.size() != 1 || arch.nodes[n.children[0]].cls != NodeClass::kCompute))
      diags.error(n.loc, n.name + ".systolic",
                  "systolic '" + n.name +
                      "' must hold one compute unit directly below it (a PE's registers)");
    const int64_t parent_instances = n.parent >= 0 ? arch.nodes[n.parent].instances : 1;
    auto inst = checked_mul(parent_instances, n.mesh.size());
    if (!inst) {
      diags.error(n.loc, n.name, "too many instances of '" + n.name + "' to count in 64 bits");
      return;
    }
    n.instances = *inst;
    if (n.cls == NodeClass::kSram || n.cls == NodeClass::kRegfile) {
      SramCost c = sram_cost(arch.technology, static_cast<double>(n.size_words) * n.word_bits / 8.0,
                             n.word_bits, n.banks);
      if (!reader.m_given_read.count(n.name)) n.read_pj = c.read_pj;
      if (!reader.m_given_write.count(n.name)) n.write_pj = c.write_pj;
      n.energy_source = c.source;

      if (n.area_source.empty()) {
        n.area_um2 = c.area_um2;
        n.area_source = c.source;
      }
    }
    if (n.cls == NodeClass::kDram) {
      if (!reader.m_given_read.count(n.name)) n.read_pj = n.pj_per_bit * n.word_bits;
      if (!reader.m_given_write.count(n.name)) n.write_pj = n.pj_per_bit * n.word_bits;
      if (n.area_source.empty()) n.area_source = "off chip (not counted)";
    }
    if (n.is_storage()) {
      // The tables give a word's energy: a block's access moves block_words of them.
      const double b = static_cast<double>(n.block_words);
      if (!reader.m_given_read.count(n.name)) n.read_pj *= b;
      if (!reader.m_given_write.count(n.name)) n.write_pj *= b;
      if (!reader.m_given_update.count(n.name)) n.update_pj = n.write_pj;
    }
    if (n.cls == NodeClass::kCompute) {
      double area = 0;
      for (auto& op : n.ops) {
        std::set<std::string> visiting;
        auto it = reader.m_seq_locs.find(n.name + "/" + op.name);
        SourceLoc loc = it != reader.m_seq_locs.end() ? it->second.loc() : n.loc;
        resolve_op(arch, n, op, visiting, loc, n.name + ".ops." + op.name, diags);
        if (op.sequence.empty())
          if (auto c = op_cost(arch.technology, n.datatype, op.name)) area += c->area_um2;
      }
      if (n.area_source.empty()) {
        n.area_um2 = area;
        n.area_source = "sum of its ops' units (technology table)";
      }
    }
  }
}

Architecture build(const YamlNode& doc) {
  Diagnostics diags;
  Architecture arch;
  arch.file = doc.file();
  Reader reader(arch, diags);
  reader.read_top(doc);
  if (diags.empty()) resolve(arch, reader, diags);
  if (diags.empty()) attach_pim_units(arch, diags);
  diags.throw_if_any();
  return arch;
}

}  // namespace

Architecture load_arch(const std::string& path) { return build(YamlNode::load_file(path)); }

Architecture load_arch_node(const YamlNode& doc) { return build(doc); }

Architecture load_arch_text(const std::string& text, const std::string& name) {
  return build(YamlNode::load_string(text, name));
}

}  // namespace einflow::arch
