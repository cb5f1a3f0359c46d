// The commands of SK hynix's GDDR6-AiM and their timing, as its public
// simulator defines them (configs/dram/GDDR6-AiM.yaml cites each value):
// ACT16 opens one row in all 16 banks, ACT4 in the 4 banks of one bank group,
// MAC16 multiplies a 32-B column of every bank with the global buffer, AF16
// applies the activation function to the accumulators, EWMUL16 multiplies
// element-wise within the banks, PREA closes them, WRGB writes 32 B of the
// global buffer, WRMAC16 the 16 accumulators (the bias), RDMAC16 reads them,
// TMOD switches between the register-access mode (WRGB, WRMAC16, RDMAC16)
// and the array mode (the rest but REF). A new constraint is a row
// of aim_constraints(); tests check each on both sides of its bound.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "arch/dram_standard.h"

namespace einflow::sim::pim {

enum class AimCommand : uint8_t {
  kAct16, kPrea, kMac16, kWrgb, kWrmac16, kRdmac16, kTmod, kRef, kAct4, kAf16, kEwmul16, kCount
};
const char* aim_command_name(AimCommand c);
// Commands that need the register-access mode (the rest but TMOD and REF need the array mode).
bool aim_register_command(AimCommand c);

// After `from`, a `to` waits `cycles`: channel-wide, or, for `same_group`,
// only when both reach the same bank group (ACT4 opens one group's 4 banks;
// ACT16 and the MAC, AF and EWMUL commands reach every group).
struct AimConstraint {
  const char* name;
  AimCommand from;
  AimCommand to;
  uint64_t (*cycles)(const arch::DramStandard&);
  bool same_group = false;
};
const std::vector<AimConstraint>& aim_constraints();

class AimChannel {
 public:
  static constexpr uint64_t kForbidden = ~uint64_t{0};
  static constexpr int kGroups = 4;
  explicit AimChannel(const arch::DramStandard& s);

  // The earliest cycle `c` (to `row`, for the activations and the MAC, AF and
  // EWMUL commands; ACT4 to bank group `group`) meets every constraint, or
  // kForbidden when the state rules it out: an activation of a group already
  // open, REF with a row open, MAC16/AF16/EWMUL16 unless every group holds
  // `row`, PREA with none open, a command of the other mode.
  uint64_t earliest(AimCommand c, int64_t row = 0, int group = 0) const;
  void issue(AimCommand c, int64_t row, uint64_t now, int group = 0);
  // The row every group holds, or -1 (closed, or groups holding different rows).
  int64_t open_row() const;
  bool register_mode() const { return m_register_mode; }

 private:
  static constexpr size_t kN = static_cast<size_t>(AimCommand::kCount);
  using Next = std::array<uint64_t, kN>;
  struct Rule {
    bool has = false;
    uint64_t cycles = 0;
  };
  std::array<std::array<Rule, kN>, kN> m_channel{};  // [from][to]
  std::array<std::array<Rule, kN>, kN> m_group{};    // [from][to], same group only
  Next m_next{};
  std::array<Next, kGroups> m_group_next{};
  std::array<int64_t, kGroups> m_rows{-1, -1, -1, -1};
  bool m_register_mode = false;
};

}  // namespace einflow::sim::pim
