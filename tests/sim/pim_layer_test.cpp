// Cascades on a DRAM that computes (sim/analytical/pim_layer.h): which Einsums
// are vector-matrix products over a DRAM-resident operand and their GEMV
// shapes, worked from the Einsums by hand; on a decode step the search places
// every such product on PIM and the rest on the host without being told; on
// the hybrid preset prefill's matrix products go to the arrays and decode's
// vector-matrix products to the banks.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "arch/arch.h"
#include "sim/analytical/pim_layer.h"
#include "workloads/workload.h"

namespace einflow::sim::analytical {
namespace {

const std::string kArch = std::string(EINFLOW_SOURCE_DIR) + "/configs/arch/";
const std::string kModels = std::string(EINFLOW_SOURCE_DIR) + "/configs/workloads/";

std::map<std::string, PimPlacement> by_name(const PimCascade& r) {
  std::map<std::string, PimPlacement> m;
  for (const auto& p : r.einsums) m[p.einsum] = p;
  return m;
}

workloads::Workload decode(const std::string& model, const std::string& phase, const std::string& len) {
  return workloads::load_workload(kModels + model + ".yaml",
                                  {{"instance.scope", "layer"}, {"instance.phase", phase},
                                   {"instance.seq_len", len}, {"instance.batch", "1"},
                                   {"instance.attention", "[3pass]"}});
}

// S[h,n] = K[h,n,d] q[h,d]: 4 GEMVs (the heads) of 64 rows x 32 columns; y[m]
// = W[m,k] x[k]: one of 48 x 40; Y[p,m] = W[m,k] X[p,k]: the same matrix for
// 3 vectors; exp is no product; T[m] = y[m] * y[m] reads nothing resident.
TEST(PimLayer, VectorMatrixProductsAndTheirShapes) {
  const workloads::Workload w = workloads::load_workload_text(R"(
cascade:
  name: vmm
  ranks: {H: 4, N: 64, D: 32, M: 48, K: 40, P: 3}
  inputs:
    K: {ranks: [H, N, D]}
    q: {ranks: [H, D]}
    W: {ranks: [M, K]}
    x: {ranks: [K]}
    X: {ranks: [P, K]}
  einsums:
    - S[h, n] = K[h, n, d] * q[h, d]
    - y[m] = W[m, k] * x[k]
    - Y[p, m] = W[m, k] * X[p, k]
    - Z[h, n] = exp(S[h, n])
    - T[m] = y[m] * y[m]
)", "vmm");
  const arch::Architecture a = arch::load_arch(kArch + "pim-gpt.yaml");
  const PimCascade r = pim_cascade(a, w.variants.front().cascade, PimPolicy::kBest);
  auto m = by_name(r);
  ASSERT_TRUE(m["S"].vmm);
  EXPECT_EQ(m["S"].shape.matrices, 4);
  EXPECT_EQ(m["S"].shape.rows, 64);
  EXPECT_EQ(m["S"].shape.cols, 32);
  ASSERT_TRUE(m["y"].vmm);
  EXPECT_EQ(m["y"].shape.matrices, 1);
  EXPECT_EQ(m["y"].shape.rows, 48);
  EXPECT_EQ(m["y"].shape.cols, 40);
  EXPECT_EQ(m["y"].vectors, 1);
  EXPECT_EQ(m["Y"].vectors, 3);
  EXPECT_FALSE(m["Z"].vmm);
  EXPECT_FALSE(m["T"].vmm);
  EXPECT_EQ(m["Z"].where, "host");
  // Where an Einsum runs on PIM, it costs the PIM model's GEMV, per vector, at the DRAM's clock.
  const arch::DramStandard& s = *a.node(a.dram()).dram_standard;
  for (const char* name : {"S", "y", "Y"}) {
    SCOPED_TRACE(name);
    const PimPlacement& p = m[name];
    const PimEstimate e = estimate_pim_gemv(s, p.shape, p.layout, true);
    EXPECT_DOUBLE_EQ(p.pim_seconds, static_cast<double>(p.vectors) * e.cycles * s.timing.tck_ns * 1e-9);
    EXPECT_EQ(p.where, p.pim_seconds < p.host_seconds ? "pim" : "host");
  }
}

// A GPT-3 XL decode step on pim-gpt: the six weight products and both
// attention products on PIM, nothing else; the cache copies read in place,
// the new token's k and v appended. Host-only: nothing on PIM.
TEST(PimLayer, DecodeStepFindsTheVectorMatrixProductsOnPim) {
  const arch::Architecture a = arch::load_arch(kArch + "pim-gpt.yaml");
  const workloads::Workload w = decode("gpt3-xl", "decode", "512");
  const PimCascade r = pim_cascade(a, w.variants.front().cascade, PimPolicy::kBest);
  std::set<std::string> on_pim;
  for (const auto& p : r.einsums) {
    if (p.where == "pim") on_pim.insert(p.einsum);
    if (p.vmm) {
      EXPECT_EQ(p.where, "pim") << p.einsum;
    }
  }
  EXPECT_EQ(on_pim, (std::set<std::string>{"QP", "KNP", "VNP", "QK", "AV", "OP", "H1", "H2"}));
  auto m = by_name(r);
  EXPECT_EQ(m["QK"].shape.matrices, 16);  // the heads
  EXPECT_EQ(m["QK"].shape.rows, 512);     // the keys
  EXPECT_EQ(m["QK"].shape.cols, 128);     // the head's width
  EXPECT_EQ(m["K#1"].where, "in place");
  EXPECT_GT(r.row_hit_rate(), 0.95);
  // Utilization is each unit's work at its peak: the PIM Einsums' MACs (at
  // least the 4 x 2048^2 + 2 x 2048 x 8192 weight MACs and 2 x 16 x 512 x 128
  // attention MACs, padding on top) over 128 units x 16 lanes a cycle.
  const Stats st = pim_cascade_stats(a, r);
  double macs = 0;
  for (const auto& p : r.einsums)
    if (p.where == "pim") macs += p.pim_macs;
  EXPECT_GE(macs, 4.0 * 2048 * 2048 + 2.0 * 2048 * 8192 + 2.0 * 16 * 512 * 128);
  EXPECT_NEAR(st.utilization.at("PIM"), macs / 2048 / static_cast<double>(st.cycles), 1e-9);
  EXPECT_GT(st.utilization.at("ASIC"), 0);
  EXPECT_LE(st.utilization.at("ASIC"), 1);
  const PimCascade host = pim_cascade(a, w.variants.front().cascade, PimPolicy::kHostOnly);
  for (const auto& p : host.einsums) EXPECT_NE(p.where, "pim") << p.einsum;
  EXPECT_GT(host.seconds, r.seconds);
}

// The hybrid (FuseMax's arrays over HBM2-PIM): prefill's matrix products on
// the arrays, decode's weight products on the banks.
TEST(PimLayer, HybridPutsPrefillOnTheArraysAndDecodeGemvsOnPim) {
  const arch::Architecture a = arch::load_arch(kArch + "fusemax-pim.yaml");
  const PimCascade pre = pim_cascade(a, decode("gpt3-xl", "prefill", "512").variants.front().cascade, PimPolicy::kBest);
  for (const auto& p : pre.einsums) EXPECT_NE(p.where, "pim") << p.einsum;
  const PimCascade dec = pim_cascade(a, decode("gpt3-xl", "decode", "512").variants.front().cascade, PimPolicy::kBest);
  auto m = by_name(dec);
  for (const char* name : {"QP", "KNP", "VNP", "OP", "H1", "H2"}) EXPECT_EQ(m[name].where, "pim") << name;
}

// A DRAM node's `channels` scales its standard: bandwidth, and the PIM units
// with it (a GEMV on half the channels takes longer); without a standard it
// is an error at the key.
TEST(PimLayer, ChannelsScaleTheStandard) {
  auto arch_with = [](const std::string& dram) {
    return arch::load_arch_text(R"(
architecture:
  name: t
  clock_mhz: 1000
  word_bits: 16
  tree:
    name: PIMDRAM
    class: dram
)" + dram + R"(
    children:
      - {name: Unit, class: compute, ops: {mac: {}, add: {}}}
)", "t.yaml");
  };
  const arch::Architecture two = arch_with("    standard: GDDR6-PIM-GPT\n    channels: 2");
  EXPECT_EQ(two.node(two.dram()).dram_standard->channels, 2);
  EXPECT_DOUBLE_EQ(two.node(two.dram()).bandwidth_gbps, 2 * 32.0);
  const arch::DramStandard& s2 = *two.node(two.dram()).dram_standard;
  const arch::DramStandard s8 = *arch::find_dram_standard("GDDR6-PIM-GPT");
  const PimGemv g{1, 4096, 4096};
  EXPECT_GT(estimate_pim_gemv(s2, g, PimLayout::kRowStream).cycles,
            3.5 * estimate_pim_gemv(s8, g, PimLayout::kRowStream).cycles);
  try {
    arch_with("    bandwidth_gbps: 100\n    channels: 2");
    ADD_FAILURE() << "channels without a standard accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("give 'standard' too"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("t.yaml:"), std::string::npos) << e.what();
  }
}

TEST(PimLayer, NeedsAPimDram) {
  const arch::Architecture a = arch::load_arch(kArch + "fusemax-cloud.yaml");
  const workloads::Workload w = decode("gpt2-small", "decode", "128");
  EXPECT_THROW(pim_cascade(a, w.variants.front().cascade, PimPolicy::kBest), UserError);
}

}  // namespace
}  // namespace einflow::sim::analytical
