// Measured times beside the model's: a study names a CSV (`measured:` in
// SWEEP.yaml) that a run on real hardware wrote, e.g.
// `einflow_bench_cuda --measure FILE` on a GPU. `einflow sweep` checks it and
// keeps a copy beside the results (DIR/measured.csv); `einflow report` joins
// each row to the records with the same design, architecture, phase, batch,
// sequence length and causal flag, as the figures measured_seconds and
// measured_over_model (measured / the model's seconds). Joining at report
// time means a file measured after the sweep ran shows up on a resumed sweep
// (which copies it again) without re-evaluating points.
// Columns: design,arch,phase,batch,seq_len,causal,measured_seconds[,device];
// an empty causal matches either.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace einflow::sweep {

struct Measurements {
  struct Row {
    std::string design, arch, phase, causal, device;
    int64_t batch = 0, seq_len = 0;
    double seconds = 0;
  };
  std::vector<Row> rows;

  std::optional<double> find(const std::string& design, const std::string& arch, const std::string& phase,
                             int64_t batch, int64_t seq_len, bool causal) const;
};

// The file's rows; UserError at file:line:col for a malformed or repeated one.
Measurements read_measurements(const std::string& path);

// Where a sweep's output directory keeps its copy of the measurements.
std::string measured_copy_path(const std::string& dir);

// The preset a GPU of this name stands for in the studies ("a100", "h100",
// "t4": a word of the name, alone or before a '-'), else the name in lower
// case (which matches no preset).
std::string preset_for_device(const std::string& device_name);

}  // namespace einflow::sweep
