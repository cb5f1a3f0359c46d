// PIM units as nodes of the architecture (arch/pim_units.cpp) and as a binding
// target of cascade mappings and the cascade search: the nodes' figures worked
// from the standards' tables, the mapping format and its rules, the model's
// cost of a PIM tile against the PIM model's closed form, and the search
// placing decode's vector-matrix products on the banks and everything else on
// the host without being told.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "arch/arch.h"
#include "mappers/cascade/cascade_search.h"
#include "mappers/mapping/cascade_mapping.h"
#include "sim/analytical/group_model.h"
#include "sim/analytical/pim_layer.h"
#include "workloads/workload.h"

namespace einflow::mapping {
namespace {

const std::string kArch = std::string(EINFLOW_SOURCE_DIR) + "/configs/arch/";
const std::string kModels = std::string(EINFLOW_SOURCE_DIR) + "/configs/workloads/";

workloads::Workload layer(const std::string& model, const std::string& phase, const std::string& len) {
  return workloads::load_workload(kModels + model + ".yaml",
                                  {{"instance.scope", "layer"}, {"instance.phase", phase},
                                   {"instance.seq_len", len}, {"instance.batch", "1"},
                                   {"instance.attention", "[3pass]"}});
}

const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/pim/";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// y = W x on the PIM unit (row-stream), z = y + b on the ASIC.
const std::string kGemvMapping = read_text(kData + "gemv-mapping.yaml");

// GDDR6-PIM-GPT: 8 channels x 16 banks, a unit per bank (128 units), 16 BF16
// lanes at 1 GHz: 16 MACs per 1 GHz cycle; a bank of 16384 rows x 64 columns
// x 32 B = 32 MiB = 16 Mi BF16 words; 0.55 pJ/bit in the bank (8.8 pJ a
// word), 0.32 pJ a MAC, 0.01637 mm^2 a unit.
TEST(PimUnits, APimDramGainsItsBanksAndUnitsAsNodes) {
  const arch::Architecture a = arch::load_arch(kArch + "pim-gpt.yaml");
  const int unit = a.pim_unit();
  ASSERT_GE(unit, 0);
  const arch::Node& pim = a.node(unit);
  const arch::Node& bank = a.node(pim.parent);
  EXPECT_EQ(pim.name, "PIM");
  EXPECT_EQ(bank.name, "PIMBank");
  EXPECT_EQ(bank.parent, a.dram());
  EXPECT_EQ(bank.mesh.x, 8);
  EXPECT_EQ(bank.mesh.y, 16);
  EXPECT_EQ(pim.instances, 128);
  EXPECT_EQ(bank.size_words, int64_t{16} << 20);
  EXPECT_DOUBLE_EQ(bank.read_pj, 8.8);
  EXPECT_DOUBLE_EQ(pim.find_op("mac")->per_cycle, 16);
  EXPECT_DOUBLE_EQ(pim.find_op("mac")->energy_pj, 0.32);
  EXPECT_NEAR(pim.area_um2, 16370, 1e-9);
  EXPECT_EQ(pim.datatype, "bf16");
  EXPECT_TRUE(a.is_pim(unit) && a.is_pim(pim.parent));
  EXPECT_EQ(a.host_units(), std::vector<int>{a.find("ASIC")});
  EXPECT_EQ(a.compute_units().size(), 2u);
  // HBM2-PIM under FuseMax's arrays at 940 MHz: 64 pseudo-channels x 8 units
  // (2 banks each), 16 FP16 lanes at 300 MHz: 16 x 300 / 940 MACs a cycle.
  const arch::Architecture h = arch::load_arch(kArch + "fusemax-pim.yaml");
  const arch::Node& hp = h.node(h.pim_unit());
  EXPECT_EQ(hp.instances, 64 * 8);
  EXPECT_NEAR(hp.find_op("mac")->per_cycle, 16 * 300.0 / 940.0, 1e-12);
  EXPECT_EQ(h.node(hp.parent).size_words, int64_t{2} * 16384 * 32 * 32 / 2);
  // A DRAM without PIM gains nothing.
  const arch::Architecture plain = arch::load_arch(kArch + "fusemax-cloud.yaml");
  EXPECT_EQ(plain.pim_unit(), -1);
  EXPECT_EQ(plain.host_units(), plain.compute_units());
}

TEST(PimUnits, ANodeNamedLikeThemIsALocatedError) {
  try {
    arch::load_arch_text(R"(architecture:
  name: t
  tree:
    name: D
    class: dram
    standard: GDDR6-AiM
    children:
      - {name: PIM, class: compute, ops: {mac: {}}}
)", "t.yaml");
    FAIL() << "accepted";
  } catch (const UserError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("t.yaml:8:"), std::string::npos) << what;
    EXPECT_NE(what.find("rename this node"), std::string::npos) << what;
  }
}

struct Gemv {
  workloads::Workload w = workloads::load_workload(kData + "gemv.yaml");
  const workloads::Cascade& c = w.variants.front().cascade;
  arch::Architecture a = arch::load_arch(kArch + "pim-gpt.yaml");
};

TEST(PimBinding, TheLayoutIsTheMappingAndRoundTrips) {
  Gemv f;
  const CascadeMapping m = load_cascade_mapping_text(kGemvMapping, "m.yaml", f.c, f.a);
  const MappingStatus st = validate_cascade_mapping(m, f.c, f.a);
  ASSERT_TRUE(st.ok) << st.reason;
  EXPECT_EQ(m.groups[0].tiles[0].compute, f.a.pim_unit());
  EXPECT_EQ(m.groups[0].tiles[0].pim_layout, "row-stream");
  const std::string text = write_cascade_mapping(m, f.c, f.a);
  EXPECT_EQ(write_cascade_mapping(load_cascade_mapping_text(text, "m2.yaml", f.c, f.a), f.c, f.a), text);
  EXPECT_NE(text.find("layout: row-stream"), std::string::npos) << text;
}

TEST(PimBinding, WhatAPimUnitCannotRunIsRejected) {
  Gemv f;
  auto status = [&](const std::string& text, const arch::Architecture& a) {
    return validate_cascade_mapping(load_cascade_mapping_text(text, "m.yaml", f.c, a), f.c, a);
  };
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    return s.replace(s.find(from), from.size(), to);
  };
  // An add is no vector-matrix product.
  const std::string add_on_pim =
      replace(kGemvMapping, "        - einsum: z\n          compute: ASIC\n          levels:\n            - target: GDDR6\n"
                            "              temporal: [{M: 16}]\n            - target: ASICBuffer\n"
                            "              spatial: [{M: 16, axis: x}]\n            - target: ASICRF\n",
              "        - einsum: z\n          compute: PIM\n");
  EXPECT_NE(status(add_on_pim, f.a).reason.find("z is neither"), std::string::npos);
  // A product without its layout.
  EXPECT_NE(status(replace(kGemvMapping, "          layout: row-stream\n", ""), f.a).reason.find("needs a layout"),
            std::string::npos);
  // A layout on the host's unit: a located input error.
  try {
    load_cascade_mapping_text(replace(kGemvMapping, "          compute: ASIC\n", "          compute: ASIC\n          layout: rounds\n"),
                              "m.yaml", f.c, f.a);
    ADD_FAILURE() << "layout on the ASIC accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("m.yaml:10:"), std::string::npos) << e.what();
  }
  // Weights beyond the banks' rows: 2^20 x 4096 BF16 values (8 GiB) against
  // 128 banks of 32 MiB.
  const workloads::Workload big = workloads::load_workload_text(R"(
cascade:
  name: big
  ranks: {M: 1048576, K: 4096}
  inputs:
    W: {ranks: [M, K]}
    x: {ranks: [K]}
  einsums:
    - y[m] = W[m, k] * x[k]
)", "big.yaml");
  const workloads::Cascade& bc = big.variants.front().cascade;
  const MappingStatus too_big = validate_cascade_mapping(
      load_cascade_mapping_text("cascade_mapping:\n  groups:\n    - tiles:\n        - {einsum: y, compute: PIM, layout: rounds}\n",
                                "big-m.yaml", bc, f.a),
      bc, f.a);
  EXPECT_NE(too_big.reason.find("do not fit the rows"), std::string::npos) << too_big.reason;
  // The PIM Einsum with another in its group.
  const std::string together =
      replace(kGemvMapping, "          layout: row-stream\n    - tiles:\n", "          layout: row-stream\n");
  EXPECT_NE(status(together, f.a).reason.find("group of its own"), std::string::npos) << status(together, f.a).reason;
}

// The model's cost of the PIM tile is the PIM model's (the closed form the
// command-level model agrees with, pim_test.cpp): its cycles at the 1 GHz
// clock, and its energy, the in-bank reads, the MACs and the vector and
// results over the channels.
TEST(PimBinding, APimTileCostsWhatThePimModelSays) {
  Gemv f;
  const CascadeMapping m = load_cascade_mapping_text(kGemvMapping, "m.yaml", f.c, f.a);
  const sim::analytical::CascadeStats cs = sim::analytical::evaluate_cascade(f.a, f.c, m);
  const arch::DramStandard& s = *f.a.node(f.a.dram()).dram_standard;
  const sim::PimEstimate est =
      sim::estimate_pim_gemv(s, sim::PimGemv{1, 256, 512}, sim::PimLayout::kRowStream, true);
  const sim::Stats& pim = cs.groups[0].stats;
  EXPECT_EQ(pim.cycles, static_cast<int64_t>(std::ceil(est.cycles * s.timing.tck_ns - 1e-9)));
  EXPECT_NEAR(pim.energy_pj, est.energy_pj(s), 1e-6 * est.energy_pj(s));
  EXPECT_EQ(pim.dram_bytes, static_cast<int64_t>(est.offchip_bytes));
  EXPECT_EQ(pim.per_einsum.at(0).unit, "PIM");
  // 256 x 512 MACs over 128 units x 16 lanes a cycle.
  EXPECT_NEAR(pim.utilization.at("PIM"), 256.0 * 512 / (128 * 16) / static_cast<double>(pim.cycles), 1e-12);
  EXPECT_EQ(cs.stats.cycles, pim.cycles + cs.groups[1].stats.cycles);
}

std::set<std::string> on_pim(const arch::Architecture& a, const CascadeMapping& m) {
  std::set<std::string> out;
  for (const auto& g : m.groups)
    for (const auto& t : g.tiles)
      if (a.is_pim(t.compute)) out.insert(t.einsum_name);
  return out;
}

search::MapperConfig budget(int64_t n) {
  search::MapperConfig config;
  config.max_evaluations = n;
  config.threads = 2;
  return config;
}

// PIM-GPT's decode step: every vector-matrix product over the weights or the
// cache on the banks (the ASIC's 16 lanes take 128 times longer), the norms,
// softmax and GELU on the ASIC, the cache read where it lies.
TEST(PimSearch, DecodeStepPutsTheProductsOnPimAndTheRestOnTheHost) {
  const arch::Architecture a = arch::load_arch(kArch + "pim-gpt.yaml");
  const workloads::Workload w = layer("gpt2-small", "decode", "128");
  const workloads::Cascade& c = w.variants.front().cascade;
  const cascade::CascadeSearchResult r = cascade::search_cascade(a, c, budget(4000));
  const std::set<std::string> pim = on_pim(a, r.best);
  for (const char* vmm : {"QP", "KNP", "VNP", "QK", "AV", "OP", "H1", "H2"}) EXPECT_TRUE(pim.count(vmm)) << vmm;
  for (const char* host : {"SM1", "XN", "SN", "A", "A1", "O"}) EXPECT_FALSE(pim.count(host)) << host;
  EXPECT_TRUE(validate_cascade_mapping(r.best, c, a).ok);
  // The ASIC alone needs at least the weights' MACs over its 16 lanes: (4 x
  // 768 x 768 + 2 x 768 x 3072) / 16 = 442368 cycles at 1 GHz.
  EXPECT_LT(r.stats.cycles * 10, 442368);
}

// The hybrid (FuseMax's arrays over HBM2-PIM), as pim_cascade places GPT-3
// XL's Einsums (pim_layer_test.cpp): prefill's matrix products stay on the
// arrays; decode's weight products go to the banks.
TEST(PimSearch, HybridPutsPrefillOnTheArraysAndDecodeGemvsOnPim) {
  const arch::Architecture a = arch::load_arch(kArch + "fusemax-pim.yaml");
  const workloads::Workload pre = layer("gpt3-xl", "prefill", "512");
  EXPECT_TRUE(on_pim(a, cascade::search_cascade(a, pre.variants.front().cascade, budget(3000)).best).empty());
  const workloads::Workload dec = layer("gpt3-xl", "decode", "512");
  const std::set<std::string> pim = on_pim(a, cascade::search_cascade(a, dec.variants.front().cascade, budget(3000)).best);
  for (const char* vmm : {"QP", "KNP", "VNP", "OP", "H1", "H2"}) EXPECT_TRUE(pim.count(vmm)) << vmm;
}

}  // namespace
}  // namespace einflow::mapping
