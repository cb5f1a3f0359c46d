#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "sim/cycle/engine.h"

#include <systemc>

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "common/error.h"

namespace einflow::sim {

namespace {

// A clock domain's method process. SystemC keeps a process (and the event it
// is sensitive to) for the kernel's lifetime, so processes are created once
// and lent out: an engine borrows one per domain and gives it back when it is
// destroyed, and each run re-arms it with its event. The number of processes
// is the most domains alive at once, however many runs, transfers and engines.
struct Process {
  sc_core::sc_event kick;
  std::function<void()> step;  // the borrowing domain's cycle; empty when free
};

std::vector<std::unique_ptr<Process>>& process_pool() {
  static std::vector<std::unique_ptr<Process>> pool;
  return pool;
}

Process* borrow_process() {
  for (auto& p : process_pool())
    if (!p->step) return p.get();
  process_pool().push_back(std::make_unique<Process>());
  Process* p = process_pool().back().get();
  sc_core::sc_spawn_options opts;
  opts.spawn_method();
  opts.dont_initialize();
  opts.set_sensitivity(&p->kick);
  sc_core::sc_spawn([p]() { if (p->step) p->step(); }, sc_core::sc_gen_unique_name("einflow_domain"), &opts);
  return p;
}

}  // namespace

struct Engine::Impl {
  struct Domain {
    std::string name;
    double freq_mhz = 0;
    std::vector<Component*> components;
    uint64_t cycles = 0;
    uint64_t activations = 0;
    uint64_t scheduled = kNever;  // the cycle the domain's method runs next
    Process* process = nullptr;   // borrowed from the pool for the engine's lifetime
  };
  std::vector<Domain> domains;
};

namespace {

// Absolute time of cycle c in ps, rounded, so that periods that are not whole
// picoseconds (940 MHz) do not drift.
uint64_t cycle_ps(uint64_t c, double freq_mhz) {
  return static_cast<uint64_t>(std::llround(static_cast<double>(c) * 1e6 / freq_mhz));
}

// The kernel's current time in ps.
uint64_t kernel_ps() { return static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5); }

uint64_t next_busy(const std::vector<Component*>& comps, uint64_t from) {
  uint64_t next = kNever;
  for (const Component* c : comps) next = std::min(next, c->next_busy_cycle(from));
  return next;
}

}  // namespace

Engine::Engine() : m_impl(std::make_unique<Impl>()) {}
Engine::~Engine() {
  for (auto& d : m_impl->domains)
    if (d.process) d.process->step = nullptr;  // back to the pool
}

// Leaves the process waiting for its event when every component is idle for good.
void Engine::step(Impl& impl, size_t domain) {
  Impl::Domain& dom = impl.domains[domain];
  const uint64_t cycle = dom.scheduled;
  ++dom.activations;
  for (Component* c : dom.components)
    if (c->next_busy_cycle(cycle) == cycle) c->tick(cycle);
  dom.cycles = cycle + 1;
  const uint64_t next = next_busy(dom.components, cycle + 1);
  dom.scheduled = next;
  if (next != kNever)
    sc_core::next_trigger(sc_core::sc_time(
        static_cast<double>(cycle_ps(next, dom.freq_mhz) - cycle_ps(cycle, dom.freq_mhz)), sc_core::SC_PS));
}

size_t Engine::processes() { return process_pool().size(); }

int Engine::add_domain(const std::string& name, double freq_mhz) {
  EINFLOW_ASSERT(freq_mhz > 0, "clock domain '" + name + "' needs a positive frequency");
  Impl::Domain d;
  d.name = name;
  d.freq_mhz = freq_mhz;
  m_impl->domains.push_back(d);
  return static_cast<int>(m_impl->domains.size()) - 1;
}

void Engine::add_component(int domain, Component* component) {
  m_impl->domains.at(static_cast<size_t>(domain)).components.push_back(component);
}

uint64_t Engine::run() {
  // Times are relative to the kernel's time when the run starts, so one
  // program can simulate many designs (and one engine many runs).
  const uint64_t start_ps = kernel_ps();
  for (size_t i = 0; i < m_impl->domains.size(); ++i) {
    Impl::Domain& d = m_impl->domains[i];
    const uint64_t first = next_busy(d.components, 0);
    if (first == kNever) continue;
    d.scheduled = first;
    if (!d.process) {
      d.process = borrow_process();
      d.process->step = [impl = m_impl.get(), i]() { step(*impl, i); };
    }
    d.process->kick.notify(sc_core::sc_time(static_cast<double>(cycle_ps(first, d.freq_mhz)), sc_core::SC_PS));
  }
  sc_core::sc_start();  // until no event is left
  return kernel_ps() - start_ps;
}

uint64_t Engine::cycles(int domain) const { return m_impl->domains.at(static_cast<size_t>(domain)).cycles; }
uint64_t Engine::activations(int domain) const {
  return m_impl->domains.at(static_cast<size_t>(domain)).activations;
}

}  // namespace einflow::sim

// libsystemc references sc_main from its own main(); einflow has its own main and
// drives the kernel through Engine::run, so this entry point is never called.
int sc_main(int, char**) { return 0; }
