// Measured times joined to a sweep's points: a study names a CSV (`measured:`
// in SWEEP.yaml) that a run on real hardware wrote, e.g.
// `einflow_bench_cuda --measure FILE` on a GPU, and each point whose design,
// architecture, batch, sequence length and causal flag match a row gets the
// figures measured_seconds and measured_over_model (measured / the model's
// seconds), so the report shows the measurement beside the model's time.
// Columns: design,arch,batch,seq_len,causal,measured_seconds[,device];
// an empty causal matches either.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace einflow::sweep {

struct Measurements {
  struct Row {
    std::string design, arch, causal, device;
    int64_t batch = 0, seq_len = 0;
    double seconds = 0;
  };
  std::vector<Row> rows;

  std::optional<double> find(const std::string& design, const std::string& arch, int64_t batch, int64_t seq_len,
                             bool causal) const;
};

// The preset a GPU of this name stands for in the studies ("a100", "h100",
// "t4"), else the name in lower case (which matches no preset).
std::string preset_for_device(const std::string& device_name);

// The file's rows; UserError at file:line:col for a malformed one.
Measurements read_measurements(const std::string& path);

}  // namespace einflow::sweep
