// The CUDA backend's fast kernels (workloads/golden/cuda/fast/): the FP16 and
// BF16 conversions bit for bit; the kernels' bodies, run on the host over
// emulated threads, against the FP64 golden kernels (themselves checked
// against the interpreter) within the tolerances fast.h states, on shapes
// that cross every tile edge (partial tiles, masked and skipped key tiles,
// empty splits, GQA); NVRTC compiles them to PTX; on a GPU, the same checks
// (skipped, with the reason, where there is none).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "common/error.h"
#include "workloads/golden/cuda/fast/convert.h"
#include "workloads/golden/cuda/fast/fast.h"
#include "workloads/golden/cuda/run.h"
#include "workloads/golden/kernels.h"

namespace einflow::golden::cuda::fast {
namespace {

std::vector<float> random_vector(size_t n, unsigned seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

std::vector<double> widen(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

// max |got - want| / max |want|; infinite where one is NaN and the other not.
double normwise(const std::vector<float>& got, const std::vector<double>& want) {
  EXPECT_EQ(got.size(), want.size());
  double scale = 0, worst = 0;
  for (double w : want)
    if (std::isfinite(w)) scale = std::max(scale, std::fabs(w));
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    if (std::isnan(got[i]) || std::isnan(want[i])) {
      if (std::isnan(got[i]) != std::isnan(want[i])) return HUGE_VAL;
      continue;
    }
    worst = std::max(worst, std::fabs(static_cast<double>(got[i]) - want[i]));
  }
  return worst / std::max(scale, 1e-300);
}

TEST(CudaFast, ConversionsRoundToNearestEvenAsTheIntrinsics) {
  EXPECT_EQ(float_to_f16(1.0f), 0x3c00);
  EXPECT_EQ(float_to_f16(-2.0f), 0xc000);
  EXPECT_EQ(float_to_f16(0.1f), 0x2e66);       // 0.0999755859375
  EXPECT_EQ(float_to_f16(65504.0f), 0x7bff);   // the largest half
  EXPECT_EQ(float_to_f16(65519.0f), 0x7bff);   // below the midpoint to 65536
  EXPECT_EQ(float_to_f16(65520.0f), 0x7c00);   // the midpoint: to even, which is infinity
  EXPECT_EQ(float_to_f16(std::ldexp(1.0f, -24)), 0x0001);         // the smallest subnormal
  EXPECT_EQ(float_to_f16(std::ldexp(1.0f, -25)), 0x0000);         // half of it: to even, zero
  EXPECT_EQ(float_to_f16(std::ldexp(3.0f, -26)), 0x0001);         // above the midpoint
  EXPECT_EQ(float_to_f16(std::ldexp(3.0f, -25)), 0x0002);         // 1.5 ulp: to even, 2
  EXPECT_EQ(float_to_f16(-0.0f), 0x8000);
  EXPECT_EQ(float_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // a tie: to even
  EXPECT_EQ(float_to_f16(1.0f + std::ldexp(3.0f, -11)), 0x3c02);  // a tie: to even, up
  EXPECT_EQ(float_to_f16(HUGE_VALF), 0x7c00);
  EXPECT_TRUE(std::isnan(f16_to_float(float_to_f16(NAN))));
  EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(float_to_bf16(0.1f), 0x3dcd);
  EXPECT_EQ(float_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);  // a tie: to even
  EXPECT_EQ(float_to_bf16(1.0f + std::ldexp(3.0f, -8)), 0x3f82);
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(NAN))));
  // Every finite half and bfloat16 survives the round trip bit for bit.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const uint16_t b = static_cast<uint16_t>(h);
    if ((b & 0x7c00) != 0x7c00) {
      ASSERT_EQ(float_to_f16(f16_to_float(b)), b) << h;
    }
    if ((b & 0x7f80) != 0x7f80) {
      ASSERT_EQ(float_to_bf16(bf16_to_float(b)), b) << h;
    }
  }
  EXPECT_EQ(f16_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(f16_to_float(0x7bff), 65504.0f);
}

// C = A B with the FP64 golden GEMM, on the inputs as given.
std::vector<double> golden_gemm(int64_t m, int64_t n, int64_t k, const std::vector<float>& a,
                                const std::vector<float>& b) {
  std::vector<double> c(static_cast<size_t>(m * n));
  const std::vector<double> a64 = widen(a), b64 = widen(b);
  golden::gemm<double>(m, n, k, a64.data(), k, b64.data(), n, c.data(), n, false, 1);
  return c;
}

void check_gemm(Device d, InputType t, int64_t m, int64_t n, int64_t k) {
  SCOPED_TRACE(std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) +
               (t == InputType::kF16 ? " f16" : " bf16"));
  const std::vector<float> a = random_vector(static_cast<size_t>(m * k), 1), b = random_vector(static_cast<size_t>(k * n), 2);
  std::vector<float> c;
  try {
    c = gemm(d, t, m, n, k, a, b);
  } catch (const UserError& e) {  // BF16 below sm_80: said, not run
    const std::string why = e.diagnostics().front().message;
    if (d == Device::kGpu && why.find("needs compute capability 8.0") != std::string::npos) return;
    throw;
  }
  const double tol = d == Device::kGpu ? kTensorCoreTolerance : kTolerance;
  EXPECT_LT(normwise(c, golden_gemm(m, n, k, round_to(t, a), round_to(t, b))), tol);
  EXPECT_LT(normwise(c, golden_gemm(m, n, k, a, b)), unrounded_gemm_tolerance(t));
}

void gemm_cases(Device d) {
  for (InputType t : {InputType::kF16, InputType::kBF16}) {
    check_gemm(d, t, 256, 128, 64);  // whole tiles: 16-byte loads, direct stores
    check_gemm(d, t, 130, 200, 72);  // partial tiles on every side
    check_gemm(d, t, 37, 21, 13);    // smaller than one fragment, k not a multiple of 8
  }
}

// Rows: -inf entries, a scale, columns not a multiple of the block.
void row_cases(Device d) {
  const int64_t rows = 5, cols = 300;
  std::vector<float> x = random_vector(static_cast<size_t>(rows * cols), 3, -4.0f, 4.0f);
  for (int64_t j = 0; j < cols; j += 7) x[static_cast<size_t>(2 * cols + j)] = -HUGE_VALF;
  const float scale = 0.37f;
  std::vector<double> want(x.size());
  for (size_t i = 0; i < x.size(); ++i) want[i] = static_cast<double>(scale) * x[i];
  golden::softmax_rows<double>(rows, cols, want.data());
  EXPECT_LT(normwise(softmax_rows(d, rows, cols, x, scale), want), kTolerance) << "softmax";
  // Causal masks: as many queries as keys, and fewer (the mask's diagonal
  // shifted by k_len - q_len); two heads' rows each.
  for (const auto& [q_len, k_len] : {std::pair<int64_t, int64_t>{16, 16}, {8, 24}}) {
    const int64_t masked_rows = 2 * q_len;
    const std::vector<float> xs = random_vector(static_cast<size_t>(masked_rows * k_len), 10, -4.0f, 4.0f);
    std::vector<double> m(xs.size());
    for (int64_t r = 0; r < masked_rows; ++r)
      for (int64_t j = 0; j < k_len; ++j) {
        const size_t i = static_cast<size_t>(r * k_len + j);
        m[i] = j > r % q_len + (k_len - q_len) ? -HUGE_VAL : static_cast<double>(scale) * xs[i];
      }
    golden::softmax_rows<double>(masked_rows, k_len, m.data());
    EXPECT_LT(normwise(softmax_rows(d, masked_rows, k_len, xs, scale, q_len), m), kTolerance) << "causal softmax";
  }
  const std::vector<float> gamma = random_vector(static_cast<size_t>(cols), 4), beta = random_vector(static_cast<size_t>(cols), 5);
  const std::vector<float> y = random_vector(static_cast<size_t>(rows * cols), 6, 1.0f, 3.0f);  // a mean far from 0
  const std::vector<double> y64 = widen(y), g64 = widen(gamma), b64 = widen(beta);
  std::vector<double> ln(y.size()), rms(y.size());
  golden::layernorm_rows<double>(rows, cols, y64.data(), g64.data(), b64.data(), 1e-5, ln.data());
  golden::rmsnorm_rows<double>(rows, cols, y64.data(), g64.data(), 1e-6, rms.data());
  EXPECT_LT(normwise(layernorm_rows(d, rows, cols, y, gamma, beta, 1e-5f), ln), kTolerance) << "layernorm";
  EXPECT_LT(normwise(rmsnorm_rows(d, rows, cols, y, gamma, 1e-6f), rms), kTolerance) << "rmsnorm";
}

// The golden attention, head by head, q scaled first.
std::vector<double> golden_attention(const Attention& s, const std::vector<float>& q, const std::vector<float>& k,
                                     const std::vector<float>& v) {
  const int64_t d = s.head_dim;
  std::vector<double> out(static_cast<size_t>(s.batch * s.heads * s.q_len * d));
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t h = 0; h < s.heads; ++h) {
      const int64_t g = h / (s.heads / s.kv_heads);
      std::vector<double> qh(static_cast<size_t>(s.q_len * d));
      for (size_t i = 0; i < qh.size(); ++i)
        qh[i] = static_cast<double>(s.scale) * q[static_cast<size_t>((b * s.heads + h) * s.q_len * d) + i];
      const auto kv = [&](const std::vector<float>& x) {
        const auto at = x.begin() + (b * s.kv_heads + g) * s.k_len * d;
        return std::vector<double>(at, at + s.k_len * d);
      };
      const std::vector<double> kh = kv(k), vh = kv(v);
      golden::attention_head<double>(s.q_len, s.k_len, d, d, qh.data(), kh.data(), vh.data(), s.causal,
                                     out.data() + (b * s.heads + h) * s.q_len * d, 1, s.window);
    }
  return out;
}

void check_attention(Device d, const Attention& s, int64_t splits = 0) {
  SCOPED_TRACE("b" + std::to_string(s.batch) + " h" + std::to_string(s.heads) + "/" + std::to_string(s.kv_heads) +
               " q" + std::to_string(s.q_len) + " k" + std::to_string(s.k_len) + " d" + std::to_string(s.head_dim) +
               (s.causal ? " causal" : "") + " window " + std::to_string(s.window) + " splits " + std::to_string(splits));
  const auto q = random_vector(static_cast<size_t>(s.batch * s.heads * s.q_len * s.head_dim), 7);
  const auto k = random_vector(static_cast<size_t>(s.batch * s.kv_heads * s.k_len * s.head_dim), 8);
  const auto v = random_vector(static_cast<size_t>(s.batch * s.kv_heads * s.k_len * s.head_dim), 9);
  const std::vector<float> got =
      s.q_len == 1 && splits != 0 ? flash_decoding(d, s, splits, q, k, v) : flash_attention(d, s, q, k, v);
  EXPECT_LT(normwise(got, golden_attention(s, q, k, v)), kTolerance);
}

void attention_cases(Device d) {
  // Causal, GQA, a partial last query block, a key tile past every row.
  check_attention(d, {2, 4, 2, 70, 70, 64, true, 0, 0.125f});
  // Not causal, more keys than queries, the widest head.
  check_attention(d, {1, 2, 2, 40, 100, 128, false, 0, 0.088f});
  // Causal with a sliding window (key tiles before it skipped), keys after queries, one KV head.
  check_attention(d, {1, 4, 1, 50, 130, 32, true, 20, 0.17f});
  check_attention(d, {1, 3, 3, 33, 33, 96, true, 0, 0.1f});
}

void decode_cases(Device d) {
  check_attention(d, {2, 2, 1, 1, 201, 128, false, 0, 0.088f}, 5);  // GQA, uneven chunks
  check_attention(d, {1, 2, 2, 1, 9, 64, false, 0, 0.125f}, 4);     // an empty last split, idle warps
  check_attention(d, {1, 2, 1, 1, 100, 256, false, 0, 0.0625f}, 1);  // one split: no combine needed
  check_attention(d, {1, 4, 2, 1, 77, 96, false, 0, 0.1f}, -1);      // the default split count
  check_attention(d, {1, 2, 1, 1, 100, 64, true, 24, 0.125f}, 3);    // a causal window: the last 24 keys
  check_attention(d, {1, 1, 1, 1, 20, 32, true, 50, 0.2f}, 2);       // a window wider than the cache
  check_attention(d, {1, 1, 1, 1, 20, 32, true, 0, 0.2f}, 2);        // causal alone: one query sees every key
}

TEST(CudaFast, GemmOnTheHostMatchesTheGoldenKernel) { gemm_cases(Device::kHost); }
TEST(CudaFast, RowKernelsOnTheHostMatchTheGoldenKernels) { row_cases(Device::kHost); }
TEST(CudaFast, FlashAttentionOnTheHostMatchesTheGoldenKernel) { attention_cases(Device::kHost); }
TEST(CudaFast, FlashDecodingOnTheHostMatchesTheGoldenKernel) { decode_cases(Device::kHost); }

TEST(CudaFast, BadShapesAreUserErrors) {
  const std::vector<float> x(12, 1.0f);
  EXPECT_THROW(gemm(Device::kHost, InputType::kF16, 3, 4, 5, x, x), UserError);
  EXPECT_THROW(softmax_rows(Device::kHost, 0, 12, x), UserError);
  EXPECT_THROW(flash_attention(Device::kHost, {1, 3, 2, 1, 1, 4, false, 0, 1.0f}, x, x, x), UserError);  // 3 over 2 heads
  EXPECT_THROW(flash_attention(Device::kHost, {1, 1, 1, 3, 1, 4, false, 0, 1.0f}, x, x, x), UserError);  // no d = 4 kernel
  EXPECT_THROW(flash_decoding(Device::kHost, {1, 1, 1, 3, 3, 4, false, 0, 1.0f}, 1, x, x, x), UserError);  // 3 queries
}

TEST(CudaFast, NvrtcCompilesTheKernelsToPtx) {
  if (!built_with_cuda()) GTEST_SKIP() << "einflow was built without the CUDA toolkit (no NVRTC)";
  for (const char* arch : {"compute_75", "compute_80", "compute_90"}) {
    SCOPED_TRACE(arch);
    const std::string ptx = compile_ptx(kernel_source(), arch, true);
    for (const char* k : {"ef_gemm_f16", "ef_gemm_bf16", "ef_softmax_rows", "ef_layernorm_rows", "ef_rmsnorm_rows",
                          "ef_flash_attention_d128", "ef_flash_decode_d256", "ef_decode_combine_d64"})
      EXPECT_NE(ptx.find(std::string(".entry ") + k), std::string::npos) << k;
    if (std::string(arch) != "compute_75") {  // sm_80 on: BF16 fragments, FP16 and BF16 tensor-core MMAs
      EXPECT_NE(ptx.find("wmma.mma.sync.aligned.row.row.m16n16k16.f32.bf16.bf16.f32"), std::string::npos);
    }
    EXPECT_NE(ptx.find("wmma.mma.sync.aligned.row.row.m16n16k16.f32.f32"), std::string::npos);
  }
}

TEST(CudaFast, RunOnAGpuWhenThereIsOne) {
  try {
    (void)softmax_rows(Device::kGpu, 1, 1, {0.0f});
  } catch (const UserError& e) {  // skipped only where there is no device; any other fault fails
    const std::string why = e.diagnostics().front().message;
    if (why.find("no CUDA device is available") == std::string::npos) FAIL() << why;
    GTEST_SKIP() << why;
  }
  gemm_cases(Device::kGpu);
  check_gemm(Device::kGpu, InputType::kF16, 1024, 1024, 1024);
  row_cases(Device::kGpu);
  attention_cases(Device::kGpu);
  check_attention(Device::kGpu, {2, 8, 2, 1000, 1000, 128, true, 0, 0.088f});
  decode_cases(Device::kGpu);
  check_attention(Device::kGpu, {1, 32, 8, 1, 32768, 128, false, 0, 0.088f}, -1);
}

}  // namespace
}  // namespace einflow::golden::cuda::fast
