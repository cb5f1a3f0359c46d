// The CUDA backend's fast kernels (kernels.cuh) for the shapes that dominate a
// Transformer: a tensor-core GEMM (FP16 or BF16 inputs, FP32 accumulation),
// row softmax, LayerNorm, RMSNorm, FlashAttention-tiled 1-pass attention
// (causal with block skipping, sliding windows, GQA) and Flash-Decoding
// (the context split across blocks, the softmax states combined after).
// Each runs on a GPU (Device::kGpu: NVRTC and the driver) or on the host
// (Device::kHost: the same kernel bodies over emulated thread indices,
// barriers, shuffles and fragments; slow, for checking their indexing where
// no GPU is). Data are FP32, row-major; attention tensors are
// [batch][heads][tokens][head_dim]. Bad shapes are UserErrors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace einflow::golden::cuda::fast {

enum class Device { kGpu, kHost };
enum class InputType { kF16, kBF16 };

// The agreement the kernels are held to against the FP64 golden kernels
// (workloads/golden/kernels.h), normwise: the largest absolute difference
// over the largest magnitude of the reference.
//   FP32 kernels (softmax, norms, attention, decoding): 1e-5.
//   GEMM, against the FP64 product of its inputs as rounded to the input type
//   (what the tensor cores multiply; FP32 accumulation): 1e-5.
//   GEMM, against the FP64 product of the unrounded inputs: eight units of
//   roundoff of the input type, FP16 8 * 2^-11 ~ 3.9e-3 and BF16 8 * 2^-8 ~
//   3.1e-2 (each product carries up to 2u; summed over k terms of mixed sign,
//   normwise, the observed error is 0.1-0.6u on random data).
constexpr double kTolerance = 1e-5;
//   The GEMM on tensor cores, against its rounded inputs: 4e-5. Tensor cores
//   may truncate (not round) partial sums inside each MMA (Fasi et al., 2021);
//   a simulation of truncation every 4 products gives 7.7e-6 at k = 1024, the
//   host emulation (rounding) 1.1e-6.
constexpr double kTensorCoreTolerance = 4e-5;
constexpr double unrounded_gemm_tolerance(InputType t) { return t == InputType::kF16 ? 8.0 / 2048 : 8.0 / 256; }

// x rounded to the input type (to nearest even), as the GEMM reads it; and
// the same values' bits.
std::vector<float> round_to(InputType t, const std::vector<float>& x);
std::vector<uint16_t> to_bits(InputType t, const std::vector<float>& x);

// c[m x n] = a[m x k] b[k x n], a and b rounded to `t`. BF16 needs compute
// capability 8.0 on a GPU (a UserError below).
std::vector<float> gemm(Device d, InputType t, int64_t m, int64_t n, int64_t k, const std::vector<float>& a,
                        const std::vector<float>& b);

// softmax(scale * x) of each row; -inf entries (masked) contribute 0. With
// causal_q_len > 0, row r holds query (r mod causal_q_len)'s scores against
// cols keys, and keys past i + (cols - causal_q_len) are masked (attention's
// causal convention).
std::vector<float> softmax_rows(Device d, int64_t rows, int64_t cols, const std::vector<float>& x, float scale = 1.0f,
                                int64_t causal_q_len = 0);
std::vector<float> layernorm_rows(Device d, int64_t rows, int64_t cols, const std::vector<float>& x,
                                  const std::vector<float>& gamma, const std::vector<float>& beta, float eps);
std::vector<float> rmsnorm_rows(Device d, int64_t rows, int64_t cols, const std::vector<float>& x,
                                const std::vector<float>& gamma, float eps);

// o = softmax(scale * q k^T, masked) v for each (batch, head); query head h
// reads key/value head h / (heads / kv_heads). Key j is visible to query i
// iff !causal, or j <= i + (k_len - q_len) and, with window > 0,
// j > i + (k_len - q_len) - window (the golden kernel's convention).
struct Attention {
  int64_t batch = 1, heads = 1, kv_heads = 1, q_len = 1, k_len = 1, head_dim = 64;
  bool causal = false;
  int64_t window = 0;
  float scale = 1.0f;
};

// The head dimensions with kernels built.
bool has_prefill_kernel(int64_t head_dim);  // 32, 64, 96, 128
bool has_decode_kernel(int64_t head_dim);   // 32, 64, 96, 128, 256

std::vector<float> flash_attention(Device d, const Attention& a, const std::vector<float>& q,
                                   const std::vector<float>& k, const std::vector<float>& v);

// Decode (q_len 1): the visible keys (with a causal window, the last
// `window`) split into `splits` chunks, one block each, then combined. splits <= 0: as many as fill the device's SMs about twice
// (Flash-Decoding's heuristic), on the host 4.
std::vector<float> flash_decoding(Device d, const Attention& a, int64_t splits, const std::vector<float>& q,
                                  const std::vector<float>& k, const std::vector<float>& v);

// The kernels' CUDA source, as NVRTC compiles it.
const std::string& kernel_source();

}  // namespace einflow::golden::cuda::fast
