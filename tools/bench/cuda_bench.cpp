// The CUDA backend's fast kernels on a GPU, at the sizes that matter, against
// cuBLAS: agreement with FP32 references and times as ratios.
//   GEMM: ef_gemm_f16 / ef_gemm_bf16 against cublasGemmEx (same inputs, FP32
//     accumulation) for time and cublasSgemm on the rounded inputs (FP32) for
//     agreement; 4096^3 and a BERT-Base layer's GEMMs at 4K tokens batch 8.
//   Attention: FlashAttention against an unfused cuBLAS SGEMM + softmax + SGEMM
//     (S = scale Q K^T, P = softmax(S), O = P V per key/value group), BERT-Base
//     shapes (12 heads of 64, batch 8) at 1K-4K tokens.
//   Decode: Flash-Decoding against the same unfused reference, Llama-3-8B
//     shapes (32 query heads, 8 KV heads of 128) against a 32K cache, batch 1 and 8.
//   Norms: LayerNorm and RMSNorm of a BERT-Base activation (32K x 768) against
//     the FP64 golden kernels.
// Prints one table; exits 1 when an agreement fails or a kernel faults, 2
// without a usable GPU or cuBLAS.
// Usage: einflow_bench_cuda [--quick]   (--quick: the smallest size of each)
//        einflow_bench_cuda --measure FILE.csv   (the GPU attention studies' shapes, timed: measure())
#include <cublas_v2.h>
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "workloads/golden/cuda/fast/convert.h"
#include "workloads/golden/cuda/fast/launch.h"
#include "tools/sweep/measured.h"
#include "workloads/golden/kernels.h"

namespace fast = einflow::golden::cuda::fast;

namespace {

// cuBLAS, opened at run time (like the driver) so that the bench starts anywhere.
struct Cublas {
  void* lib = nullptr;
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasDestroy_v2) destroy = nullptr;
  // cublasGemmEx's C entry point (the header also declares a C++ overload).
  using GemmEx = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                                    const void*, cudaDataType, int, const void*, cudaDataType, int, const void*, void*,
                                    cudaDataType, int, cublasComputeType_t, cublasGemmAlgo_t);
  GemmEx gemm_ex = nullptr;
  decltype(&cublasSgemm_v2) sgemm = nullptr;
  cublasHandle_t handle = nullptr;

  Cublas() {
    for (const char* name : {"libcublas.so.13", "libcublas.so.12", "libcublas.so"})
      if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
    if (!lib) throw einflow::UserError(einflow::SourceLoc{}, "cuBLAS (libcublas.so) not found");
    find(create, "cublasCreate_v2");
    find(destroy, "cublasDestroy_v2");
    find(gemm_ex, "cublasGemmEx");
    find(sgemm, "cublasSgemm_v2");
    check(create(&handle), "cublasCreate");
  }
  ~Cublas() {
    if (handle) destroy(handle);
  }
  template <class F>
  void find(F& f, const char* name) {
    f = reinterpret_cast<F>(dlsym(lib, name));
    if (!f) throw einflow::UserError(einflow::SourceLoc{}, std::string("cuBLAS lacks ") + name);
  }
  static void check(cublasStatus_t s, const char* what) {
    if (s != CUBLAS_STATUS_SUCCESS)
      throw einflow::UserError(einflow::SourceLoc{}, std::string(what) + ": cuBLAS status " + std::to_string(s));
  }
  // Row-major c[m x n] = alpha a[m x k] b[k x n] (cuBLAS is column-major: c^T = b^T a^T). With
  // b_transposed, the memory at b holds b^T (n x k, row-major, leading dimension ldb).
  void sgemm_rows(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                  int64_t ldb, bool b_transposed, float* c, int64_t ldc) {
    const float beta = 0.0f;
    check(sgemm(handle, b_transposed ? CUBLAS_OP_T : CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(n),
                static_cast<int>(m), static_cast<int>(k), &alpha, b, static_cast<int>(ldb), a, static_cast<int>(lda),
                &beta, c, static_cast<int>(ldc)),
          "cublasSgemm");
  }
};

bool g_failed = false;

// A fast, reproducible fill in [-1, 1).
std::vector<float> fill(size_t n, uint64_t seed) {
  std::vector<float> v(n);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float& f : v) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    f = static_cast<float>(static_cast<double>(x >> 40) / 8388608.0 - 1.0);
  }
  return v;
}

double normwise(const std::vector<float>& got, const std::vector<float>& want) {
  double scale = 0, worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(got[i]) != std::isnan(want[i])) return HUGE_VAL;
    scale = std::max(scale, std::fabs(static_cast<double>(want[i])));
    worst = std::max(worst, std::fabs(static_cast<double>(got[i]) - want[i]));
  }
  return worst / std::max(scale, 1e-300);
}

// Agreement at the bench's sizes, normwise against FP32 references: FP32
// sums over 768 to 32K terms on either side, so ten times the kernels'
// tolerance at the tests' sizes (fast.h).
constexpr double kLargeTolerance = 10 * fast::kTolerance;

// The fused attention on e at shape s, its scratch allocated there: Flash-
// Decoding when `split`, else FlashAttention (in decode too: FA-2's one
// block per head). Returns the launch and, for Flash-Decoding, its split count.
std::function<void()> fused(fast::Executor& e, const fast::Attention& s, bool split, const float* q, const float* k,
                            const float* v, float* o, int64_t* splits_used = nullptr) {
  if (!split) return [&e, s, q, k, v, o] { fast::launch_flash_attention(e, s, q, k, v, o); };
  const int64_t splits = fast::decode_splits(e, s, 0);
  if (splits_used) *splits_used = splits;
  auto room = [&e](int64_t n) { return static_cast<float*>(e.alloc(static_cast<size_t>(n) * sizeof(float))); };
  float* po = room(s.batch * s.heads * splits * s.head_dim);
  float* pml = room(s.batch * s.heads * splits * 2);
  return [&e, s, splits, q, k, v, o, po, pml] { fast::launch_flash_decoding(e, s, splits, q, k, v, o, po, pml); };
}

struct Bench {
  fast::Executor& ex;
  Cublas& blas;
  int reps;

  template <class T>
  T* put(const std::vector<T>& v) {
    void* p = ex.alloc(v.size() * sizeof(T));
    ex.upload(p, v.data(), v.size() * sizeof(T));
    return static_cast<T*>(p);
  }
  std::vector<float> get(const float* p, size_t n) {
    std::vector<float> out(n);
    ex.download(out.data(), p, n * sizeof(float));
    return out;
  }
  void row(const std::string& what, double ms, double ref_ms, double err, double tol, const std::string& note) {
    const bool ok = err <= tol;
    g_failed = g_failed || !ok;
    if (ref_ms > 0)
      std::printf("%-44s %10.3f %10.3f %8.2fx %10.2e %-4s %s\n", what.c_str(), ms, ref_ms, ref_ms / ms, err,
                  ok ? "ok" : "FAIL", note.c_str());
    else  // no timed reference
      std::printf("%-44s %10.3f %10s %9s %10.2e %-4s %s\n", what.c_str(), ms, "-", "-", err, ok ? "ok" : "FAIL",
                  note.c_str());
    std::fflush(stdout);
  }

  void gemm(fast::InputType t, int64_t m, int64_t n, int64_t k, const std::string& label) {
    const std::vector<float> a = fill(static_cast<size_t>(m * k), 1), b = fill(static_cast<size_t>(k * n), 2);
    const void* ah = put(fast::to_bits(t, a));
    const void* bh = put(fast::to_bits(t, b));
    const float* af = put(fast::round_to(t, a));
    const float* bf = put(fast::round_to(t, b));
    float* c = static_cast<float*>(ex.alloc(static_cast<size_t>(m * n) * sizeof(float)));
    float* ref = static_cast<float*>(ex.alloc(static_cast<size_t>(m * n) * sizeof(float)));
    const double ms = ex.time_ms([&] { fast::launch_gemm(ex, t, m, n, k, ah, bh, c); }, reps);
    const cudaDataType_t type = t == fast::InputType::kF16 ? CUDA_R_16F : CUDA_R_16BF;
    const float one = 1.0f, zero = 0.0f;
    const double ref_ms = ex.time_ms(
        [&] {
          Cublas::check(blas.gemm_ex(blas.handle, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m),
                                     static_cast<int>(k), &one, bh, type, static_cast<int>(n), ah, type,
                                     static_cast<int>(k), &zero, ref, CUDA_R_32F, static_cast<int>(n),
                                     CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                        "cublasGemmEx");
        },
        reps);
    blas.sgemm_rows(m, n, k, 1.0f, af, k, bf, n, false, ref, n);  // the FP32 reference on the rounded inputs
    const double err = normwise(get(c, static_cast<size_t>(m * n)), get(ref, static_cast<size_t>(m * n)));
    const double tflops = 2.0 * m * n * k / (ms * 1e-3) / 1e12;
    row("gemm " + label + (t == fast::InputType::kF16 ? " f16 " : " bf16 ") + std::to_string(m) + "x" +
            std::to_string(n) + "x" + std::to_string(k),
        ms, ref_ms, err, kLargeTolerance, std::to_string(tflops).substr(0, 6) + " TFLOP/s; target >= 0.70x");
  }

  // The unfused reference: per (batch, KV group), S = scale Q K^T, softmax, O = P V.
  void unfused(const fast::Attention& s, const float* q, const float* k, const float* v, float* o, float* scores) {
    const int64_t causal_q_len = s.causal ? s.q_len : 0;  // standard attention masks S before the softmax
    const int64_t d = s.head_dim, r = s.heads / s.kv_heads, rows = r * s.q_len;
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t g = 0; g < s.kv_heads; ++g) {
        const float* qg = q + (b * s.heads + g * r) * s.q_len * d;
        const float* kg = k + (b * s.kv_heads + g) * s.k_len * d;
        const float* vg = v + (b * s.kv_heads + g) * s.k_len * d;
        blas.sgemm_rows(rows, s.k_len, d, s.scale, qg, d, kg, d, true, scores, s.k_len);  // K holds (K^T)^T
        fast::launch_rows(ex, fast::RowOp::kSoftmax, rows, s.k_len, scores, nullptr, nullptr, scores, 0.0f, 1.0f,
                          causal_q_len);
        blas.sgemm_rows(rows, d, s.k_len, 1.0f, scores, s.k_len, vg, d, false, o + (b * s.heads + g * r) * s.q_len * d, d);
      }
  }

  void attention(const fast::Attention& s, const std::string& label) {
    const size_t nq = static_cast<size_t>(s.batch * s.heads * s.q_len * s.head_dim);
    const size_t nk = static_cast<size_t>(s.batch * s.kv_heads * s.k_len * s.head_dim);
    const float* q = put(fill(nq, 3));
    const float* k = put(fill(nk, 4));
    const float* v = put(fill(nk, 5));
    float* o = static_cast<float*>(ex.alloc(nq * sizeof(float)));
    float* ref = static_cast<float*>(ex.alloc(nq * sizeof(float)));
    const int64_t rows = s.heads / s.kv_heads * s.q_len;
    float* scores = static_cast<float*>(ex.alloc(static_cast<size_t>(rows * s.k_len) * sizeof(float)));
    const bool decode = s.q_len == 1;
    int64_t splits = 0;
    const double ms = ex.time_ms(fused(ex, s, decode, q, k, v, o, &splits), reps);
    const double ref_ms = ex.time_ms([&] { unfused(s, q, k, v, ref, scores); }, reps);
    const double err = normwise(get(o, nq), get(ref, nq));
    row((decode ? "flash-decoding " : "flash-attention ") + label, ms, ref_ms, err, kLargeTolerance,
        decode ? std::to_string(splits) + " splits; fused vs cuBLAS+softmax+cuBLAS" : "fused vs cuBLAS+softmax+cuBLAS");
  }

  // Seconds per run of the fused kernel (flash2 / flash-decoding) or of the
  // unfused reference (standard) at shape s, on zeroed inputs.
  double seconds(const fast::Attention& s, const std::string& design) {
    const size_t nq = static_cast<size_t>(s.batch * s.heads * s.q_len * s.head_dim);
    const size_t nk = static_cast<size_t>(s.batch * s.kv_heads * s.k_len * s.head_dim);
    std::unique_ptr<fast::Executor> own = fast::gpu_executor();  // its memory goes with it
    fast::Executor& e = *own;
    auto room = [&](size_t n) { return static_cast<float*>(e.alloc(n * sizeof(float))); };
    const float* q = room(nq);
    const float* k = room(nk);
    const float* v = room(nk);
    float* o = room(nq);
    const int r = reps;
    if (design == "standard") {
      float* scores = room(static_cast<size_t>(s.heads / s.kv_heads * s.q_len * s.k_len));
      Bench inner{e, blas, r};
      return e.time_ms([&] { inner.unfused(s, q, k, v, o, scores); }, r) / 1e3;
    }
    return e.time_ms(fused(e, s, design == "flash-decoding", q, k, v, o), r) / 1e3;
  }

  void norms(int64_t rows, int64_t cols) {
    const std::vector<float> x = fill(static_cast<size_t>(rows * cols), 6), gamma = fill(static_cast<size_t>(cols), 7),
                             beta = fill(static_cast<size_t>(cols), 8);
    const float* xd = put(x);
    const float* gd = put(gamma);
    const float* bd = put(beta);
    float* y = static_cast<float*>(ex.alloc(x.size() * sizeof(float)));
    const std::vector<double> x64(x.begin(), x.end()), g64(gamma.begin(), gamma.end()), b64(beta.begin(), beta.end());
    for (fast::RowOp op : {fast::RowOp::kLayerNorm, fast::RowOp::kRmsNorm}) {
      const bool ln = op == fast::RowOp::kLayerNorm;
      const double ms = ex.time_ms([&] { fast::launch_rows(ex, op, rows, cols, xd, gd, bd, y, 1e-5f, 1.0f); }, reps);
      std::vector<double> want(x.size());
      if (ln)
        einflow::golden::layernorm_rows<double>(rows, cols, x64.data(), g64.data(), b64.data(), 1e-5, want.data());
      else
        einflow::golden::rmsnorm_rows<double>(rows, cols, x64.data(), g64.data(), 1e-5, want.data());
      const double err = normwise(get(y, x.size()), std::vector<float>(want.begin(), want.end()));
      const double gbs = 3.0 * static_cast<double>(x.size()) * 4 / (ms * 1e-3) / 1e9;  // x read twice, y written
      row(std::string(ln ? "layernorm " : "rmsnorm ") + std::to_string(rows) + "x" + std::to_string(cols), ms, -1,
          err, fast::kTolerance, std::to_string(gbs).substr(0, 6) + " GB/s; against FP64 golden");
    }
  }
};

// The shapes configs/studies/flash-attention.yaml (A100) and
// decode-attention.yaml (A100, H100) cost, timed on this GPU when it stands
// for one of those presets: one CSV row per (design, phase, batch, seq_len,
// causal), which those studies' `measured:` file joins to their results
// (sweep/measured.h). Designs without a kernel here (flash1, lean) have no
// row; a shape that does not fit the device's memory is skipped. The file is
// written whole or not at all (a temporary file, renamed).
void measure(Bench& b, const std::string& path) {
  const std::string device = b.ex.name(), arch = einflow::sweep::preset_for_device(device);
  const bool prefill = arch == "a100", decode = arch == "a100" || arch == "h100";
  if (!decode) {
    std::printf("measure: %s stands for no preset the attention studies use (a100, h100): nothing measured\n",
                device.c_str());
    return;
  }
  std::string quoted = "\"";
  for (char c : device) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  quoted += "\"";
  std::ostringstream out;
  out << "design,arch,phase,batch,seq_len,causal,measured_seconds,device\n";
  auto row = [&](const std::string& design, const char* phase, const fast::Attention& s, int64_t seq_len,
                 const char* causal) {
    double sec = 0;
    try {
      sec = b.seconds(s, design);  // inputs are zeros: the kernels' time does not depend on the values
    } catch (const einflow::UserError& e) {
      const std::string why = e.diagnostics().front().message;
      if (why.find("cuMemAlloc") == std::string::npos) throw;
      std::printf("measure: %s %s batch %lld seq_len %lld skipped: %s\n", design.c_str(), phase,
                  static_cast<long long>(s.batch), static_cast<long long>(seq_len), why.c_str());
      return;
    }
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.9g", sec);
    out << design << ',' << arch << ',' << phase << ',' << s.batch << ',' << seq_len << ',' << causal << ',' << secs
        << ',' << quoted << '\n';
    std::printf("measured %-16s %-8s batch %-2lld seq_len %-7lld causal %-5s %10.4f ms\n", design.c_str(), phase,
                static_cast<long long>(s.batch), static_cast<long long>(seq_len), causal, sec * 1e3);
    std::fflush(stdout);
  };
  if (prefill)  // FlashAttention's IO study: GPT-2 medium's attention (16 heads of 64), batch 8
    for (const bool causal : {false, true})
      for (int64_t n = 512; n <= 16384; n *= 2)
        for (const char* design : {"standard", "flash2"})
          row(design, "prefill", {8, 16, 16, n, n, 64, causal, 0, 0.125f}, n, causal ? "true" : "false");
  // The decode study: Llama-3-8B (32 query heads, 8 KV heads of 128) against a cache of seq_len keys.
  for (const int64_t batch : {1, 8})
    for (const int64_t n : {1000, 1024, 2048, 4096, 5000, 8192, 16384, 32768, 65536, 100000, 131072, 262144, 524288})
      for (const char* design : {"flash2", "flash-decoding"})
        row(design, "decode", {batch, 32, 8, 1, n, 128, false, 0, 0.08838835f}, n, "");
  const std::string tmp = path + ".partial";
  {
    std::ofstream f(tmp);
    f << out.str();
    if (!f) throw einflow::UserError(einflow::SourceLoc{tmp, 0, 0}, "cannot write the measurements");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw einflow::UserError(einflow::SourceLoc{path, 0, 0}, "cannot write the measurements");
  std::printf("measure: %s written (%s as %s)\n", path.c_str(), device.c_str(), arch.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc == 2 && std::string(argv[1]) == "--quick";
  const bool measuring = argc == 3 && std::string(argv[1]) == "--measure";
  if (argc > 1 && !quick && !measuring) {
    std::fprintf(stderr, "usage: einflow_bench_cuda [--quick | --measure FILE.csv]\n");
    return 2;
  }
  std::unique_ptr<fast::Executor> ex;
  try {
    ex = fast::gpu_executor();
  } catch (const einflow::UserError& e) {
    std::fprintf(stderr, "einflow_bench_cuda: %s\n", e.diagnostics().front().message.c_str());
    return 2;
  }
  try {
    Cublas blas;
    Bench b{*ex, blas, quick || measuring ? 3 : 10};
    if (measuring) {
      measure(b, argv[2]);
      return 0;
    }
    std::printf("# %d SMs\n%-44s %10s %10s %9s %10s %-4s %s\n", ex->multiprocessors(), "kernel", "ms", "ref_ms",
                "speedup", "error", "ok", "note");
    b.gemm(fast::InputType::kF16, 4096, 4096, 4096, "square");
    b.gemm(fast::InputType::kBF16, 4096, 4096, 4096, "square");
    if (!quick) {  // a BERT-Base layer at 4K tokens, batch 8: 32768 token rows
      b.gemm(fast::InputType::kF16, 32768, 768, 768, "bert-base qkv/out");
      b.gemm(fast::InputType::kF16, 32768, 3072, 768, "bert-base ffn1");
      b.gemm(fast::InputType::kF16, 32768, 768, 3072, "bert-base ffn2");
    }
    for (int64_t n : quick ? std::vector<int64_t>{1024} : std::vector<int64_t>{1024, 2048, 4096})
      b.attention({8, 12, 12, n, n, 64, false, 0, 0.125f}, "bert-base b8 n" + std::to_string(n));
    for (int64_t batch : quick ? std::vector<int64_t>{1} : std::vector<int64_t>{1, 8})
      b.attention({batch, 32, 8, 1, 32768, 128, false, 0, 0.08838835f}, "llama3-8b b" + std::to_string(batch) + " ctx32768");
    b.norms(quick ? 4096 : 32768, 768);
  } catch (const einflow::UserError& e) {  // cuBLAS missing (2), or a fault on the device (1)
    const std::string why = e.diagnostics().front().message;
    std::fprintf(stderr, "einflow_bench_cuda: %s\n", why.c_str());
    return why.rfind("cuBLAS", 0) == 0 ? 2 : 1;
  }
  return g_failed ? 1 : 0;
}
