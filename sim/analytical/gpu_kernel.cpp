// Kernels of the GPU attention model: the block scheduler, the kernel's time,
// and the result as einflow's Stats.
#include "sim/analytical/gpu_kernel.h"

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <utility>

namespace einflow::sim::analytical {

namespace gpu {

void Block::read_range(int64_t slice, double begin, double end, double times) {
  if (end > begin && times > 0) reads.push_back({slice, begin, end, times});
}

double Block::read_bytes() const {
  double t = 0;
  for (const SliceRead& r : reads) t += (r.end - r.begin) * r.times;
  return t;
}

double compute_cycles(const GpuSpec& g, const Block& b) {
  const double tc = b.macs / g.macs_per_cycle;
  const double lane = b.lane_ops / g.lanes, sfu = b.sfu_ops / g.sfu_per_cycle;
  return tc + (g.sfu_overlaps ? std::max(lane, sfu) : lane + sfu);
}

namespace {

void add_totals(GpuKernel& k, const Block& b) {
  k.macs += b.macs;
  k.lane_ops += b.lane_ops;
  k.sfu_ops += b.sfu_ops;
  k.smem_fill_words += b.load_words;
  k.smem_read_words += b.smem_reads;
  k.global_read_bytes += b.read_bytes();
  k.global_write_bytes += b.hbm_write_bytes + b.rewrite_bytes;
}

void finish(const GpuSpec& g, GpuKernel& k, double slowest_sm_cycles, double busy_sm_cycles) {
  k.sm_seconds = slowest_sm_cycles / g.clock_hz;
  k.sm_busy_seconds = busy_sm_cycles / g.clock_hz;
  k.hbm_seconds = (k.hbm_read_bytes + k.hbm_write_bytes) / g.hbm_bytes_per_second;
  k.seconds = std::max(k.sm_seconds, k.hbm_seconds);
}

}  // namespace

// HBM reads of the blocks [first, last) of one wave, and the share of re-reads
// (and re-writes) the L2 misses.
std::pair<double, double> wave_traffic(const GpuSpec& g, const std::vector<Block>& blocks, size_t first, size_t last) {
  std::map<int64_t, std::vector<std::pair<double, double>>> ranges;
  double all = 0, live = 0;
  for (size_t i = first; i < last; ++i)
    for (const SliceRead& r : blocks[i].reads) {
      ranges[r.slice].emplace_back(r.begin, r.end);
      all += (r.end - r.begin) * r.times;
    }
  for (auto& [slice, rs] : ranges) {  // the union's length
    std::sort(rs.begin(), rs.end());
    double lo = rs.front().first, hi = rs.front().second;
    for (const auto& [b, e] : rs) {
      if (b > hi) {
        live += hi - lo;
        lo = b;
      }
      hi = std::max(hi, e);
    }
    live += hi - lo;
  }
  const double missed = live <= g.l2_bytes ? 0 : 1 - g.l2_bytes / live;
  return {live + (all - live) * missed, missed};
}

GpuKernel run_kernel(const GpuSpec& g, const std::string& name, const std::vector<Block>& blocks,
                     int64_t resident) {
  GpuKernel k;
  k.name = name;
  k.blocks = static_cast<int64_t>(blocks.size());
  // Per SM: (compute cycles, load cycles); its time is the larger.
  std::vector<std::pair<double, double>> sm(static_cast<size_t>(g.sms), {0.0, 0.0});
  auto time_of = [&](size_t s) { return std::max(sm[s].first, sm[s].second); };
  using Entry = std::pair<double, size_t>;  // (time, SM): the least loaded first, then the lowest index
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> free_sm;
  for (size_t s = 0; s < sm.size(); ++s) free_sm.push({0.0, s});
  for (const Block& b : blocks) {
    add_totals(k, b);
    const size_t s = free_sm.top().second;
    free_sm.pop();
    sm[s].first += compute_cycles(g, b);
    if (g.fill_words_per_cycle > 0) sm[s].second += b.load_words / g.fill_words_per_cycle;
    free_sm.push({time_of(s), s});
  }
  const size_t wave = static_cast<size_t>(g.sms * std::max<int64_t>(resident, 1));
  for (size_t first = 0; first < blocks.size(); first += wave) {
    const size_t last = std::min(blocks.size(), first + wave);
    const auto [reads, missed] = wave_traffic(g, blocks, first, last);
    k.hbm_read_bytes += reads;
    for (size_t i = first; i < last; ++i) k.hbm_write_bytes += blocks[i].hbm_write_bytes + blocks[i].rewrite_bytes * missed;
  }
  double slowest = 0, busy = 0;
  for (size_t s = 0; s < sm.size(); ++s) {
    slowest = std::max(slowest, time_of(s));
    busy += time_of(s);
  }
  finish(g, k, slowest, busy);
  return k;
}

GpuKernel run_even(const GpuSpec& g, const std::string& name, const Block& total) {
  GpuKernel k;
  k.name = name;
  k.blocks = g.sms;
  add_totals(k, total);
  k.hbm_read_bytes = k.global_read_bytes;
  k.hbm_write_bytes = k.global_write_bytes;
  const double compute = compute_cycles(g, total) / static_cast<double>(g.sms);
  const double loads =
      g.fill_words_per_cycle > 0 ? total.load_words / g.fill_words_per_cycle / static_cast<double>(g.sms) : 0;
  const double per_sm = std::max(compute, loads);
  finish(g, k, per_sm, per_sm * static_cast<double>(g.sms));
  return k;
}

void sum_kernels(const GpuSpec& g, GpuAttention& r) {
  double busy = 0, sm = 0, hbm = 0;
  r.seconds = r.global_read_bytes = r.global_write_bytes = r.hbm_read_bytes = r.hbm_write_bytes = 0;
  r.macs = r.lane_ops = r.sfu_ops = r.energy_pj = 0;
  for (const GpuKernel& k : r.kernels) {
    r.seconds += k.seconds;
    r.global_read_bytes += k.global_read_bytes;
    r.global_write_bytes += k.global_write_bytes;
    r.hbm_read_bytes += k.hbm_read_bytes;
    r.hbm_write_bytes += k.hbm_write_bytes;
    r.macs += k.macs;
    r.lane_ops += k.lane_ops;
    r.sfu_ops += k.sfu_ops;
    busy += k.sm_busy_seconds;
    (k.hbm_seconds >= k.sm_seconds ? hbm : sm) += k.seconds;
  }
  r.sm_utilization = r.seconds > 0 ? busy / (static_cast<double>(g.sms) * r.seconds) : 0;
  r.bound_by = hbm >= sm ? g.dram_node : g.sm_node;
  for (const EnergyEntry& e : energy_entries(g, r)) r.energy_pj += e.energy_pj;
}

std::vector<EnergyEntry> energy_entries(const GpuSpec& g, const GpuAttention& r) {
  double fills = 0, reads = 0, lane = 0, sfu = 0;
  for (const GpuKernel& k : r.kernels) {
    fills += k.smem_fill_words;
    reads += k.smem_read_words;
    lane += k.lane_ops;
    sfu += k.sfu_ops;
  }
  std::vector<EnergyEntry> out;
  auto add = [&](const std::string& c, const std::string& action, double count, double pj) {
    if (count > 0) out.push_back({c, action, static_cast<int64_t>(count), count * pj});
  };
  add(g.dram_node, "read", r.hbm_read_bytes / g.word_bytes, g.hbm_pj_per_byte * g.word_bytes);
  add(g.dram_node, "write", r.hbm_write_bytes / g.word_bytes, g.hbm_pj_per_byte * g.word_bytes);
  // Every global load and store passes the L2 (the re-reads it serves included).
  if (!g.l2_node.empty()) add(g.l2_node, "access", r.io_bytes() / g.word_bytes, g.l2_pj);
  add(g.sm_node, "write", fills, g.smem_write_pj);
  add(g.sm_node, "read", reads, g.smem_read_pj);
  add(g.tensor_unit, "mac", r.macs, g.mac_pj);
  add(g.vector_unit, "lane op", lane, g.lane_op_pj);
  add(g.vector_unit, "sfu op", sfu, g.sfu_op_pj);
  return out;
}

}  // namespace gpu

Stats gpu_attention_stats(const arch::Architecture& a, const GpuSpec& g, const GpuAttention& r) {
  Stats s;
  s.seconds = r.seconds;
  s.cycles = whole_cycles(r.seconds * g.clock_hz, a.loc);
  s.energy_pj = r.energy_pj;
  s.area_um2 = a.total_area_um2();
  s.dram_bytes = static_cast<int64_t>(r.hbm_bytes());
  s.bound_by = r.bound_by;
  double compute = 0;
  for (const GpuKernel& k : r.kernels) {
    gpu::Block work;
    work.macs = k.macs;
    work.lane_ops = k.lane_ops;
    work.sfu_ops = k.sfu_ops;
    compute += gpu::compute_cycles(g, work) / static_cast<double>(g.sms);
  }
  s.compute_cycles = static_cast<int64_t>(compute);
  const double peak_cycles = r.seconds * g.clock_hz * static_cast<double>(g.sms);
  if (peak_cycles > 0) {
    s.utilization[g.tensor_unit] = r.macs / (g.macs_per_cycle * peak_cycles);
    s.utilization[g.vector_unit] = r.lane_ops / (g.lanes * peak_cycles);
    s.utilization["SMs"] = r.sm_utilization;  // SM-seconds busy over SMs x time
  }
  LevelStats hbm;
  hbm.name = g.dram_node;
  hbm.total.reads = static_cast<int64_t>(r.hbm_read_bytes / g.word_bytes);
  hbm.total.updates = static_cast<int64_t>(r.hbm_write_bytes / g.word_bytes);
  hbm.cycles = r.hbm_bytes() / g.hbm_bytes_per_second * g.clock_hz;
  s.per_level.push_back(hbm);
  LevelStats smem;
  smem.name = g.sm_node;
  for (const GpuKernel& k : r.kernels) {
    smem.total.fills += static_cast<int64_t>(k.smem_fill_words);
    smem.total.reads += static_cast<int64_t>(k.smem_read_words);
  }
  smem.instances_used = g.sms;
  s.per_level.push_back(smem);
  s.energy = gpu::energy_entries(g, r);
  return s;
}

}  // namespace einflow::sim::analytical
