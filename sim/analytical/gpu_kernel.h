// Internal to the GPU attention model (gpu_attention.h): a kernel as a grid of
// thread blocks, timed on the SMs by the hardware's greedy block scheduler.
#pragma once

#include <vector>

#include "sim/analytical/gpu_attention.h"

namespace einflow::sim::analytical::gpu {

// A block's reads of a byte range of one slice of a tensor (a KV set's K and
// V, a row group's Q, O or partials), `times` times.
struct SliceRead {
  int64_t slice = 0;
  double begin = 0, end = 0;
  double times = 1;
};

// One thread block's work.
struct Block {
  double macs = 0;        // tensor-core MACs, padding included
  double lane_ops = 0;    // vector-lane operations
  double sfu_ops = 0;     // special-function operations (exp, rcp, log)
  double load_words = 0;  // words it loads into its SM (HBM -> shared memory)
  double smem_reads = 0;  // words read out of shared memory by the units
  double hbm_write_bytes = 0;    // global stores
  double rewrite_bytes = 0;      // stores over what the block stored before (FA-1's O_i each step): the L2 absorbs them as it serves re-reads
  std::vector<SliceRead> reads;  // its global loads, by slice
  void read(int64_t slice, double bytes, double times = 1) { read_range(slice, 0, bytes, times); }
  void read_range(int64_t slice, double begin, double end, double times = 1);
  double read_bytes() const;     // global loads in all
};

// Cycles of a block's compute on one SM: tensor-core then vector work (each
// waits for the other), lanes and SFU side by side when the SFU is a
// functional unit of its own.
double compute_cycles(const GpuSpec& gpu, const Block& b);

// The kernel of `blocks` in grid order: each to the SM with the least work so
// far; an SM takes the larger of its compute and of its loads at the fill
// bandwidth; the kernel the slowest SM or its HBM bytes at the bandwidth.
// The L2 serves re-reads within a wave (`resident` blocks per SM, all SMs):
// the union of the ranges the wave reads comes from HBM once; the rest are
// re-reads, served by the L2 when that union fits in it, else in the
// proportion of the L2 to the union (a capacity ratio, not an LRU).
GpuKernel run_kernel(const GpuSpec& gpu, const std::string& name, const std::vector<Block>& blocks,
                     int64_t resident = 1);

// A kernel spread evenly over every SM (cuBLAS GEMMs and an element-wise
// softmax over a large grid: no block granularity is modelled).
GpuKernel run_even(const GpuSpec& gpu, const std::string& name, const Block& total);

// The result's totals from its kernels (their sum; SM utilization, what
// bound the longer share of the time, the energy), replacing what it held.
void sum_kernels(const GpuSpec& gpu, GpuAttention& r);

// Energy per component and action: HBM bytes at its pJ/bit, every global
// load and store through the L2 once, shared-memory fills and reads, MACs, lane and SFU ops.
std::vector<EnergyEntry> energy_entries(const GpuSpec& gpu, const GpuAttention& r);

}  // namespace einflow::sim::analytical::gpu
