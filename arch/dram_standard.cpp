#include "arch/dram_standard.h"

namespace einflow::arch {
namespace {

// Timing as used by DRAMsim3 (first column of shared/reference/dram.md where the
// two simulators differ); JEDEC JESD79-4 (DDR4), JESD235 (HBM2), JESD250 (GDDR6).
// Energy per bit: the commonly used off-chip figures listed there (HBM2 3.9 pJ/bit
// from O'Connor et al., "Fine-Grained DRAM", MICRO 2017; DDR4 15-20 pJ/bit, lower
// end taken; GDDR6 7.5 pJ/bit).
const char* kTimingSource = "DRAMsim3 configs (JEDEC JESD79-4 / JESD235 / JESD250), per reference/dram.md";

std::vector<DramStandard> make_standards() {
  std::vector<DramStandard> s;
  {
    DramStandard d;
    d.name = "DDR4-2400";
    d.timing = {0.833, 17, 12, 17, 17, 17, 39, 56, 4, 6, 4, 6, 26, 9360, 420};
    d.burst_length = 8;
    d.bus_bits = 64;
    d.access_bytes = 64;
    d.channels = 1;
    d.channel_gbps = 19.2;
    d.pj_per_bit = 15.0;
    d.timing_source = kTimingSource;
    d.energy_source = "reference/dram.md: DDR4 15-20 pJ/bit (lower end)";
    s.push_back(d);
  }
  {
    DramStandard d;
    d.name = "HBM2";
    d.timing = {1.0, 14, 4, 14, 12, 14, 34, 48, 1, 2, 4, 4, 15, 3900, 260};
    d.burst_length = 4;
    d.bus_bits = 128;
    d.access_bytes = 64;
    d.channels = 8;
    d.channel_gbps = 32.0;  // 256 GB/s per stack over 8 channels
    d.pj_per_bit = 3.9;
    d.timing_source = kTimingSource;
    d.energy_source = "O'Connor et al., MICRO 2017 (HBM2 3.9 pJ/bit), per reference/dram.md";
    s.push_back(d);
  }
  {
    DramStandard d;
    d.name = "GDDR6";
    d.timing = {0.66, 24, 16, 24, 16, 24, 53, 78, 2, 4, 8, 8, 29, 3333, 126};
    d.burst_length = 16;
    d.bus_bits = 16;
    d.access_bytes = 32;
    d.channels = 2;
    d.channel_gbps = 28.0;  // 14 Gb/s per pin x 16 pins
    d.pj_per_bit = 7.5;
    d.timing_source = kTimingSource;
    d.energy_source = "reference/dram.md: GDDR6 7.5 pJ/bit";
    s.push_back(d);
  }
  return s;
}

const std::vector<DramStandard>& standards() {
  static const std::vector<DramStandard> s = make_standards();
  return s;
}

}  // namespace

std::optional<DramStandard> find_dram_standard(const std::string& name) {
  for (const auto& d : standards())
    if (d.name == name) return d;
  return std::nullopt;
}

std::vector<std::string> dram_standard_names() {
  std::vector<std::string> names;
  for (const auto& d : standards()) names.push_back(d.name);
  return names;
}

}  // namespace einflow::arch
