#include "arch/arch.h"

#include <algorithm>
#include <cmath>

namespace einflow::arch {

const char* node_class_name(NodeClass c) {
  switch (c) {
    case NodeClass::kDram: return "dram";
    case NodeClass::kSram: return "sram";
    case NodeClass::kRegfile: return "regfile";
    case NodeClass::kCompute: return "compute";
  }
  return "?";
}

const OpSpec* Node::find_op(const std::string& op) const {
  for (const auto& o : ops)
    if (o.name == op) return &o;
  return nullptr;
}

double Node::access_energy(double words, double instances, double pj) const {
  if (block_words <= 1 && cluster <= 1) return words * pj;
  if (words <= 0) return 0;
  const double inst = std::max(1.0, instances);
  const double accesses = std::ceil(words / inst / static_cast<double>(block_words) - 1e-9);
  const double clusters = std::min(inst, std::max(1.0, std::floor(static_cast<double>(this->instances) /
                                                                     static_cast<double>(cluster))));
  return accesses * clusters * pj;
}

double Node::PortCycles::busiest() const { return std::max({read, write, banks, bank_read, bank_write}); }

Node::PortCycles Node::port_cycles(double reads, double writes) const {
  PortCycles p;
  if (read_bandwidth > 0) p.read = reads / read_bandwidth;
  if (write_bandwidth > 0) p.write = writes / write_bandwidth;
  const double nb = static_cast<double>(banks);
  if (ports_per_bank > 0) p.banks = (reads + writes) / (nb * static_cast<double>(ports_per_bank));
  if (separate_bank_ports()) {
    p.bank_read = reads / (nb * static_cast<double>(read_ports_per_bank));
    p.bank_write = writes / (nb * static_cast<double>(write_ports_per_bank));
  }
  return p;
}

int Architecture::find(const std::string& n) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == n) return static_cast<int>(i);
  return -1;
}

std::vector<int> Architecture::compute_units() const {
  std::vector<int> out;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].cls == NodeClass::kCompute) out.push_back(static_cast<int>(i));
  return out;
}

std::vector<int> Architecture::host_units() const {
  std::vector<int> out;
  for (int u : compute_units())
    if (!nodes[static_cast<size_t>(u)].pim) out.push_back(u);
  return out;
}

int Architecture::pim_unit() const {
  for (int u : compute_units())
    if (nodes[static_cast<size_t>(u)].pim) return u;
  return -1;
}

std::vector<int> Architecture::path_to(int leaf) const {
  std::vector<int> path;
  for (int n = leaf; n >= 0; n = nodes.at(n).parent) path.push_back(n);
  std::reverse(path.begin(), path.end());
  return path;
}

std::vector<int> Architecture::storage_path(int leaf) const {
  std::vector<int> out;
  for (int n : path_to(leaf))
    if (nodes[n].is_storage()) out.push_back(n);
  return out;
}

int64_t Architecture::fanout(int above, int below) const {
  int64_t f = 1;
  for (int n = below; n >= 0 && n != above; n = nodes.at(n).parent) f *= nodes[n].mesh.size();
  return f;
}

double Architecture::total_area_um2() const {
  double a = 0;
  for (const auto& n : nodes) a += n.area_um2 * static_cast<double>(n.instances);
  return a;
}

int Architecture::dram() const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].cls == NodeClass::kDram) return static_cast<int>(i);
  return -1;
}

int Architecture::level_of(int unit, int node) const {
  if (node < 0) return -1;
  const std::vector<int> path = storage_path(unit);
  const auto it = std::find(path.begin(), path.end(), node);
  return it == path.end() ? -1 : static_cast<int>(it - path.begin());
}

double Architecture::dram_words_per_cycle() const {
  const int d = dram();
  return d < 0 || nodes[static_cast<size_t>(d)].bandwidth_gbps <= 0 ? 0 : dram_words_per_cycle(nodes[static_cast<size_t>(d)]);
}

double Architecture::dram_words_per_cycle(const Node& dram) const {
  const double bytes_per_cycle = dram.bandwidth_gbps * 1e9 / (clock_mhz * 1e6);
  return bytes_per_cycle * 8.0 / dram.word_bits;
}

}  // namespace einflow::arch
