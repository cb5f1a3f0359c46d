#include "sim/cycle/dram/traffic.h"

#include <chrono>
#include <cmath>
#include <random>

#include "common/error.h"
#include "sim/cycle/dram/dram_system.h"

namespace einflow::sim::dram {
namespace {

// Issues the requests, keeping at most `outstanding` in flight.
class Generator : public Component {
 public:
  Generator(DramSystem& sys, const TrafficConfig& cfg) : m_sys(sys), m_cfg(cfg), m_rng(cfg.seed) {
    m_lines = sys.map().capacity_bytes() / static_cast<uint64_t>(sys.standard().access_bytes);
    draw();
  }
  void tick(uint64_t now) override {
    while (m_issued < m_cfg.requests && m_outstanding < m_cfg.outstanding &&
           m_sys.channel(m_channel).can_accept()) {
      m_sys.enqueue(m_issued, m_addr, m_write, now);
      ++m_issued;
      ++m_outstanding;
      draw();
    }
  }
  uint64_t next_busy_cycle(uint64_t now) const override {
    return m_issued < m_cfg.requests && m_outstanding < m_cfg.outstanding &&
                   m_sys.channel(m_channel).can_accept()
               ? now
               : kNever;
  }
  void done(const Completion& c) {
    --m_outstanding;
    m_last = std::max(m_last, c.cycle);
  }
  uint64_t last() const { return m_last; }

 private:
  void draw() {
    uint64_t line = m_cfg.pattern == Pattern::kStream
                        ? m_issued % m_lines
                        : std::uniform_int_distribution<uint64_t>(0, m_lines - 1)(m_rng);
    m_addr = line * static_cast<uint64_t>(m_sys.standard().access_bytes);
    m_channel = static_cast<size_t>(m_sys.map().decode(m_addr).channel);
    m_write = m_cfg.write_fraction > 0 &&
              std::uniform_real_distribution<double>(0, 1)(m_rng) < m_cfg.write_fraction;
  }

  DramSystem& m_sys;
  const TrafficConfig& m_cfg;
  std::mt19937_64 m_rng;
  uint64_t m_lines = 1;
  uint64_t m_issued = 0;
  int m_outstanding = 0;
  uint64_t m_addr = 0;
  size_t m_channel = 0;
  bool m_write = false;
  uint64_t m_last = 0;
};

}  // namespace

TrafficResult run_traffic(const arch::DramStandard& s, const TrafficConfig& cfg) {
  std::string error;
  auto map = AddressMap::parse(cfg.address_mapping, s, error);
  if (!map) throw UserError(SourceLoc{"--address-mapping", 0, 0}, error);
  if (cfg.requests == 0)
    throw UserError(SourceLoc{"--requests", 0, 0}, "needs at least one request");
  if (cfg.outstanding < 1)
    throw UserError(SourceLoc{"--outstanding", 0, 0}, "needs at least one outstanding request");

  Generator* gen_ptr = nullptr;
  DramSystem sys(s, cfg.controller, *map, [&gen_ptr](const Completion& c) { gen_ptr->done(c); });
  Generator gen(sys, cfg);
  gen_ptr = &gen;

  Engine engine;
  int domain = engine.add_domain(s.name, 1000.0 / s.timing.tck_ns);
  engine.add_component(domain, &gen);  // requests arrive before the controllers schedule
  sys.add_to(engine, domain);

  auto t0 = std::chrono::steady_clock::now();
  engine.run();
  TrafficResult r;
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EINFLOW_ASSERT(sys.idle(), "DRAM traffic ended with requests in flight");

  r.cycles = gen.last() + 1;
  r.seconds = static_cast<double>(r.cycles) * s.timing.tck_ns * 1e-9;
  r.stats = sys.stats();
  r.energy = sys.energy(r.cycles);
  r.energy_pj = r.energy.total();
  r.activations = engine.activations(domain);
  const double bytes = static_cast<double>(cfg.requests) * s.access_bytes;
  r.bandwidth_gbps = bytes / (r.seconds * 1e9);
  r.row_hit_rate = r.stats.row_hit_rate();
  if (r.stats.reads > 0) {
    r.avg_read_latency_ns = static_cast<double>(r.stats.read_latency_sum) /
                            static_cast<double>(r.stats.reads) * s.timing.tck_ns;
    const uint64_t target =
        static_cast<uint64_t>(std::ceil(0.99 * static_cast<double>(r.stats.reads)));
    uint64_t seen = 0;
    for (size_t lat = 0; lat < r.stats.read_latency_hist.size(); ++lat) {
      seen += r.stats.read_latency_hist[lat];
      if (seen >= target) {
        r.p99_read_latency_ns = static_cast<double>(lat) * s.timing.tck_ns;
        break;
      }
    }
  }
  return r;
}

}  // namespace einflow::sim::dram
