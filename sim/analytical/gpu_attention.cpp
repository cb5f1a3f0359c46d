// The GPU attention designs (gpu_attention.h): each algorithm's thread blocks,
// their tiles, loads, stores and operations, as its paper and its public
// implementation write them.
#include "sim/analytical/gpu_attention.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <tuple>

#include "common/text.h"
#include "sim/analytical/gpu_kernel.h"

namespace einflow::sim::analytical {

namespace {

using gpu::Block;

constexpr double kStatBytes = 4;  // FP32 softmax statistics and split partial outputs
constexpr int64_t kMmaRows = 16;  // mma.sync m16n8k16: rows per MMA
constexpr int64_t kMmaCols = 8;   // ... and columns
// Row groups (thread blocks) the model keeps at once: about 1 GB of accounting.
constexpr int64_t kMostRowGroups = int64_t{1} << 22;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t m) { return ceil_div(a, m) * m; }

struct Dims {
  int64_t batch, heads, kv_heads, group, nq, nk, d, dv, window, offset;
  bool causal;
  double w;  // bytes per word
};

// A row group: the query rows one tile holds (of one sequence and one head, or
// of a GQA group's heads packed in decode), and the key blocks it sees.
struct RowGroup {
  int64_t id = 0;          // its index in grid order
  int64_t kv_set = 0;      // sequence x KV head whose K and V it reads
  int64_t rows = 0;        // valid rows
  int64_t q_first = 0, q_last = 0;  // query positions
  int64_t first_block = 0, blocks = 0;  // visible key blocks (a contiguous run)
};

// The key blocks of `block_keys` that rows [q_first, q_last] see: those with
// a visible (query, key) pair (causal block skipping; a sliding window skips
// the blocks entirely before it).
void visible_blocks(const Dims& s, int64_t block_keys, RowGroup& g) {
  const int64_t nb = ceil_div(s.nk, block_keys);
  int64_t lo = 0, hi = nb - 1;
  if (s.causal) {
    if (g.q_last + s.offset < 0) hi = -1;  // no key visible (a causal shape has M >= P: not reached)
    else hi = std::min(hi, (g.q_last + s.offset) / block_keys);
    if (s.window > 0) lo = std::max<int64_t>(0, (g.q_first + s.offset - s.window + 1) / block_keys);
  }
  g.first_block = lo;
  g.blocks = std::max<int64_t>(0, hi - lo + 1);
}

// Keys of blocks [first, first + n): exact, and padded to the MMA's columns.
int64_t keys_of(const Dims& s, int64_t block_keys, int64_t first, int64_t n) {
  if (n <= 0) return 0;
  const int64_t k0 = first * block_keys, k1 = std::min(s.nk, (first + n) * block_keys);
  return k1 - k0;
}
int64_t padded_keys_of(const Dims& s, int64_t block_keys, int64_t first, int64_t n) {
  if (n <= 0) return 0;
  // Every tile's keys padded to the MMA's columns: the full blocks, then the last (maybe partial) one.
  const int64_t last = keys_of(s, block_keys, first + n - 1, 1);
  return (n - 1) * round_up(block_keys, kMmaCols) + round_up(last, kMmaCols);
}

// Slices of the L2 model: a KV set's K and V (read by key ranges), a row
// group's Q, its O and statistics, its partials.
enum class Slice : int64_t { kKv = 0, kQ = 1, kO = 2, kPartial = 3 };
int64_t slice_id(Slice kind, int64_t index) { return static_cast<int64_t>(kind) + 4 * index; }
// A KV set's K and V: keys [first, first + n) of blocks of `block_keys`, as a byte range.
void read_kv(const Dims& s, int64_t block_keys, int64_t kv_set, int64_t first_block, int64_t keys, Block& b) {
  const double per_key = static_cast<double>(s.d + s.dv) * s.w;
  const double begin = static_cast<double>(first_block * block_keys) * per_key;
  b.read_range(slice_id(Slice::kKv, kv_set), begin, begin + static_cast<double>(keys) * per_key);
}

// Whether decode packs a GQA group's query heads as the rows of one tile.
bool packs(const Dims& s) { return s.nq == 1 && s.group > 1; }

// The row groups in grid order, rows per group at most `block_rows`.
std::vector<RowGroup> row_groups(const Dims& s, int64_t block_rows, int64_t block_keys) {
  std::vector<RowGroup> out;
  const bool pack = packs(s);
  const int64_t sets = s.batch * (pack ? s.kv_heads : s.heads);
  const int64_t rows_per_set = pack ? s.group : s.nq;
  const int64_t count = sets * ceil_div(rows_per_set, block_rows);
  if (count > kMostRowGroups)
    throw UserError(SourceLoc{}, "the GPU attention model accounts per thread block; " + std::to_string(count) +
                                     " row groups (batch x heads x query blocks) is more than it keeps (" +
                                     std::to_string(kMostRowGroups) + "): use a smaller batch or sequence");
  out.reserve(static_cast<size_t>(count));
  for (int64_t set = 0; set < sets; ++set)
    for (int64_t r0 = 0; r0 < rows_per_set; r0 += block_rows) {
      RowGroup g;
      g.id = static_cast<int64_t>(out.size());
      g.kv_set = pack ? set : (set / s.heads) * s.kv_heads + (set % s.heads) / s.group;
      g.rows = std::min(block_rows, rows_per_set - r0);
      g.q_first = pack ? 0 : r0;
      g.q_last = pack ? 0 : r0 + g.rows - 1;
      visible_blocks(s, block_keys, g);
      out.push_back(g);
    }
  return out;
}

// FlashAttention-2's inner step over `keys` keys (padded: `pkeys`) in `tiles`
// tiles of a row group of `rows` rows: S = Q K^T, the running max, P = exp(S -
// m) (the scale folded into the subtraction's FMA), the row sums, the rescale
// of l and O by exp(m_old - m_new), O += P V.
void flash2_tiles(const Dims& s, const RowGroup& rg, int64_t block_keys, int64_t first, int64_t tiles, Block& b) {
  const int64_t rows = rg.rows, keys = keys_of(s, block_keys, first, tiles);
  const int64_t pkeys = padded_keys_of(s, block_keys, first, tiles);
  const double r16 = static_cast<double>(round_up(rows, kMmaRows));
  const double e = r16 * static_cast<double>(pkeys);
  b.macs += e * static_cast<double>(s.d + s.dv);
  b.lane_ops += 3 * e + static_cast<double>(tiles) * r16 * static_cast<double>(3 + s.dv);
  b.sfu_ops += e + static_cast<double>(tiles) * r16;
  b.load_words += static_cast<double>(keys * (s.d + s.dv));
  b.smem_reads += r16 / kMmaRows * static_cast<double>(keys * (s.d + s.dv));
  read_kv(s, block_keys, rg.kv_set, first, keys, b);
}

// Loading a row group's Q.
void load_q(const Dims& s, const RowGroup& rg, Block& b) {
  b.load_words += static_cast<double>(rg.rows * s.d);
  b.smem_reads += static_cast<double>(rg.rows * s.d);
  b.read(slice_id(Slice::kQ, rg.id), static_cast<double>(rg.rows * s.d) * s.w);
}

// O / l (a reciprocal and a multiply per element) and L = m + log l over a
// tile's rows (MMA fragments: padded to 16).
void normalize(const Dims& s, int64_t rows, Block& b) {
  const double r16 = static_cast<double>(round_up(rows, kMmaRows));
  b.lane_ops += r16 * static_cast<double>(s.dv) + r16;
  b.sfu_ops += 2 * r16;
}

// FlashAttention-2's epilogue: normalized, O and L written.
void flash2_epilogue(const Dims& s, int64_t rows, Block& b) {
  normalize(s, rows, b);
  b.hbm_write_bytes += static_cast<double>(rows * s.dv) * s.w + static_cast<double>(rows) * kStatBytes;
}

// A split's partial (Flash-Decoding: O normalized and its log-sum-exp, FP32).
void write_partial(const Dims& s, int64_t rows, double stats, Block& b) {
  b.hbm_write_bytes += static_cast<double>(rows * s.dv) * kStatBytes + static_cast<double>(rows) * stats * kStatBytes;
}

// Merging `parts` partial states into one per row (the split form's GM, SW,
// SD and NV): each read, its weight exp(m_j - m) (a max, a subtraction, an
// exp, a sum), O accumulated (an FMA per element). The division by the sum
// and the log-sum-exp are the caller's (flash2_epilogue, or finish_rows).
void combine(const Dims& s, const RowGroup& rg, int64_t parts, double stats, Block& b) {
  const double r = static_cast<double>(rg.rows), p = static_cast<double>(parts);
  b.read(slice_id(Slice::kPartial, rg.id), p * (r * static_cast<double>(s.dv) + r * stats) * kStatBytes);
  b.load_words += p * (r * static_cast<double>(s.dv) + r * stats) * kStatBytes / s.w;
  b.lane_ops += r * p * (3 + static_cast<double>(s.dv));
  b.sfu_ops += r * p;
}

// The combine kernel's end, row by row (no MMA fragments: rows unpadded): O / l
// (a reciprocal and a multiply per element), the log-sum-exp, O and L written.
void finish_rows(const Dims& s, int64_t rows, Block& b) {
  const double r = static_cast<double>(rows);
  b.lane_ops += r * static_cast<double>(s.dv) + r;
  b.sfu_ops += 2 * r;
  b.hbm_write_bytes += r * static_cast<double>(s.dv) * s.w + r * kStatBytes;
}

GpuAttention standard(const GpuSpec& g, const Dims& s) {
  // Algorithm 0, per query head: S = Q K^T (scaled; masked when causal) to
  // HBM; P = softmax(S) read and written; O = P V. Each kernel over every SM.
  GpuAttention r;
  const double heads = static_cast<double>(s.batch * s.heads);
  const double nq = static_cast<double>(s.nq), nk = static_cast<double>(s.nk);
  const double e = nq * nk, pe = static_cast<double>(round_up(s.nq, kMmaRows) * round_up(s.nk, kMmaCols));
  Block qk, sm, pv;
  qk.macs = heads * pe * static_cast<double>(s.d);
  qk.lane_ops = heads * e * (s.causal ? 2 : 1);
  qk.load_words = heads * (nq + nk) * static_cast<double>(s.d);
  qk.smem_reads = qk.load_words;
  qk.read(0, qk.load_words * s.w);
  qk.hbm_write_bytes = heads * e * s.w;
  sm.lane_ops = heads * 4 * e;
  sm.sfu_ops = heads * (e + nq);
  sm.load_words = heads * e;
  sm.smem_reads = sm.load_words;
  sm.read(0, heads * e * s.w);
  sm.hbm_write_bytes = heads * e * s.w;
  pv.macs = heads * pe * static_cast<double>(s.dv);
  pv.load_words = heads * (e + nk * static_cast<double>(s.dv));
  pv.smem_reads = pv.load_words;
  pv.read(0, pv.load_words * s.w);
  pv.hbm_write_bytes = heads * nq * static_cast<double>(s.dv) * s.w;
  r.kernels = {gpu::run_even(g, "QK", qk), gpu::run_even(g, "softmax", sm), gpu::run_even(g, "PV", pv)};
  r.row_groups = s.batch * s.heads;
  return r;
}

// FlashAttention's block sizes for SRAM of M words: B_c = ceil(M / 4d),
// B_r = min(B_c, d).
std::pair<int64_t, int64_t> flash_blocks(const Dims& s, int64_t m) {
  if (m < 4 * s.d)
    throw UserError(SourceLoc{}, "FlashAttention's blocks need SRAM of at least 4d = " + std::to_string(4 * s.d) +
                                     " words; the SM has " + std::to_string(m));
  const int64_t bc = ceil_div(m, 4 * s.d);
  return {std::min(bc, s.d), bc};
}

GpuAttention flash1(const GpuSpec& g, const Dims& s, int64_t smem) {
  // Algorithm 1: one thread block per head (FA-1 parallelizes over batch and
  // heads); O, l, m initialised in HBM; outer loop over K/V blocks j (K_j,
  // V_j loaded), inner over query blocks i: Q_i, O_i, l_i, m_i loaded, the
  // step, O_i, l_i, m_i written back (O_i rescaled by diag(l_new)^-1 each step).
  GpuAttention r;
  std::tie(r.block_rows, r.block_keys) = flash_blocks(s, smem);
  const std::vector<RowGroup> groups = row_groups(s, r.block_rows, r.block_keys);
  const int64_t per_head = ceil_div(packs(s) ? s.group : s.nq, r.block_rows);
  std::vector<Block> blocks;
  for (size_t h = 0; h < groups.size(); h += static_cast<size_t>(per_head)) {
    Block b;
    int64_t rows = 0, lo = INT64_MAX, hi = -1;
    for (int64_t i = 0; i < per_head; ++i) {
      const RowGroup& rg = groups[h + static_cast<size_t>(i)];
      rows += rg.rows;
      if (rg.blocks > 0) {
        lo = std::min(lo, rg.first_block);
        hi = std::max(hi, rg.first_block + rg.blocks - 1);
      }
      // Its visible steps j, all at once: per step the tile, Q_i and O_i (and l_i, m_i) in and out.
      const double r16 = static_cast<double>(round_up(rg.rows, kMmaRows)), steps = static_cast<double>(rg.blocks);
      const double e = r16 * static_cast<double>(padded_keys_of(s, r.block_keys, rg.first_block, rg.blocks));
      const double keys = static_cast<double>(keys_of(s, r.block_keys, rg.first_block, rg.blocks));
      b.macs += e * static_cast<double>(s.d + s.dv);
      b.lane_ops += 3 * e + steps * (7 * r16 + 2 * r16 * static_cast<double>(s.dv));
      b.sfu_ops += e + steps * 3 * r16;
      const double words = static_cast<double>(rg.rows * (s.d + s.dv));  // Q_i and O_i
      b.load_words += steps * (words + 2 * static_cast<double>(rg.rows) * kStatBytes / s.w);
      b.smem_reads += steps * static_cast<double>(rg.rows * s.d) + r16 / kMmaRows * keys * static_cast<double>(s.d + s.dv);
      b.rewrite_bytes +=
          steps * (static_cast<double>(rg.rows * s.dv) * s.w + 2 * static_cast<double>(rg.rows) * kStatBytes);
      r.tiles += rg.blocks;
      // Q_i, O_i, l_i, m_i once per visible step.
      const double times = static_cast<double>(rg.blocks);
      b.read(slice_id(Slice::kQ, rg.id), static_cast<double>(rg.rows * s.d) * s.w, times);
      b.read(slice_id(Slice::kO, rg.id),
             static_cast<double>(rg.rows * s.dv) * s.w + 2 * static_cast<double>(rg.rows) * kStatBytes, times);
    }
    // K_j, V_j once per outer step that some query block sees; the initial O, l, m.
    const int64_t kv = hi >= lo ? keys_of(s, r.block_keys, lo, hi - lo + 1) : 0;
    b.load_words += static_cast<double>(kv * (s.d + s.dv));
    if (kv > 0) read_kv(s, r.block_keys, groups[h].kv_set, lo, kv, b);
    b.hbm_write_bytes += static_cast<double>(rows * s.dv) * s.w + 2 * static_cast<double>(rows) * kStatBytes;
    blocks.push_back(b);
  }
  r.row_groups = static_cast<int64_t>(groups.size());
  r.kernels = {gpu::run_kernel(g, "attention", blocks)};
  return r;
}

GpuAttention flash2(const GpuSpec& g, const Dims& s, int64_t smem) {
  // Algorithm 2 (forward): one thread block per row group (parallel over the
  // sequence too); Q_i loaded once, the inner loop over the visible K/V
  // blocks, O_i and L_i written once.
  GpuAttention r;
  std::tie(r.block_rows, r.block_keys) = flash_blocks(s, smem);
  const std::vector<RowGroup> groups = row_groups(s, r.block_rows, r.block_keys);
  std::vector<Block> blocks;
  for (const RowGroup& rg : groups) {
    Block b;
    load_q(s, rg, b);
    flash2_tiles(s, rg, r.block_keys, rg.first_block, rg.blocks, b);
    flash2_epilogue(s, rg.rows, b);
    r.tiles += rg.blocks;
    blocks.push_back(b);
  }
  r.row_groups = static_cast<int64_t>(groups.size());
  r.kernels = {gpu::run_kernel(g, "attention", blocks)};
  return r;
}

// The decode designs' tile, as flash-attn's split-KV kernel and LeanAttention's
// implementation use it: 64 rows by 256 keys (d <= 64), 128 (d <= 128) or 64;
// fewer keys (multiples of 16) when Q, K and V tiles would not fit the SM.
std::pair<int64_t, int64_t> decode_tile(const Dims& s, int64_t smem) {
  const int64_t rows = 64;
  int64_t keys = s.d <= 64 ? 256 : (s.d <= 128 ? 128 : 64);
  while (keys > 16 && rows * s.d + keys * (s.d + s.dv) > smem) keys -= 16;
  if (rows * s.d + keys * (s.d + s.dv) > smem)
    throw UserError(SourceLoc{}, "a decode tile of " + std::to_string(rows) + " rows and " + std::to_string(keys) +
                                     " keys needs " + std::to_string(rows * s.d + keys * (s.d + s.dv)) +
                                     " words of shared memory; the SM has " + std::to_string(smem));
  return {rows, keys};
}

// Thread blocks resident on an SM at once: as many tiles (Q, K and V) as its
// shared memory holds.
int64_t resident(const Dims& s, int64_t smem, int64_t rows, int64_t keys) {
  return std::max<int64_t>(1, smem / (rows * s.d + keys * (s.d + s.dv)));
}

// flash-attn's choice of splits (num_splits_heuristic, given twice the SMs:
// its split kernel's 128-thread blocks, two per SM): none when the row groups
// nearly fill those slots; else the fewest splits whose waves are at least 85%
// as full as the best's (a split count that leaves the blocks per split
// unchanged is skipped), at most 128.
int64_t split_heuristic(const GpuSpec& g, int64_t groups, int64_t key_blocks) {
  const int64_t slots = 2 * g.sms;
  const double sms = static_cast<double>(slots);
  if (static_cast<double>(groups) >= 0.8 * sms) return 1;
  const int64_t most = std::min<int64_t>({128, slots, key_blocks});
  auto eligible = [&](int64_t n) { return n == 1 || ceil_div(key_blocks, n) != ceil_div(key_blocks, n - 1); };
  auto efficiency = [&](int64_t n) {
    const double waves = static_cast<double>(groups * n) / sms;
    return waves / std::ceil(waves);
  };
  double best = 0;
  for (int64_t n = 1; n <= most; ++n)
    if (eligible(n)) best = std::max(best, efficiency(n));
  for (int64_t n = 1; n <= most; ++n)
    if (eligible(n) && efficiency(n) >= 0.85 * best) return n;
  return 1;
}

GpuAttention flash_decoding(const GpuSpec& g, const Dims& s, int64_t smem, int64_t splits) {
  // Each row group's visible key blocks cut into equal chunks of whole blocks,
  // one thread block each (FA-2's step), each writing its partial O and
  // log-sum-exp; a second kernel combines a row group's partials.
  GpuAttention r;
  std::tie(r.block_rows, r.block_keys) = decode_tile(s, smem);
  const std::vector<RowGroup> groups = row_groups(s, r.block_rows, r.block_keys);
  int64_t most_blocks = 1;
  for (const RowGroup& rg : groups) most_blocks = std::max(most_blocks, rg.blocks);
  r.splits = splits > 0 ? std::min<int64_t>(splits, 128) : split_heuristic(g, static_cast<int64_t>(groups.size()), most_blocks);
  std::vector<Block> blocks, combines;
  for (const RowGroup& rg : groups) {
    const int64_t per_split = ceil_div(std::max<int64_t>(rg.blocks, 1), r.splits);
    for (int64_t sp = 0; sp < r.splits; ++sp) {
      Block b;
      const int64_t first = rg.first_block + sp * per_split;
      const int64_t n = std::max<int64_t>(0, std::min(per_split, rg.first_block + rg.blocks - first));
      if (n > 0) {
        load_q(s, rg, b);
        flash2_tiles(s, rg, r.block_keys, first, n, b);
        if (r.splits == 1) {
          flash2_epilogue(s, rg.rows, b);
        } else {
          normalize(s, rg.rows, b);
          write_partial(s, rg.rows, 1, b);
        }
        r.tiles += n;
      } else if (r.splits == 1) {  // no key visible: O = 0 and L = -inf written
        b.hbm_write_bytes += static_cast<double>(rg.rows * s.dv) * s.w + static_cast<double>(rg.rows) * kStatBytes;
      } else {  // an empty split still writes its partial (zeros, L = -inf) for the combine to read
        write_partial(s, rg.rows, 1, b);
      }
      blocks.push_back(b);
    }
    if (r.splits > 1) {
      Block c;
      combine(s, rg, r.splits, 1, c);
      finish_rows(s, rg.rows, c);
      combines.push_back(c);
    }
  }
  r.row_groups = static_cast<int64_t>(groups.size());
  r.kernels = {gpu::run_kernel(g, "attention", blocks, resident(s, smem, r.block_rows, r.block_keys))};
  if (!combines.empty()) r.kernels.push_back(gpu::run_kernel(g, "combine", combines));
  return r;
}

GpuAttention lean(const GpuSpec& g, const Dims& s, int64_t smem) {
  // Stream-K: every row group's visible tiles laid end to end, and 2 x SMs
  // thread blocks each take an equal contiguous run (within one tile), which
  // may cross row groups. A run that holds a row group's tiles only in part
  // leaves a partial state (O unnormalized, m, l) unless it holds the group's
  // first tile: that block (the host) reads the others' partials and combines.
  GpuAttention r;
  std::tie(r.block_rows, r.block_keys) = decode_tile(s, smem);
  const std::vector<RowGroup> groups = row_groups(s, r.block_rows, r.block_keys);
  int64_t total = 0;
  for (const RowGroup& rg : groups) total += rg.blocks;
  const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(2 * g.sms, total));
  std::vector<Block> blocks(static_cast<size_t>(workers));
  std::vector<int64_t> parts_of(groups.size(), 0);  // partials each host combines
  std::vector<int64_t> host_of(groups.size(), -1);
  int64_t start = 0;  // global index of the group's first tile
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const RowGroup& rg = groups[gi];
    const int64_t end = start + rg.blocks;
    // The blocks whose runs [b T / W, (b + 1) T / W) overlap [start, end).
    for (int64_t w = start * workers / std::max<int64_t>(total, 1); w < workers && rg.blocks > 0; ++w) {
      const int64_t w0 = w * total / workers, w1 = (w + 1) * total / workers;
      if (w0 >= end) break;
      const int64_t a = std::max(start, w0), b = std::min(end, w1);
      if (b <= a) continue;
      Block& blk = blocks[static_cast<size_t>(w)];
      const int64_t first = rg.first_block + (a - start), n = b - a;
      load_q(s, rg, blk);
      flash2_tiles(s, rg, r.block_keys, first, n, blk);
      if (a == start) {
        host_of[gi] = w;
      } else {
        write_partial(s, rg.rows, 2, blk);
        ++parts_of[gi];
      }
    }
    if (host_of[gi] >= 0) {
      Block& host = blocks[static_cast<size_t>(host_of[gi])];
      if (parts_of[gi] > 0) combine(s, rg, parts_of[gi], 2, host);
      flash2_epilogue(s, rg.rows, host);
    }
    r.tiles += rg.blocks;
    start = end;
  }
  r.row_groups = static_cast<int64_t>(groups.size());
  r.splits = workers;
  r.kernels = {gpu::run_kernel(g, "attention", blocks, resident(s, smem, r.block_rows, r.block_keys))};
  return r;
}

Dims dims_of(const workloads::AttentionShape& a, double word_bytes) {
  Dims s{a.batch, a.heads, a.kv_heads, a.heads / std::max<int64_t>(a.kv_heads, 1), a.p, a.m, a.e, a.f,
         a.window, a.m - a.p, a.causal, word_bytes};
  return s;
}

double useful_macs(const Dims& s) {
  double pairs = 0;
  for (int64_t q = 0; q < s.nq; ++q) {
    int64_t hi = s.nk - 1, lo = 0;
    if (s.causal) {
      hi = std::min(hi, q + s.offset);
      if (s.window > 0) lo = std::max<int64_t>(0, q + s.offset - s.window + 1);
    }
    pairs += static_cast<double>(std::max<int64_t>(0, hi - lo + 1));
  }
  return pairs * static_cast<double>(s.batch * s.heads * (s.d + s.dv));
}

}  // namespace

const std::vector<std::string>& gpu_attention_designs() {
  static const std::vector<std::string> names = {"standard", "flash1", "flash2", "flash-decoding", "lean"};
  return names;
}

GpuAttention gpu_attention(const GpuSpec& g, const workloads::AttentionShape& shape, const std::string& design,
                           const GpuAttentionOptions& o) {
  if (shape.mixer != workloads::Mixer::kSoftmax)
    throw UserError(SourceLoc{}, "the GPU attention designs run softmax attention, not " +
                                     std::string(workloads::mixer_name(shape.mixer)));
  if (shape.batch <= 0 || shape.heads <= 0 || shape.kv_heads <= 0 || shape.heads % shape.kv_heads != 0 ||
      shape.p <= 0 || shape.m <= 0 || shape.e <= 0 || shape.f <= 0)
    throw UserError(SourceLoc{}, "an attention shape needs positive batch, heads, queries, keys and head "
                                 "dimensions, and heads a multiple of the KV heads");
  const Dims s = dims_of(shape, g.word_bytes);
  const int64_t smem = o.smem_words > 0 ? o.smem_words : g.smem_words;
  GpuAttention r;
  if (design == "standard") r = standard(g, s);
  else if (design == "flash1") r = flash1(g, s, smem);
  else if (design == "flash2") r = flash2(g, s, smem);
  else if (design == "flash-decoding") r = flash_decoding(g, s, smem, o.splits);
  else if (design == "lean") r = lean(g, s, smem);
  else
    throw UserError(SourceLoc{}, "no GPU attention design '" + design + "' (" + join(gpu_attention_designs(), ", ") +
                                     ")" + did_you_mean(design, gpu_attention_designs()));
  r.design = design;
  r.useful_macs = useful_macs(s);
  gpu::sum_kernels(g, r);
  return r;
}

}  // namespace einflow::sim::analytical
