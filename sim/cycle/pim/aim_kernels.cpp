#include "sim/cycle/pim/aim_kernels.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "common/error.h"
#include "sim/cycle/pim/aim_timing.h"

namespace einflow::sim::pim {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// One ISR-level step: a command, its row (MAC16) and how many times in a row.
struct Step {
  AimCommand command;
  int64_t row = 0;
  int64_t count = 1;
};

// Issues steps in order, one command per cycle, inserting TMOD, PREA, ACT16
// and refresh as the controller does.
class Issuer {
 public:
  Issuer(const arch::DramStandard& s, const RunOptions& o, PimRun& run)
      : m_s(s), m_ch(s), m_run(run), m_refresh(o.refresh), m_refresh_due(static_cast<uint64_t>(s.timing.trefi)) {}

  void run(const std::vector<Step>& steps) {
    for (const Step& st : steps)
      for (int64_t i = 0; i < st.count; ++i) one(st.command, st.row);
  }
  uint64_t cycles() const { return m_done; }

 private:
  uint64_t issue(AimCommand c, int64_t row) {
    const uint64_t at = std::max(m_now, m_ch.earliest(c, row));
    m_ch.issue(c, row, at);
    m_now = at + 1;
    m_run.commands[aim_command_name(c)] += 1;
    return at;
  }
  void mode(bool register_mode) {
    if (m_ch.register_mode() != register_mode) issue(AimCommand::kTmod, 0);
  }
  void refresh() {
    mode(false);
    if (m_ch.open_row() >= 0) issue(AimCommand::kPrea, 0);
    issue(AimCommand::kRef, 0);
    m_refresh_due += static_cast<uint64_t>(m_s.timing.trefi);
  }
  void one(AimCommand c, int64_t row) {
    if (m_refresh && m_now >= m_refresh_due) refresh();
    mode(aim_register_command(c));
    const uint64_t bytes = static_cast<uint64_t>(m_s.access_bytes);
    const uint64_t banks = static_cast<uint64_t>(m_s.org.bankgroups * m_s.org.banks_per_group);
    if (c == AimCommand::kMac16) {
      const bool hit = m_ch.open_row() == row;
      if (!hit) {
        if (m_ch.open_row() >= 0) issue(AimCommand::kPrea, 0);
        issue(AimCommand::kAct16, row);
      }
      const uint64_t at = issue(c, row);
      m_done = std::max(m_done, at + 1);
      m_run.column_commands += 1;
      m_run.row_hits += hit ? 1 : 0;
      m_run.inbank_bytes += bytes * banks;
      m_run.unit_ops += banks * static_cast<uint64_t>(m_s.pim.lanes);
      return;
    }
    const uint64_t at = issue(c, row);
    const bool read = c == AimCommand::kRdmac16;
    // The AiM simulator's completion latencies: RDMAC16 its burst (the register
    // read latency nCLREG is 0), WRGB and WRMAC16 the register write latency (1) and the burst.
    m_done = std::max(m_done, at + static_cast<uint64_t>(m_s.timing.burst) + (read ? 0 : 1));
    m_run.offchip_bytes += bytes;
  }

  const arch::DramStandard& m_s;
  AimChannel m_ch;
  PimRun& m_run;
  bool m_refresh;
  uint64_t m_refresh_due;
  uint64_t m_now = 0;
  uint64_t m_done = 0;
};

// One channel's GEMV of `groups` x 16 output rows over the whole input.
std::vector<Step> gemv_steps(const arch::DramStandard& s, const Kernel& k, int64_t groups) {
  const int word = 2;
  const int64_t per_mac = s.access_bytes / word;  // values of one MAC16 per bank
  const int64_t chunk_values = aim_chunk_values(s);
  const int64_t chunks = ceil_div(k.cols, chunk_values);
  std::vector<Step> steps;
  for (int64_t r = 0; r < chunks; ++r) {
    const int64_t len = std::min(chunk_values, k.cols - r * chunk_values);
    steps.push_back({AimCommand::kWrgb, 0, ceil_div(len * word, s.access_bytes)});
    for (int64_t g = 0; g < groups; ++g) {
      steps.push_back({AimCommand::kWrmac16, 0, 1});
      steps.push_back({AimCommand::kMac16, g * chunks + r, ceil_div(len, per_mac)});
      steps.push_back({AimCommand::kRdmac16, 0, 1});
    }
  }
  return steps;
}

// The rows a layout needs in each bank must exist.
void check_rows(const arch::DramStandard& s, int64_t rows) {
  if (rows > s.org.rows)
    throw UserError(SourceLoc{"--shape", 0, 0}, "shape",
                    "the GEMV needs " + std::to_string(rows) + " rows in each bank; " + s.name + "'s banks have " +
                        std::to_string(s.org.rows));
}

// One channel's row-stream GEMV: per global-buffer load, its WRGBs, then per
// DRAM row of the channel the MAC16s over the row and one RDMAC16 per segment.
std::vector<Step> row_stream_steps(const RowStreamPlan& p, int64_t slots) {
  std::vector<Step> steps;
  for (int64_t load = 0; load < p.loads; ++load) {
    steps.push_back({AimCommand::kWrgb, 0, p.wrgb_per_load});
    for (int64_t j = 0; j < slots; ++j) {
      steps.push_back({AimCommand::kMac16, load * slots + j, p.macs_per_row});
      steps.push_back({AimCommand::kRdmac16, 0, p.segments});
    }
  }
  return steps;
}

// Work units dealt round-robin over the channels: (units, channels) shares.
std::vector<std::pair<int64_t, int64_t>> shares(int64_t units, int64_t channels) {
  const int64_t fewer = units / channels;
  const int64_t with_more = units - fewer * channels;  // channels holding one unit more
  std::vector<std::pair<int64_t, int64_t>> out;
  if (with_more > 0) out.emplace_back(fewer + 1, with_more);
  if (fewer > 0) out.emplace_back(fewer, channels - with_more);
  return out;
}

PimRun issue_shares(const arch::DramStandard& s, const RunOptions& o, int64_t units,
                    const std::function<std::vector<Step>(int64_t)>& steps_for) {
  PimRun total;
  for (const auto& [g, n] : shares(units, s.channels)) {
    PimRun one;
    Issuer issuer(s, o, one);
    issuer.run(steps_for(g));
    total.cycles = std::max(total.cycles, issuer.cycles());
    total.add_channels(one, static_cast<uint64_t>(n));
  }
  return total;
}

}  // namespace

PimRun run_aim(const arch::DramStandard& s, const Kernel& k, const RunOptions& o) {
  if (k.kind != KernelKind::kGemv)
    throw UserError(SourceLoc{"--kernel", 0, 0}, "kernel",
                    std::string("GDDR6-AiM's command set runs GEMV on operands in the banks; its element-wise "
                                "commands (EWMUL, AF) work on the MAC results, so '") +
                        kernel_name(k.kind) + "' has no AiM form; run it on an HBM-PIM standard");
  if (k.layout == PimLayout::kRowStream) {
    const RowStreamPlan p = row_stream_plan(s, PimGemv{k.matrices, k.rows, k.cols});
    if (p.segments > 0) check_rows(s, pim_rows_needed(s, PimGemv{k.matrices, k.rows, k.cols}, k.layout));
    if (p.segments == 0)
      throw UserError(SourceLoc{"--layout", 0, 0}, "layout",
                      "the row-stream layout needs a global buffer; " + s.name + " has none");
    return issue_shares(s, o, p.rows_per_load, [&](int64_t slots) { return row_stream_steps(p, slots); });
  }
  if (k.matrices != 1)
    throw UserError(SourceLoc{"--layout", 0, 0}, "layout", "the rounds layout runs one GEMV at a time");
  // Output rows dealt to channels round-robin by groups of one per bank.
  const int64_t groups = ceil_div(k.rows, int64_t{s.org.bankgroups} * s.org.banks_per_group);
  check_rows(s, pim_rows_needed(s, PimGemv{1, k.rows, k.cols}, k.layout));
  return issue_shares(s, o, groups, [&](int64_t g) { return gemv_steps(s, k, g); });
}

}  // namespace einflow::sim::pim
