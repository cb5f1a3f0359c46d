// Every row of the DRAM timing table, checked on both sides of its bound by one
// generic scenario, so that a new row is tested the day it is added. The row is
// made the binding one by lengthening its last term by 200 cycles (DDR4-2400
// otherwise): after its `from` command at cycle 10000 (and, for tRC, the PRE
// that an ACT to an open bank needs), its `to` command on a bank in its scope is illegal one cycle
// before `from + the row's cycles` and legal at it. The expected bound is the row's own sum of
// standard fields, worked from the standard, not read back from ChannelTiming.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "arch/dram_standard.h"
#include "sim/cycle/dram/timing.h"

namespace einflow::sim::dram {
namespace {

Address bank_at(int bankgroup, int bank, int64_t row) {
  Address a;
  a.bankgroup = bankgroup;
  a.bank = bank;
  a.row = row;
  return a;
}

Command command_of(Kind k) {
  switch (k) {
    case Kind::kAct:
      return Command::kAct;
    case Kind::kPre:
      return Command::kPre;
    case Kind::kRd:
      return Command::kRd;
    case Kind::kWr:
      return Command::kWr;
    case Kind::kRef:
    case Kind::kCount:
      break;
  }
  return Command::kRef;
}

bool needs_open(Kind k) {
  return k == Kind::kPre || k == Kind::kRd || k == Kind::kWr;
}

TEST(DramConstraints, EveryRowOnBothSidesOfItsBound) {
  const arch::DramStandard base = *arch::find_dram_standard("DDR4-2400");
  ASSERT_FALSE(timing_constraints().empty());
  for (const Constraint& row : timing_constraints()) {
    SCOPED_TRACE(row.name);
    arch::DramStandard s = base;
    s.timing.*(row.terms.back()) += 200;
    int64_t bound = 0;
    for (int arch::DramTiming::*term : row.terms) bound += s.timing.*term;
    ChannelTiming t(s);
    // `from` on bank 0 of group 0; `to` on the same bank, another bank of the
    // group, or a bank of another group, as the row's scope says.
    const Address from = bank_at(0, 0, 5);
    const Address to = row.scope == Scope::kBank    ? from
                       : row.scope == Scope::kGroup ? bank_at(0, 1, 5)
                                                    : bank_at(1, 0, 5);
    if (needs_open(row.to) && row.scope != Scope::kBank) t.issue(Command::kAct, to, 0);
    if (needs_open(row.from)) t.issue(Command::kAct, from, 1000);
    const uint64_t when = 10000;
    ASSERT_TRUE(t.legal(command_of(row.from), from, when));
    t.issue(command_of(row.from), from, when);
    // An ACT to a bank that `from` left open (tRC) waits for its PRE, issued as early as allowed.
    if (row.to == Kind::kAct && t.open_row(to) >= 0)
      t.issue(Command::kPre, to, t.earliest(Command::kPre, to));
    const Command next = command_of(row.to);
    const uint64_t at = when + static_cast<uint64_t>(bound);
    EXPECT_EQ(t.earliest(next, to), at);
    EXPECT_FALSE(t.legal(next, to, at - 1));
    EXPECT_TRUE(t.legal(next, to, at));
  }
}

// The rows a reviewer would look for, by name: the table covers them.
TEST(DramConstraints, TheTableNamesEveryJedecPairwiseConstraint) {
  std::vector<std::string> names;
  for (const Constraint& c : timing_constraints()) names.push_back(c.name);
  for (const char* want :
       {"tRCD_RD", "tRCD_WR", "tRAS", "tRC", "tRRD_L", "tRRD_S", "tRP", "tRTP", "tWR", "tWTR_L",
        "tWTR_S", "tCCD_L (RD to RD)", "tCCD_S (WR to WR)", "tRFC (to ACT)"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
}

}  // namespace
}  // namespace einflow::sim::dram
