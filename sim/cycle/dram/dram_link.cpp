#include "sim/cycle/dram/dram_link.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "sim/cycle/dram/dram_system.h"
#include "sim/cycle/engine.h"

namespace einflow::sim::dram {

namespace {

// Issues one transfer's line requests from DRAM cycle `start` on, as fast as
// the channels' queues take them.
class Feeder : public Component {
 public:
  explicit Feeder(DramSystem& sys) : m_sys(sys) {}
  void load(uint64_t start, std::vector<std::pair<uint64_t, bool>> lines) {
    m_start = start;
    m_lines = std::move(lines);
    m_next = 0;
    m_last = start;
  }
  void tick(uint64_t now) override {
    while (m_next < m_lines.size() && can_issue()) {
      m_sys.enqueue(m_next, m_lines[m_next].first, m_lines[m_next].second, now);
      ++m_next;
    }
  }
  uint64_t next_busy_cycle(uint64_t now) const override {
    if (m_next >= m_lines.size() || !can_issue()) return kNever;
    return std::max(now, m_start);
  }
  void done(const Completion& c) {
    m_last = std::max(m_last, c.cycle + 1);
  }
  uint64_t last() const { return m_last; }

 private:
  bool can_issue() const {
    const auto& [addr, write] = m_lines[m_next];
    return m_sys.channel(static_cast<size_t>(m_sys.map().decode(addr).channel)).can_accept();
  }

  DramSystem& m_sys;
  uint64_t m_start = 0;
  std::vector<std::pair<uint64_t, bool>> m_lines;
  size_t m_next = 0;
  uint64_t m_last = 0;
};

}  // namespace

struct DramLink::Impl {
  arch::DramStandard std;
  double core_mhz = 1000;
  double dram_mhz = 1000;
  double peak_bytes_per_core_cycle = 0;
  int word_bytes = 2;
  std::unique_ptr<DramSystem> sys;
  std::unique_ptr<Feeder> feeder;
  Engine engine;
  int domain = 0;
  uint64_t dram_end = 0;  // DRAM cycle the last transfer finished
  DramLinkStats stats;
};

DramLink::DramLink(const arch::Node& dram, double core_mhz, const ControllerConfig& cfg,
                   const std::string& address_mapping)
    : m_impl(std::make_unique<Impl>()) {
  EINFLOW_ASSERT(dram.dram_standard.has_value(), "DramLink needs a DRAM node with a standard");
  Impl& m = *m_impl;
  m.std = *dram.dram_standard;
  m.core_mhz = core_mhz;
  m.dram_mhz = 1000.0 / m.std.timing.tck_ns;
  m.word_bytes = std::max(1, dram.word_bits / 8);
  m.peak_bytes_per_core_cycle = dram.bandwidth_gbps * 1e9 / (core_mhz * 1e6);
  std::string error;
  auto map = AddressMap::parse(address_mapping, m.std, error);
  if (!map) throw UserError(SourceLoc{"--address-mapping", 0, 0}, error);
  Impl* self = m_impl.get();
  m.sys = std::make_unique<DramSystem>(m.std, cfg, *map,
                                       [self](const Completion& c) { self->feeder->done(c); });
  m.feeder = std::make_unique<Feeder>(*m.sys);
  m.domain = m.engine.add_domain(m.std.name, m.dram_mhz);
  m.engine.add_component(m.domain,
                         m.feeder.get());  // requests arrive before the controllers schedule
  m.sys->add_to(m.engine, m.domain);
}

DramLink::~DramLink() = default;

int DramLink::word_bytes() const {
  return m_impl->word_bytes;
}

double DramLink::transfer(double start, const std::vector<uint64_t>& reads,
                          const std::vector<uint64_t>& writes) {
  Impl& m = *m_impl;
  // Whole lines, each once per direction, in address order.
  const uint64_t line = static_cast<uint64_t>(m.std.access_bytes);
  std::vector<std::pair<uint64_t, bool>> lines;
  for (int dir = 0; dir < 2; ++dir) {
    std::vector<uint64_t> ls;
    for (uint64_t a : dir ? writes : reads) ls.push_back(a / line * line);
    std::sort(ls.begin(), ls.end());
    ls.erase(std::unique(ls.begin(), ls.end()), ls.end());
    for (uint64_t a : ls) lines.emplace_back(a, dir == 1);
    (dir ? m.stats.write_lines : m.stats.read_lines) += ls.size();
  }
  if (lines.empty()) return 0;
  // Core cycle -> DRAM cycle; transfers come in order, so the DRAM's clock only moves on.
  const uint64_t s = std::max(
      m.dram_end, static_cast<uint64_t>(std::ceil(start * m.dram_mhz / m.core_mhz - 1e-9)));
  m.feeder->load(s, std::move(lines));
  m.engine.run();
  EINFLOW_ASSERT(m.sys->idle(), "DRAM link: a transfer ended with requests in flight");
  m.dram_end = m.feeder->last();
  const double end = std::ceil(static_cast<double>(m.dram_end) * m.core_mhz / m.dram_mhz - 1e-9);
  const double cycles = std::max(0.0, end - start);
  ++m.stats.transfers;
  m.stats.cycles += cycles;
  m.stats.peak_cycles += peak_cycles(reads.size(), writes.size());
  return cycles;
}

double DramLink::peak_cycles(size_t read_words, size_t write_words) const {
  const double bytes =
      static_cast<double>((read_words + write_words) * static_cast<size_t>(m_impl->word_bytes));
  return m_impl->peak_bytes_per_core_cycle > 0
             ? std::ceil(bytes / m_impl->peak_bytes_per_core_cycle)
             : 0;
}

DramLinkStats DramLink::stats() const {
  DramLinkStats s = m_impl->stats;
  s.channels = m_impl->sys->stats();
  s.energy_pj = m_impl->sys->energy(m_impl->dram_end).total();
  return s;
}

}  // namespace einflow::sim::dram
