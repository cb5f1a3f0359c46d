// The command-level DRAM as the root's link of the cycle model
// (`einflow simulate --dram-timing`): each transfer's words become line
// requests of the standard's access size (64 B on DDR4 and HBM2, 32 B on HBM3,
// GDDR6 and LPDDR5), issued through the channel
// controllers at most a queue's depth at a time per channel and timed by the
// SystemC engine; the DRAM's state (open rows, refresh) carries over from one
// transfer to the next.
#pragma once

#include <memory>

#include "arch/arch.h"
#include "sim/cycle/dram/controller.h"
#include "sim/cycle/root_link.h"

namespace einflow::sim::dram {

struct DramLinkStats {
  uint64_t transfers = 0;
  uint64_t read_lines = 0, write_lines = 0;
  double cycles = 0;       // core cycles the DRAM was busy with transfers
  double peak_cycles = 0;  // the same words at the peak bandwidth
  ChannelStats channels;   // the commands, row hits and latencies
  double energy_pj = 0;    // from the command stream (standby while busy)
};

class DramLink : public cycle::RootLink {
 public:
  // `dram`: the architecture's DRAM node, with a standard; `core_mhz`: the
  // clock of the cycle model. Throws UserError on an unknown address mapping.
  DramLink(const arch::Node& dram, double core_mhz, const ControllerConfig& cfg = {},
           const std::string& address_mapping = "ro-ra-ba-bg-ch-co");
  ~DramLink() override;

  int word_bytes() const override;
  double transfer(double start, const std::vector<uint64_t>& reads,
                  const std::vector<uint64_t>& writes) override;
  double peak_cycles(size_t read_words, size_t write_words) const override;
  DramLinkStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace einflow::sim::dram
