// Builds a CascadeSpec from Einsum text, as a builder writes it. Each line gets
// a location "<builder:NAME>:N" so that a message can point into it.
#pragma once

#include <string>
#include <vector>

#include "workloads/cascade_spec.h"

namespace einflow::workloads {

class SpecWriter {
 public:
  SpecWriter(const std::string& builder, const std::string& name);

  void rank(const std::string& name, int64_t size);
  void partition(const std::string& rank, const std::vector<std::string>& parts);
  void input(const std::string& name, const std::vector<std::string>& ranks, double scale = 1.0);
  void declare(const std::string& name, const std::vector<std::string>& ranks);
  void einsum(const std::string& text);
  void output(const std::string& name);

  const CascadeSpec& spec() const { return m_spec; }
  CascadeSpec take() { return std::move(m_spec); }

 private:
  Name name(const std::string& text) const;

  std::string m_file;
  CascadeSpec m_spec;
  int m_line = 0;
};

}  // namespace einflow::workloads
