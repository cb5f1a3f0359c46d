// DRAM standards with full timing, for the cycle-accurate DRAM model; the
// analytical model uses only the bandwidth and the energy per bit.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace einflow::arch {

// Timing in clock cycles of tck_ns unless the name says otherwise.
struct DramTiming {
  double tck_ns = 1;
  int cl = 0, cwl = 0;
  int trcd_rd = 0, trcd_wr = 0;
  int trp = 0, tras = 0, trc = 0;
  int tccd_s = 0, tccd_l = 0;
  int trrd_s = 0, trrd_l = 0;
  int tfaw = 0;
  int trefi = 0, trfc = 0;
};

struct DramStandard {
  std::string name;             // "DDR4-2400", "HBM2", "GDDR6"
  DramTiming timing;
  int burst_length = 8;
  int bus_bits = 64;            // per channel (HBM2: 128)
  int access_bytes = 64;        // bytes per column command
  int channels = 1;             // per device or stack
  double channel_gbps = 0;      // peak bandwidth per channel, 1e9 bytes/s
  double pj_per_bit = 0;        // off-chip access energy
  std::string timing_source;
  std::string energy_source;
};

// The built-in standards; nullopt for an unknown name.
std::optional<DramStandard> find_dram_standard(const std::string& name);
std::vector<std::string> dram_standard_names();

}  // namespace einflow::arch
