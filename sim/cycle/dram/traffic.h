// The standalone DRAM traffic mode (`einflow dram`): N requests of one access
// each, sequential or uniformly random over the device, at most W outstanding,
// run on the command-level model; reports what the open DRAM simulators report,
// so the model can be compared with them on the same traffic.
#pragma once

#include <cstdint>
#include <string>

#include "sim/cycle/dram/controller.h"

namespace einflow::sim::dram {

enum class Pattern { kStream, kRandom };

struct TrafficConfig {
  Pattern pattern = Pattern::kStream;
  uint64_t requests = 100000;
  int outstanding = 16;
  double write_fraction = 0;  // of requests, drawn at random
  uint64_t seed = 1;
  std::string address_mapping = kDefaultAddressMapping;
  ControllerConfig controller;
};

struct TrafficResult {
  uint64_t cycles = 0;  // DRAM clock cycles until the last request completed
  double seconds = 0;
  double bandwidth_gbps = 0;  // 1e9 bytes/s
  double avg_read_latency_ns = 0;
  double p99_read_latency_ns = 0;
  double row_hit_rate = 0;
  double energy_pj = 0;
  DramEnergy energy;
  ChannelStats stats;
  uint64_t activations = 0;  // times the engine ran the DRAM clock domain
  double wall_seconds = 0;
};

// Throws UserError for a bad address mapping or an empty run.
TrafficResult run_traffic(const arch::DramStandard& s, const TrafficConfig& cfg);

}  // namespace einflow::sim::dram
