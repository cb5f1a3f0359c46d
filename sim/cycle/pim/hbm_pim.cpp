#include "sim/cycle/pim/hbm_pim.h"

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "sim/cycle/dram/timing.h"

namespace einflow::sim::pim {
namespace {

using dram::Address;
using dram::ChannelTiming;
using dram::Command;

// Reserved rows (PIMSimulator): bit 12 set marks them as control rows.
constexpr int64_t kParkRow = 0x1000;
constexpr int64_t kToAllBankRow = 0x17ff;
constexpr int64_t kToSingleBankRow = 0x1fff;
constexpr int64_t kRegisterRow = 0x3fff;
constexpr int kControlColumn = 0x1f;
constexpr int kCrfColumn = 4;
constexpr int kGrfAColumn = 8;

// What a column command does beside its DRAM access.
enum class Role : uint8_t {
  kHost,      // data to or from the host (park reads, mode and register writes)
  kStep,      // steps the units without arithmetic (FILL into a register, GRF to bank)
  kOperate,   // steps the units with one operation per lane (MAC, ADD, MUL, ReLU)
};

struct Txn {
  int bank = 0;  // 0..15; in the all-bank modes 0 or 1 (the parity)
  int64_t row = 0;
  int col = 0;
  bool write = false;
  bool all_bank = false;
  Role role = Role::kHost;
};

// One pseudo-channel's commands, in order.
class Stream {
 public:
  explicit Stream(int banks) : m_banks(banks) {}
  void add(Txn t) { m_txns.push_back(t); }
  void single(int bank, int64_t row, int col, bool write) { add({bank, row, col, write, false, Role::kHost}); }
  void all(int parity, int64_t row, int col, bool write, Role role) { add({parity, row, col, write, true, role}); }
  // An explicit precharge of a bank (the switch back to single-bank mode happens on it).
  void precharge(int bank) { add({bank, -1, 0, false, false, Role::kHost}); }

  // parkIn, single-bank to all-bank mode, and the CRF written.
  void begin() {
    for (int b = 0; b < m_banks; ++b) single(b, kParkRow, 0, false);
    for (int b : {0, 1, 8, 9}) single(b, kToAllBankRow, kControlColumn, true);
    all(1, kRegisterRow, kCrfColumn, true, Role::kHost);
  }
  // All-bank to all-bank PIM mode and back: a write to the PIM_OP_MODE register.
  void enter_pim() { all(0, kRegisterRow, 0, true, Role::kHost); }
  void exit_pim() { all(0, kRegisterRow, 0, true, Role::kHost); }
  // All-bank to single-bank (on the PREs), parkOut.
  void end() {
    for (int b : {0, 1}) all(b, kToSingleBankRow, kControlColumn, true, Role::kHost);
    for (int b : {0, 1}) precharge(b);
    for (int b : {0, 1}) single(b, kParkRow, 0, false);
  }
  const std::vector<Txn>& txns() const { return m_txns; }

 private:
  int m_banks;
  std::vector<Txn> m_txns;
};

// A linear column index in a bank, from a base row, as (row, column).
std::pair<int64_t, int> at(int64_t base_row, int64_t linear, int columns) {
  return {base_row + linear / columns, static_cast<int>(linear % columns)};
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// GEMV (PIMKernel::executeGemv): per output tile of units x register_entries
// rows, the input broadcast 8 bursts at a time into GRF_A, then 64 MAC reads of
// the even (then the odd) banks per input tile, GRF_B written to the odd bank.
void gemv(Stream& st, const arch::DramStandard& s, const Kernel& k) {
  const int grf = s.pim.register_entries;
  const int lanes = s.pim.lanes;
  const int64_t units = s.pim.units_per_channel(s.org.bankgroups * s.org.banks_per_group) * s.channels;
  const int64_t out_tiles = ceil_div(k.rows, units * grf);
  const int64_t in_tiles = ceil_div(ceil_div(k.cols, lanes), grf);
  const int64_t half = ceil_div(in_tiles, 2);
  const int cols = s.org.columns;
  for (int64_t j = 0; j < out_tiles; ++j) {
    st.enter_pim();
    for (int parity : {0, 1})
      for (int64_t i = parity; i < in_tiles; i += 2) {
        for (int e = 0; e < grf; ++e) st.all(1, kRegisterRow, kGrfAColumn + e, true, Role::kHost);
        for (int64_t m = 0; m < int64_t{grf} * grf; ++m) {
          auto [row, col] = at(0, grf * grf * (i / 2 + j * half) + m, cols);
          st.all(parity, row, col, false, Role::kOperate);
        }
      }
    for (int e = 0; e < grf; ++e) {
      auto [row, col] = at(0, out_tiles * half * grf * grf + (j * grf) + e, cols);
      st.all(1, row, col, true, Role::kStep);
    }
    st.exit_pim();
  }
}

// ADD, MUL and ReLU (PIMKernel::executeEltwise): operands in rows 0 and 128,
// the result in row 256, 8 bursts per bank and tile.
void eltwise(Stream& st, const arch::DramStandard& s, const Kernel& k) {
  const int grf = s.pim.register_entries;
  const int banks = s.org.bankgroups * s.org.banks_per_group;
  const int64_t bursts = ceil_div(k.elements, s.pim.lanes);
  const int64_t tiles = ceil_div(bursts, int64_t{banks} * s.channels * grf);
  const int cols = s.org.columns;
  constexpr int64_t kIn0 = 0, kIn1 = 128, kOut = 256;
  st.enter_pim();
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t base = t * grf;
    auto group = [&](int parity, int64_t row0, bool write, Role role) {
      for (int e = 0; e < grf; ++e) {
        auto [row, col] = at(row0, base + e, cols);
        st.all(parity, row, col, write, role);
      }
    };
    for (int parity : {0, 1}) {
      if (k.kind == KernelKind::kRelu) {
        group(parity, kIn0, false, Role::kOperate);
      } else {
        group(parity, kIn0, false, Role::kStep);
        group(parity, kIn1, false, Role::kOperate);
      }
      group(parity, kOut, true, Role::kStep);
    }
    auto [row, col] = at(kOut, base + grf - 1, cols);
    st.all(1, row, col, true, Role::kStep);  // lands on the CRF's JUMP
  }
  st.exit_pim();
}

// Issues a stream in order, one command per cycle, opening rows as needed
// (open page), refreshing every tREFI.
class Issuer {
 public:
  Issuer(const arch::DramStandard& s, const RunOptions& o, PimRun& run)
      : m_s(s), m_t(s), m_run(run), m_refresh(o.refresh), m_refresh_due(static_cast<uint64_t>(s.timing.trefi)) {}

  void run(const std::vector<Txn>& txns) {
    for (const Txn& t : txns) {
      if (m_refresh && m_now >= m_refresh_due) refresh();
      if (t.row < 0) {
        precharge(t.bank, t.all_bank);
        continue;
      }
      column(t);
    }
  }
  uint64_t cycles() const { return m_done; }

 private:
  Address addr(int bank, int64_t row) const {
    Address a;
    a.bankgroup = bank / m_s.org.banks_per_group;
    a.bank = bank % m_s.org.banks_per_group;
    a.row = row;
    return a;
  }
  uint64_t issue(Command c, const Address& a, bool all_bank) {
    const uint64_t at = std::max(m_now, m_t.earliest(c, a));
    m_t.issue(c, a, at);
    m_now = at + 1;
    m_run.commands[std::string(dram::command_name(c)) + (all_bank ? "_AB" : "")] += 1;
    return at;
  }
  void precharge(int bank, bool all_bank) {
    const Address a = addr(bank, 0);
    if (m_t.open_row(a) >= 0) issue(Command::kPre, a, all_bank);
  }
  void refresh() {
    for (int b = 0; b < m_s.org.banks(); ++b) precharge(b, false);
    issue(Command::kRef, addr(0, 0), false);
    m_refresh_due += static_cast<uint64_t>(m_s.timing.trefi);
  }
  void column(const Txn& t) {
    const Address a = addr(t.bank, t.row);
    bool hit = true;
    if (m_t.open_row(a) != t.row) {
      hit = false;
      precharge(t.bank, t.all_bank);
      issue(Command::kAct, a, t.all_bank);
    }
    const uint64_t at = issue(t.write ? Command::kWr : Command::kRd, a, t.all_bank);
    m_done = std::max(m_done, t.write ? m_t.write_done(at) : m_t.read_done(at));
    count(t, hit);
  }
  void count(const Txn& t, bool hit) {
    const int units = m_s.pim.units_per_channel(m_s.org.bankgroups * m_s.org.banks_per_group);
    m_run.column_commands += 1;
    m_run.row_hits += hit ? 1 : 0;
    const uint64_t bytes = static_cast<uint64_t>(m_s.access_bytes);
    if (t.role == Role::kHost) {
      m_run.offchip_bytes += bytes;
      return;
    }
    m_run.inbank_bytes += bytes * static_cast<uint64_t>(units);
    if (t.role == Role::kOperate) m_run.unit_ops += static_cast<uint64_t>(units) * static_cast<uint64_t>(m_s.pim.lanes);
  }

  const arch::DramStandard& m_s;
  ChannelTiming m_t;
  PimRun& m_run;
  bool m_refresh;
  uint64_t m_refresh_due;
  uint64_t m_now = 0;
  uint64_t m_done = 0;
};

// The layout's rows must stay below PIMSimulator's reserved rows (0x1000 and
// up) and, element-wise, inside each operand's region of 128 rows.
void check_layout(const arch::DramStandard& s, const Kernel& k) {
  const int g = s.pim.register_entries;
  const int64_t banks = int64_t{s.org.bankgroups} * s.org.banks_per_group;
  std::string what;
  if (k.kind == KernelKind::kGemv) {
    const int64_t rows = pim_rows_needed(s, PimGemv{1, k.rows, k.cols}, PimLayout::kRounds);
    if (rows > pim_rows_available(s)) what = "a GEMV's weights need " + std::to_string(rows) + " rows of a bank";
  } else {
    const int64_t tiles = ceil_div(ceil_div(k.elements, int64_t{s.pim.lanes}), banks * s.channels * g);
    const int64_t rows = ceil_div(tiles * g, s.org.columns);
    if (rows > 128) what = "an element-wise operand needs " + std::to_string(rows) + " rows of a bank";
  }
  if (!what.empty())
    throw UserError(SourceLoc{"--shape", 0, 0}, "shape",
                    what + "; PIMSimulator's layout has " + (k.kind == KernelKind::kGemv ? "4096 (below its reserved "
                                                                                           "rows)"
                                                                                         : "128 per operand") +
                        ": split the kernel");
}

}  // namespace

PimRun run_hbm_pim(const arch::DramStandard& s, const Kernel& k, const RunOptions& o) {
  check_layout(s, k);
  Stream st(s.org.bankgroups * s.org.banks_per_group);
  st.begin();
  if (k.kind == KernelKind::kGemv)
    gemv(st, s, k);
  else
    eltwise(st, s, k);
  st.end();
  PimRun one;
  Issuer issuer(s, o, one);
  issuer.run(st.txns());
  PimRun all;  // every channel runs the same stream
  all.add_channels(one, static_cast<uint64_t>(s.channels));
  all.cycles = issuer.cycles();
  return all;
}

}  // namespace einflow::sim::pim
