#include <sstream>

#include "mappers/mapping/body.h"

namespace einflow::mapping {
namespace {

void write_loops(std::ostringstream& os, const std::string& in, const char* key, const std::vector<Loop>& loops,
                 const workloads::Cascade& c, bool spatial) {
  if (loops.empty()) return;
  os << in << "      " << key << ": [";
  for (size_t i = 0; i < loops.size(); ++i) {
    os << (i ? ", " : "") << "{" << c.ranks[loops[i].rank].name << ": " << loops[i].factor;
    if (spatial) os << ", axis: " << (loops[i].axis == Axis::kX ? "x" : "y");
    os << "}";
  }
  os << "]\n";
}

void write_tensors(std::ostringstream& os, const std::string& in, const char* key, const std::vector<int>& tensors,
                   const workloads::Cascade& c) {
  if (tensors.empty()) return;
  os << in << "      " << key << ": [";
  for (size_t i = 0; i < tensors.size(); ++i) os << (i ? ", " : "") << c.tensors[tensors[i]].name;
  os << "]\n";
}

}  // namespace

void write_mapping_body(std::ostringstream& os, const std::string& in, const std::string& first, const Mapping& m,
                        const workloads::Cascade& c, const arch::Architecture& a) {
  os << first << "einsum: " << m.einsum_name << "\n";
  if (!m.variant.empty()) os << in << "  variant: " << m.variant << "\n";
  os << in << "  compute: " << a.nodes[m.compute].name << "\n";
  if (m.imperfect) os << in << "  imperfect: true\n";
  if (!m.pim_layout.empty()) os << in << "  layout: " << m.pim_layout << "\n";
  os << in << "  levels:\n";
  for (const auto& l : m.levels) {
    os << in << "    - target: " << a.nodes[l.node].name << "\n";
    write_loops(os, in, "temporal", l.temporal, c, false);
    write_loops(os, in, "spatial", l.spatial, c, true);
    write_tensors(os, in, "keep", l.keep, c);
    write_tensors(os, in, "bypass", l.bypass, c);
    if (!l.first_bank.empty()) {
      os << in << "      first_bank: {";
      for (size_t i = 0; i < l.first_bank.size(); ++i)
        os << (i ? ", " : "") << c.tensors[static_cast<size_t>(l.first_bank[i].first)].name << ": "
           << l.first_bank[i].second;
      os << "}\n";
    }
  }
}

std::string write_mapping(const Mapping& m, const workloads::Cascade& c, const arch::Architecture& a) {
  std::ostringstream os;
  os << "mapping:\n";
  write_mapping_body(os, "", "  ", m, c, a);
  return os.str();
}

}  // namespace einflow::mapping
