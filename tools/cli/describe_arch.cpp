// einflow describe --arch A.yaml: the tree with capacities, bandwidths,
// per-action energies (and where each default comes from) and the total area.
#include <nlohmann/json.hpp>
#include <sstream>

#include <cstdio>
#include <set>

#include "arch/arch.h"
#include "tools/cli/commands.h"

namespace einflow::cli {

namespace {


std::string num(double v, const char* f = "%.4g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// A PIM DRAM's units: how many, how wide, their peak MAC rate (one column
// command per tCCD_L reaching every unit of its channel), the buffers.
struct PimSummary {
  int64_t units = 0, lanes = 0;
  double macs_per_second = 0;
  std::string text;
};
PimSummary pim_summary(const arch::DramStandard& d) {
  PimSummary p;
  const int banks = d.org.bankgroups * d.org.banks_per_group;
  const int per_channel = d.pim.units_per_channel(banks);
  p.units = static_cast<int64_t>(per_channel) * d.channels;
  p.lanes = p.units * d.pim.lanes;
  p.macs_per_second = static_cast<double>(p.lanes) / (d.timing.tccd_l * d.timing.tck_ns * 1e-9);
  std::ostringstream o;
  o << "PIM (" << arch::pim_command_set_name(d.pim.command_set) << "): " << per_channel << " units per channel x "
    << d.channels << " channels, " << d.pim.lanes << " " << d.pim.datatype << " lanes each (" << p.lanes
    << " lanes, accumulating in " << d.pim.accumulate << "); peak " << num(p.macs_per_second * 2e-12)
    << " TFLOPS at one column command per tCCD_L";
  if (d.pim.global_buffer_bytes > 0)
    o << "; " << d.pim.global_buffer_bytes << " B global buffer per channel, " << d.pim.result_latches
      << " partial sum(s) per unit";
  else
    o << "; GRF_A and GRF_B of " << d.pim.register_entries << " x 256 bit, CRF of " << d.pim.instruction_entries;
  p.text = o.str();
  return p;
}

// "read R, write W, update U pJ per word" (per access of a block of B words
// when block_words > 1), with the cluster and leakage when given.
std::string access_energies(const arch::Node& n) {
  std::string t = "read " + num(n.read_pj) + ", write " + num(n.write_pj);
  if (n.update_pj != n.write_pj) t += ", update " + num(n.update_pj);
  t += n.block_words > 1 ? " pJ per access of " + std::to_string(n.block_words) + " words" : " pJ/word";
  if (n.cluster > 1) t += "; " + std::to_string(n.cluster) + " instances per cluster share an access";
  if (n.leak_pj > 0) t += "; leakage " + num(n.leak_pj) + " pJ/cycle per instance in use";
  return t;
}

std::string capacity(const arch::Node& n) {
  if (n.size_words == 0) return "unbounded";
  double bytes = static_cast<double>(n.size_words) * n.word_bits / 8.0;
  std::string b = bytes >= 1048576 ? num(bytes / 1048576) + " MiB" : bytes >= 1024 ? num(bytes / 1024) + " KiB"
                                                                                   : num(bytes) + " B";
  return std::to_string(n.size_words) + " words (" + b + ")";
}

void print_node(const arch::Architecture& a, int i, int depth, std::ostream& os, std::set<std::string>& sources) {
  const arch::Node& n = a.nodes[i];
  std::string pad(2 * depth, ' ');
  os << pad << n.name << " [" << arch::node_class_name(n.cls) << "]";
  if (n.mesh.size() > 1) os << " mesh " << n.mesh.x << " x " << n.mesh.y;
  os << ", " << n.instances << " instance" << (n.instances == 1 ? "" : "s") << "\n";
  pad += "    ";
  if (n.is_storage()) {
    os << pad << "capacity " << capacity(n) << ", " << n.word_bits << "-bit words, " << n.banks << " bank"
       << (n.banks == 1 ? "" : "s") << "\n";
    if (n.cls == arch::NodeClass::kDram) {
      os << pad << "bandwidth " << num(n.bandwidth_gbps) << " GB/s = " << num(a.dram_words_per_cycle(n))
         << " words/cycle";
      if (n.dram_standard) os << "; standard " << n.dram_standard->name << " (tCK " << n.dram_standard->timing.tck_ns << " ns)";
      os << "\n" << pad << "energy " << num(n.pj_per_bit) << " pJ/bit: " << access_energies(n) << "\n";
      if (n.dram_standard && n.dram_standard->pim.enabled()) os << pad << pim_summary(*n.dram_standard).text << "\n";
    } else {
      os << pad << "bandwidth read " << (n.read_bandwidth > 0 ? num(n.read_bandwidth) : "unlimited") << ", write "
         << (n.write_bandwidth > 0 ? num(n.write_bandwidth) : "unlimited") << " words/cycle per instance\n";
      if (n.ports_per_bank > 0)
        os << pad << n.ports_per_bank << " port" << (n.ports_per_bank == 1 ? "" : "s")
           << " per bank (" << n.banks * n.ports_per_bank
           << " words/cycle at most; bank conflicts timed)\n";
      if (n.separate_bank_ports())
        os << pad << n.read_ports_per_bank << " read and " << n.write_ports_per_bank
           << " write port(s) per bank, separate (bank conflicts timed)\n";
      if (n.access_latency_cycles > 0 || n.noc_latency_cycles > 0 || n.noc_bandwidth > 0)
        os << pad << "access latency " << n.access_latency_cycles
           << " cycles; network from the parent: " << n.noc_latency_cycles << " cycles, "
           << (n.noc_bandwidth > 0 ? num(n.noc_bandwidth) + " words/cycle"
                                   : std::string("unlimited"))
           << "\n";
      os << pad << "energy " << access_energies(n) << "\n";
    }
    if (!n.keep.empty() || !n.bypass.empty()) {
      os << pad << "keeps " << (n.keep.empty() ? "any" : "") ;
      for (size_t k = 0; k < n.keep.size(); ++k) os << (k ? ", " : "") << n.keep[k];
      if (!n.bypass.empty()) {
        os << "; bypasses ";
        for (size_t k = 0; k < n.bypass.size(); ++k) os << (k ? ", " : "") << n.bypass[k];
      }
      os << "\n";
    }
    if (!n.multicast || !n.spatial_reduction)
      os << pad << (n.multicast ? "" : "no multicast ") << (n.spatial_reduction ? "" : "no spatial reduction") << "\n";
  } else {
    os << pad << "datatype " << n.datatype << "; ops:\n";
    for (const auto& op : n.ops) {
      os << pad << "  " << op.name << ": " << num(op.issue_cycles) << " cycle(s) busy, latency " << op.latency_cycles
         << ", " << num(op.energy_pj) << " pJ";
      if (!op.sequence.empty()) {
        os << " (=";
        for (const auto& [sub, c] : op.sequence) os << " " << c << " " << sub;
        os << ")";
      }
      if (!op.pattern_text.empty()) os << ", fused: " << op.pattern_text;
      if (!op.functional_unit.empty()) os << ", on " << op.functional_unit;
      os << "\n";
      sources.insert(op.energy_source);
    }
  }
  os << pad << "area " << num(n.area_um2) << " um^2 per instance\n";
  if (!n.energy_source.empty()) sources.insert(n.energy_source);
  for (int c : n.children) print_node(a, c, depth + 1, os, sources);
}

}  // namespace

void describe_arch(const std::string& file, bool json, std::ostream& os) {
  arch::Architecture a = arch::load_arch(file);
  if (json) {
    nlohmann::json j{{"architecture", a.name}, {"clock_mhz", a.clock_mhz}, {"technology", a.technology},
                     {"area_um2", a.total_area_um2()}};
    for (const auto& n : a.nodes) {
      nlohmann::json nj{{"name", n.name}, {"class", arch::node_class_name(n.cls)}, {"instances", n.instances},
                        {"mesh", {n.mesh.x, n.mesh.y}}, {"area_um2", n.area_um2}};
      if (n.parent >= 0) nj["parent"] = a.nodes[n.parent].name;
      if (n.is_storage()) {
        nj["size_words"] = n.size_words;
        nj["word_bits"] = n.word_bits;
        nj["read_pj"] = n.read_pj;
        nj["write_pj"] = n.write_pj;
        if (n.cls == arch::NodeClass::kDram) nj["bandwidth_gbps"] = n.bandwidth_gbps;
        if (n.dram_standard && n.dram_standard->pim.enabled()) {
          const arch::DramStandard& d = *n.dram_standard;
          const PimSummary p = pim_summary(d);
          nj["pim"] = {{"command_set", arch::pim_command_set_name(d.pim.command_set)}, {"units", p.units},
                       {"lanes", p.lanes}, {"datatype", d.pim.datatype}, {"accumulate", d.pim.accumulate},
                       {"peak_macs_per_second", p.macs_per_second}, {"global_buffer_bytes", d.pim.global_buffer_bytes},
                       {"result_latches", d.pim.result_latches}};
        }
      } else {
        for (const auto& op : n.ops) {
          nj["ops"][op.name] = {{"issue_cycles", op.issue_cycles}, {"latency_cycles", op.latency_cycles},
                                {"energy_pj", op.energy_pj}};
          if (!op.pattern_text.empty()) nj["ops"][op.name]["pattern"] = op.pattern_text;
          if (!op.functional_unit.empty()) nj["ops"][op.name]["functional_unit"] = op.functional_unit;
        }
      }
      j["nodes"].push_back(nj);
    }
    os << j.dump(2) << "\n";
    return;
  }
  os << "architecture " << a.name << ": " << num(a.clock_mhz) << " MHz, technology " << a.technology << "\n\n";
  std::set<std::string> sources;
  print_node(a, a.root(), 0, os, sources);
  os << "\ntotal area " << num(a.total_area_um2() * 1e-6) << " mm^2 (on chip)\n";
  os << "\nsources of the defaults:\n";
  for (const auto& s : sources)
    if (s != "given") os << "  - " << s << "\n";
}

}  // namespace einflow::cli
