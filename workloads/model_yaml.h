// Reading `model:` and `instance:` maps (workload.h). Internal to workloads.
#pragma once

#include "common/yaml_node.h"
#include "workloads/transformer.h"

namespace einflow::workloads {

ModelSpec read_model(const YamlNode& node, Diagnostics& diags);
InstanceSpec read_instance(const YamlNode& node, const ModelSpec& model, Diagnostics& diags);

}  // namespace einflow::workloads
