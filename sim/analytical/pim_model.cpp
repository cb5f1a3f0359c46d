#include "sim/analytical/pim_model.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace einflow::sim {
namespace {

double ceil_div(double a, double b) { return static_cast<double>(static_cast<int64_t>((a + b - 1) / b)); }
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The gaps that open a visit (a run of column commands to one open row), tCK.
struct Gaps {
  double ccd;            // each further column command in the run (same bank group)
  double after_reads;    // same bank, another row, after reads: RD-PRE-ACT-column
  double after_writes;   // same bank, another row, after writes
  double other_bank;     // the bank's row must change, its last access long past: PRE-ACT-column
  double read_to_write;  // row open, the bus turns from reads to writes
  double write_to_read;  // row open, from writes to reads in the same bank group
  Gaps(const arch::DramTiming& t, bool to_write) {
    const double rcd = to_write ? t.trcd_wr : t.trcd_rd;
    ccd = t.tccd_l;
    after_reads = t.trtp + t.trp + rcd;
    after_writes = t.cwl + t.burst + t.twr + t.trp + rcd;
    other_bank = 1 + t.trp + rcd;
    read_to_write = std::max<double>(t.tccd_l, t.cl + t.burst + 2 - t.cwl);
    write_to_read = t.cwl + t.burst + t.twtr_l;
  }
};

// Stretches busy time by refresh: the first is due at tREFI, then every
// tREFI; each closes the open rows (tRP) and refreshes (tRFC). Reopening the
// row is not charged: refresh is taken between commands, and most of the time
// the next one opens a row anyway or needs none (a buffer or register write).
double with_refresh(const arch::DramStandard& s, double cycles, bool refresh) {
  if (!refresh) return cycles;
  const arch::DramTiming& t = s.timing;
  const double per_refresh = t.trp + t.trfc;
  double n = std::floor(cycles / t.trefi);
  for (int i = 0; i < 4; ++i) n = std::floor((cycles + n * per_refresh) / t.trefi);
  return cycles + n * per_refresh;
}

// Samsung HBM-PIM: parkIn (a read of every bank, each ACT right after the
// bank before's RD), the switch to all-bank mode (four banks written) and the
// CRF written, each a row opened for one write; at the end, bank 0 leaves its
// register row for the single-bank mode row after writing (write recovery),
// bank 1 likewise, both precharged, and parkOut reads two banks.
double hbm_pim_wrapper(const arch::DramStandard& s) {
  const arch::DramTiming& t = s.timing;
  const int banks = s.org.bankgroups * s.org.banks_per_group;
  const double open_for_write = t.trp + t.trcd_wr + 1;
  const double write_recovery = t.cwl + t.burst + t.twr;
  const double begin = banks * (t.trcd_rd + 1) + 5 * open_for_write;
  const double end = write_recovery + 2 * open_for_write + write_recovery - 1 + 2 * (t.trcd_rd + 1) + t.cl + t.burst;
  return begin + end;
}

// Into the all-bank PIM mode and out: a write to bank 0's register row each.
double hbm_pim_mode_changes(const arch::DramTiming& t) { return 2 * (t.trp + t.trcd_wr + 1); }

PimEstimate hbm_pim_gemv(const arch::DramStandard& s, int64_t rows, int64_t cols, bool refresh) {
  const arch::DramTiming& t = s.timing;
  const Gaps rd(t, false), wr(t, true);
  const int64_t g = s.pim.register_entries;
  const int64_t units = s.pim.units_per_channel(s.org.bankgroups * s.org.banks_per_group) * s.channels;
  const int64_t out_tiles = ceil_div(rows, units * g);
  const int64_t tiles = ceil_div(ceil_div(cols, int64_t{s.pim.lanes}), g);
  const int64_t even = (tiles + 1) / 2, odd = tiles / 2;
  const double macs = static_cast<double>(g * g);                    // MAC reads per input tile
  const double rows_per_tile = ceil_div(macs, static_cast<double>(s.org.columns));
  // Even tile: GRF_A written in bank 1's register row (open), the MACs in bank 0.
  const double grf_a = rd.read_to_write + (g - 1) * wr.ccd;
  const double mac_runs = std::max(rd.other_bank, rd.write_to_read) + (rows_per_tile - 1) * rd.after_reads +
                          (macs - rows_per_tile) * rd.ccd;
  // Odd tile: bank 1 leaves its weight row for the register row and comes back.
  const double grf_a_odd = wr.after_reads + (g - 1) * wr.ccd;
  const double mac_runs_odd = rd.after_writes + (rows_per_tile - 1) * rd.after_reads + (macs - rows_per_tile) * rd.ccd;
  const double grf_b = wr.after_reads + (g - 1) * wr.ccd;  // GRF_B to the odd bank
  const double per_tile_set = even * (grf_a + mac_runs) + odd * (grf_a_odd + mac_runs_odd) + grf_b +
                              hbm_pim_mode_changes(t);
  PimEstimate e;
  const double ch = s.channels;
  const double unit_count = static_cast<double>(units) / ch;  // per channel
  e.cycles = with_refresh(s, static_cast<double>(out_tiles) * per_tile_set + hbm_pim_wrapper(s), refresh);
  e.activations = ch * static_cast<double>(out_tiles) * (tiles * rows_per_tile + odd * 2 + 3);
  e.column_commands = ch * static_cast<double>(out_tiles) * (tiles * (macs + g) + g + 2);
  e.inbank_bytes = ch * static_cast<double>(out_tiles) * (tiles * macs + g) * unit_count * s.access_bytes;
  // GRF_A writes, and the host reading each output's 16 lane partial sums (one access).
  e.offchip_bytes = ch * static_cast<double>(out_tiles * tiles * g) * s.access_bytes +
                    static_cast<double>(rows) * s.access_bytes;
  e.unit_ops = ch * static_cast<double>(out_tiles * tiles) * macs * unit_count * s.pim.lanes;
  return e;
}

PimEstimate hbm_pim_eltwise(const arch::DramStandard& s, int64_t elements, bool two, bool refresh) {
  const arch::DramTiming& t = s.timing;
  const Gaps rd(t, false), wr(t, true);
  const int64_t g = s.pim.register_entries;
  const int64_t banks = s.org.bankgroups * s.org.banks_per_group;
  const int64_t tiles = ceil_div(ceil_div(elements, int64_t{s.pim.lanes}), banks * s.channels * g);
  // Per bank parity and tile: each group of g commands opens another row of
  // the same bank after reads; the parity's first group opens its row in a
  // bank last used a half tile before (or, in the first tile, just after the
  // write into the PIM mode).
  const double reads = (two ? 2 : 1) * ((rd.after_reads) + (g - 1) * rd.ccd);
  const double writes = wr.after_reads + (g - 1) * wr.ccd;
  const double first_group = std::max(rd.other_bank, rd.write_to_read) - rd.after_reads;
  const double dummy = wr.ccd;  // the write landing on the JUMP
  const double per_tile = 2 * (reads + writes + first_group) + dummy;
  const double first_tile = rd.after_writes - std::max(rd.other_bank, rd.write_to_read);
  PimEstimate e;
  e.cycles = with_refresh(
      s, static_cast<double>(tiles) * per_tile + first_tile + hbm_pim_mode_changes(t) + hbm_pim_wrapper(s), refresh);
  e.activations = static_cast<double>(s.channels * tiles) * 2 * ((two ? 2 : 1) + 1);
  e.column_commands = static_cast<double>(s.channels * tiles) * (2 * ((two ? 2 : 1) + 1) * g + 1);
  return e;
}

// SK hynix AiM: per input chunk the global buffer written; per chunk and group
// of 16 outputs WR_BIAS, a mode change, PREA-ACT16, the MAC16 run over the
// row, a mode change, RD_MAC.
PimEstimate aim_gemv(const arch::DramStandard& s, int64_t rows, int64_t cols, bool refresh) {
  const arch::DramTiming& t = s.timing;
  const arch::PimSpec& p = s.pim;
  const int64_t word = 2;
  const int64_t banks = s.org.bankgroups * s.org.banks_per_group;
  const int64_t chunk = aim_chunk_values(s);
  const int64_t chunks = ceil_div(cols, chunk);
  const int64_t groups = ceil_div(ceil_div(rows, banks), int64_t{s.channels});
  const int64_t per_mac = s.access_bytes / word;
  double cycles = 0;
  for (int64_t r = 0; r < chunks; ++r) {
    const int64_t len = std::min(chunk, cols - r * chunk);
    const double wrgb = ceil_div(static_cast<double>(len * word), static_cast<double>(s.access_bytes));
    cycles += (r == 0 ? 1 + p.tmod : p.trdmac_wr) + (wrgb - 1) * t.tccd_s;
    const double macs = ceil_div(static_cast<double>(len), static_cast<double>(per_mac));
    const double round = 1 + p.tmod + t.trp + p.trcd_mac + (macs - 1) * t.tccd_l + 1 + p.tmod + p.trdmac_wr;
    cycles += static_cast<double>(groups) * round - (r == 0 ? t.trp : 0);  // no row to close at the start
    cycles += t.tccd_s - p.trdmac_wr;  // the chunk's first WR_BIAS follows a WRGB
  }
  PimEstimate e;
  const double all_groups = static_cast<double>(ceil_div(rows, banks));
  e.cycles = with_refresh(s, cycles + t.burst, refresh);
  e.activations = static_cast<double>(chunks) * all_groups;
  e.column_commands = all_groups * static_cast<double>(ceil_div(cols, per_mac));
  e.inbank_bytes = e.column_commands * static_cast<double>(banks * s.access_bytes);
  e.unit_ops = e.column_commands * static_cast<double>(banks * p.lanes);
  // The buffer loads on every channel, a bias written and a result read per group and chunk.
  e.offchip_bytes = static_cast<double>(s.channels) * ceil_div(static_cast<double>(cols * word), s.access_bytes) *
                        s.access_bytes +
                    2.0 * e.activations * s.access_bytes;
  return e;
}

// PIM-GPT's row-stream on an AiM-style device (pim_layout.h), per channel in
// order: the first load's TMOD and WRGBs, then per DRAM row TMOD, PREA, ACT16,
// the MAC16s, TMOD, one RDMAC16 per segment; each later load adds its WRGBs
// after the last RDMAC16 (tRDMAC_WR).
PimEstimate aim_row_stream(const arch::DramStandard& s, const PimGemv& g, bool refresh) {
  const arch::DramTiming& t = s.timing;
  const arch::PimSpec& p = s.pim;
  const RowStreamPlan plan = row_stream_plan(s, g);
  EINFLOW_ASSERT(plan.segments > 0, "row-stream needs a global buffer");
  const double slots = static_cast<double>(ceil_div(plan.rows_per_load, int64_t{s.channels}));
  const double m = static_cast<double>(plan.macs_per_row), seg = static_cast<double>(plan.segments);
  const double w = static_cast<double>(plan.wrgb_per_load), loads = static_cast<double>(plan.loads);
  const double row = 1 + p.tmod + t.trp + p.trcd_mac + (m - 1) * t.tccd_l + 1 + p.tmod + (seg - 1) * t.tccd_s;
  const double cycles = row * slots * loads + (w - 1) * t.tccd_s + (loads - 1) * (p.trdmac_wr + (w - 1) * t.tccd_s) +
                        t.burst;
  const double banks = s.org.bankgroups * s.org.banks_per_group;
  PimEstimate e;
  e.cycles = with_refresh(s, cycles, refresh);
  e.activations = static_cast<double>(plan.rows_per_load) * loads;
  e.column_commands = e.activations * m;
  e.inbank_bytes = e.column_commands * banks * s.access_bytes;
  e.unit_ops = e.column_commands * banks * p.lanes;
  e.offchip_bytes = (w * loads * s.channels + e.activations * seg) * s.access_bytes;
  return e;
}

}  // namespace

PimEstimate estimate_pim_gemv(const arch::DramStandard& s, int64_t rows, int64_t cols, bool refresh) {
  EINFLOW_ASSERT(s.pim.enabled() && rows > 0 && cols > 0, "estimate_pim_gemv needs PIM and a shape");
  return s.pim.command_set == arch::PimCommandSet::kAim ? aim_gemv(s, rows, cols, refresh)
                                                        : hbm_pim_gemv(s, rows, cols, refresh);
}

PimEstimate estimate_pim_gemv(const arch::DramStandard& s, const PimGemv& g, PimLayout layout, bool refresh) {
  EINFLOW_ASSERT(s.pim.enabled() && g.rows > 0 && g.cols > 0 && g.matrices > 0, "estimate_pim_gemv needs PIM and a shape");
  if (s.pim.command_set == arch::PimCommandSet::kAim && layout == PimLayout::kRowStream)
    return aim_row_stream(s, g, refresh);
  PimEstimate one = estimate_pim_gemv(s, g.rows, g.cols, refresh);
  const double n = static_cast<double>(g.matrices);
  one.cycles *= n;
  one.activations *= n;
  one.column_commands *= n;
  one.inbank_bytes *= n;
  one.offchip_bytes *= n;
  one.unit_ops *= n;
  return one;
}

PimEstimate estimate_pim_eltwise(const arch::DramStandard& s, int64_t elements, bool two_operands, bool refresh) {
  EINFLOW_ASSERT(s.pim.command_set == arch::PimCommandSet::kHbmPim && elements > 0,
                 "estimate_pim_eltwise needs HBM-PIM and elements");
  return hbm_pim_eltwise(s, elements, two_operands, refresh);
}

}  // namespace einflow::sim
