// A whole DRAM device (all channels of a standard) behind one address map:
// routes each request to its channel's controller.
#pragma once

#include <memory>
#include <vector>

#include "sim/cycle/dram/controller.h"

namespace einflow::sim::dram {

class DramSystem {
 public:
  DramSystem(const arch::DramStandard& s, const ControllerConfig& cfg, const AddressMap& map,
             const ChannelController::DoneFn& done);

  void enqueue(uint64_t id, uint64_t byte_address, bool write, uint64_t now);
  // Adds every channel controller to a clock domain of the DRAM's frequency.
  void add_to(Engine& engine, int domain);

  const arch::DramStandard& standard() const { return m_std; }
  const AddressMap& map() const { return m_map; }
  size_t channels() const { return m_channels.size(); }
  ChannelController& channel(size_t i) { return *m_channels[i]; }
  ChannelStats stats() const;
  DramEnergy energy(uint64_t end) const;
  bool idle() const;

 private:
  arch::DramStandard m_std;
  AddressMap m_map;
  std::vector<std::unique_ptr<ChannelController>> m_channels;
};

}  // namespace einflow::sim::dram
