// The clock-domain driver ticks components only at their busy cycles.
#include "sim/cycle/engine.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace einflow::sim {
namespace {

// Busy at a fixed set of cycles; records when it was ticked.
class Scripted : public Component {
 public:
  explicit Scripted(std::set<uint64_t> busy) : m_busy(std::move(busy)) {}
  void tick(uint64_t now) override { ticks.push_back(now); }
  uint64_t next_busy_cycle(uint64_t now) const override {
    auto it = m_busy.lower_bound(now);
    return it == m_busy.end() ? kNever : *it;
  }
  std::vector<uint64_t> ticks;

 private:
  std::set<uint64_t> m_busy;
};

TEST(Engine, SkipsIdleCyclesAndKeepsOrder) {
  Engine e;
  int fast = e.add_domain("core", 1000.0);  // 1 ns period
  int slow = e.add_domain("dram", 250.0);   // 4 ns period
  Scripted a({0, 1, 7, 1000}), b({7, 8}), c({2, 3});
  e.add_component(fast, &a);
  e.add_component(fast, &b);
  e.add_component(slow, &c);
  uint64_t ps = e.run();
  EXPECT_EQ(a.ticks, (std::vector<uint64_t>{0, 1, 7, 1000}));
  EXPECT_EQ(b.ticks, (std::vector<uint64_t>{7, 8}));
  EXPECT_EQ(c.ticks, (std::vector<uint64_t>{2, 3}));
  // Busy cycles of the core domain: 0, 1, 7, 8, 1000 -> five activations, not 1001.
  EXPECT_EQ(e.activations(fast), 5u);
  EXPECT_EQ(e.cycles(fast), 1001u);
  EXPECT_EQ(e.cycles(slow), 4u);
  EXPECT_EQ(ps, 1000000u);  // the last event: core cycle 1000 at 1000 ns
}

TEST(Engine, NonIntegerPeriodsDoNotDrift) {
  Engine e;
  int d = e.add_domain("fusemax", 940.0);  // 1063.83 ps per cycle
  Scripted a({0, 940000});
  e.add_component(d, &a);
  uint64_t ps = e.run();
  EXPECT_EQ(a.ticks, (std::vector<uint64_t>{0, 940000}));
  EXPECT_EQ(ps, 1000000000u);  // 940,000 cycles at 940 MHz = 1 ms exactly
}

TEST(Engine, RunsTwiceInOneProcess) {
  for (int run = 0; run < 2; ++run) {
    Engine e;
    int d = e.add_domain("core", 500.0);
    Scripted a({3});
    e.add_component(d, &a);
    EXPECT_EQ(e.run(), 6000u);
    EXPECT_EQ(a.ticks, (std::vector<uint64_t>{3}));
  }
}

// SystemC keeps every process until the program exits, so engines borrow
// theirs: many runs of one engine, and many engines one after another, create
// no more processes than the most domains alive at once.
TEST(Engine, ProcessesAreReusedAcrossRunsAndEngines) {
  {
    Engine warm;  // the pool holds at least two processes from here on
    Scripted a({1}), b({2});
    warm.add_component(warm.add_domain("x", 1000.0), &a);
    warm.add_component(warm.add_domain("y", 1000.0), &b);
    warm.run();
  }
  const size_t before = Engine::processes();
  Engine long_lived;
  Scripted a({0, 2});  // each run counts its cycles from 0 again
  long_lived.add_component(long_lived.add_domain("core", 1000.0), &a);
  for (int run = 0; run < 200; ++run) EXPECT_EQ(long_lived.run(), 2000u);
  EXPECT_EQ(a.ticks.size(), 400u);
  EXPECT_EQ(Engine::processes(), before);  // one engine, one domain: a process it borrowed
  for (int engine = 0; engine < 200; ++engine) {
    Engine e;
    Scripted a({5});
    e.add_component(e.add_domain("core", 500.0), &a);
    EXPECT_EQ(e.run(), 10000u);
  }
  EXPECT_EQ(Engine::processes(), before);
}

}  // namespace
}  // namespace einflow::sim
