// The peak-bound analysis, worked by hand on a small architecture: a 4-PE MAC
// array and a 1-PE vector unit at 1 GHz under a 2 GB/s DRAM of 1 MB, a
// 1 GB/s host link.
#include <gtest/gtest.h>

#include <map>

#include "arch/arch.h"
#include "sim/analytical/deployment.h"
#include "sim/analytical/peak_bound.h"
#include "sim/analytical/residency.h"
#include "workloads/model_stats.h"
#include "workloads/workload.h"

namespace einflow::sim::analytical {
namespace {

const char* kArch = R"(architecture:
  name: small
  clock_mhz: 1000
  host_link_gbps: 1
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 2
    size_bytes: 1M
    children:
      - name: Buffer
        class: sram
        size_words: 4096
        children:
          - {name: MM, class: compute, mesh: {x: 4}, ops: {mac: {}}}
          - {name: VEC, class: compute, ops: {add: {}, mul: {}, max: {}, div: {}, exp: {}, sqrt: {}}}
)";

TEST(PeakBound, MatmulThenExpByHand) {
  // Z = A B (8 x 8 x 8: 512 MACs, 1024 matmul FLOPs) on MM: 512 points / 4 PEs
  // = 128 ns; its operands A, B, Z are 3 x 64 x 2 bytes = 384 bytes: 192 ns
  // at 2 GB/s, bandwidth-bound. E = exp(Z) (64 other FLOPs) runs only on VEC:
  // 64 ns; Z and E are 256 bytes: 128 ns. The cascade reads A and B and writes
  // E (384 bytes, 192 ns); its busiest unit is MM (128 ns): 192 ns.
  const arch::Architecture a = arch::load_arch_text(kArch, "a.yaml");
  const workloads::Workload w = workloads::load_workload_text(R"(cascade:
  name: mm-exp
  ranks: {M: 8, N: 8, K: 8}
  inputs: {A: [M, K], B: [K, N]}
  einsums:
    - Z[m,n] = A[m,k] * B[k,n]
    - E[m,n] = exp(Z[m,n])
)",
                                                              "w.yaml");
  const CascadeBound b = peak_bound(a, w.variants.front().cascade);
  ASSERT_EQ(b.einsums.size(), 2u);
  EXPECT_EQ(b.einsums[0].unit, "MM");
  EXPECT_EQ(b.einsums[0].matmul_flops, 1024);
  EXPECT_DOUBLE_EQ(b.einsums[0].bytes, 384);
  EXPECT_NEAR(b.einsums[0].compute_seconds, 128e-9, 1e-15);
  EXPECT_NEAR(b.einsums[0].memory_seconds, 192e-9, 1e-15);
  EXPECT_FALSE(b.einsums[0].compute_bound());
  EXPECT_EQ(b.einsums[1].unit, "VEC");
  EXPECT_EQ(b.einsums[1].other_flops, 64);
  EXPECT_NEAR(b.einsums[1].compute_seconds, 64e-9, 1e-15);
  EXPECT_NEAR(b.einsums[1].memory_seconds, 128e-9, 1e-15);
  EXPECT_DOUBLE_EQ(b.bytes, 384);
  EXPECT_NEAR(b.compute_seconds, 128e-9, 1e-15);
  EXPECT_NEAR(b.seconds(), 192e-9, 1e-15);
}

TEST(PeakBound, CausalAttentionCountsTheVisiblePairsOnly) {
  // P = M = 4, causal: 10 of the 16 (query, key) pairs are visible. QK is
  // -inf outside them, so exp(QK - GM) and SN / SD are 0 there, a max of -inf
  // and a sum of zeros add nothing, and AV's products vanish: every Einsum
  // needs only the 10 pairs (per pair: QK and AV 2 MACs each over E = F = 2).
  const arch::Architecture a = arch::load_arch_text(kArch, "a.yaml");
  const workloads::Workload w = workloads::load_workload_text(R"(cascade:
  name: causal
  ranks: {M: 4, P: 4, E: 2, F: 2}
  inputs: {Q: [E, P], K: [E, M], V: [F, M]}
  einsums:
    - QK[m,p] = Q[e,p] * K[e,m] where m <= p else -inf
    - GM[p] = max(m) QK[m,p]
    - SN[m,p] = exp(QK[m,p] - GM[p])
    - SD[p] = SN[m,p]
    - A[m,p] = SN[m,p] / SD[p]
    - AV[f,p] = A[m,p] * V[f,m]
)",
                                                              "c.yaml");
  const CascadeBound b = peak_bound(a, w.variants.front().cascade);
  std::map<std::string, const EinsumBound*> by;
  for (const auto& e : b.einsums) by[e.name] = &e;
  EXPECT_EQ(by["QK"]->matmul_flops, 2 * 10 * 2);
  EXPECT_EQ(by["AV"]->matmul_flops, 2 * 10 * 2);  // not the dense 2 x 16 x 2
  EXPECT_EQ(by["GM"]->other_flops, 10);
  EXPECT_EQ(by["SN"]->other_flops, 2 * 10);        // a subtraction and an exp per pair
  EXPECT_EQ(by["SD"]->other_flops, 10);
  EXPECT_EQ(by["A"]->other_flops, 10);
}

TEST(Deployment, CapacityConcurrencyAndContextSwitchByHand) {
  // A 2-layer decoder of width 32 (2 heads of 16, FFN 64, ReLU, LayerNorm,
  // biases, vocab 100, untied): per layer 4 x 32^2 + 4 x 32 (attention),
  // 2 x 32 x 64 + 64 + 32 (FFN), 4 x 32 (norms) = 8544; 2 x 8544 + 2 x 3200
  // + 64 = 23552 parameters, 47104 bytes. KV per token: 2 layers x 2 x 2 x 16
  // x 2 bytes = 256; at 1000 tokens 256000 per request. 1 MB = 1048576 bytes
  // holds floor((1048576 - 47104) / 256000) = 3 requests; a context switch
  // moves 2 x 256000 bytes at 1 GB/s: 512 us.
  const arch::Architecture a = arch::load_arch_text(kArch, "a.yaml");
  const std::string model =
      "model: {name: m, layers: 2, d_model: 32, heads: 2, head_dim: 16, ffn_dim: 64, ffn_kind: relu, "
      "norm: layernorm, bias: true, vocab: 100, kind: decoder}\n";
  const workloads::Workload w =
      workloads::load_workload_text(model + "instance: {seq_len: 1000, attention: [3pass]}\n", "m.yaml");
  const DeploymentBound d = deployment_bound(a, w);
  EXPECT_EQ(workloads::model_params(*w.model).total, 23552);
  EXPECT_DOUBLE_EQ(d.weights_bytes, 47104);
  EXPECT_DOUBLE_EQ(d.kv_cache_bytes_per_token, 256);
  EXPECT_EQ(d.context, 1000);
  EXPECT_DOUBLE_EQ(d.kv_cache_bytes, 256000);
  EXPECT_DOUBLE_EQ(d.capacity_bytes, 1048576);
  EXPECT_EQ(d.max_concurrent_requests, 3);
  EXPECT_NEAR(d.context_switch_seconds, 512e-6, 1e-15);
  // Decode streams every weight and the request's cache: bandwidth-bound, at
  // least (weights of the layers + cache) / bandwidth.
  EXPECT_GT(d.decode_seconds_per_token, (2 * 8544 * 2 + 256000) / 2e9);
  // Two devices split the work and double the memory.
  const DeploymentBound two = deployment_bound(a, w, 2);
  EXPECT_NEAR(two.decode_seconds_per_token, d.decode_seconds_per_token / 2, 1e-18);
  EXPECT_NEAR(two.prefill_seconds, d.prefill_seconds / 2, 1e-18);
  EXPECT_EQ(two.max_concurrent_requests, (2 * 1048576 - 47104) / 256000);
}

TEST(Residency, WeightsCachesAndActivationsAgainstTheDramByHand) {
  // The decoder above at batch 4, decoding against 1000 keys: weights 47104
  // bytes, KV caches 4 x 256 x 1000 = 1024000, the step's input and output
  // (4 tokens x 32 x 2 bytes, twice) 512: 1071616 bytes > 1 MB (1048576).
  // At batch 3: 47104 + 768000 + 384 = 815488: fits.
  const arch::Architecture a = arch::load_arch_text(kArch, "a.yaml");
  const std::string model =
      "model: {name: m, layers: 2, d_model: 32, heads: 2, head_dim: 16, ffn_dim: 64, ffn_kind: relu, "
      "norm: layernorm, bias: true, vocab: 100, kind: decoder}\n";
  for (int batch : {4, 3}) {
    const workloads::Workload w = workloads::load_workload_text(
        model + "instance: {phase: decode, seq_len: 1000, batch: " + std::to_string(batch) + ", attention: [3pass]}\n",
        "m.yaml");
    const DramResidency r = dram_residency(a, w, w.variants.front().cascade);
    EXPECT_DOUBLE_EQ(r.weights_bytes, 47104);
    EXPECT_DOUBLE_EQ(r.kv_cache_bytes, batch * 256000.0);
    EXPECT_DOUBLE_EQ(r.activation_bytes, batch * 128.0);
    EXPECT_DOUBLE_EQ(r.capacity_bytes, 1048576);
    EXPECT_EQ(r.fits(), batch == 3);
  }
  // A cascade workload: its inputs and outputs (Z = A B, 8 x 8 each: 3 x 64
  // words of 2 bytes).
  const workloads::Workload mm = workloads::load_workload_text(R"(cascade:
  name: mm
  ranks: {M: 8, N: 8, K: 8}
  inputs: {A: [M, K], B: [K, N]}
  einsums:
    - Z[m,n] = A[m,k] * B[k,n]
)",
                                                               "mm.yaml");
  EXPECT_DOUBLE_EQ(dram_residency(a, mm, mm.variants.front().cascade).resident_bytes(), 384);
}

}  // namespace
}  // namespace einflow::sim::analytical
