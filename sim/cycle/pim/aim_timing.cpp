#include "sim/cycle/pim/aim_timing.h"

#include <algorithm>
#include <string>

#include "common/error.h"

namespace einflow::sim::pim {

const char* aim_command_name(AimCommand c) {
  static const char* const names[] = {"ACT16", "PREA", "MAC16", "WRGB", "WRMAC16", "RDMAC16", "TMOD", "REF"};
  return c < AimCommand::kCount ? names[static_cast<size_t>(c)] : "?";
}

bool aim_register_command(AimCommand c) {
  return c == AimCommand::kWrgb || c == AimCommand::kWrmac16 || c == AimCommand::kRdmac16;
}

namespace {
using S = arch::DramStandard;
uint64_t u(int v) { return static_cast<uint64_t>(v); }
}  // namespace

// The simulator's MAC16-RDMAC16 rows (tCCD both ways) are left out: the two
// are of different modes, so a TMOD always comes between, and its tMOD (32)
// exceeds them.
const std::vector<AimConstraint>& aim_constraints() {
  using C = AimCommand;
  static const std::vector<AimConstraint> rows = {
      {"tRCD_MAC", C::kAct16, C::kMac16, [](const S& s) { return u(s.pim.trcd_mac); }},
      {"tRAS", C::kAct16, C::kPrea, [](const S& s) { return u(s.timing.tras); }},
      {"tRC", C::kAct16, C::kAct16, [](const S& s) { return u(s.timing.trc); }},
      {"tRP", C::kPrea, C::kAct16, [](const S& s) { return u(s.timing.trp); }},
      {"tRP (to REF)", C::kPrea, C::kRef, [](const S& s) { return u(s.timing.trp); }},
      {"tRFC", C::kRef, C::kAct16, [](const S& s) { return u(s.timing.trfc); }},
      {"tRFC (to REF)", C::kRef, C::kRef, [](const S& s) { return u(s.timing.trfc); }},
      {"tCCD_L (MAC16 to MAC16)", C::kMac16, C::kMac16, [](const S& s) { return u(s.timing.tccd_l); }},
      {"tRTP (MAC16 to PREA)", C::kMac16, C::kPrea, [](const S& s) { return u(s.timing.trtp); }},
      {"tCCD_S (WRGB to WRGB)", C::kWrgb, C::kWrgb, [](const S& s) { return u(s.timing.tccd_s); }},
      {"tCCD_S (WRGB to WRMAC16)", C::kWrgb, C::kWrmac16, [](const S& s) { return u(s.timing.tccd_s); }},
      {"tCCD_S (WRMAC16 to WRGB)", C::kWrmac16, C::kWrgb, [](const S& s) { return u(s.timing.tccd_s); }},
      {"tCCD_S (WRMAC16 to WRMAC16)", C::kWrmac16, C::kWrmac16, [](const S& s) { return u(s.timing.tccd_s); }},
      {"tCCD_S (RDMAC16 to RDMAC16)", C::kRdmac16, C::kRdmac16, [](const S& s) { return u(s.timing.tccd_s); }},
      {"tWRGB_RDMAC", C::kWrgb, C::kRdmac16, [](const S& s) { return u(s.pim.twrgb_rdmac); }},
      {"tWRMAC_RDMAC", C::kWrmac16, C::kRdmac16, [](const S& s) { return u(s.pim.twrmac_rdmac); }},
      {"tRDMAC_WR (to WRGB)", C::kRdmac16, C::kWrgb, [](const S& s) { return u(s.pim.trdmac_wr); }},
      {"tRDMAC_WR (to WRMAC16)", C::kRdmac16, C::kWrmac16, [](const S& s) { return u(s.pim.trdmac_wr); }},
  };
  return rows;
}

AimChannel::AimChannel(const arch::DramStandard& s) {
  EINFLOW_ASSERT(s.pim.command_set == arch::PimCommandSet::kAim, "AimChannel needs an AiM standard");
  const size_t n = static_cast<size_t>(AimCommand::kCount);
  for (const AimConstraint& c : aim_constraints()) {
    const size_t from = static_cast<size_t>(c.from), to = static_cast<size_t>(c.to);
    m_rule[from][to] = std::max(m_rule[from][to], c.cycles(s));
    m_has[from * n + to] = true;
  }
  // TMOD holds every command for tMOD.
  for (size_t to = 0; to < n; ++to) {
    m_rule[static_cast<size_t>(AimCommand::kTmod)][to] = static_cast<uint64_t>(s.pim.tmod);
    m_has[static_cast<size_t>(AimCommand::kTmod) * n + to] = true;
  }
}

uint64_t AimChannel::earliest(AimCommand c, int64_t row) const {
  switch (c) {
    case AimCommand::kAct16:
    case AimCommand::kRef:
      if (m_open_row >= 0) return kForbidden;
      break;
    case AimCommand::kMac16:
      if (m_open_row < 0 || m_open_row != row) return kForbidden;
      break;
    case AimCommand::kPrea:
      if (m_open_row < 0) return kForbidden;
      break;
    default:
      break;
  }
  if (c != AimCommand::kTmod && c != AimCommand::kRef && aim_register_command(c) != m_register_mode)
    return kForbidden;
  return m_next[static_cast<size_t>(c)];
}

void AimChannel::issue(AimCommand c, int64_t row, uint64_t now) {
  EINFLOW_ASSERT(earliest(c, row) <= now, std::string("AiM protocol violation: ") + aim_command_name(c) +
                                              " at cycle " + std::to_string(now) + " is earlier than allowed");
  const size_t from = static_cast<size_t>(c), n = static_cast<size_t>(AimCommand::kCount);
  for (size_t to = 0; to < n; ++to)
    if (m_has[from * n + to]) m_next[to] = std::max(m_next[to], now + m_rule[from][to]);
  // One command per cycle on the command bus.
  for (uint64_t& t : m_next) t = std::max(t, now + 1);
  if (c == AimCommand::kAct16) m_open_row = row;
  if (c == AimCommand::kPrea) m_open_row = -1;
  if (c == AimCommand::kTmod) m_register_mode = !m_register_mode;
}

}  // namespace einflow::sim::pim
