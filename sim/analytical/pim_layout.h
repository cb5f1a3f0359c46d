// How a batch of GEMVs is laid out on an AiM-style PIM DRAM (a unit per bank,
// a global buffer per channel), as the analytical model and the command-level
// model both need it: header only, so that sim/cycle/pim uses it without
// linking the analytical library.
//
// Two layouts:
// - rounds (CENT's, for AiM's one partial sum per bank): each bank holds whole
//   output rows, a chunk of the input (the global buffer) at a time; per chunk
//   and 16 outputs of a channel, WR_BIAS, MAC_ABK over the row, RD_MAC.
// - row-stream (PIM-GPT's concatenation): a DRAM row holds `segments` output
//   segments (several outputs' weights, of one matrix or of several, such as
//   the heads of an attention), the global buffer holds the matching input
//   slices; per row, the MAC16s over the segments and, after them, one RDMAC16
//   per segment. Needs a unit that holds `segments` partial sums.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "arch/dram_standard.h"

namespace einflow::sim {

enum class PimLayout : uint8_t { kRounds, kRowStream };

// The layouts' names in mappings and on the command line.
inline const char* pim_layout_name(PimLayout l) { return l == PimLayout::kRowStream ? "row-stream" : "rounds"; }
inline std::optional<PimLayout> pim_layout_named(const std::string& name) {
  if (name == "rounds") return PimLayout::kRounds;
  if (name == "row-stream") return PimLayout::kRowStream;
  return std::nullopt;
}

// `matrices` independent GEMVs (each its own input vector) of rows x cols.
struct PimGemv {
  int64_t matrices = 1;
  int64_t rows = 0;
  int64_t cols = 0;
};

struct RowStreamPlan {
  int64_t loads = 0;           // global-buffer loads, one after another
  int64_t rows_per_load = 0;   // DRAM rows (of 16 banks: ACT16s) each load serves, all channels together
  int64_t wrgb_per_load = 0;   // WRGB commands of a load
  int64_t macs_per_row = 0;    // MAC16 commands per DRAM row
  int64_t segments = 0;        // results read per DRAM row (RDMAC16 commands)
};

inline int64_t pim_ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The 16-bit values of one chunk of an AiM-style GEMV's input: what both the
// global buffer and one DRAM row hold (1024 on GDDR6-AiM).
inline int64_t aim_chunk_values(const arch::DramStandard& s) {
  return std::min<int64_t>(s.pim.global_buffer_bytes, int64_t{s.org.columns} * s.access_bytes) / 2;
}

// The row-stream layout of `g`, or segments == 0 when the device cannot hold
// the partial sums it needs (result_latches) or has no global buffer.
inline RowStreamPlan row_stream_plan(const arch::DramStandard& s, const PimGemv& g) {
  RowStreamPlan p;
  const int64_t word = 2;
  const int64_t banks = int64_t{s.org.bankgroups} * s.org.banks_per_group;
  const int64_t per_access = s.access_bytes / word;
  const int64_t row_values = aim_chunk_values(s);
  if (row_values <= 0) return p;
  if (g.cols > row_values) {
    // A row per chunk of one output: the chunks of every matrix loaded in turn.
    p.segments = 1;
    p.loads = g.matrices * pim_ceil_div(g.cols, row_values);
    p.rows_per_load = pim_ceil_div(g.rows, banks);
    p.macs_per_row = row_values / per_access;
    p.wrgb_per_load = row_values * word / s.access_bytes;
  } else {
    // Whole outputs side by side in a row: from one matrix (the input repeated
    // in the buffer) or from several (their inputs side by side).
    const int64_t seg_values = pim_ceil_div(g.cols, per_access) * per_access;  // a segment starts on a column
    const int64_t fit = std::min<int64_t>(row_values / seg_values, s.pim.result_latches);
    const int64_t distinct = std::min(fit, g.matrices);  // matrices sharing one load
    const int64_t copies = fit / distinct;                // outputs of each per row
    p.segments = distinct * copies;
    p.loads = pim_ceil_div(g.matrices, distinct);
    p.rows_per_load = pim_ceil_div(pim_ceil_div(g.rows, copies), banks);
    p.macs_per_row = p.segments * seg_values / per_access;
    p.wrgb_per_load = pim_ceil_div(p.segments * seg_values * word, s.access_bytes);
  }
  return p;
}

// The rows each bank needs for one GEMV of `g` (matrices = 1 for rounds and
// HBM-PIM, whose GEMVs run one after another) in `layout`; the layout fits
// when they exist: below PIMSimulator's reserved rows (0x1000) on HBM-PIM,
// within the bank's rows on AiM-style devices.
inline int64_t pim_rows_needed(const arch::DramStandard& s, const PimGemv& g, PimLayout layout) {
  const int64_t banks = int64_t{s.org.bankgroups} * s.org.banks_per_group;
  if (s.pim.command_set == arch::PimCommandSet::kHbmPim) {
    const int64_t r = s.pim.register_entries;
    const int64_t units = s.pim.units_per_channel(static_cast<int>(banks)) * s.channels;
    const int64_t out_tiles = pim_ceil_div(g.rows, units * r);
    const int64_t half = pim_ceil_div(pim_ceil_div(pim_ceil_div(g.cols, int64_t{s.pim.lanes}), r), 2);
    return pim_ceil_div(out_tiles * half * r * r + out_tiles * r, s.org.columns);
  }
  if (layout == PimLayout::kRowStream) {
    const RowStreamPlan p = row_stream_plan(s, g);
    return p.loads * pim_ceil_div(p.rows_per_load, int64_t{s.channels});
  }
  return pim_ceil_div(pim_ceil_div(g.rows, banks), int64_t{s.channels}) * pim_ceil_div(g.cols, aim_chunk_values(s));
}
inline int64_t pim_rows_available(const arch::DramStandard& s) {
  return s.pim.command_set == arch::PimCommandSet::kHbmPim ? int64_t{0x1000} : s.org.rows;
}

// Whether the device runs `g` in `layout` (row-stream on AiM-style devices
// only; HBM-PIM runs its own GEMV, one matrix at a time) with its weights in
// the rows its banks have for them.
inline bool pim_gemv_fits(const arch::DramStandard& s, PimGemv g, PimLayout layout) {
  if (!s.pim.enabled()) return false;
  const bool aim = s.pim.command_set == arch::PimCommandSet::kAim;
  if (layout == PimLayout::kRowStream && !aim) return false;
  if (layout == PimLayout::kRounds || !aim) g.matrices = 1;
  return pim_rows_needed(s, g, layout) <= pim_rows_available(s);
}

}  // namespace einflow::sim
