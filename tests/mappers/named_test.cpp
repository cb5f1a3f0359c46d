// The five named attention designs on miniature FLAT and FuseMax machines
// (tests/data/attention: 4 x 4 2D array, 4-PE 1D array; E = F = 4,
// M = P = 16, M0 = 4 so M1 = 4), worked by hand, and the cascade search.
//
// Per-point costs (cycles per PE):
//   FLAT arch   2D: QK, AV E = F = 4 MACs.  1D: GM max 1, SN sub + exp 2, SD 1, A div 1;
//               LM 1, SLN 2, SLD 1; RM 1, PRM 2, SPD 1, RD 1, SPNV 4, RNV 4; AV 4 divs.
//   FuseMax     2D: QK 4, LM 1, SLN sub + exp (6 MACs + 1 add) 8, SLD 1, SLNV 4.
//               1D: RM 1, PRM 8, SPD 1, RD 1, SPNV 4, RNV 4; AV 4 divs.
// The 2D array holds M (or M0) down its 4 rows and P across its 4 columns;
// the 1D array P across its 4 PEs.
#include <gtest/gtest.h>

#include "arch/arch.h"
#include "mappers/cascade/cascade_search.h"
#include "mappers/named/named.h"
#include "sim/analytical/group_model.h"
#include "workloads/workload.h"

namespace einflow::named {
namespace {

const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/attention/";

struct DesignRun {
  sim::Stats stats;
  mapping::CascadeMapping mapping;
  sim::analytical::CascadeStats detail;
};

DesignRun run(const std::string& design, const std::string& arch_file) {
  static const workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  const arch::Architecture a = arch::load_arch(kData + arch_file);
  const Design* d = find_design(design);
  EXPECT_NE(d, nullptr);
  const workloads::Cascade& c = w.find_variant(d->variant)->cascade;
  DesignRun r;
  r.mapping = attention_mapping(*d, a, c);
  const mapping::MappingStatus st = mapping::validate_cascade_mapping(r.mapping, c, a);
  EXPECT_TRUE(st.ok) << st.reason;
  r.detail = sim::analytical::evaluate_cascade(a, c, r.mapping);
  r.stats = r.detail.stats;
  return r;
}

// FLAT: per PE, QK 4 x 16 = 64 and AV 64 on the 2D array (256 points x 4 MACs
// / 16 PEs each); GM 64, SN 128 (subtract and exp on this test's one-datapath
// PE), SD 64, A 64 on the 1D array (256 points / 4 PEs x cost): 448 cycles one
// after another. FLAT pipelines the arrays across query-row blocks; the least
// energy-delay product takes 8 blocks of 2 rows (K and V stay in the buffer
// across them): the 1D array's 320 cycles plus the 2D array's first block
// (128 / 8 = 16) = 336.
TEST(Named, FlatCyclesAndUtilization) {
  DesignRun r = run("flat", "flat-4x4.yaml");
  EXPECT_EQ(r.stats.cycles, 336);
  EXPECT_DOUBLE_EQ(r.stats.utilization.at("Array2D"), 128.0 / 336);
  EXPECT_DOUBLE_EQ(r.stats.utilization.at("Array1D"), 320.0 / 336);
  // Fused: only Q, K, V in and AV out (64 words each, 2 bytes).
  EXPECT_EQ(r.stats.dram_bytes, 4 * 64 * 2);
  EXPECT_TRUE(r.detail.groups[0].spilled.empty());
}

// Unfused: the same work, but every intermediate goes through DRAM: QK written
// once and read by GM and SN (768), GM written and read (32), SN written and
// read by SD and A (768), SD (32), A written and read by AV (512), plus the 256
// words of Q, K, V, AV.
TEST(Named, UnfusedMovesEveryIntermediateThroughDram) {
  DesignRun r = run("unfused", "flat-4x4.yaml");
  EXPECT_EQ(r.stats.cycles, 448);
  EXPECT_EQ(r.stats.dram_bytes, (256 + 768 + 32 + 768 + 32 + 512) * 2);
  EXPECT_EQ(r.mapping.groups.size(), 6u);
}

// +cascade: per M1 iteration (4 of them), the 2D array does QK and SLNV, 16
// cycles each per PE; the 1D array does LM, SLN, SLD over 16 points per PE
// (4 cycles each: 64) and the per-(m1, p) Einsums over 4 points (13 cycles
// each: 52); then AV, 4 points x 4 divides: 4 x (32 + 116) + 16 = 608.
TEST(Named, CascadeOnFlatHardware) {
  DesignRun r = run("cascade", "flat-4x4.yaml");
  EXPECT_EQ(r.stats.cycles, 608);
  EXPECT_DOUBLE_EQ(r.stats.utilization.at("Array2D"), 128.0 / 608);
  EXPECT_DOUBLE_EQ(r.stats.utilization.at("Array1D"), 480.0 / 608);
  EXPECT_EQ(r.stats.dram_bytes, 4 * 64 * 2);
}

// FLAT's parameters are checked against the cascade: an offchip tensor must
// cross from one pass to a later one, a stationarity must have a rank to hold
// across the columns; and one query row (decode) is one block.
TEST(Named, FlatParametersAreCheckedAndOneQueryRowIsOneBlock) {
  const arch::Architecture a = arch::load_arch(kData + "flat-4x4.yaml");
  const workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  const workloads::Cascade& c = w.find_variant("3pass")->cascade;
  named::DesignParams p;
  p.offchip = {"A"};
  try {
    attention_mapping(with_params(*find_design("flat"), p), a, c);
    FAIL() << "A does not cross a pass";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("within one pass"), std::string::npos) << e.what();
  }
  const workloads::Workload dec = workloads::load_workload(kData + "tiny.yaml", {workloads::parse_override("model.kind=decoder"), workloads::parse_override("instance.phase=decode")});
  const workloads::Cascade& d = dec.find_variant("3pass")->cascade;
  ASSERT_EQ(d.ranks[static_cast<size_t>(d.find_rank("P"))].size, 1);
  const mapping::CascadeMapping m = attention_mapping(*find_design("flat"), a, d);
  EXPECT_TRUE(mapping::validate_cascade_mapping(m, d, a).ok);
}

// +architecture: per iteration the 2D array does 4 queries x 18 = 72 cycles
// (QK 16, LM 4, SLN 32, SLD 4, SLNV 16), the 1D array 4 x 19 = 76 (RM 4, PRM
// 32, SPD 4, RD 4, SPNV 16, RNV 16); unpipelined: 4 x (72 + 76) + 16 = 608.
// FuseMax pipelines them across M1, each unit running its lowest-numbered
// ready execution: the 1D array's 4 x 76 + 16 (AV) = 320 cycles of work plus
// two waits: 20 for the first QK and LM, and 8 for the first SLNV, which ends
// at 88 where RNV could start at 80 (the 2D array ran the next QK, 16 cycles,
// while its first SLN waited for RM): 348.
TEST(Named, ArchitectureAndFuseMaxPipelining) {
  DesignRun arch = run("architecture", "fusemax-4x4.yaml");
  EXPECT_EQ(arch.stats.cycles, 608);
  EXPECT_DOUBLE_EQ(arch.stats.utilization.at("Array2D"), 288.0 / 608);
  DesignRun fm = run("fusemax", "fusemax-4x4.yaml");
  EXPECT_EQ(fm.stats.cycles, 348);
  EXPECT_DOUBLE_EQ(fm.stats.utilization.at("Array2D"), 288.0 / 348);
  EXPECT_DOUBLE_EQ(fm.stats.utilization.at("Array1D"), 320.0 / 348);
  EXPECT_EQ(fm.stats.dram_bytes, 4 * 64 * 2);
  // QK and SLN stay in the PE registers, the per-query state in the buffer.
  const auto& retained = fm.detail.groups[0].retained;
  for (const char* t : {"QK", "SLN", "RM", "RD", "RNV"})
    EXPECT_NE(std::find(retained.begin(), retained.end(), t), retained.end()) << t;
  EXPECT_GE(fm.mapping.groups[0].pipeline_rank, 0);
  EXPECT_EQ(arch.mapping.groups[0].pipeline_rank, -1);
}

// The search, started from the named designs, returns nothing worse than
// FuseMax; from scratch it still finds a valid fused mapping; it is
// deterministic for a seed.
TEST(CascadeSearch, AtLeastAsGoodAsFuseMaxAndDeterministic) {
  const workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  const workloads::Cascade& c = w.find_variant("1pass")->cascade;
  const mapping::CascadeMapping fm = attention_mapping(*find_design("fusemax"), a, c);
  const sim::Stats named = sim::analytical::evaluate_cascade(a, c, fm).stats;
  search::MapperConfig cfg;
  cfg.max_evaluations = 300;
  cascade::CascadeSearchOptions seeds;
  seeds.seeds = {fm};
  const cascade::CascadeSearchResult seeded = cascade::search_cascade(a, c, cfg, seeds);
  EXPECT_LE(static_cast<double>(seeded.stats.cycles) * seeded.stats.energy_pj,
            static_cast<double>(named.cycles) * named.energy_pj);
  EXPECT_TRUE(mapping::validate_cascade_mapping(seeded.best, c, a).ok);

  const cascade::CascadeSearchResult a1 = cascade::search_cascade(a, c, cfg);
  const cascade::CascadeSearchResult a2 = cascade::search_cascade(a, c, cfg);
  EXPECT_TRUE(mapping::validate_cascade_mapping(a1.best, c, a).ok);
  EXPECT_EQ(a1.stats.cycles, a2.stats.cycles);
  EXPECT_EQ(a1.stats.energy_pj, a2.stats.energy_pj);
  EXPECT_EQ(mapping::write_cascade_mapping(a1.best, c, a), mapping::write_cascade_mapping(a2.best, c, a));
  // Better than running every Einsum alone (which also spills everything).
  const mapping::CascadeMapping unfused = attention_mapping(*find_design("unfused"), a, w.find_variant("3pass")->cascade);
  const sim::Stats u = sim::analytical::evaluate_cascade(a, w.find_variant("3pass")->cascade, unfused).stats;
  EXPECT_LT(static_cast<double>(a1.stats.cycles) * a1.stats.energy_pj, static_cast<double>(u.cycles) * u.energy_pj);
}

// The FuseMax design is rejected with a reason on a cascade that is not 1-pass attention.
TEST(Named, WrongCascadeIsAnInputError) {
  const workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  EXPECT_THROW(attention_mapping(*find_design("fusemax"), a, w.find_variant("3pass")->cascade), UserError);
}

}  // namespace
}  // namespace einflow::named
