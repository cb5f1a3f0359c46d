// The op-cost model (mappers/mapping/unit_ops.h): each Einsum's point covered
// by the unit's ops at least cost, fused ops matched as patterns, functional
// units issuing concurrently. Every expected figure is worked by hand from the
// ops written in the test.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "arch/arch.h"
#include "mappers/mapping/unit_ops.h"
#include "workloads/workload.h"

namespace einflow::mapping {
namespace {

// A one-unit architecture whose unit has `ops` (the body of its `ops:` map)
// and the node keys `keys` (each line indented as the unit's).
arch::Architecture unit_with(const std::string& ops, const std::string& keys = "") {
  return arch::load_arch_text(std::string(R"(architecture:
  name: u
  tree:
    name: DRAM
    class: dram
    bandwidth_gbps: 100
    children:
      - name: Buffer
        class: sram
        size_words: 4096
        children:
          - name: PE
            class: compute
)") + keys + "            ops:\n" + ops,
                              "u.yaml");
}

// The softmax Einsums of FLAT's 1D array and a MAC contraction.
workloads::Cascade softmax() {
  return workloads::load_workload_text(R"(cascade:
  name: s
  ranks: {M: 8, P: 4, E: 2}
  inputs: {QK: [M, P], Q: [E, P], K: [E, M]}
  einsums:
    - GM[p] = max(m) QK[m,p]
    - SN[m,p] = exp(QK[m,p] - GM[p])
    - SD[p] = SN[m,p]
    - A[m,p] = SN[m,p] / SD[p]
    - S[m,p] = Q[e,p] * K[e,m]
    - T[m,p] = QK[m,p] * SN[m,p] + A[m,p]
)",
                                       "s.yaml")
      .variants.front()
      .cascade;
}

int einsum(const workloads::Cascade& c, const std::string& name) {
  for (size_t i = 0; i < c.einsums.size(); ++i)
    if (c.einsums[i].name == name) return static_cast<int>(i);
  return -1;
}

std::map<std::string, double> actions(const OpCover& c) { return {c.actions.begin(), c.actions.end()}; }

OpCover cover(const arch::Architecture& a, const workloads::Cascade& c, const std::string& e) {
  return cover_einsum(a.nodes[static_cast<size_t>(a.find("PE"))], c, einsum(c, e));
}

TEST(OpPattern, ParsesOperatorsFunctionsAndPrecedence) {
  std::string why;
  auto p = arch::parse_op_pattern("exp(a - b)", why);
  ASSERT_EQ(why, "");
  ASSERT_EQ(p.size(), 4u);  // a, b, a - b, exp
  EXPECT_EQ(p[2].op, "-");
  EXPECT_EQ(p[3].op, "exp");
  EXPECT_EQ(p[3].lhs, 2);
  p = arch::parse_op_pattern("a * b + c", why);
  ASSERT_EQ(why, "");
  EXPECT_EQ(p.back().op, "+");
  EXPECT_EQ(p[static_cast<size_t>(p.back().lhs)].op, "*");
  p = arch::parse_op_pattern("max(a, -b) / c", why);
  ASSERT_EQ(why, "");
  EXPECT_EQ(p.back().op, "/");
  for (const char* bad : {"a", "exp(a", "a - a", "foo(a)", "max(a)", "a +", "a ) b", "", "a * 2"}) {
    arch::parse_op_pattern(bad, why);
    EXPECT_NE(why, "") << bad;
  }
}

TEST(OpPattern, KnowsEveryFunctionOfTheEinsumNotation) {
  std::set<std::string> arch_names;
  for (const auto& n : arch::pattern_functions()) arch_names.insert(n);
  for (const auto& n : workloads::unary_names()) {
    if (n == "neg") continue;  // written as unary minus
    EXPECT_TRUE(arch_names.count(n)) << n;
  }
  EXPECT_TRUE(arch_names.count("max") && arch_names.count("min"));
}

TEST(OpPattern, BadPatternsAndUnitsAreLocatedErrors) {
  try {
    unit_with("              f: {pattern: \"exp(a\", energy_pj: 1}\n");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("u.yaml:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad pattern"), std::string::npos) << e.what();
  }
}

// One datapath (no functional units named): the ops of a point add up.
// SN = exp(QK - GM) is a subtract (1) and an exp (1): 2 cycles.
TEST(OpCost, OneDatapathAddsTheOps) {
  auto a = unit_with("              {max: {energy_pj: 1}, add: {energy_pj: 2}, exp: {energy_pj: 10}, div: {energy_pj: 5}}\n");
  auto c = softmax();
  OpCover sn = cover(a, c, "SN");
  ASSERT_TRUE(sn.ok);
  EXPECT_DOUBLE_EQ(sn.issue_cycles, 2);
  EXPECT_DOUBLE_EQ(sn.energy_pj, 12);
  EXPECT_EQ(cover(a, c, "GM").acc_op, "max");
  EXPECT_DOUBLE_EQ(cover(a, c, "SD").issue_cycles, 1);  // the fold: one add
  EXPECT_DOUBLE_EQ(cover(a, c, "A").issue_cycles, 1);
  OpCover s = cover(a, c, "S");  // a product: no mul, no mac
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.missing, "mul");
}

// FLAT's 1D PE (reference/fusemax-artifact.md): the subtract and the exp on
// separate units, pipelined: one cycle per element, charged one add and one
// exp; as a fused op over the pattern the same, the actions its sequence.
TEST(OpCost, ConcurrentFunctionalUnitsPipelineTheSubtractAndExp) {
  auto a = unit_with(R"(              max: {energy_pj: 1, functional_unit: alu}
              add: {energy_pj: 2, functional_unit: alu}
              exp: {energy_pj: 10, functional_unit: exp}
              div: {energy_pj: 5, functional_unit: div}
)");
  auto c = softmax();
  OpCover sn = cover(a, c, "SN");
  ASSERT_TRUE(sn.ok);
  EXPECT_DOUBLE_EQ(sn.issue_cycles, 1);
  EXPECT_DOUBLE_EQ(sn.energy_pj, 12);
  EXPECT_EQ(actions(sn), (std::map<std::string, double>{{"add", 1}, {"exp", 1}}));
  EXPECT_DOUBLE_EQ(sn.latency_cycles, 2);  // chained: subtract, then exp

  auto fused = unit_with(R"Y(              max: {energy_pj: 1}
              add: {energy_pj: 2}
              exp: {energy_pj: 10, functional_unit: exp}
              exp_sub: {pattern: "exp(a - b)", sequence: {add: 1, exp: 1}}
)Y");
  sn = cover(fused, c, "SN");
  EXPECT_DOUBLE_EQ(sn.issue_cycles, 1);
  EXPECT_EQ(actions(sn), (std::map<std::string, double>{{"add", 1}, {"exp", 1}}));
  ASSERT_EQ(sn.uses.size(), 1u);
  EXPECT_EQ(sn.uses[0].op->name, "exp_sub");
}

// FuseMax's PE has no exp unit: exp is 6 MACs + 1 add (7 cycles), and for
// exp(x - m) the add is the subtraction: 7 cycles, not 8.
TEST(OpCost, AFusedPatternSavesTheSubtraction) {
  const std::string base = R"(              mac: {energy_pj: 3}
              add: {energy_pj: 2}
              max: {energy_pj: 1}
              exp: {sequence: {mac: 6, add: 1}}
)";
  auto c = softmax();
  OpCover plain = cover(unit_with(base), c, "SN");
  EXPECT_DOUBLE_EQ(plain.issue_cycles, 8);
  EXPECT_DOUBLE_EQ(plain.energy_pj, 6 * 3 + 2 + 2);
  OpCover fused =
      cover(unit_with(base + "              exp_sub: {pattern: \"exp(a - b)\", sequence: {mac: 6, add: 1}}\n"), c, "SN");
  EXPECT_DOUBLE_EQ(fused.issue_cycles, 7);
  EXPECT_DOUBLE_EQ(fused.energy_pj, 6 * 3 + 2);
  EXPECT_EQ(actions(fused), (std::map<std::string, double>{{"add", 1}, {"mac", 6}}));
  // The fused op does not apply where the pattern is absent: exp of a plain
  // operand, or a sum that is not a subtraction.
  EXPECT_DOUBLE_EQ(cover(unit_with(base), c, "SD").issue_cycles, 1);
}

// A MAC covers a product added to anything: the contraction's multiply and its
// fold, and `x * y + z` inside an expression (either operand order).
TEST(OpCost, AMacCoversAProductAndItsSum) {
  auto a = unit_with("              {mac: {energy_pj: 3}, add: {energy_pj: 2}, mul: {energy_pj: 2.5}}\n");
  auto c = softmax();
  OpCover s = cover(a, c, "S");
  EXPECT_DOUBLE_EQ(s.issue_cycles, 1);
  EXPECT_EQ(s.acc_op, "mac");
  OpCover t = cover(a, c, "T");
  EXPECT_DOUBLE_EQ(t.issue_cycles, 1);
  EXPECT_DOUBLE_EQ(t.energy_pj, 3);
  // With the MAC slower than a multiply and an add on separate units, the
  // least-cost cover takes the two.
  auto b = unit_with(R"(              mac: {energy_pj: 3, per_cycle: 0.25}
              add: {energy_pj: 2, functional_unit: adder}
              mul: {energy_pj: 2.5, functional_unit: multiplier}
)");
  t = cover(b, c, "T");
  EXPECT_DOUBLE_EQ(t.issue_cycles, 1);
  EXPECT_DOUBLE_EQ(t.energy_pj, 4.5);
  // A fused op covers what no op of the unit covers alone: an fma-only unit
  // runs the contraction (its multiply has no cover of its own).
  auto f = unit_with("              fma: {pattern: \"a * b + c\", energy_pj: 2}\n");
  s = cover(f, c, "S");
  ASSERT_TRUE(s.ok) << s.missing;
  EXPECT_DOUBLE_EQ(s.issue_cycles, 1);
  EXPECT_EQ(s.acc_op, "fma");
  EXPECT_FALSE(cover(f, c, "SN").ok);
  EXPECT_EQ(cover(f, c, "SN").missing, "add");
  // Without mul or add, the MAC stands in for them.
  auto m = unit_with("              {mac: {energy_pj: 3}, exp: {energy_pj: 10}}\n");
  EXPECT_DOUBLE_EQ(cover(m, c, "SN").issue_cycles, 2);
}

// An op made of steps on several functional units is as busy as its busiest.
TEST(OpCost, ASequenceIssuesAtItsBusiestUnitsPace) {
  auto a = unit_with(R"(              mac: {energy_pj: 3, functional_unit: mac}
              add: {energy_pj: 2, functional_unit: alu}
              exp: {sequence: {mac: 3, add: 2}}
)");
  const arch::OpSpec* exp = a.nodes[static_cast<size_t>(a.find("PE"))].find_op("exp");
  ASSERT_NE(exp, nullptr);
  EXPECT_DOUBLE_EQ(exp->issue_cycles, 3);
  EXPECT_EQ(exp->latency_cycles, 5);
  EXPECT_DOUBLE_EQ(exp->energy_pj, 3 * 3 + 2 * 2);
}

}  // namespace
}  // namespace einflow::mapping

namespace einflow::mapping {
namespace {

// Cycles per point of each Einsum of `variant` on the unit its FuseMax/FLAT
// binding puts it on (the 2D array for `on_2d`, else the 1D array).
std::map<std::string, double> per_point(const std::string& arch_file, const std::string& variant,
                                        const std::set<std::string>& on_2d) {
  const std::string dir = EINFLOW_SOURCE_DIR;
  const arch::Architecture a = arch::load_arch(dir + "/configs/arch/" + arch_file);
  const workloads::Workload w = workloads::load_workload(dir + "/configs/workloads/bert-base.yaml",
                                                         {workloads::parse_override("instance.scope=attention")});
  const workloads::Cascade& c = w.select_variant(variant, {}, "", "").cascade;
  std::map<std::string, double> out;
  for (size_t e = 0; e < c.einsums.size(); ++e) {
    const std::string& name = c.einsums[e].name;
    const arch::Node& unit = a.nodes[static_cast<size_t>(a.find(on_2d.count(name) ? "Array2D" : "Array1D"))];
    const OpCover cv = cover_einsum(unit, c, static_cast<int>(e));
    EXPECT_TRUE(cv.ok) << name;
    out[name] = cv.issue_cycles;
  }
  return out;
}

// The published hardware's per-element costs (reference/fusemax-artifact.md),
// derived from the presets' ops: FLAT's 1D PE does max, exp(x - m) (subtract
// and exp pipelined on separate units), add and divide at one element per
// cycle each; FuseMax's PEs compute exp(x - m) as 6 MACs and 1 add, the add
// being the subtraction: 7 cycles.
TEST(OpCost, PresetsGiveThePublishedPerElementCycles) {
  const auto flat = per_point("flat-cloud.yaml", "3pass", {"QK", "AV"});
  EXPECT_EQ(flat, (std::map<std::string, double>{
                      {"QK", 1}, {"GM", 1}, {"SN", 1}, {"SD", 1}, {"A", 1}, {"AV", 1}}));
  // Per score element on 256 1D PEs: GM + SN + SD + A = 4 cycles.
  const auto fm = per_point("fusemax-cloud.yaml", "1pass", {"BK", "BV", "QK", "LM", "SLN", "SLD", "SLNV"});
  EXPECT_EQ(fm.at("QK"), 1);    // one MAC per (e, m, p)
  EXPECT_EQ(fm.at("LM"), 1);    // max
  EXPECT_EQ(fm.at("SLN"), 7);   // exp(QK - RM): 6 MACs + 1 add, the add the subtraction
  EXPECT_EQ(fm.at("SLD"), 1);   // add
  EXPECT_EQ(fm.at("SLNV"), 1);  // one MAC per (m, f, p)
  EXPECT_EQ(fm.at("RM#2"), 1);  // max by subtraction on the 1D PE
  EXPECT_EQ(fm.at("PRM"), 7);   // exp(RM[m1] - RM[m1+1])
  EXPECT_EQ(fm.at("SPD"), 1);   // multiply (on the MAC)
  EXPECT_EQ(fm.at("RD#2"), 1);  // add
  EXPECT_EQ(fm.at("SPNV"), 1);  // per (m1, f, p)
  EXPECT_EQ(fm.at("RNV#2"), 1);
  EXPECT_EQ(fm.at("AV"), 1);    // divide, pipelined
  // Per M1 step and PE, with E = F = 64: the 2D array E + 1 + 7 + 1 + F = 137
  // cycles, the 1D array 1 + 7 + 1 + 1 + F + F = 138 (reference/fusemax.md).
}

}  // namespace
}  // namespace einflow::mapping

namespace einflow::mapping {
namespace {

// A matrix unit (contractions_only: a GPU's tensor cores) covers the MAC
// contraction S and nothing element-wise: its mac does not stand in for the
// product of T's first term, nor for SD's sum; an ordinary unit's does.
TEST(OpCost, AMatrixUnitRunsContractionsOnly) {
  const arch::Architecture a =
      unit_with("              {mac: {energy_pj: 1}}\n", "            contractions_only: true\n");
  const workloads::Cascade c = softmax();
  const OpCover s = cover(a, c, "S");
  ASSERT_TRUE(s.ok);
  EXPECT_DOUBLE_EQ(s.issue_cycles, 1);
  for (const char* e : {"SD", "T", "A"}) {
    const OpCover x = cover(a, c, e);
    EXPECT_FALSE(x.ok) << e;
    EXPECT_NE(x.missing.find("contractions only"), std::string::npos) << e;
  }
  const OpCover sd = cover(unit_with("              {mac: {energy_pj: 1}}\n"), c, "SD");
  EXPECT_TRUE(sd.ok);  // the same mac, on an ordinary unit, adds
}

}  // namespace
}  // namespace einflow::mapping
