// Timeloop architecture (flattened) -> einflow architecture YAML.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "tools/import/timeloop_internal.h"

namespace einflow::import {
namespace {

// Attributes read elsewhere (the tree, the clock, the table) or checked to be 1.
const std::set<std::string> kReadElsewhere = {"technology", "global_cycle_seconds", "instances", "meshX", "meshY",
                                           "cluster_size", "cluster-size", "multiple_buffering", "multiple-buffering"};
const std::set<std::string> kUsed = {"depth", "memory_depth", "entries", "sizeKB", "size_kb", "width", "memory_width", "word-bits", "word_bits",
                                     "datawidth", "block-size", "block_size", "n_words", "read_bandwidth",
                                     "write_bandwidth", "n_banks", "num_banks", "vector-access-energy"};

std::optional<double> num(const YamlNode& attrs, std::initializer_list<const char*> keys) {
  if (!attrs.defined() || !attrs.is_map()) return std::nullopt;
  for (const char* k : keys)
    if (attrs.has(k)) {
      Diagnostics d;
      auto v = attrs[k].as_double(d);
      d.throw_if_any();
      return v;
    }
  return std::nullopt;
}

std::string list_text(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s + "]";
}

}  // namespace

struct ErtEntry {
  double read_pj = -1, write_pj = -1, update_pj = -1, mac_pj = -1;
};

std::map<std::string, ErtEntry> read_ert(const YamlNode& doc) {
  std::map<std::string, ErtEntry> out;
  YamlNode tables = doc["ERT"]["tables"];
  if (!tables.defined() || !tables.is_sequence())
    throw UserError(doc.loc(), "an ERT file has ERT.tables, a list of {name, actions}");
  Diagnostics d;
  for (size_t i = 0; i < tables.size(); ++i) {
    YamlNode t = tables.at(i);
    std::string full = t["name"].as_string(d).value_or("");
    // The component is the last dotted part outside instance ranges ("system.PE[0..15].MAC[0..3]": MAC).
    size_t cut = 0;
    int depth = 0;
    for (size_t k = 0; k < full.size(); ++k) {
      if (full[k] == '[') ++depth;
      if (full[k] == ']') --depth;
      if (full[k] == '.' && depth == 0) cut = k + 1;
    }
    std::string last = full.substr(cut);
    last = split_range(last, t.loc()).first;
    ErtEntry& e = out[last];
    for (const YamlNode& a : list_items(t["actions"], "actions")) {
      std::string name = a["name"].as_string(d).value_or("");
      double energy = a["energy"].as_double(d).value_or(0);
      double* slot = name == "read" ? &e.read_pj : name == "write" ? &e.write_pj : name == "update" ? &e.update_pj
                     : (name.rfind("mac", 0) == 0 || name == "compute") ? &e.mac_pj : nullptr;
      if (slot) *slot = std::max(*slot, energy);  // several entries per action: take the costliest (random data)
    }
  }
  d.throw_if_any();
  return out;
}

// A storage level's size as Timeloop reads it: `entries` words, else `depth`
// rows of a block each, else `sizeKB` kilobytes of words; and its banks. Counts
// out of range are the user's error at the component.
void emit_size(std::ostream& os, const std::string& body, const TlComponent& c, const YamlNode& at, double word_bits,
               double block) {
  auto words = [&](double v, const char* what) {
    if (!(v >= 1 && v <= 4.6e18))
      throw UserError(c.loc, "storage '" + c.name + "': " + what + " gives " + number_text(v) +
                                 " words (expected 1 to 2^62)");
    return static_cast<int64_t>(v);
  };
  if (auto entries = num(at, {"entries"}); entries && *entries > 0)
    os << body << "size_words: " << words(*entries, "entries") << "\n";
  else if (auto depth = num(at, {"depth", "memory_depth"}); depth && *depth > 0)
    os << body << "size_words: " << words(*depth * block, "depth") << "\n";
  else if (auto kb = num(at, {"sizeKB", "size_kb"}); kb && *kb > 0)
    os << body << "size_words: " << words(*kb * 1024 * 8 / word_bits, "sizeKB") << "\n";
  else if (!c.is_dram)
    throw UserError(c.loc, "storage '" + c.name + "' has no size (entries, depth or sizeKB)");
  if (auto b = num(at, {"n_banks", "num_banks"})) {
    if (!(*b >= 0 && *b <= 4.6e18))
      throw UserError(c.loc, "storage '" + c.name + "': n_banks " + number_text(*b) + " (expected 0 to 2^62)");
    os << body << "banks: " << static_cast<int64_t>(*b) << "\n";
  }
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
     << number_text(a.clock_mhz) << "\n  technology: " << tech << "\n  tree:\n";
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
    for (const char* k : {"multiple_buffering", "multiple-buffering", "cluster_size", "cluster-size"})
      if (auto v = num(at, {k}); v && *v != 1)
        throw UserError(at[k].loc(), at[k].path(), std::string("unsupported Timeloop feature '") + k + "' != 1");
    if (at.defined() && at.is_map())
      for (const auto& [key, v] : at.entries())
        if (!kUsed.count(key) && !kReadElsewhere.count(key))
          notes.push_back("attribute '" + key + "' of " + c.name +
                          " is not used by einflow (Timeloop/Accelergy use it for energy, area or ports)");
    const std::string head = i == 0 ? indent : indent + "- ";
    const std::string body = i == 0 ? indent : indent + "  ";
    os << head << "name: " << c.name << "\n";
    if (mx * my > 1) os << body << "mesh: {x: " << mx << ", y: " << my << "}\n";
    const double word_bits = num(at, {"word-bits", "word_bits", "datawidth"}).value_or(16);
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
    const std::string cls = c.is_dram ? "dram" : (lower(c.cls).find("reg") != std::string::npos ? "regfile" : "sram");
    os << body << "class: " << cls << "\n" << body << "word_bits: " << number_text(word_bits) << "\n";
    double block = num(at, {"block-size", "block_size", "n_words"}).value_or(0);
    if (block <= 0) block = std::max(1.0, num(at, {"width", "memory_width"}).value_or(word_bits) / word_bits);
    emit_size(os, body, c, at, word_bits, block);
    auto rbw = num(at, {"read_bandwidth"}), wbw = num(at, {"write_bandwidth"});
    if (c.is_dram) {
      double words = rbw.value_or(0);
      os << body << "bandwidth_gbps: " << number_text(words * word_bits / 8.0 * a.clock_mhz * 1e6 / 1e9)
         << (words > 0 ? "" : "   # Timeloop gave none: unlimited") << "\n";
    } else {
      if (rbw) os << body << "read_bandwidth: " << number_text(*rbw) << "\n";
      if (wbw) os << body << "write_bandwidth: " << number_text(*wbw) << "\n";
    }
    double read_pj = -1, write_pj = -1;
    if (auto v = num(at, {"vector-access-energy"})) read_pj = write_pj = *v / block;
    if (e) {
      if (e->read_pj >= 0) read_pj = e->read_pj / block;
      if (e->write_pj >= 0) write_pj = e->write_pj / block;
      else if (e->update_pj >= 0) write_pj = e->update_pj / block;
    }
    if (read_pj >= 0) os << body << "read_pj: " << number_text(read_pj) << "\n";
    if (write_pj >= 0) os << body << "write_pj: " << number_text(write_pj) << "\n";
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
