#include "workloads/spec_writer.h"

#include "workloads/parser.h"

namespace einflow::workloads {

SpecWriter::SpecWriter(const std::string& builder, const std::string& name)
    : m_file("<builder:" + builder + ">") {
  m_spec.name = name;
  m_spec.loc = SourceLoc{m_file, 0, 0};
}

Name SpecWriter::name(const std::string& text) const { return Name{text, SourceLoc{m_file, 0, 0}}; }

void SpecWriter::rank(const std::string& n, int64_t size) { m_spec.ranks.push_back(RankSpec{name(n), size}); }

void SpecWriter::partition(const std::string& rank, const std::vector<std::string>& parts) {
  PartitionSpec p;
  p.rank = name(rank);
  for (const auto& s : parts) p.parts.push_back(name(s));
  m_spec.partitions.push_back(p);
}

void SpecWriter::input(const std::string& n, const std::vector<std::string>& ranks, double scale) {
  TensorSpec t;
  t.name = name(n);
  for (const auto& r : ranks) t.ranks.push_back(name(r));
  t.input = true;
  t.init_scale = scale;
  m_spec.tensors.push_back(t);
}

void SpecWriter::declare(const std::string& n, const std::vector<std::string>& ranks) {
  TensorSpec t;
  t.name = name(n);
  for (const auto& r : ranks) t.ranks.push_back(name(r));
  t.input = false;
  m_spec.tensors.push_back(t);
}

void SpecWriter::einsum(const std::string& text) {
  m_spec.einsums.push_back(parse_einsum(text, SourceLoc{m_file, ++m_line, 1}));
}

void SpecWriter::output(const std::string& n) { m_spec.outputs.push_back(name(n)); }

}  // namespace einflow::workloads
