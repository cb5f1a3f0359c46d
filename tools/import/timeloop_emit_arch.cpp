// Timeloop architecture (flattened) -> einflow architecture YAML.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "tools/import/timeloop_internal.h"

namespace einflow::import {
namespace {

// Attributes read elsewhere (the tree, the clock, the table) or checked to be 1.
// Timeloop reads hyphens as underscores: both spellings are the same key.
const std::set<std::string> kReadElsewhere = {"technology", "global_cycle_seconds", "instances", "meshX", "meshY",
                                              "multiple_buffering"};
const std::set<std::string> kUsed = {"depth", "memory_depth", "data_storage_depth", "entries", "sizeKB", "size_kb",
                                     "width", "memory_width", "data_storage_width", "word_bits", "word_width",
                                     "datawidth", "block_size", "n_words", "cluster_size", "read_bandwidth",
                                     "write_bandwidth", "n_banks", "num_banks", "vector_access_energy"};

std::string underscored(std::string k) {
  std::replace(k.begin(), k.end(), '-', '_');
  return k;
}

std::optional<double> num(const YamlNode& attrs, std::initializer_list<const char*> keys) {
  if (!attrs.defined() || !attrs.is_map()) return std::nullopt;
  for (const char* k : keys)
    for (const auto& [key, v] : attrs.entries())
      if (underscored(key) == k) {
        if (v.is_null()) continue;  // timeloopfe's resolved input writes null for "not given"
        Diagnostics d;
        auto x = v.as_double(d);
        d.throw_if_any();
        return x;
      }
  return std::nullopt;
}

std::string list_text(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s + "]";
}

}  // namespace

std::optional<double> attribute(const TlComponent& c, std::initializer_list<const char*> keys) {
  if (auto v = num(c.attributes, keys)) return v;
  for (const char* k : keys)
    if (std::string(k) == "meshX" || std::string(k) == "meshY" || std::string(k) == "instances") return std::nullopt;
  for (const YamlNode& up : c.inherited)
    if (auto v = num(up, keys)) return v;
  return std::nullopt;
}

// A component's energies from an Accelergy ERT, per Timeloop op (-1: none):
// each op takes the first action of its list the ERT has (Timeloop's
// topology.hpp), the costliest of that action's argument variants.
struct ErtEntry {
  double read_pj = -1, fill_pj = -1, update_pj = -1, leak_pj = -1, mac_pj = -1;
};

namespace {

// The energy of one action: a number, {energy: E}, or a list of
// {arguments, energy} variants (the costliest).
double action_energy(const YamlNode& a) {
  Diagnostics d;
  double e = -1;
  if (a.is_sequence()) {
    for (size_t i = 0; i < a.size(); ++i) e = std::max(e, action_energy(a.at(i)));
  } else if (a.is_map()) {
    if (a.has("energy")) e = a["energy"].as_double(d).value_or(-1);
  } else if (!a.is_null()) {
    e = a.as_double(d).value_or(-1);
  }
  d.throw_if_any();
  return e;
}

// The component a full ERT name denotes: the last dotted part outside
// instance ranges, its own range stripped ("system.PE[0..15].MAC[0..3]": MAC).
std::string ert_component(const std::string& full, const SourceLoc& loc) {
  size_t cut = 0;
  int depth = 0;
  for (size_t k = 0; k < full.size(); ++k) {
    if (full[k] == '[') ++depth;
    if (full[k] == ']') --depth;
    if (full[k] == '.' && depth == 0) cut = k + 1;
  }
  return split_range(full.substr(cut), loc).first;
}

ErtEntry resolve_ert(const std::map<std::string, double>& actions) {
  auto first = [&](std::initializer_list<const char*> names) {
    for (const char* n : names)
      if (auto it = actions.find(n); it != actions.end()) return it->second;
    return -1.0;
  };
  ErtEntry e;
  e.read_pj = first({"random_read", "read"});
  e.fill_pj = first({"random_fill", "random_write", "fill", "write"});
  e.update_pj = first({"random_update", "random_write", "update", "write"});
  e.leak_pj = first({"leak"});
  e.mac_pj = first({"mac_random", "mult_random", "mac", "mult", "compute"});
  return e;
}

}  // namespace

// v0.3/v0.4: tables is a list of {name, actions: [{name, arguments, energy}]};
// v0.2: a map from the full name to {action: [{arguments, energy}] or {energy}}.
std::map<std::string, ErtEntry> read_ert(const YamlNode& doc) {
  YamlNode tables = doc["ERT"]["tables"];
  if (!tables.defined() || !(tables.is_sequence() || tables.is_map()))
    throw UserError(doc.loc(), "an ERT file has ERT.tables: a list of {name, actions} (v0.3, v0.4) or a map from "
                               "component names to their actions (v0.2)");
  Diagnostics d;
  std::map<std::string, std::map<std::string, double>> by_component;
  auto add = [&](const std::string& component, const std::string& action, double energy) {
    double& slot = by_component[component].emplace(action, -1).first->second;
    slot = std::max(slot, energy);
  };
  if (tables.is_sequence()) {
    for (size_t i = 0; i < tables.size(); ++i) {
      YamlNode t = tables.at(i);
      const std::string component = ert_component(t["name"].as_string(d).value_or(""), t.loc());
      by_component[component];
      for (const YamlNode& a : list_items(t["actions"], "actions"))
        add(component, a["name"].as_string(d).value_or(""), action_energy(a));
    }
  } else {
    for (const auto& [full, actions] : tables.entries()) {
      const std::string component = ert_component(full, actions.key_loc());
      by_component[component];
      if (!actions.is_map())
        throw UserError(actions.loc(), actions.path(), "a v0.2 ERT entry maps action names to their energies");
      for (const auto& [action, variants] : actions.entries()) add(component, action, action_energy(variants));
    }
  }
  d.throw_if_any();
  std::map<std::string, ErtEntry> out;
  for (const auto& [component, actions] : by_component) out[component] = resolve_ert(actions);
  return out;
}

// A storage level's size as Timeloop reads it: `entries` words, else `depth`
// rows of a block each, else `sizeKB` kilobytes of words; and its banks. Counts
// out of range are the user's error at the component.
void emit_size(std::ostream& os, const std::string& body, const TlComponent& c, double word_bits,
               double block) {
  auto words = [&](double v, const char* what) {
    if (!(v >= 1 && v <= 4.6e18))
      throw UserError(c.loc, "storage '" + c.name + "': " + what + " gives " + number_text(v) +
                                 " words (expected 1 to 2^62)");
    return static_cast<int64_t>(v);
  };
  if (auto entries = attribute(c, {"entries"}); entries && *entries > 0)
    os << body << "size_words: " << words(*entries, "entries") << "\n";
  else if (auto depth = attribute(c, {"depth", "memory_depth", "data_storage_depth"}); depth && *depth > 0 &&
                                                                                    !(c.is_dram && std::isinf(*depth)))
    os << body << "size_words: " << words(*depth * block, "depth") << "\n";
  else if (auto kb = attribute(c, {"sizeKB", "size_kb"}); kb && *kb > 0)
    os << body << "size_words: " << words(*kb * 1024 * 8 / word_bits, "sizeKB") << "\n";
  else if (!c.is_dram)
    throw UserError(c.loc, "storage '" + c.name + "' has no size (entries, depth or sizeKB)");
  if (auto b = attribute(c, {"n_banks", "num_banks"})) {
    if (!(*b >= 0 && *b <= 4.6e18))
      throw UserError(c.loc, "storage '" + c.name + "': n_banks " + number_text(*b) + " (expected 0 to 2^62)");
    os << body << "banks: " << static_cast<int64_t>(*b) << "\n";
  }
}

// Words per access and instances per cluster as Timeloop derives them from
// the width (buffer.cpp): block x word bits x cluster = width; with neither
// given, one block spans the width.
std::pair<int64_t, int64_t> block_and_cluster(const TlComponent& c, double word_bits) {
  const auto width = attribute(c, {"width", "memory_width", "data_storage_width"});
  auto block = attribute(c, {"block_size", "n_words"});
  auto cluster = attribute(c, {"cluster_size"});
  auto whole = [&](double v, const char* what) {
    if (!(v >= 1 && v <= 1e9 && v == static_cast<double>(static_cast<int64_t>(v))))
      throw UserError(c.loc, "storage '" + c.name + "': " + what + " " + number_text(v) +
                                 " (expected a whole number from 1 to 1e9)");
    return static_cast<int64_t>(v);
  };
  if (width) {
    const double row = *width / word_bits;
    if (block && cluster && *block * *cluster != row)
      throw UserError(c.loc, "storage '" + c.name + "': block_size x cluster_size x word bits is not the width " +
                                 number_text(*width));
    if (!block) block = cluster ? row / *cluster : row;
    if (!cluster) cluster = row / *block;
  }
  const int64_t b = whole(block.value_or(1), "block_size"), k = whole(cluster.value_or(1), "cluster_size");
  if (c.is_dram && k != 1) throw UserError(c.loc, "DRAM '" + c.name + "' has a cluster_size of " + std::to_string(k) +
                                                      " (Timeloop requires 1)");
  return {b, k};
}

std::string emit_arch(const TlArch& a, const std::string& name, const YamlNode* ert_doc,
                      std::vector<std::string>& notes) {
  std::map<std::string, ErtEntry> ert;
  if (ert_doc) ert = read_ert(*ert_doc);
  std::string tech = "45nm";
  if (!a.technology.empty()) {
    int nm = std::atoi(a.technology.c_str());
    tech = (nm > 0 && nm < 22) ? "7nm" : "45nm";
    if (a.technology != tech)
      notes.push_back("technology '" + a.technology + "' uses einflow's " + tech + " table");
  }
  std::ostringstream os;
  os << "# Imported from Timeloop by `einflow import timeloop`.\narchitecture:\n  name: " << name << "\n  clock_mhz: "
     << number_text(a.clock_mhz) << "\n  technology: " << tech
     << "\n  reuse_model: timeloop   # count reuse as Timeloop does (arch/README.md)\n  tree:\n";
  int64_t prev_instances = 1, prev_x = 1;
  std::string indent = "    ";
  for (size_t i = 0; i < a.components.size(); ++i) {
    const TlComponent& c = a.components[i];
    const YamlNode& at = c.attributes;
    if (c.instances % prev_instances != 0)
      throw UserError(c.loc, "'" + c.name + "' has " + std::to_string(c.instances) + " instances, not a multiple of the " +
                                 std::to_string(prev_instances) + " above it");
    const int64_t fanout = c.instances / prev_instances;
    const int64_t x_total = c.mesh_x > 0 ? c.mesh_x : c.instances;
    int64_t mx = (x_total % prev_x == 0) ? x_total / prev_x : fanout;
    if (mx < 1 || fanout % mx != 0) mx = fanout;
    const int64_t my = fanout / mx;
    prev_instances = c.instances;
    prev_x = x_total;
    if (auto v = attribute(c, {"multiple_buffering"}); v && *v != 1)
      throw UserError(c.loc, "'" + c.name + "': unsupported Timeloop feature 'multiple_buffering' != 1");
    if (at.defined() && at.is_map())
      for (const auto& [key, v] : at.entries())
        if (!v.is_null() && !kUsed.count(underscored(key)) && !kReadElsewhere.count(underscored(key)))
          notes.push_back("attribute '" + key + "' of " + c.name +
                          " is not used by einflow (Timeloop/Accelergy use it for energy, area or ports)");
    const std::string head = i == 0 ? indent : indent + "- ";
    const std::string body = i == 0 ? indent : indent + "  ";
    os << head << "name: " << c.name << "\n";
    if (mx * my > 1) os << body << "mesh: {x: " << mx << ", y: " << my << "}\n";
    const double word_bits = attribute(c, {"word_bits", "word_width", "datawidth"}).value_or(16);
    if (!(word_bits >= 1 && word_bits <= 1024))
      throw UserError(c.loc, "component '" + c.name + "': a word of " + number_text(word_bits) + " bits (expected 1 to 1024)");
    const ErtEntry* e = ert.count(c.name) ? &ert.at(c.name) : nullptr;
    if (c.is_compute) {
      const bool fp = c.cls.rfind("fp", 0) == 0;
      const int bits = static_cast<int>(word_bits);
      std::string dt = fp ? (bits <= 16 ? "fp16" : "fp32") : (bits <= 8 ? "int8" : bits <= 16 ? "int16" : "fp32");
      os << body << "class: compute\n" << body << "word_bits: " << bits << "\n" << body << "datatype: " << dt << "\n";
      os << body << "ops: {mac: {";
      if (e && e->mac_pj >= 0) os << "energy_pj: " << number_text(e->mac_pj);
      os << "}}\n";
      break;
    }
    // A register file by class or Accelergy subclass (regfile, reg_storage, smartbuffer_RF).
    auto is_reg = [](const std::string& k) {
      const std::string l = lower(k);
      return l.find("reg") != std::string::npos || (l.size() >= 3 && l.compare(l.size() - 3, 3, "_rf") == 0);
    };
    const std::string cls = c.is_dram ? "dram" : (is_reg(c.cls) || is_reg(c.subclass) ? "regfile" : "sram");
    os << body << "class: " << cls << "\n" << body << "word_bits: " << number_text(word_bits) << "\n";
    const auto [block, cluster] = block_and_cluster(c, word_bits);
    emit_size(os, body, c, word_bits, static_cast<double>(block));
    if (block > 1) os << body << "block_words: " << block << "\n";
    if (cluster > 1) os << body << "cluster: " << cluster << "\n";
    auto rbw = attribute(c, {"read_bandwidth"}), wbw = attribute(c, {"write_bandwidth"});
    if (c.is_dram) {
      double words = rbw.value_or(0);
      os << body << "bandwidth_gbps: " << number_text(words * word_bits / 8.0 * a.clock_mhz * 1e6 / 1e9)
         << (words > 0 ? "" : "   # Timeloop gave none: unlimited") << "\n";
    } else {
      if (rbw) os << body << "read_bandwidth: " << number_text(*rbw) << "\n";
      if (wbw) os << body << "write_bandwidth: " << number_text(*wbw) << "\n";
    }
    // Energies per access of a block (Timeloop's vector access); a given
    // vector_access_energy overrides the ERT, as in Timeloop.
    double read_pj = -1, fill_pj = -1, update_pj = -1, leak_pj = -1;
    if (auto v = attribute(c, {"vector_access_energy"})) {
      read_pj = fill_pj = update_pj = *v;
    } else if (e) {
      read_pj = e->read_pj;
      fill_pj = e->fill_pj;
      update_pj = e->update_pj;
      leak_pj = e->leak_pj;
    }
    if (read_pj >= 0) os << body << "read_pj: " << number_text(read_pj) << "\n";
    if (fill_pj >= 0) os << body << "write_pj: " << number_text(fill_pj) << "\n";
    if (update_pj >= 0) os << body << "update_pj: " << number_text(update_pj) << "\n";
    if (leak_pj > 0) os << body << "leak_pj: " << number_text(leak_pj) << "\n";
    if (!c.keep.empty()) os << body << "keep: " << list_text(c.keep) << "\n";
    if (!c.bypass.empty()) os << body << "bypass: " << list_text(c.bypass) << "\n";
    if (ert_doc && !e) notes.push_back("no ERT entry for " + c.name + ": einflow's tables give its energy");
    os << body << "children:\n";
    indent = body + "  ";
  }
  if (!ert_doc) notes.push_back("no ERT given: energies come from einflow's " + tech + " tables");
  return os.str();
}

}  // namespace einflow::import
