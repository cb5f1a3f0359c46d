// The fast kernels against plain loops and the interpreter.
#include "workloads/golden/kernels.h"

#include <gtest/gtest.h>

#include <cmath>

#include "workloads/golden/tensor.h"

namespace einflow::golden {
namespace {

template <class T>
void check_gemm(int64_t m, int64_t n, int64_t k, int threads, double tol) {
  auto a = seeded_tensor<T>({m, k}, 1, 1.0), b = seeded_tensor<T>({k, n}, 2, 1.0);
  std::vector<T> c(static_cast<size_t>(m * n), T(1));
  gemm(m, n, k, a.data.data(), k, b.data.data(), n, c.data(), n, /*accumulate=*/true, threads);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double want = 1.0;
      for (int64_t p = 0; p < k; ++p) want += static_cast<double>(a.data[i * k + p]) * b.data[p * n + j];
      ASSERT_NEAR(c[i * n + j], want, tol * (1 + std::fabs(want))) << i << "," << j;
    }
}

TEST(Kernels, GemmOddShapesDoubleMultiThreaded) { check_gemm<double>(67, 131, 259, 4, 1e-12); }
TEST(Kernels, GemmOddShapesFloat) { check_gemm<float>(130, 67, 300, 2, 1e-5); }
TEST(Kernels, GemmTinyAndSingleThread) { check_gemm<double>(1, 1, 1, 1, 1e-15); }

TEST(Kernels, SoftmaxRowsSkipMaskedEntries) {
  std::vector<double> x{0.0, std::log(3.0), -INFINITY};
  softmax_rows(1, 3, x.data());
  EXPECT_NEAR(x[0], 0.25, 1e-15);
  EXPECT_NEAR(x[1], 0.75, 1e-15);
  EXPECT_EQ(x[2], 0.0);
}

TEST(Kernels, LayerNormByHand) {
  // Row (1, 3): mean 2, variance 1, normalised (-1, 1); gamma (2, 2), beta (0, 1).
  std::vector<double> x{1, 3}, g{2, 2}, b{0, 1}, y(2);
  layernorm_rows(1, 2, x.data(), g.data(), b.data(), 0.0, y.data());
  EXPECT_NEAR(y[0], -2.0, 1e-15);
  EXPECT_NEAR(y[1], 3.0, 1e-15);
  // RMS of (3, 4) is sqrt(12.5).
  std::vector<double> x2{3, 4}, g2{1, 1}, y2(2);
  rmsnorm_rows(1, 2, x2.data(), g2.data(), 0.0, y2.data());
  EXPECT_NEAR(y2[1], 4 / std::sqrt(12.5), 1e-15);
}

TEST(Kernels, CausalAttentionHeadFirstQuerySeesOneKey) {
  // Query 0 may only see key 0, so its output is exactly V[0].
  int64_t p = 3, m = 3, e = 2, f = 2;
  auto q = seeded_tensor<double>({p, e}, 3, 1.0), k = seeded_tensor<double>({m, e}, 4, 1.0),
       v = seeded_tensor<double>({m, f}, 5, 1.0);
  std::vector<double> out(static_cast<size_t>(p * f));
  attention_head(p, m, e, f, q.data.data(), k.data.data(), v.data.data(), true, out.data(), 1);
  EXPECT_DOUBLE_EQ(out[0], v.data[0]);
  EXPECT_DOUBLE_EQ(out[1], v.data[1]);
}

}  // namespace
}  // namespace einflow::golden
