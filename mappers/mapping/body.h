// The body of a `mapping:` document (einsum, compute, levels), read from and
// written to any place in a YAML document: a cascade mapping's tiles use it.
#pragma once

#include <sstream>
#include <string>

#include "common/yaml_node.h"
#include "mappers/mapping/mapping.h"

namespace einflow::mapping {

Mapping read_mapping_body(const YamlNode& body, const workloads::Cascade& cascade, const arch::Architecture& arch,
                          Diagnostics& diags);

// Writes the body with every line indented by `indent`; the first line starts
// with `first` instead (e.g. "  - " inside a sequence).
void write_mapping_body(std::ostringstream& os, const std::string& indent, const std::string& first, const Mapping& m,
                        const workloads::Cascade& cascade, const arch::Architecture& arch);

}  // namespace einflow::mapping
