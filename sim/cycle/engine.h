// The cycle engine's driver (DESIGN §5): SystemC is the event kernel, used with
// one method process per clock domain that ticks plain C++ components in a fixed
// order and re-arms itself at the next cycle at which any of them has work, so
// idle cycles cost nothing. SystemC stays out of this header.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

namespace einflow::sim {

inline constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

// A piece of hardware that advances one cycle of its clock domain at a time.
class Component {
 public:
  virtual ~Component() = default;
  // Does the work of cycle `now`; called only when next_busy_cycle(now) == now.
  virtual void tick(uint64_t now) = 0;
  // The earliest cycle >= now at which tick() has work; kNever when idle for good.
  virtual uint64_t next_busy_cycle(uint64_t now) const = 0;
};

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Adds a clock domain at `freq_mhz`; returns its id.
  int add_domain(const std::string& name, double freq_mhz);
  // Components of a domain are ticked in the order they were added (not owned).
  void add_component(int domain, Component* component);
  // Runs until every component is idle for good. Returns the simulated time in ps.
  uint64_t run();
  // Cycles the domain ran (its last busy cycle + 1) and how often its method ran.
  uint64_t cycles(int domain) const;
  uint64_t activations(int domain) const;
  // SystemC processes that engines have created in this program: one per
  // domain alive at once, reused across runs and engines (never one per run).
  static size_t processes();

 private:
  struct Impl;
  // One busy cycle of domain `domain`: tick the components that have work, then
  // re-arm the domain's process at its next busy cycle.
  static void step(Impl& impl, size_t domain);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace einflow::sim
