#include "sim/cycle/dram/dram_system.h"

namespace einflow::sim::dram {

DramSystem::DramSystem(const arch::DramStandard& s, const ControllerConfig& cfg,
                       const AddressMap& map, const ChannelController::DoneFn& done)
    : m_std(s), m_map(map) {
  for (int c = 0; c < s.channels; ++c)
    m_channels.push_back(std::make_unique<ChannelController>(s, cfg, done));
}

void DramSystem::enqueue(uint64_t id, uint64_t byte_address, bool write, uint64_t now) {
  Address a = m_map.decode(byte_address);
  m_channels[static_cast<size_t>(a.channel)]->enqueue(id, a, write, now);
}

void DramSystem::add_to(Engine& engine, int domain) {
  for (auto& c : m_channels) engine.add_component(domain, c.get());
}

ChannelStats DramSystem::stats() const {
  ChannelStats s;
  for (const auto& c : m_channels) s += c->stats();
  return s;
}

DramEnergy DramSystem::energy(uint64_t end) const {
  DramEnergy e;
  for (const auto& c : m_channels) e += c->energy(end);
  return e;
}

bool DramSystem::idle() const {
  for (const auto& c : m_channels)
    if (!c->idle()) return false;
  return true;
}

}  // namespace einflow::sim::dram
