// The fast kernels' launches on memory an executor holds: shapes checked, the
// grid chosen. fast.h's functions wrap them with uploads and downloads; the
// CUDA bench calls them directly. Private to golden/cuda/fast and the bench.
#pragma once

#include <cstdint>

#include "workloads/golden/cuda/fast/executor.h"
#include "workloads/golden/cuda/fast/fast.h"

namespace einflow::golden::cuda::fast {

// c[m x n] = a[m x k] b[k x n]; a and b hold FP16 or BF16 values (`t`).
void launch_gemm(Executor& ex, InputType t, int64_t m, int64_t n, int64_t k, const void* a, const void* b, float* c);

enum class RowOp { kSoftmax, kLayerNorm, kRmsNorm };
// causal_q_len > 0 (softmax): each row a query's scores under a causal mask (kernels.cuh).
void launch_rows(Executor& ex, RowOp op, int64_t rows, int64_t cols, const float* x, const float* gamma,
                 const float* beta, float* y, float eps, float scale, int64_t causal_q_len = 0);

// Throws UserError on a bad shape (sizes, heads, head dimension without a kernel).
void check_attention_shape(const Attention& s, bool decode);
void launch_flash_attention(Executor& ex, const Attention& s, const float* q, const float* k, const float* v,
                            float* o);

// The split count Flash-Decoding uses for `requested` (<= 0: the default).
int64_t decode_splits(const Executor& ex, const Attention& s, int64_t requested);
// partial_o holds batch * heads * splits * head_dim floats, partial_ml batch * heads * splits * 2.
void launch_flash_decoding(Executor& ex, const Attention& s, int64_t splits, const float* q, const float* k,
                           const float* v, float* o, float* partial_o, float* partial_ml);

}  // namespace einflow::golden::cuda::fast
