#include "workloads/golden/kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

namespace einflow::golden {

int hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

namespace {

constexpr int64_t kMc = 64;   // rows of C per block
constexpr int64_t kKc = 256;  // depth per block (A block and B panel stay in cache)
constexpr int64_t kNc = 512;  // columns of C per block

// GCC clones the kernel for AVX2+FMA with a portable fallback, chosen at load
// time; clang does not clone templates, and builds the portable one.
#if defined(__clang__)
#define EINFLOW_KERNEL_CLONES
#else
#define EINFLOW_KERNEL_CLONES __attribute__((target_clones("arch=haswell", "default")))
#endif

// c[rows x cols] += a[rows x depth] * b[depth x cols]; the j loop vectorises.
template <class T>
EINFLOW_KERNEL_CLONES void block_kernel(
    int64_t rows, int64_t cols, int64_t depth, const T* a, int64_t lda, const T* b, int64_t ldb,
    T* c, int64_t ldc) {
  int64_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    T* c0 = c + i * ldc;
    T* c1 = c0 + ldc;
    T* c2 = c1 + ldc;
    T* c3 = c2 + ldc;
    for (int64_t p = 0; p < depth; ++p) {
      const T a0 = a[i * lda + p], a1 = a[(i + 1) * lda + p];
      const T a2 = a[(i + 2) * lda + p], a3 = a[(i + 3) * lda + p];
      const T* br = b + p * ldb;
      for (int64_t j = 0; j < cols; ++j) {
        const T bv = br[j];
        c0[j] += a0 * bv;
        c1[j] += a1 * bv;
        c2[j] += a2 * bv;
        c3[j] += a3 * bv;
      }
    }
  }
  for (; i < rows; ++i) {
    T* ci = c + i * ldc;
    for (int64_t p = 0; p < depth; ++p) {
      const T ai = a[i * lda + p];
      const T* br = b + p * ldb;
      for (int64_t j = 0; j < cols; ++j) ci[j] += ai * br[j];
    }
  }
}

template <class T>
void gemm_rows(int64_t row_begin, int64_t row_end, int64_t n, int64_t k, const T* a, int64_t lda,
               const T* b, int64_t ldb, T* c, int64_t ldc) {
  for (int64_t jc = 0; jc < n; jc += kNc) {
    int64_t nc = std::min(kNc, n - jc);
    for (int64_t pc = 0; pc < k; pc += kKc) {
      int64_t kc = std::min(kKc, k - pc);
      for (int64_t ic = row_begin; ic < row_end; ic += kMc) {
        int64_t mc = std::min(kMc, row_end - ic);
        block_kernel<T>(mc, nc, kc, a + ic * lda + pc, lda, b + pc * ldb + jc, ldb, c + ic * ldc + jc, ldc);
      }
    }
  }
}

}  // namespace

template <class T>
void gemm(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
          int64_t ldc, bool accumulate, int threads) {
  if (!accumulate)
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, T(0));
  if (m == 0 || n == 0 || k == 0) return;
  int nt = threads > 0 ? threads : hardware_threads();
  // Split rows into whole kMc blocks; small problems run on the caller's thread.
  int64_t blocks = (m + kMc - 1) / kMc;
  nt = static_cast<int>(std::min<int64_t>(nt, blocks));
  if (nt <= 1 || m * n * k < (int64_t{1} << 18)) {
    gemm_rows(0, m, n, k, a, lda, b, ldb, c, ldc);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < nt; ++t) {
    int64_t b0 = blocks * t / nt, b1 = blocks * (t + 1) / nt;
    int64_t r0 = b0 * kMc, r1 = std::min(m, b1 * kMc);
    pool.emplace_back([=] { gemm_rows(r0, r1, n, k, a, lda, b, ldb, c, ldc); });
  }
  for (auto& th : pool) th.join();
}

template <class T>
void transpose(int64_t rows, int64_t cols, const T* in, T* out) {
  constexpr int64_t kTile = 32;
  for (int64_t i0 = 0; i0 < rows; i0 += kTile)
    for (int64_t j0 = 0; j0 < cols; j0 += kTile)
      for (int64_t i = i0; i < std::min(rows, i0 + kTile); ++i)
        for (int64_t j = j0; j < std::min(cols, j0 + kTile); ++j) out[j * rows + i] = in[i * cols + j];
}

template <class T>
void softmax_rows(int64_t rows, int64_t cols, T* x) {
  for (int64_t i = 0; i < rows; ++i) {
    T* r = x + i * cols;
    T mx = -std::numeric_limits<T>::infinity();
    for (int64_t j = 0; j < cols; ++j) mx = std::max(mx, r[j]);
    T sum = 0;
    for (int64_t j = 0; j < cols; ++j) {
      r[j] = r[j] == -std::numeric_limits<T>::infinity() ? T(0) : std::exp(r[j] - mx);
      sum += r[j];
    }
    for (int64_t j = 0; j < cols; ++j) r[j] /= sum;
  }
}

template <class T>
void layernorm_rows(int64_t rows, int64_t cols, const T* x, const T* gamma, const T* beta, T eps, T* y) {
  for (int64_t i = 0; i < rows; ++i) {
    const T* r = x + i * cols;
    T sum = 0;
    for (int64_t j = 0; j < cols; ++j) sum += r[j];
    T mean = sum / static_cast<T>(cols);
    T ss = 0;
    for (int64_t j = 0; j < cols; ++j) ss += (r[j] - mean) * (r[j] - mean);
    T rs = T(1) / std::sqrt(ss / static_cast<T>(cols) + eps);
    for (int64_t j = 0; j < cols; ++j) y[i * cols + j] = (r[j] - mean) * rs * gamma[j] + beta[j];
  }
}

template <class T>
void rmsnorm_rows(int64_t rows, int64_t cols, const T* x, const T* gamma, T eps, T* y) {
  for (int64_t i = 0; i < rows; ++i) {
    const T* r = x + i * cols;
    T ss = 0;
    for (int64_t j = 0; j < cols; ++j) ss += r[j] * r[j];
    T rs = T(1) / std::sqrt(ss / static_cast<T>(cols) + eps);
    for (int64_t j = 0; j < cols; ++j) y[i * cols + j] = r[j] * rs * gamma[j];
  }
}

template <class T>
void attention_head(int64_t p_len, int64_t m_len, int64_t e, int64_t f, const T* q, const T* k,
                    const T* v, bool causal, T* out, int threads, int64_t window) {
  std::vector<T> kt(static_cast<size_t>(e * m_len)), s(static_cast<size_t>(p_len * m_len));
  transpose(m_len, e, k, kt.data());
  gemm(p_len, m_len, e, q, e, kt.data(), m_len, s.data(), m_len, false, threads);
  if (causal) {
    int64_t offset = m_len - p_len;
    for (int64_t p = 0; p < p_len; ++p) {
      for (int64_t m = p + offset + 1; m < m_len; ++m) s[p * m_len + m] = -std::numeric_limits<T>::infinity();
      if (window > 0)
        for (int64_t m = 0; m <= p + offset - window && m < m_len; ++m)
          s[p * m_len + m] = -std::numeric_limits<T>::infinity();
    }
  }
  softmax_rows(p_len, m_len, s.data());
  gemm(p_len, f, m_len, s.data(), m_len, v, f, out, f, false, threads);
}

#define EINFLOW_KERNELS(T)                                                                         \
  template void gemm<T>(int64_t, int64_t, int64_t, const T*, int64_t, const T*, int64_t, T*,       \
                        int64_t, bool, int);                                                       \
  template void transpose<T>(int64_t, int64_t, const T*, T*);                                     \
  template void softmax_rows<T>(int64_t, int64_t, T*);                                             \
  template void layernorm_rows<T>(int64_t, int64_t, const T*, const T*, const T*, T, T*);          \
  template void rmsnorm_rows<T>(int64_t, int64_t, const T*, const T*, T, T*);                      \
  template void attention_head<T>(int64_t, int64_t, int64_t, int64_t, const T*, const T*, const T*, \
                                  bool, T*, int, int64_t);
EINFLOW_KERNELS(float)
EINFLOW_KERNELS(double)

}  // namespace einflow::golden
