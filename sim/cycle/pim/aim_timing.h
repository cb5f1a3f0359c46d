// The channel-wide commands of SK hynix's GDDR6-AiM and their timing, as its
// public simulator defines them (configs/dram/GDDR6-AiM.yaml cites each
// value): ACT16 opens one row in all 16 banks, MAC16 multiplies a 32-B column
// of every bank with the global buffer, PREA closes them, WRGB writes 32 B of
// the global buffer, WRMAC16 the 16 accumulators (the bias), RDMAC16 reads
// them, TMOD switches between the register-access mode (WRGB, WRMAC16,
// RDMAC16) and the array mode (ACT16, MAC16, PREA). A new constraint is a row
// of aim_constraints(); tests check each on both sides of its bound.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "arch/dram_standard.h"

namespace einflow::sim::pim {

enum class AimCommand : uint8_t { kAct16, kPrea, kMac16, kWrgb, kWrmac16, kRdmac16, kTmod, kRef, kCount };
const char* aim_command_name(AimCommand c);
// Commands that need the register-access mode (the rest but TMOD and REF need the array mode).
bool aim_register_command(AimCommand c);

// After `from`, a `to` waits `cycles` (all constraints are channel-wide: every
// command reaches every bank).
struct AimConstraint {
  const char* name;
  AimCommand from;
  AimCommand to;
  uint64_t (*cycles)(const arch::DramStandard&);
};
const std::vector<AimConstraint>& aim_constraints();

class AimChannel {
 public:
  static constexpr uint64_t kForbidden = ~uint64_t{0};
  explicit AimChannel(const arch::DramStandard& s);

  // The earliest cycle `c` (to `row`, for ACT16 and MAC16) meets every
  // constraint, or kForbidden when the state rules it out: ACT16 or REF with a
  // row open, MAC16 to a row not open, PREA with none open, a command of the
  // other mode.
  uint64_t earliest(AimCommand c, int64_t row = 0) const;
  void issue(AimCommand c, int64_t row, uint64_t now);
  int64_t open_row() const { return m_open_row; }
  bool register_mode() const { return m_register_mode; }

 private:
  using Next = std::array<uint64_t, static_cast<size_t>(AimCommand::kCount)>;
  std::array<Next, static_cast<size_t>(AimCommand::kCount)> m_rule{};  // [from][to] cycles, 0 = none
  std::array<bool, static_cast<size_t>(AimCommand::kCount) * static_cast<size_t>(AimCommand::kCount)> m_has{};
  Next m_next{};
  int64_t m_open_row = -1;
  bool m_register_mode = false;
};

}  // namespace einflow::sim::pim
