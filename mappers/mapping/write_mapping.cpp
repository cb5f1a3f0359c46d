#include <sstream>

#include "mappers/mapping/mapping.h"

namespace einflow::mapping {
namespace {

void write_loops(std::ostringstream& os, const char* key, const std::vector<Loop>& loops,
                 const workloads::Cascade& c, bool spatial) {
  if (loops.empty()) return;
  os << "      " << key << ": [";
  for (size_t i = 0; i < loops.size(); ++i) {
    os << (i ? ", " : "") << "{" << c.ranks[loops[i].rank].name << ": " << loops[i].factor;
    if (spatial) os << ", axis: " << (loops[i].axis == Axis::kX ? "x" : "y");
    os << "}";
  }
  os << "]\n";
}

void write_tensors(std::ostringstream& os, const char* key, const std::vector<int>& tensors,
                   const workloads::Cascade& c) {
  if (tensors.empty()) return;
  os << "      " << key << ": [";
  for (size_t i = 0; i < tensors.size(); ++i) os << (i ? ", " : "") << c.tensors[tensors[i]].name;
  os << "]\n";
}

}  // namespace

std::string write_mapping(const Mapping& m, const workloads::Cascade& c, const arch::Architecture& a) {
  std::ostringstream os;
  os << "mapping:\n";
  os << "  einsum: " << m.einsum_name << "\n";
  if (!m.variant.empty()) os << "  variant: " << m.variant << "\n";
  os << "  compute: " << a.nodes[m.compute].name << "\n";
  if (m.imperfect) os << "  imperfect: true\n";
  os << "  levels:\n";
  for (const auto& l : m.levels) {
    os << "    - target: " << a.nodes[l.node].name << "\n";
    write_loops(os, "temporal", l.temporal, c, false);
    write_loops(os, "spatial", l.spatial, c, true);
    write_tensors(os, "keep", l.keep, c);
    write_tensors(os, "bypass", l.bypass, c);
  }
  return os.str();
}

}  // namespace einflow::mapping
