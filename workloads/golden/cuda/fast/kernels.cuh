// einflow's fast CUDA kernels for the shapes that dominate a Transformer: a
// tensor-core GEMM (FP16 or BF16 inputs, FP32 accumulation), row softmax,
// LayerNorm and RMSNorm, the 1-pass attention cascade tiled as FlashAttention
// does (causal masking with block skipping, sliding windows, GQA), and decode
// attention with the context split across thread blocks and the softmax states
// combined afterwards (Flash-Decoding).
//
// One source, two builds: NVRTC compiles it for the GPU; the host build
// (host_shim.h, included first) runs the same kernel bodies on the CPU over
// emulated thread indices, barriers, warp shuffles and WMMA fragments, so that
// their indexing is checked against the golden kernels where no GPU is.
// Every kernel takes one argument struct by value (the same layout in both
// builds: LP64, no padding surprises). Tensors are row-major; attention's are
// [batch][heads][tokens][head_dim].
#if defined(__CUDACC_RTC__) || defined(__CUDACC__)
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <mma.h>
#define EF_SHARED(T, name, n) __shared__ __align__(32) T name[n]
#define EF_NEG_INF (-__int_as_float(0x7f800000))
#define EF_UNROLL _Pragma("unroll")
__device__ __forceinline__ void ef_copy16(void* dst, const void* src) {
  *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(src);
}
#endif

struct EfGemmArgs {  // c[m x n] = a[m x k] b[k x n]; a, b FP16 or BF16, c FP32
  const void* a;
  const void* b;
  float* c;
  long long m, n, k;
};

struct EfRowsArgs {  // softmax(scale * x), LayerNorm or RMSNorm of each row of x[rows x cols]
  const float* x;
  const float* gamma;
  const float* beta;
  float* y;
  long long rows, cols;
  float eps, scale;
  // softmax, causal_q_len > 0: row r holds the scores of query r % causal_q_len
  // against cols keys, and key j > query + (cols - causal_q_len) is masked.
  long long causal_q_len;
};

struct EfAttentionArgs {  // o = softmax(scale * q k^T, masked) v, per (batch, head)
  const float* q;
  const float* k;
  const float* v;
  float* o;
  float* partial_o;   // decode: [batch][heads][splits][head_dim], unnormalized
  float* partial_ml;  // decode: [batch][heads][splits][2]: running max, running sum
  long long batch, heads, kv_heads, q_len, k_len;
  long long window;  // > 0: with causal, only the last `window` keys are visible
  long long splits, chunk;  // decode: the visible keys split into `splits` chunks of `chunk` keys
  int causal;
  float scale;
};

#ifndef EF_ARGS_ONLY  // the host side of the launches (fast.cpp) needs only the structs

// ---------------------------------------------------------------- GEMM ------
// Block tile 128 x 128 x 32, 8 warps as 4 x 2, each warp 32 x 64 (2 x 4 WMMA
// 16 x 16 x 16 fragments). Interior tiles of aligned shapes load 16 bytes per
// thread and store straight to C; edge tiles load element by element with
// zeros outside and store through a per-warp staging tile.
#define EF_GEMM_BM 128
#define EF_GEMM_BN 128
#define EF_GEMM_BK 32
#define EF_GEMM_LDA (EF_GEMM_BK + 8)
#define EF_GEMM_LDB (EF_GEMM_BN + 8)
#define EF_GEMM_THREADS 256

__device__ __forceinline__ void ef_set(__half& d, float v) { d = __float2half_rn(v); }
__device__ __forceinline__ void ef_set(__nv_bfloat16& d, float v) { d = __float2bfloat16_rn(v); }

// rows x cols of src (row-major, leading dimension ld) from (r0, c0) into dst
// (leading dimension ldd), zeros past rmax x cmax; with `vector`, 8 elements
// (16 bytes) at a time: the tile is inside and its rows 16-byte aligned.
template <class T>
__device__ void ef_load_tile(T* dst, int ldd, const T* src, long long ld, long long r0, long long c0, long long rmax,
                             long long cmax, int rows, int cols, bool vector) {
  const int tid = threadIdx.x;
  if (vector) {
    for (int e = tid; e < rows * cols / 8; e += EF_GEMM_THREADS) {
      const int r = e / (cols / 8), c = (e % (cols / 8)) * 8;
      ef_copy16(dst + r * ldd + c, src + (r0 + r) * ld + c0 + c);
    }
    return;
  }
  for (int e = tid; e < rows * cols; e += EF_GEMM_THREADS) {
    const int r = e / cols, c = e % cols;
    if (r0 + r < rmax && c0 + c < cmax)
      dst[r * ldd + c] = src[(r0 + r) * ld + c0 + c];
    else
      ef_set(dst[r * ldd + c], 0.0f);
  }
}

template <class T>
__device__ void ef_gemm_load_tiles(const EfGemmArgs& p, const T* A, const T* B, T* As, T* Bs, long long row0,
                                   long long col0, long long k0, bool vector) {
  ef_load_tile(As, EF_GEMM_LDA, A, p.k, row0, k0, p.m, p.k, EF_GEMM_BM, EF_GEMM_BK, vector);
  ef_load_tile(Bs, EF_GEMM_LDB, B, p.n, k0, col0, p.k, p.n, EF_GEMM_BK, EF_GEMM_BN, vector);
}

template <class T>
__device__ void ef_gemm_tc(const EfGemmArgs& p) {
  using namespace nvcuda;
  EF_SHARED(T, As, EF_GEMM_BM * EF_GEMM_LDA);
  EF_SHARED(T, Bs, EF_GEMM_BK * EF_GEMM_LDB);
  EF_SHARED(float, Cs, 8 * 16 * 16);
  const T* A = static_cast<const T*>(p.a);
  const T* B = static_cast<const T*>(p.b);
  const long long row0 = static_cast<long long>(blockIdx.y) * EF_GEMM_BM;
  const long long col0 = static_cast<long long>(blockIdx.x) * EF_GEMM_BN;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int wm = warp / 2, wn = warp % 2;
  const bool aligned = p.k % 8 == 0 && p.n % 8 == 0 && reinterpret_cast<unsigned long long>(A) % 16 == 0 &&
                       reinterpret_cast<unsigned long long>(B) % 16 == 0;
  const bool c_aligned = p.n % 8 == 0 && reinterpret_cast<unsigned long long>(p.c) % 32 == 0;
  const bool rows_in = row0 + EF_GEMM_BM <= p.m && col0 + EF_GEMM_BN <= p.n;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][4];
  EF_UNROLL
  for (int i = 0; i < 2; ++i)
    EF_UNROLL
    for (int j = 0; j < 4; ++j) wmma::fill_fragment(acc[i][j], 0.0f);
  for (long long k0 = 0; k0 < p.k; k0 += EF_GEMM_BK) {
    ef_gemm_load_tiles(p, A, B, As, Bs, row0, col0, k0, aligned && rows_in && k0 + EF_GEMM_BK <= p.k);
    __syncthreads();
    for (int kk = 0; kk < EF_GEMM_BK; kk += 16) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> af[2];
      wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> bf[4];
      EF_UNROLL
      for (int i = 0; i < 2; ++i) wmma::load_matrix_sync(af[i], As + (wm * 32 + i * 16) * EF_GEMM_LDA + kk, EF_GEMM_LDA);
      EF_UNROLL
      for (int j = 0; j < 4; ++j) wmma::load_matrix_sync(bf[j], Bs + kk * EF_GEMM_LDB + wn * 64 + j * 16, EF_GEMM_LDB);
      EF_UNROLL
      for (int i = 0; i < 2; ++i)
        EF_UNROLL
        for (int j = 0; j < 4; ++j) wmma::mma_sync(acc[i][j], af[i], bf[j], acc[i][j]);
    }
    __syncthreads();
  }
  EF_UNROLL
  for (int i = 0; i < 2; ++i)
    EF_UNROLL
    for (int j = 0; j < 4; ++j) {
      const long long r = row0 + wm * 32 + i * 16, c = col0 + wn * 64 + j * 16;
      if (r + 16 <= p.m && c + 16 <= p.n && c_aligned) {
        wmma::store_matrix_sync(p.c + r * p.n + c, acc[i][j], static_cast<unsigned>(p.n), wmma::mem_row_major);
        continue;
      }
      float* stage = Cs + warp * 256;
      wmma::store_matrix_sync(stage, acc[i][j], 16, wmma::mem_row_major);
      __syncwarp();
      for (int e = lane; e < 256; e += 32) {
        const long long rr = r + e / 16, cc = c + e % 16;
        if (rr < p.m && cc < p.n) p.c[rr * p.n + cc] = stage[e];
      }
      __syncwarp();
    }
}

extern "C" __global__ void __launch_bounds__(EF_GEMM_THREADS) ef_gemm_f16(const EfGemmArgs p) { ef_gemm_tc<__half>(p); }

extern "C" __global__ void __launch_bounds__(EF_GEMM_THREADS) ef_gemm_bf16(const EfGemmArgs p) {
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800  // BF16 fragments need sm_80
  ef_gemm_tc<__nv_bfloat16>(p);
#else
  __trap();
#endif
}

// ------------------------------------------------------------ row kernels ---
// One block of EF_ROW_THREADS per row; reductions through shared memory.
#define EF_ROW_THREADS 256

__device__ float ef_block_sum(float v, float* red) {
  const int t = threadIdx.x;
  red[t] = v;
  __syncthreads();
  for (int s = EF_ROW_THREADS / 2; s > 0; s >>= 1) {
    if (t < s) red[t] += red[t + s];
    __syncthreads();
  }
  const float r = red[0];
  __syncthreads();
  return r;
}

__device__ float ef_block_max(float v, float* red) {
  const int t = threadIdx.x;
  red[t] = v;
  __syncthreads();
  for (int s = EF_ROW_THREADS / 2; s > 0; s >>= 1) {
    if (t < s) red[t] = fmaxf(red[t], red[t + s]);
    __syncthreads();
  }
  const float r = red[0];
  __syncthreads();
  return r;
}

// y = softmax(scale * x) per row; -inf entries (masked) contribute 0, as do
// keys past a causal mask's diagonal.
extern "C" __global__ void __launch_bounds__(EF_ROW_THREADS) ef_softmax_rows(const EfRowsArgs p) {
  EF_SHARED(float, red, EF_ROW_THREADS);
  const float* x = p.x + static_cast<long long>(blockIdx.x) * p.cols;
  float* y = p.y + static_cast<long long>(blockIdx.x) * p.cols;
  const long long last = p.causal_q_len > 0  // the last visible key
                             ? static_cast<long long>(blockIdx.x) % p.causal_q_len + p.cols - p.causal_q_len
                             : p.cols - 1;
  float mx = EF_NEG_INF;
  for (long long j = threadIdx.x; j <= last && j < p.cols; j += EF_ROW_THREADS) mx = fmaxf(mx, p.scale * x[j]);
  mx = ef_block_max(mx, red);
  float sum = 0.0f;
  for (long long j = threadIdx.x; j < p.cols; j += EF_ROW_THREADS) {
    const float s = j <= last ? p.scale * x[j] : EF_NEG_INF;
    const float e = s == EF_NEG_INF ? 0.0f : expf(s - mx);
    y[j] = e;
    sum += e;
  }
  sum = ef_block_sum(sum, red);
  for (long long j = threadIdx.x; j < p.cols; j += EF_ROW_THREADS) y[j] = y[j] / sum;
}

// y = (x - mean) / sqrt(var + eps) * gamma + beta (two passes, as the golden kernel).
extern "C" __global__ void __launch_bounds__(EF_ROW_THREADS) ef_layernorm_rows(const EfRowsArgs p) {
  EF_SHARED(float, red, EF_ROW_THREADS);
  const float* x = p.x + static_cast<long long>(blockIdx.x) * p.cols;
  float* y = p.y + static_cast<long long>(blockIdx.x) * p.cols;
  float s = 0.0f;
  for (long long j = threadIdx.x; j < p.cols; j += EF_ROW_THREADS) s += x[j];
  const float mean = ef_block_sum(s, red) / static_cast<float>(p.cols);
  float ss = 0.0f;
  for (long long j = threadIdx.x; j < p.cols; j += EF_ROW_THREADS) ss += (x[j] - mean) * (x[j] - mean);
  const float rs = 1.0f / sqrtf(ef_block_sum(ss, red) / static_cast<float>(p.cols) + p.eps);
  for (long long j = threadIdx.x; j < p.cols; j += EF_ROW_THREADS) y[j] = (x[j] - mean) * rs * p.gamma[j] + p.beta[j];
}

// y = x / sqrt(mean(x^2) + eps) * gamma.
extern "C" __global__ void __launch_bounds__(EF_ROW_THREADS) ef_rmsnorm_rows(const EfRowsArgs p) {
  EF_SHARED(float, red, EF_ROW_THREADS);
  const float* x = p.x + static_cast<long long>(blockIdx.x) * p.cols;
  float* y = p.y + static_cast<long long>(blockIdx.x) * p.cols;
  float ss = 0.0f;
  for (long long j = threadIdx.x; j < p.cols; j += EF_ROW_THREADS) ss += x[j] * x[j];
  const float rs = 1.0f / sqrtf(ef_block_sum(ss, red) / static_cast<float>(p.cols) + p.eps);
  for (long long j = threadIdx.x; j < p.cols; j += EF_ROW_THREADS) y[j] = x[j] * rs * p.gamma[j];
}

// ------------------------------------------------- FlashAttention (1-pass) --
// Grid (ceil(q_len / 32), heads, batch), 256 threads. A block keeps 32 query
// rows and, per row, the running max m, the running sum l and the output
// accumulator (8 threads a row, head_dim / 8 columns each, in registers); it
// streams key/value tiles of 32 through shared memory: S = Q K^T (masked),
// m and l updated, the accumulator rescaled and P V added (FA-2's order: the
// query block outer, normalization once at the end). Causal masking skips the
// key tiles past the block's last visible key, a sliding window those before
// its first. Key k is visible to query q iff !causal, or k <= q + (k_len -
// q_len) and, with a window w > 0, k > q + (k_len - q_len) - w.
#define EF_ATT_BR 32
#define EF_ATT_BC 32
#define EF_ATT_THREADS 256

__device__ __forceinline__ bool ef_visible(const EfAttentionArgs& p, long long qi, long long kj) {
  if (qi >= p.q_len || kj >= p.k_len) return false;
  if (!p.causal) return true;
  const long long off = p.k_len - p.q_len;
  return kj <= qi + off && (p.window <= 0 || kj > qi + off - p.window);
}

template <int D>
__device__ void ef_flash_attention(const EfAttentionArgs& p) {
  constexpr int kPer = D / 8;
  EF_SHARED(float, Qs, EF_ATT_BR * D);
  EF_SHARED(float, KVs, EF_ATT_BC * (D + 1));
  EF_SHARED(float, S, EF_ATT_BR * (EF_ATT_BC + 1));
  EF_SHARED(float, row_m, EF_ATT_BR);
  EF_SHARED(float, row_l, EF_ATT_BR);
  EF_SHARED(float, row_scale, EF_ATT_BR);
  const int tid = threadIdx.x, my_row = tid / 8, my_col = tid % 8;
  const long long q0 = static_cast<long long>(blockIdx.x) * EF_ATT_BR, h = blockIdx.y, b = blockIdx.z;
  const long long g = h / (p.heads / p.kv_heads);
  const float* Q = p.q + (b * p.heads + h) * p.q_len * D;
  const float* K = p.k + (b * p.kv_heads + g) * p.k_len * D;
  const float* V = p.v + (b * p.kv_heads + g) * p.k_len * D;
  float* O = p.o + (b * p.heads + h) * p.q_len * D;
  for (int e = tid; e < EF_ATT_BR * D; e += EF_ATT_THREADS) {
    const long long r = q0 + e / D;
    Qs[e] = r < p.q_len ? Q[r * D + e % D] * p.scale : 0.0f;
  }
  if (tid < EF_ATT_BR) {
    row_m[tid] = EF_NEG_INF;
    row_l[tid] = 0.0f;
  }
  float acc[kPer];
  EF_UNROLL
  for (int i = 0; i < kPer; ++i) acc[i] = 0.0f;
  const long long off = p.k_len - p.q_len;
  const long long q_last = (q0 + EF_ATT_BR < p.q_len ? q0 + EF_ATT_BR : p.q_len) - 1;
  long long k_end = p.k_len, k_begin = 0;
  if (p.causal) {
    k_end = q_last + off + 1 < k_end ? q_last + off + 1 : k_end;
    if (p.window > 0 && q0 + off - p.window + 1 > 0) k_begin = q0 + off - p.window + 1;
  }
  __syncthreads();
  for (long long k0 = k_begin / EF_ATT_BC * EF_ATT_BC; k0 < k_end; k0 += EF_ATT_BC) {
    for (int e = tid; e < EF_ATT_BC * D; e += EF_ATT_THREADS) {
      const long long r = k0 + e / D;
      KVs[(e / D) * (D + 1) + e % D] = r < p.k_len ? K[r * D + e % D] : 0.0f;
    }
    __syncthreads();
    for (int e = tid; e < EF_ATT_BR * EF_ATT_BC; e += EF_ATT_THREADS) {
      const int r = e / EF_ATT_BC, c = e % EF_ATT_BC;
      float s = 0.0f;
      for (int d = 0; d < D; ++d) s += Qs[r * D + d] * KVs[c * (D + 1) + d];
      S[r * (EF_ATT_BC + 1) + c] = ef_visible(p, q0 + r, k0 + c) ? s : EF_NEG_INF;
    }
    __syncthreads();
    if (tid < EF_ATT_BR) {  // the row's online softmax state
      const float m_old = row_m[tid];
      float mx = m_old;
      for (int c = 0; c < EF_ATT_BC; ++c) mx = fmaxf(mx, S[tid * (EF_ATT_BC + 1) + c]);
      float l = 0.0f;
      for (int c = 0; c < EF_ATT_BC; ++c) {
        float& s = S[tid * (EF_ATT_BC + 1) + c];
        s = s == EF_NEG_INF ? 0.0f : expf(s - mx);
        l += s;
      }
      const float sc = m_old == EF_NEG_INF ? 0.0f : expf(m_old - mx);
      row_scale[tid] = sc;
      row_l[tid] = row_l[tid] * sc + l;
      row_m[tid] = mx;
    }
    for (int e = tid; e < EF_ATT_BC * D; e += EF_ATT_THREADS) {  // K is no longer read: V into its place
      const long long r = k0 + e / D;
      KVs[(e / D) * (D + 1) + e % D] = r < p.k_len ? V[r * D + e % D] : 0.0f;
    }
    __syncthreads();
    const float sc = row_scale[my_row];
    EF_UNROLL
    for (int i = 0; i < kPer; ++i) {
      const int d = my_col + 8 * i;
      float a = acc[i] * sc;
      for (int c = 0; c < EF_ATT_BC; ++c) a += S[my_row * (EF_ATT_BC + 1) + c] * KVs[c * (D + 1) + d];
      acc[i] = a;
    }
    __syncthreads();
  }
  if (q0 + my_row < p.q_len) {
    const float l = row_l[my_row];  // 0 for a row with no visible key: 0 / 0, as the golden kernel
    EF_UNROLL
    for (int i = 0; i < kPer; ++i) O[(q0 + my_row) * D + my_col + 8 * i] = acc[i] / l;
  }
}

// ------------------------------------------------------- Flash-Decoding ----
// One query per (batch, head) against k_len keys. Grid (splits, heads,
// batch), 128 threads = 4 warps: a block takes keys [lo + split * chunk,
// +chunk), lo the first visible key (k_len - window with a causal window, else 0),
// each warp every fourth key, its lanes splitting head_dim (coalesced rows,
// the dot product reduced by shuffles) and keeping an online softmax state;
// the warps' states merge in shared memory and the block writes its split's
// unnormalized output with its max and sum. ef_decode_combine (grid (heads,
// batch)) merges the splits: M = max m_s, L = sum l_s e^(m_s - M),
// o = sum o_s e^(m_s - M) / L.
#define EF_DEC_WARPS 4

__device__ __forceinline__ float ef_warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

template <int D>
__device__ void ef_flash_decode(const EfAttentionArgs& p) {
  constexpr int kPer = D / 32;
  EF_SHARED(float, qs, D);
  EF_SHARED(float, wm, EF_DEC_WARPS);
  EF_SHARED(float, wl, EF_DEC_WARPS);
  EF_SHARED(float, wo, EF_DEC_WARPS * D);
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
  const long long s = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
  const long long g = h / (p.heads / p.kv_heads);
  const float* K = p.k + (b * p.kv_heads + g) * p.k_len * D;
  const float* V = p.v + (b * p.kv_heads + g) * p.k_len * D;
  for (int e = tid; e < D; e += 32 * EF_DEC_WARPS) qs[e] = p.q[(b * p.heads + h) * D + e] * p.scale;
  __syncthreads();
  const long long lo = p.causal && p.window > 0 && p.k_len > p.window ? p.k_len - p.window : 0;
  const long long k_begin = lo + s * p.chunk;
  const long long k_end = k_begin + p.chunk < p.k_len ? k_begin + p.chunk : p.k_len;
  float m = EF_NEG_INF, l = 0.0f, o[kPer];
  EF_UNROLL
  for (int i = 0; i < kPer; ++i) o[i] = 0.0f;
  for (long long kj = k_begin + warp; kj < k_end; kj += EF_DEC_WARPS) {
    float part = 0.0f;
    EF_UNROLL
    for (int i = 0; i < kPer; ++i) part += qs[lane + 32 * i] * K[kj * D + lane + 32 * i];
    const float sc = ef_warp_sum(part);
    const float mn = fmaxf(m, sc);
    const float r = expf(m - mn), e = expf(sc - mn);  // m = -inf at the first key: r = 0
    l = l * r + e;
    EF_UNROLL
    for (int i = 0; i < kPer; ++i) o[i] = o[i] * r + e * V[kj * D + lane + 32 * i];
    m = mn;
  }
  if (lane == 0) {
    wm[warp] = m;
    wl[warp] = l;
  }
  EF_UNROLL
  for (int i = 0; i < kPer; ++i) wo[warp * D + lane + 32 * i] = o[i];
  __syncthreads();
  float M = EF_NEG_INF;
  for (int w = 0; w < EF_DEC_WARPS; ++w) M = fmaxf(M, wm[w]);
  const long long slot = (b * p.heads + h) * p.splits + s;
  for (int d = tid; d < D; d += 32 * EF_DEC_WARPS) {
    float od = 0.0f;
    for (int w = 0; w < EF_DEC_WARPS; ++w)
      if (wm[w] != EF_NEG_INF) od += wo[w * D + d] * expf(wm[w] - M);
    p.partial_o[slot * D + d] = od;
  }
  if (tid == 0) {
    float L = 0.0f;
    for (int w = 0; w < EF_DEC_WARPS; ++w)
      if (wm[w] != EF_NEG_INF) L += wl[w] * expf(wm[w] - M);
    p.partial_ml[slot * 2] = M;  // -inf for an empty split, which the combine skips
    p.partial_ml[slot * 2 + 1] = L;
  }
}

template <int D>
__device__ void ef_decode_combine(const EfAttentionArgs& p) {
  const long long h = blockIdx.x, b = blockIdx.y, base = (b * p.heads + h) * p.splits;
  float M = EF_NEG_INF;
  for (long long s = 0; s < p.splits; ++s) M = fmaxf(M, p.partial_ml[(base + s) * 2]);
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    float L = 0.0f, od = 0.0f;
    for (long long s = 0; s < p.splits; ++s) {
      const float ms = p.partial_ml[(base + s) * 2];
      if (ms == EF_NEG_INF) continue;
      const float w = expf(ms - M);
      L += p.partial_ml[(base + s) * 2 + 1] * w;
      od += p.partial_o[(base + s) * D + d] * w;
    }
    p.o[(b * p.heads + h) * D + d] = od / L;
  }
}

#define EF_PREFILL_KERNELS(D)                                                                       \
  extern "C" __global__ void __launch_bounds__(EF_ATT_THREADS) ef_flash_attention_d##D(const EfAttentionArgs p) { \
    ef_flash_attention<D>(p);                                                                        \
  }
#define EF_DECODE_KERNELS(D)                                                                        \
  extern "C" __global__ void __launch_bounds__(32 * EF_DEC_WARPS) ef_flash_decode_d##D(const EfAttentionArgs p) {  \
    ef_flash_decode<D>(p);                                                                           \
  }                                                                                                  \
  extern "C" __global__ void ef_decode_combine_d##D(const EfAttentionArgs p) { ef_decode_combine<D>(p); }

// The head dimensions built (a block's tiles of 32 query and 32 key rows fit
// the 48 KiB of static shared memory up to 128; decode keeps one query row).
EF_PREFILL_KERNELS(32)
EF_PREFILL_KERNELS(64)
EF_PREFILL_KERNELS(96)
EF_PREFILL_KERNELS(128)
EF_DECODE_KERNELS(32)
EF_DECODE_KERNELS(64)
EF_DECODE_KERNELS(96)
EF_DECODE_KERNELS(128)
EF_DECODE_KERNELS(256)

#endif  // EF_ARGS_ONLY
