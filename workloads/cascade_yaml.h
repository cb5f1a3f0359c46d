// The YAML cascade format:
//
//   cascade:
//     name: attention-1pass
//     dtype: fp16                      # default element type
//     ranks: {E: 64, F: 64, M: 1024, P: 1024, M0: 256}
//     partitions: {M: [M1, M0]}        # M = M1 x M0, outermost first; M1 derived
//     inputs: {Q: [E, P], K: [E, M], V: [F, M]}   # or {Q: {ranks: [E, P], dtype: int8, scale: 0.5}}
//     tensors: {KF: [E, M]}            # intermediates whose shape cannot be inferred
//     einsums:
//       - BK[e,m1,m0] = K[e, m1*M0+m0]
//       - ...
//     outputs: [AV]                    # default: written tensors nothing reads
#pragma once

#include "common/yaml_node.h"
#include "workloads/cascade_spec.h"

namespace einflow::workloads {

// Reads a `cascade:` map into a spec, collecting every error into `diags`.
CascadeSpec read_cascade_spec(const YamlNode& node, Diagnostics& diags);

}  // namespace einflow::workloads
