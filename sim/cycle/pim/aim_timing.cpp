#include "sim/cycle/pim/aim_timing.h"

#include <algorithm>
#include <string>

#include "common/error.h"

namespace einflow::sim::pim {

const char* aim_command_name(AimCommand c) {
  static const char* const names[] = {"ACT16", "PREA",  "MAC16", "WRGB",  "WRMAC16", "RDMAC16",
                                      "TMOD",  "REF",   "ACT4",  "AF16",  "EWMUL16"};
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
// exceeds them. So is tRRD_L between ACT4s of one bank group: a group opened
// again needs a PREA between, and tRAS + tRP exceed it.
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
      {"tRCD_MAC (ACT4)", C::kAct4, C::kMac16, [](const S& s) { return u(s.pim.trcd_mac); }},
      {"tRAS (ACT4)", C::kAct4, C::kPrea, [](const S& s) { return u(s.timing.tras); }},
      {"tRP (to ACT4)", C::kPrea, C::kAct4, [](const S& s) { return u(s.timing.trp); }},
      {"tRRD_S (ACT4 to ACT4)", C::kAct4, C::kAct4, [](const S& s) { return u(s.timing.trrd_s); }},
      {"tRC (ACT4 to ACT4)", C::kAct4, C::kAct4, [](const S& s) { return u(s.timing.trc); }, true},
      {"tRC (ACT16 to ACT4)", C::kAct16, C::kAct4, [](const S& s) { return u(s.timing.trc); }, true},
      {"tRC (ACT4 to ACT16)", C::kAct4, C::kAct16, [](const S& s) { return u(s.timing.trc); }, true},
      {"tRCD_AF", C::kAct16, C::kAf16, [](const S& s) { return u(s.pim.trcd_af); }},
      {"tRCD_AF (ACT4)", C::kAct4, C::kAf16, [](const S& s) { return u(s.pim.trcd_af); }},
      {"tRCD_EWMUL (ACT4)", C::kAct4, C::kEwmul16, [](const S& s) { return u(s.pim.trcd_ewmul); }},
      {"tRTP (AF16 to PREA)", C::kAf16, C::kPrea, [](const S& s) { return u(s.timing.trtp); }},
      {"tRCD_EWMUL", C::kAct16, C::kEwmul16, [](const S& s) { return u(s.pim.trcd_ewmul); }},
      {"tWR (EWMUL16 to PREA)", C::kEwmul16, C::kPrea, [](const S& s) { return u(s.timing.cwl + s.timing.twr); }},
      {"tCCD_L (MAC16 to EWMUL16)", C::kMac16, C::kEwmul16, [](const S& s) { return u(s.timing.tccd_l); }},
      {"tCCD_L (EWMUL16 to MAC16)", C::kEwmul16, C::kMac16, [](const S& s) { return u(s.timing.tccd_l); }},
      {"tCCD_L (EWMUL16 to EWMUL16)", C::kEwmul16, C::kEwmul16, [](const S& s) { return u(s.timing.tccd_l); }},
  };
  return rows;
}

AimChannel::AimChannel(const arch::DramStandard& s) {
  EINFLOW_ASSERT(s.pim.command_set == arch::PimCommandSet::kAim, "AimChannel needs an AiM standard");
  for (const AimConstraint& c : aim_constraints()) {
    Rule& r = (c.same_group ? m_group : m_channel)[static_cast<size_t>(c.from)][static_cast<size_t>(c.to)];
    r.has = true;
    r.cycles = std::max(r.cycles, c.cycles(s));
  }
  // TMOD holds every command for tMOD.
  for (size_t to = 0; to < kN; ++to)
    m_channel[static_cast<size_t>(AimCommand::kTmod)][to] = Rule{true, static_cast<uint64_t>(s.pim.tmod)};
}

int64_t AimChannel::open_row() const {
  for (int64_t r : m_rows)
    if (r != m_rows[0]) return -1;
  return m_rows[0];
}

namespace {
bool reaches_all(AimCommand c) { return c != AimCommand::kAct4; }
}  // namespace

uint64_t AimChannel::earliest(AimCommand c, int64_t row, int group) const {
  const bool any_open = std::any_of(m_rows.begin(), m_rows.end(), [](int64_t r) { return r >= 0; });
  switch (c) {
    case AimCommand::kAct16:
    case AimCommand::kRef:
      if (any_open) return kForbidden;
      break;
    case AimCommand::kAct4:
      if (group < 0 || group >= kGroups || m_rows[static_cast<size_t>(group)] >= 0) return kForbidden;
      break;
    case AimCommand::kMac16:
    case AimCommand::kAf16:
    case AimCommand::kEwmul16:
      if (row < 0 || open_row() != row) return kForbidden;
      break;
    case AimCommand::kPrea:
      if (!any_open) return kForbidden;
      break;
    default:
      break;
  }
  if (c != AimCommand::kTmod && c != AimCommand::kRef && aim_register_command(c) != m_register_mode)
    return kForbidden;
  uint64_t t = m_next[static_cast<size_t>(c)];
  for (int g = 0; g < kGroups; ++g)
    if (reaches_all(c) || g == group) t = std::max(t, m_group_next[static_cast<size_t>(g)][static_cast<size_t>(c)]);
  return t;
}

void AimChannel::issue(AimCommand c, int64_t row, uint64_t now, int group) {
  EINFLOW_ASSERT(earliest(c, row, group) <= now, std::string("AiM protocol violation: ") + aim_command_name(c) +
                                                     " at cycle " + std::to_string(now) +
                                                     " is earlier than allowed");
  const size_t from = static_cast<size_t>(c);
  for (size_t to = 0; to < kN; ++to) {
    if (m_channel[from][to].has) m_next[to] = std::max(m_next[to], now + m_channel[from][to].cycles);
    if (!m_group[from][to].has) continue;
    for (int g = 0; g < kGroups; ++g)
      if (reaches_all(c) || g == group) {
        uint64_t& slot = m_group_next[static_cast<size_t>(g)][to];
        slot = std::max(slot, now + m_group[from][to].cycles);
      }
  }
  // One command per cycle on the command bus.
  for (uint64_t& t : m_next) t = std::max(t, now + 1);
  if (c == AimCommand::kAct16) m_rows.fill(row);
  if (c == AimCommand::kAct4) m_rows[static_cast<size_t>(group)] = row;
  if (c == AimCommand::kPrea) m_rows.fill(-1);
  if (c == AimCommand::kTmod) m_register_mode = !m_register_mode;
}

}  // namespace einflow::sim::pim
