// The GPU attention algorithms as an analytical model: standard attention
// (FlashAttention's Algorithm 0), FlashAttention-1 and -2, Flash-Decoding and
// LeanAttention, each counted as its algorithm loads, stores and computes, on
// a GPU read from an architecture tree (configs/arch/a100.yaml, h100, t4).
//
// What is modelled (sim/README.md, "GPU attention"):
// - The GPU: the SMs are the instances of the storage level that holds both
//   compute units' register files (its size: the shared memory an algorithm
//   may tile into; its write_bandwidth: what one SM can stream in per cycle);
//   the matrix unit (`contractions_only`: tensor cores) and the vector unit
//   (the one with `exp`: CUDA cores, the SFU ops on a functional unit of
//   their own) give the per-SM rates; the DRAM its bandwidth and pJ/bit.
// - A kernel is a grid of thread blocks. Each block's work is a list of tiles
//   (B_r query rows x B_c keys of one row group): tensor-core MACs with the
//   rows padded to the MMA's 16 and the keys to its 8, the softmax's vector
//   and SFU operations as each algorithm writes them, and the words it loads.
//   Within a block, matrix and vector work run one after the other (each
//   depends on the other); lane and SFU work overlap. Blocks go, in grid
//   order, to the SM with the least work so far (the hardware's block
//   scheduler); an SM's time is the larger of its blocks' compute and of
//   their loads at its fill bandwidth (loads overlap compute). A kernel takes
//   the slowest SM's time or its HBM bytes at the DRAM bandwidth, whichever
//   is longer; kernels run one after another.
// - Global loads and stores are the algorithm's, as its paper writes them
//   (io_bytes: FlashAttention's IO count). HBM traffic is less: within a wave
//   (the blocks resident at once), re-reads of a slice (a head's K/V, a row
//   group's Q and O) and FA-1's re-writes of O come from and stay in the L2
//   when the wave's slices fit in it (gpu_kernel.h).
//   Q, K, V, O in the architecture's word (FP16); softmax statistics and
//   split partial outputs in FP32 (flash-attn and LeanAttention keep them so).
// - Decode (one query per sequence) with GQA packs a group's query heads as
//   the rows of one tile (flash-attn >= 2.2 and LeanAttention do), for every
//   design but standard.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "sim/stats/stats.h"
#include "workloads/transformer.h"

namespace einflow::sim::analytical {

// A GPU as the attention model sees it, read from an architecture.
struct GpuSpec {
  std::string sm_node, tensor_unit, vector_unit, dram_node, l2_node;  // node names ("" : no L2)
  int64_t sms = 0;
  double clock_hz = 0;
  int64_t smem_words = 0;        // shared memory per SM, in words of word_bytes
  double l2_bytes = 0;           // 0: no L2
  double word_bytes = 2;
  double fill_words_per_cycle = 0;  // per SM; 0: unlimited
  double hbm_bytes_per_second = 0;
  double hbm_pj_per_byte = 0;
  double macs_per_cycle = 0;     // tensor cores, per SM
  double lanes = 0;              // vector lanes per SM (one op each per cycle)
  double sfu_per_cycle = 0;      // exp (and rcp, log) per SM per cycle
  bool sfu_overlaps = true;      // the SFU ops run beside the lanes' (their own functional unit)
  double mac_pj = 0, lane_op_pj = 0, sfu_op_pj = 0;
  double smem_read_pj = 0, smem_write_pj = 0, l2_pj = 0;  // per word
};

// UserError, at the architecture's file, when it has no such shape: two compute
// units (one contractions_only, one with exp) under a common storage level
// fanned out in instances, and a DRAM with a bandwidth.
GpuSpec gpu_spec(const arch::Architecture& arch);

// The designs, in the order the studies list them.
const std::vector<std::string>& gpu_attention_designs();

// One kernel launch of a design.
struct GpuKernel {
  std::string name;             // "attention", "combine", "QK", "softmax", "PV"
  int64_t blocks = 0;           // thread blocks
  double seconds = 0;
  double sm_seconds = 0;        // the slowest SM
  double hbm_seconds = 0;       // its HBM bytes at the bandwidth
  double global_read_bytes = 0, global_write_bytes = 0;  // the algorithm's loads and stores (its IO count)
  double hbm_read_bytes = 0, hbm_write_bytes = 0;        // what reaches HBM past the L2
  double macs = 0;              // executed on the tensor cores (padding included)
  double lane_ops = 0, sfu_ops = 0;
  double smem_fill_words = 0, smem_read_words = 0;
  double sm_busy_seconds = 0;   // summed over SMs
};

struct GpuAttention {
  std::string design;
  int64_t block_rows = 0;       // B_r (rows of a tile)
  int64_t block_keys = 0;       // B_c (keys of a tile)
  int64_t splits = 1;           // Flash-Decoding: the context's chunks per row group; LeanAttention: its thread blocks
  int64_t row_groups = 0;       // (sequence, head or packed GQA group, query block)
  int64_t tiles = 0;            // tiles computed (causal skipping applied)
  double useful_macs = 0;       // QK and PV over the visible (query, key) pairs
  std::vector<GpuKernel> kernels;
  // Totals over the kernels.
  double seconds = 0, global_read_bytes = 0, global_write_bytes = 0, hbm_read_bytes = 0, hbm_write_bytes = 0,
         macs = 0, lane_ops = 0, sfu_ops = 0;
  double energy_pj = 0;
  double sm_utilization = 0;    // SM-seconds busy over SMs x time
  std::string bound_by;         // "HBM" or "SM" (the slowest SM's compute or loads)
  double hbm_bytes() const { return hbm_read_bytes + hbm_write_bytes; }
  // The algorithm's own HBM accesses (loads and stores, no cache): FlashAttention's IO count.
  double io_bytes() const { return global_read_bytes + global_write_bytes; }
};

// Options a study may set (design parameters); 0 keeps the design's own.
struct GpuAttentionOptions {
  int64_t smem_words = 0;       // the SRAM size M the block sizes follow (FlashAttention's analysis)
  int64_t splits = 0;           // Flash-Decoding's chunks (0: flash-attn's heuristic)
};

// UserError when the design is unknown or the shape is empty.
GpuAttention gpu_attention(const GpuSpec& gpu, const workloads::AttentionShape& shape, const std::string& design,
                           const GpuAttentionOptions& options = {});

// The result as einflow's Stats (cycles at the GPU's clock, HBM as the DRAM
// level, utilization of both units and of the SMs, energy per component).
Stats gpu_attention_stats(const arch::Architecture& arch, const GpuSpec& gpu, const GpuAttention& r);

}  // namespace einflow::sim::analytical
