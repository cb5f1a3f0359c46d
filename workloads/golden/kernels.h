// Fast golden kernels for the shapes that matter: blocked multi-threaded GEMM,
// row softmax, LayerNorm / RMSNorm, and attention built from them. They compute
// the same functions as the cascades (scalar_ops.h) and are checked against the
// interpreter in tests. Row-major throughout.
#pragma once

#include <cstdint>
#include <vector>

namespace einflow::golden {

// C[m x n] (+)= A[m x k] * B[k x n]; leading dimensions in elements.
// threads <= 0: all hardware threads.
template <class T>
void gemm(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
          int64_t ldc, bool accumulate, int threads = 0);

// out[cols x rows] = in[rows x cols] transposed.
template <class T>
void transpose(int64_t rows, int64_t cols, const T* in, T* out);

// Numerically stable softmax of each row of x[rows x cols], in place.
// Entries equal to -inf contribute 0 (masked keys).
template <class T>
void softmax_rows(int64_t rows, int64_t cols, T* x);

// y = (x - mean) / sqrt(var + eps) * gamma + beta, over each row of x[rows x cols].
template <class T>
void layernorm_rows(int64_t rows, int64_t cols, const T* x, const T* gamma, const T* beta, T eps, T* y);

// y = x / sqrt(mean(x^2) + eps) * gamma, over each row.
template <class T>
void rmsnorm_rows(int64_t rows, int64_t cols, const T* x, const T* gamma, T eps, T* y);

// One head: out[p x f] = softmax(q[p x e] k[m x e]^T, masked) v[m x f].
// Key m is visible to query p iff !causal or m <= p + (m_len - p_len), and,
// with a sliding window of `window` keys (> 0), m > p + (m_len - p_len) - window.
template <class T>
void attention_head(int64_t p_len, int64_t m_len, int64_t e, int64_t f, const T* q, const T* k,
                    const T* v, bool causal, T* out, int threads = 0, int64_t window = 0);

// Threads the kernels use when asked for 0.
int hardware_threads();

}  // namespace einflow::golden
