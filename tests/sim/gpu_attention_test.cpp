// The GPU attention designs against counts worked out by hand from the
// algorithms (FlashAttention's Algorithms 0, 1 and 2; Flash-Decoding;
// LeanAttention), on a small GPU: 4 SMs at 1 GHz, 4096 words (8 KiB) of shared
// memory per SM filled at 8 words per cycle, 16 tensor-core MACs and 16 lanes
// per SM (the SFU a quarter of the lanes' rate, beside them), HBM at 64 GB/s.
#include <gtest/gtest.h>

#include <cmath>

#include "arch/arch.h"
#include "sim/analytical/gpu_attention.h"

namespace einflow::sim::analytical {
namespace {

const char* kGpu = R"(architecture:
  name: tiny-gpu
  clock_mhz: 1000
  word_bits: 16
  tree:
    name: HBM
    class: dram
    bandwidth_gbps: 64
    size_bytes: 1G
    children:
      - name: L2
        class: sram
        size_bytes: 1M
        children:
          - name: SMEM
            class: sram
            size_words: 4096
            write_bandwidth: 8
            mesh: {x: 4}
            children:
              - name: TRF
                class: regfile
                size_words: 8
                mesh: {x: 4, y: 4}
                children:
                  - {name: TC, class: compute, contractions_only: true, ops: {mac: {}}}
              - name: LRF
                class: regfile
                size_words: 8
                mesh: {x: 16}
                children:
                  - name: CC
                    class: compute
                    ops:
                      mac: {}
                      add: {}
                      max: {}
                      exp: {per_cycle: 0.25, functional_unit: sfu}
)";

GpuSpec tiny() { return gpu_spec(arch::load_arch_text(kGpu, "tiny-gpu.yaml")); }

workloads::AttentionShape shape(int64_t n, int64_t m, int64_t d, bool causal = false) {
  workloads::AttentionShape s;
  s.batch = 1;
  s.heads = s.kv_heads = 1;
  s.e = s.f = d;
  s.p = n;
  s.m = m;
  s.causal = causal;
  return s;
}

TEST(GpuAttention, ReadsTheGpuFromTheTree) {
  const GpuSpec g = tiny();
  EXPECT_EQ(g.sms, 4);
  EXPECT_EQ(g.smem_words, 4096);
  EXPECT_DOUBLE_EQ(g.macs_per_cycle, 16);
  EXPECT_DOUBLE_EQ(g.lanes, 16);
  EXPECT_DOUBLE_EQ(g.sfu_per_cycle, 4);
  EXPECT_TRUE(g.sfu_overlaps);
  EXPECT_DOUBLE_EQ(g.fill_words_per_cycle, 8);
  EXPECT_DOUBLE_EQ(g.l2_bytes, 1 << 20);
  EXPECT_EQ(g.tensor_unit, "TC");
  EXPECT_EQ(g.vector_unit, "CC");
  EXPECT_EQ(g.sm_node, "SMEM");
}

// N = M = 256, d = 16, SRAM M = 1024 words (a design option: the analysis's
// M): B_c = ceil(1024 / 64) = 16, B_r = min(16, 16) = 16; T_r = T_c = 16.
// Bytes: words x 2, statistics x 4.
GpuAttentionOptions sram(int64_t words) {
  GpuAttentionOptions o;
  o.smem_words = words;
  return o;
}

TEST(GpuAttention, StandardLoadsAndStoresByHand) {
  // Q, K read (2 x 4096 words), S written (65536); S read, P written; P and V
  // read, O written: 2Nd + 2Md + 4NM = 16384 + 262144 = 278528 words.
  const GpuAttention r = gpu_attention(tiny(), shape(256, 256, 16), "standard");
  EXPECT_DOUBLE_EQ(r.io_bytes(), 278528.0 * 2);
  EXPECT_DOUBLE_EQ(r.hbm_bytes(), r.io_bytes());  // its kernels read each operand once: all from HBM
  EXPECT_EQ(r.kernels.size(), 3u);
}

TEST(GpuAttention, Flash1LoadsAndStoresByHand) {
  // Initialisation: O (4096 words = 8192 B), l and m (2 x 256 x 4 = 2048 B).
  // Outer loop: K_j, V_j once each: 2 x 4096 words = 16384 B.
  // 256 inner steps: read Q_i, O_i (2 x 256 words = 1024 B), l_i, m_i (128 B);
  // write O_i (512 B), l_i, m_i (128 B).
  const GpuAttention r = gpu_attention(tiny(), shape(256, 256, 16), "flash1", sram(1024));
  EXPECT_EQ(r.block_rows, 16);
  EXPECT_EQ(r.block_keys, 16);
  EXPECT_EQ(r.tiles, 256);
  EXPECT_DOUBLE_EQ(r.global_read_bytes, 16384 + 256 * 1152);
  EXPECT_DOUBLE_EQ(r.global_write_bytes, 8192 + 2048 + 256 * 640);
  EXPECT_EQ(r.kernels[0].blocks, 1);  // FA-1: a thread block per head
}

TEST(GpuAttention, Flash2LoadsAndStoresByHand) {
  // A block per query block (16): Q_i once (256 words), every K_j, V_j
  // (2 x 4096 words), O_i (256 words) and L_i (16 x 4 B) written once.
  const GpuAttention r = gpu_attention(tiny(), shape(256, 256, 16), "flash2", sram(1024));
  EXPECT_EQ(r.kernels[0].blocks, 16);
  EXPECT_DOUBLE_EQ(r.global_read_bytes, (4096 + 16 * 8192) * 2.0);
  EXPECT_DOUBLE_EQ(r.global_write_bytes, 4096 * 2.0 + 256 * 4);
  // The 16 blocks run in 4 waves of 4; in each, the 4 blocks read the whole
  // K and V (16 KiB, well within the L2): HBM sees K and V once per wave.
  EXPECT_DOUBLE_EQ(r.hbm_read_bytes, (4096 + 4 * 8192) * 2.0);
}

TEST(GpuAttention, CausalBlockSkippingByHand) {
  // N = M = 64, blocks of 16: query block i sees key blocks 0..i: 1 + 2 + 3 +
  // 4 = 10 tiles of 16; FA-2 loads 10 x 16 keys x 32 words of K and V.
  const GpuAttention r = gpu_attention(tiny(), shape(64, 64, 16, true), "flash2", sram(1024));
  EXPECT_EQ(r.tiles, 10);
  EXPECT_DOUBLE_EQ(r.global_read_bytes, (64 * 16 + 10 * 16 * 32) * 2.0);
  // Useful MACs: 64 x 65 / 2 visible pairs x (16 + 16).
  EXPECT_DOUBLE_EQ(r.useful_macs, 2080.0 * 32);
  // Executed: every visible tile whole: 10 tiles x 16 x 16 x 32.
  EXPECT_DOUBLE_EQ(r.macs, 10.0 * 16 * 16 * 32);
}

TEST(GpuAttention, FlashTrafficFollowsTheTheorem) {
  // FlashAttention: Theta(N^2 d^2 / M) for d <= M <= Nd: the traffic times M
  // stays (nearly) constant while B_r = M / 4d is below d (then B_r stops at
  // d, and FA-2's traffic with it). Standard: Theta(Nd + N^2).
  const int64_t n = 4096, d = 64;
  for (const char* design : {"flash1", "flash2"}) {
    double first = 0;
    for (int64_t m : {4096, 8192, 16384}) {
      const double product = gpu_attention(tiny(), shape(n, n, d), design, sram(m)).io_bytes() * static_cast<double>(m);
      if (first == 0) first = product;
      EXPECT_NEAR(product / first, 1.0, 0.03) << design << " M = " << m;
    }
  }
  const double std1 = gpu_attention(tiny(), shape(n, n, d), "standard").io_bytes();
  const double std2 = gpu_attention(tiny(), shape(2 * n, 2 * n, d), "standard").io_bytes();
  EXPECT_NEAR(std2 / std1, 4.0, 0.05);  // the N^2 term dominates
}

// Decode, one query, one head, d = 32: the decode tile is 64 rows x 256 keys,
// shrunk by 16 keys until Q, K and V fit 4096 words: 64 x 32 + k x 64 <= 4096
// at k = 32. 160 keys: 5 key blocks.
TEST(GpuAttention, FlashDecodingSplitsAndCombinesByHand) {
  const GpuAttention r = gpu_attention(tiny(), shape(1, 160, 32), "flash-decoding");
  EXPECT_EQ(r.block_rows, 64);
  EXPECT_EQ(r.block_keys, 32);
  // flash-attn's heuristic over 2 x 4 = 8 block slots: one row group (< 0.8
  // x 8); splits 1..min(128, 8, 5); 4 is skipped (ceil(5/4) = ceil(5/3) =
  // 2); wave efficiency n/8: 0.125, 0.25, 0.375, 0.625; the fewest with at
  // least 85% of the best (0.531): 5 splits of one block each.
  EXPECT_EQ(r.splits, 5);
  ASSERT_EQ(r.kernels.size(), 2u);
  EXPECT_EQ(r.kernels[0].blocks, 5);
  EXPECT_EQ(r.kernels[1].blocks, 1);
  // Each split writes its partial: 32 FP32 values and a log-sum-exp (132 B);
  // the combine reads the five (660 B) and writes O (64 B) and L (4 B).
  EXPECT_DOUBLE_EQ(r.kernels[0].global_write_bytes, 5 * 132.0);
  EXPECT_DOUBLE_EQ(r.kernels[1].global_read_bytes, 5 * 132.0);
  EXPECT_DOUBLE_EQ(r.kernels[1].global_write_bytes, 64 + 4.0);
  // A split: MACs 16 x 32 x 64 = 32768 -> 2048 cycles; lanes 3 x 512 + 16 x
  // 35 (the tile's step) + 16 x 32 + 16 (its O / l and log-sum-exp) = 2624 ->
  // 164 cycles; SFU 512 + 16 + 32 = 560 -> 140, beside the lanes: 2212 cycles.
  // Five on 4 SMs: SM 0 runs two, 4424 cycles. Its loads, 2 x (32 + 32 x 64)
  // words at 8 a cycle, 520 cycles.
  EXPECT_NEAR(r.kernels[0].sm_seconds, 4424e-9, 1e-15);
  // The combine: lanes 5 x 35 + 32 + 1 = 208 -> 13 cycles; its loads, 660
  // bytes = 330 words at 8 a cycle: 41.25 cycles.
  EXPECT_NEAR(r.kernels[1].sm_seconds, 41.25e-9, 1e-15);
}

TEST(GpuAttention, LeanPartitionsEvenlyAndFixesUp) {
  // LeanAttention: 5 tiles over min(2 x 4, 5) = 5 blocks, one tile each; the
  // block with the head's first tile combines the other 4 partials (O, m, l:
  // 32 + 2 FP32 values = 136 B each).
  const GpuAttention r = gpu_attention(tiny(), shape(1, 160, 32), "lean");
  ASSERT_EQ(r.kernels.size(), 1u);
  EXPECT_EQ(r.kernels[0].blocks, 5);
  EXPECT_DOUBLE_EQ(r.global_write_bytes, 4 * 136.0 + 64 + 4);
  // A tile: MACs 16 x 32 x 64 = 32768 -> 2048 cycles; lanes 3 x 512 + 16 x
  // 35 = 2096 -> 131; SFU 512 + 16 = 528 -> 132: 2180 cycles. The host adds
  // the merge (lanes 4 x 35, SFU 4) and the finish (lanes 16 x 32 + 16, SFU
  // 32): 2048 + 2764 / 16 = 2220.75 cycles. Blocks 1-3 take SMs 1-3; block 4
  // the least loaded, SM 1: 2 x 2180 = 4360 cycles.
  EXPECT_NEAR(r.kernels[0].sm_seconds, 4360e-9, 1e-15);
  // Flash-Decoding's five splits also leave an SM with two blocks, but each
  // split normalizes its own output (4424 cycles) and the merge is a second
  // kernel: LeanAttention, one kernel whose partials stay unnormalized, is faster.
  EXPECT_LT(r.seconds, gpu_attention(tiny(), shape(1, 160, 32), "flash-decoding").seconds);
}

TEST(GpuAttention, DecodePacksTheGqaGroup) {
  // 8 query heads over 2 KV heads, one query each: two row groups of 4 rows.
  workloads::AttentionShape s = shape(1, 64, 16);
  s.heads = 8;
  s.kv_heads = 2;
  const GpuAttention r = gpu_attention(tiny(), s, "flash2");
  EXPECT_EQ(r.row_groups, 2);
  // Each reads its KV head's K and V once: 2 x 64 keys x 32 words.
  EXPECT_DOUBLE_EQ(r.global_read_bytes, (8 * 16 + 2 * 64 * 32) * 2.0);
}

TEST(GpuAttention, RejectsWhatItCannotRun) {
  EXPECT_THROW(gpu_attention(tiny(), shape(16, 16, 16), "flash3"), UserError);
  workloads::AttentionShape s = shape(16, 16, 16);
  s.heads = 3;
  s.kv_heads = 2;
  EXPECT_THROW(gpu_attention(tiny(), s, "flash2"), UserError);
  const arch::Architecture no_gpu = arch::load_arch_text(R"(architecture:
  name: not-a-gpu
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 1
    children:
      - {name: PE, class: compute, ops: {mac: {}, exp: {}}}
)",
                                                         "x.yaml");
  EXPECT_THROW(gpu_spec(no_gpu), UserError);
}

}  // namespace
}  // namespace einflow::sim::analytical
