// Systolic and broadcast PE arrays: the cycle model (which takes a systolic
// array's skew as (X - 1) + (Y - 1) cycles of fill and drain per run) against
// a per-PE reference model written here: every PE's registers simulated cycle
// by cycle, operands and partial sums moving one hop per cycle (systolic) or
// reaching every PE at once (broadcast), with real values.
#include <gtest/gtest.h>

#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "sim/analytical/nest_model.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/verify.h"
#include "tests/sim/cycle_testing.h"

namespace einflow::sim {
namespace {

struct Reg {
  bool valid = false;
  double v = 0;
  int64_t m = 0, k = 0, tile = 0;  // what the value is
};

struct RefResult {
  int64_t cycles = 0;     // the cycle after the last result is complete
  std::vector<double> c;  // row-major C
};

// Output-stationary GEMM on an X x Y array: PE (i, j) accumulates C[tile
// rows + i, tile cols + j] over K; A's rows enter at the left edge, B's
// columns at the top, and tiles follow one another back to back (tile t's
// operand k enters at cycle t K + k, skewed by the row or column on a
// systolic array). A MAC's result is ready the cycle after it.
RefResult reference_os(const std::vector<double>& A, const std::vector<double>& B, int64_t M,
                       int64_t N, int64_t K, int64_t X, int64_t Y, bool systolic) {
  const int64_t tiles_n = N / Y, tiles = (M / X) * tiles_n;
  std::vector<Reg> a(static_cast<size_t>(X * Y)), b(a.size());
  std::vector<double> acc(a.size(), 0);
  RefResult r;
  r.c.assign(static_cast<size_t>(M * N), 0);
  auto at = [&](int64_t i, int64_t j) { return static_cast<size_t>(i * Y + j); };
  // The operand that enters row i (A) or column j (B) at cycle c.
  auto feed = [&](bool is_a, int64_t lane, int64_t c) {
    Reg g;
    const int64_t t0 = c - (systolic ? lane : 0);
    if (t0 < 0 || t0 >= tiles * K) return g;
    g.tile = t0 / K;
    g.k = t0 % K;
    const int64_t mi = g.tile / tiles_n * X, nj = g.tile % tiles_n * Y;
    g.valid = true;
    g.v = is_a ? A[static_cast<size_t>((mi + lane) * K + g.k)]
               : B[static_cast<size_t>(g.k * N + nj + lane)];
    return g;
  };
  for (int64_t c = 0; c < tiles * K + X + Y + 2; ++c) {
    std::vector<Reg> na(a.size()), nb(b.size());
    for (int64_t i = 0; i < X; ++i)
      for (int64_t j = 0; j < Y; ++j) {
        na[at(i, j)] = !systolic || j == 0 ? feed(true, i, c) : a[at(i, j - 1)];
        nb[at(i, j)] = !systolic || i == 0 ? feed(false, j, c) : b[at(i - 1, j)];
      }
    a = na;
    b = nb;
    for (int64_t i = 0; i < X; ++i)
      for (int64_t j = 0; j < Y; ++j) {
        const Reg &x = a[at(i, j)], &y = b[at(i, j)];
        if (!x.valid) continue;
        EXPECT_TRUE(y.valid && y.tile == x.tile && y.k == x.k);  // the operands meet in step
        acc[at(i, j)] += x.v * y.v;
        if (x.k == K - 1) {
          const int64_t mi = x.tile / tiles_n * X, nj = x.tile % tiles_n * Y;
          r.c[static_cast<size_t>((mi + i) * N + nj + j)] = acc[at(i, j)];
          acc[at(i, j)] = 0;
          r.cycles = std::max(r.cycles, c + 1);
        }
      }
  }
  return r;
}

// Weight-stationary GEMM on an X x Y array holding B[k, j] at PE (k, j): row
// m of A enters row k at cycle m (plus k when systolic) and moves right; the
// partial sum of C[m, j] moves down the column, leaving the bottom PE. On a
// broadcast array every PE sees A[m, k] at cycle m and the network adds the
// column's products.
RefResult reference_ws(const std::vector<double>& A, const std::vector<double>& B, int64_t M,
                       int64_t X, int64_t Y, bool systolic) {
  std::vector<Reg> a(static_cast<size_t>(X * Y)), p(a.size());
  auto at = [&](int64_t k, int64_t j) { return static_cast<size_t>(k * Y + j); };
  RefResult r;
  r.c.assign(static_cast<size_t>(M * Y), 0);
  for (int64_t c = 0; c < M + X + Y + 2; ++c) {
    std::vector<Reg> na(a.size()), np(p.size());
    for (int64_t k = 0; k < X; ++k)
      for (int64_t j = 0; j < Y; ++j) {
        if (!systolic || j == 0) {
          const int64_t m = c - (systolic ? k : 0);
          if (m >= 0 && m < M) na[at(k, j)] = {true, A[static_cast<size_t>(m * X + k)], m, k, 0};
        } else {
          na[at(k, j)] = a[at(k, j - 1)];
        }
      }
    a = na;
    for (int64_t k = 0; k < X; ++k)
      for (int64_t j = 0; j < Y; ++j) {
        const Reg& x = a[at(k, j)];
        if (!x.valid) continue;
        Reg in;  // the partial sum from above (none on the top row)
        if (systolic && k > 0) {
          in = p[at(k - 1, j)];
          EXPECT_TRUE(in.valid && in.m == x.m);
        }
        np[at(k, j)] = {true, in.v + x.v * B[static_cast<size_t>(k * Y + j)], x.m, k, 0};
      }
    if (!systolic) {  // the network's adder tree: each column's products at once
      for (int64_t j = 0; j < Y; ++j) {
        double sum = 0;
        bool any = false;
        for (int64_t k = 0; k < X; ++k)
          if (np[at(k, j)].valid) {
            sum += np[at(k, j)].v;
            any = true;
          }
        if (any) np[at(X - 1, j)].v = sum;
      }
    }
    p = np;
    for (int64_t j = 0; j < Y; ++j) {
      const Reg& out = p[at(X - 1, j)];
      if (!out.valid) continue;
      r.c[static_cast<size_t>(out.m * Y + j)] = out.v;
      r.cycles = std::max(r.cycles, c + 1);
    }
  }
  return r;
}

// A GEMM case on the array, as broadcast when `systolic` is off.
cycle::testing::Case load(const std::string& workload, const std::string& mapping_file,
                          bool systolic) {
  const std::string dir = "tests/data/cycle/systolic/";
  cycle::testing::Case l =
      cycle::testing::load_case(dir + "arch.yaml", dir + workload, dir + mapping_file);
  for (auto& n : l.arch.nodes) n.systolic = n.systolic && systolic;
  return l;
}

// Output-stationary, four 4 x 4 tiles of 16 steps: the reference gives 64
// cycles broadcast and 64 + 3 + 3 = 70 systolic; the cycle model the same,
// and the same values.
TEST(Systolic, OutputStationaryMatchesThePerPeReference) {
  for (const bool systolic : {false, true}) {
    SCOPED_TRACE(systolic ? "systolic" : "broadcast");
    const cycle::testing::Case l = load("os-gemm.yaml", "os-mapping.yaml", systolic);
    const RefResult ref =
        reference_os(l.inputs.at("A").data, l.inputs.at("B").data, 8, 8, 16, 4, 4, systolic);
    EXPECT_EQ(ref.cycles, systolic ? 70 : 64);
    EXPECT_EQ(ref.c, l.golden.at("C").data);
    const cycle::SimResult r = cycle::simulate_mapping(l.arch, l.cascade, l.map, l.inputs);
    EXPECT_EQ(r.stats.cycles, ref.cycles);
    EXPECT_TRUE(cycle::compare_tensors(r.outputs, {{"C", l.golden.at("C")}}, 1e-12).ok);
    EXPECT_EQ(analytical::evaluate_mapping(l.arch, l.cascade, l.map).cycles, 64);
  }
}

// Weight-stationary, 16 rows of A through one 4 x 4 weight tile: 16 cycles
// broadcast, 16 + 6 = 22 systolic, in the reference and the cycle model.
TEST(Systolic, WeightStationaryMatchesThePerPeReference) {
  for (const bool systolic : {false, true}) {
    SCOPED_TRACE(systolic ? "systolic" : "broadcast");
    const cycle::testing::Case l = load("ws-gemm.yaml", "ws-mapping.yaml", systolic);
    const RefResult ref =
        reference_ws(l.inputs.at("A").data, l.inputs.at("B").data, 16, 4, 4, systolic);
    EXPECT_EQ(ref.cycles, systolic ? 22 : 16);
    const std::vector<double>& want = l.golden.at("C").data;
    ASSERT_EQ(ref.c.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(ref.c[i], want[i], 1e-12) << i;
    const cycle::SimResult r = cycle::simulate_mapping(l.arch, l.cascade, l.map, l.inputs);
    EXPECT_EQ(r.stats.cycles, ref.cycles);
    EXPECT_TRUE(cycle::compare_tensors(r.outputs, {{"C", l.golden.at("C")}}, 1e-12).ok);
  }
}

}  // namespace
}  // namespace einflow::sim
