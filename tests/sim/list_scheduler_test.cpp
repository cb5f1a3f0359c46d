// The list scheduler on hand-worked schedules: finish and stream edges, the
// lowest-numbered ready task first, busy time per resource, a cycle refused.
#include <gtest/gtest.h>

#include "common/error.h"
#include "sim/analytical/list_scheduler.h"

namespace einflow::sim::cycle {
namespace {

// A unit (resource 0) and a DRAM (resource 1), two tiles each fed by a
// transfer of 10 cycles that streams into a computation of 4, the second
// computation after the first. By hand: D1 runs [0, 10]; C1 starts with it at
// 0 and ends no earlier than it, at 10; D2 waits for the DRAM, [10, 20]; C2 is
// released by C1's end (10) and D2's start (10), starts at 10 and ends with
// D2 at 20. The unit was busy 8 cycles, the DRAM 20.
TEST(ListScheduler, StreamedTransfersOverlapTheirComputation) {
  ListScheduler s(2);
  const int d1 = s.add(1, 10), c1 = s.add(0, 4), d2 = s.add(1, 10), c2 = s.add(0, 4);
  s.depend(d1, c1, 1, true);
  s.depend(d2, c2, 1, true);
  s.depend(c1, c2, 2);
  EXPECT_EQ(s.run(), 20);
  EXPECT_EQ(s.task(c1).start, 0);
  EXPECT_EQ(s.task(c1).end, 10);
  EXPECT_EQ(s.task(d2).start, 10);
  EXPECT_EQ(s.task(c2).start, 10);
  EXPECT_EQ(s.task(c2).end, 20);
  // C1's end and D2's start both release C2 at 10; D2 starts once C1's end
  // has been processed, and of equal times the later release is the one kept.
  EXPECT_EQ(s.task(c2).from, d2);
  EXPECT_EQ(s.work(0), 8);
  EXPECT_EQ(s.work(1), 20);
}

// Three tasks ready at once on one resource run in their numbers' order; a
// finish edge delays its successor to the predecessor's end; the duration
// hook times a task when it starts and the started hook sees when its
// resource last went idle.
TEST(ListScheduler, LowestNumberedFirstAndHooks) {
  ListScheduler s(2);
  const int a = s.add(0, 3), b = s.add(0, 5), c = s.add(0, 2), d = s.add(1, 1);
  s.depend(c, d, 0);
  std::vector<std::pair<int, double>> idle;
  ListScheduler::Hooks hooks;
  hooks.duration = [&](int x, double) { return x == d ? 7.0 : s.task(x).duration; };
  hooks.started = [&](int x, double since) { idle.emplace_back(x, since); };
  EXPECT_EQ(s.run(hooks), 17);  // a [0, 3], b [3, 8], c [8, 10], d [10, 17]
  EXPECT_EQ(s.task(a).end, 3);
  EXPECT_EQ(s.task(b).start, 3);
  EXPECT_EQ(s.task(c).start, 8);
  EXPECT_EQ(s.task(d).start, 10);
  const std::vector<std::pair<int, double>> expected = {{a, -1}, {b, 3}, {c, 8}, {d, -1}};
  EXPECT_EQ(idle, expected);
  EXPECT_EQ(s.work(1), 7);
}

TEST(ListScheduler, ACycleIsAnInternalError) {
  ListScheduler s(1);
  const int a = s.add(0, 1), b = s.add(0, 1);
  s.depend(a, b, 0);
  s.depend(b, a, 0);
  EXPECT_THROW(s.run(), InternalError);
}

}  // namespace
}  // namespace einflow::sim::cycle
