// The fast kernels' launches, the same for the GPU and the host emulation
// (launch.h), and fast.h's functions around them: inputs placed, results fetched.
#include "workloads/golden/cuda/fast/fast.h"

#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "workloads/golden/cuda/fast/convert.h"
#include "workloads/golden/cuda/fast/launch.h"

#define EF_ARGS_ONLY
#include "workloads/golden/cuda/fast/kernels.cuh"

namespace einflow::golden::cuda::fast {

namespace {

constexpr unsigned kGemmTile = 128, kRowThreads = 256, kAttRows = 32, kAttThreads = 256, kDecodeThreads = 128;
constexpr int64_t kMaxGridYZ = 65535;

[[noreturn]] void bad(const std::string& what) { throw UserError(SourceLoc{}, "fast kernels: " + what); }

void expect_size(const std::vector<float>& x, int64_t n, const char* name) {
  if (static_cast<int64_t>(x.size()) != n)
    bad(std::string(name) + " holds " + std::to_string(x.size()) + " values, the shape needs " + std::to_string(n));
}

unsigned grid_count(int64_t n, int64_t limit, const char* what) {
  if (n <= 0 || n > limit) bad(std::string(what) + " of " + std::to_string(n) + " is out of range (1 to " +
                               std::to_string(limit) + ")");
  return static_cast<unsigned>(n);
}

std::unique_ptr<Executor> open(Device d) { return d == Device::kGpu ? gpu_executor() : host_executor(); }

template <class T>
const T* put(Executor& ex, const std::vector<T>& v) {
  void* p = ex.alloc(v.size() * sizeof(T));
  ex.upload(p, v.data(), v.size() * sizeof(T));
  return static_cast<const T*>(p);
}

float* room(Executor& ex, int64_t n) { return static_cast<float*>(ex.alloc(static_cast<size_t>(n) * sizeof(float))); }

std::vector<float> fetch(Executor& ex, const float* p, int64_t n) {
  std::vector<float> out(static_cast<size_t>(n));
  ex.download(out.data(), p, out.size() * sizeof(float));
  return out;
}

EfAttentionArgs attention_args(const Attention& s, const float* q, const float* k, const float* v, float* o) {
  EfAttentionArgs a{};
  a.q = q;
  a.k = k;
  a.v = v;
  a.o = o;
  a.batch = s.batch;
  a.heads = s.heads;
  a.kv_heads = s.kv_heads;
  a.q_len = s.q_len;
  a.k_len = s.k_len;
  a.window = s.window;
  a.causal = s.causal ? 1 : 0;
  a.scale = s.scale;
  return a;
}

std::vector<float> rows(Device d, RowOp op, int64_t rows, int64_t cols, const std::vector<float>& x,
                        const std::vector<float>* gamma, const std::vector<float>* beta, float eps, float scale,
                        int64_t causal_q_len = 0) {
  if (rows <= 0 || cols <= 0) bad("rows and columns must be positive");
  expect_size(x, rows * cols, "x");
  if (gamma) expect_size(*gamma, cols, "gamma");
  if (beta) expect_size(*beta, cols, "beta");
  auto ex = open(d);
  float* y = room(*ex, rows * cols);
  launch_rows(*ex, op, rows, cols, put(*ex, x), gamma ? put(*ex, *gamma) : nullptr, beta ? put(*ex, *beta) : nullptr,
              y, eps, scale, causal_q_len);
  return fetch(*ex, y, rows * cols);
}

}  // namespace

// ------------------------------------------------------------- launches ----

void launch_gemm(Executor& ex, InputType t, int64_t m, int64_t n, int64_t k, const void* a, const void* b, float* c) {
  if (m <= 0 || n <= 0 || k <= 0) bad("GEMM sizes must be positive");
  if (t == InputType::kBF16 && ex.compute_capability() < 80)
    bad("the BF16 GEMM needs compute capability 8.0 or later (this device: " +
        std::to_string(ex.compute_capability() / 10) + "." + std::to_string(ex.compute_capability() % 10) + ")");
  EfGemmArgs g{a, b, c, m, n, k};
  const Dim3 grid{grid_count((n + kGemmTile - 1) / kGemmTile, 2147483647, "GEMM column tiles"),
                  grid_count((m + kGemmTile - 1) / kGemmTile, kMaxGridYZ, "GEMM row tiles"), 1};
  ex.launch(t == InputType::kF16 ? "ef_gemm_f16" : "ef_gemm_bf16", grid, {256, 1, 1}, &g, sizeof g);
}

void launch_rows(Executor& ex, RowOp op, int64_t rows, int64_t cols, const float* x, const float* gamma,
                 const float* beta, float* y, float eps, float scale, int64_t causal_q_len) {
  if (causal_q_len < 0 || causal_q_len > cols) bad("a causal mask of " + std::to_string(causal_q_len) +
                                                   " queries over " + std::to_string(cols) + " keys");
  EfRowsArgs a{x, gamma, beta, y, rows, cols, eps, scale, causal_q_len};
  const char* name = op == RowOp::kSoftmax ? "ef_softmax_rows" : op == RowOp::kLayerNorm ? "ef_layernorm_rows"
                                                                                         : "ef_rmsnorm_rows";
  ex.launch(name, {grid_count(rows, 2147483647, "rows"), 1, 1}, {kRowThreads, 1, 1}, &a, sizeof a);
}

void check_attention_shape(const Attention& s, bool decode) {
  if (s.batch <= 0 || s.heads <= 0 || s.kv_heads <= 0 || s.q_len <= 0 || s.k_len <= 0 || s.head_dim <= 0)
    bad("attention's sizes must be positive");
  if (s.heads % s.kv_heads != 0)
    bad(std::to_string(s.heads) + " query heads do not divide into " + std::to_string(s.kv_heads) + " key/value heads");
  if (s.heads > kMaxGridYZ || s.batch > kMaxGridYZ) bad("more than 65535 heads or batch entries");
  if (decode && s.q_len != 1) bad("Flash-Decoding takes one query per head, not " + std::to_string(s.q_len));
  if (!decode && !has_prefill_kernel(s.head_dim))
    bad("no FlashAttention kernel for head dimension " + std::to_string(s.head_dim) + " (built: 32, 64, 96, 128)");
  if (decode && !has_decode_kernel(s.head_dim))
    bad("no Flash-Decoding kernel for head dimension " + std::to_string(s.head_dim) + " (built: 32, 64, 96, 128, 256)");
}

void launch_flash_attention(Executor& ex, const Attention& s, const float* q, const float* k, const float* v,
                            float* o) {
  check_attention_shape(s, false);
  EfAttentionArgs a = attention_args(s, q, k, v, o);
  const Dim3 grid{grid_count((s.q_len + kAttRows - 1) / kAttRows, 2147483647, "query blocks"),
                  static_cast<unsigned>(s.heads), static_cast<unsigned>(s.batch)};
  ex.launch("ef_flash_attention_d" + std::to_string(s.head_dim), grid, {kAttThreads, 1, 1}, &a, sizeof a);
}

namespace {

// The first key the one query sees: a causal window hides all but the last `window`.
int64_t first_visible_key(const Attention& s) {
  return s.causal && s.window > 0 && s.k_len > s.window ? s.k_len - s.window : 0;
}

}  // namespace

int64_t decode_splits(const Executor& ex, const Attention& s, int64_t requested) {
  const int64_t visible = s.k_len - first_visible_key(s);
  int64_t splits = requested;
  if (splits <= 0) {  // enough blocks to fill the SMs about twice, each with at least 32 keys
    const int64_t blocks = s.batch * s.heads;
    splits = ex.is_host() ? 4 : (2 * ex.multiprocessors() + blocks - 1) / blocks;
    splits = std::min<int64_t>(splits, (visible + 31) / 32);
  }
  return std::max<int64_t>(1, std::min(splits, visible));
}

void launch_flash_decoding(Executor& ex, const Attention& s, int64_t splits, const float* q, const float* k,
                           const float* v, float* o, float* partial_o, float* partial_ml) {
  check_attention_shape(s, true);
  if (splits <= 0) bad("Flash-Decoding needs a positive split count, not " + std::to_string(splits));
  EfAttentionArgs a = attention_args(s, q, k, v, o);
  a.splits = splits;
  a.chunk = (s.k_len - first_visible_key(s) + splits - 1) / splits;
  a.partial_o = partial_o;
  a.partial_ml = partial_ml;
  const std::string dim = std::to_string(s.head_dim);
  const unsigned heads = static_cast<unsigned>(s.heads), batch = static_cast<unsigned>(s.batch);
  ex.launch("ef_flash_decode_d" + dim, {grid_count(splits, 2147483647, "splits"), heads, batch}, {kDecodeThreads, 1, 1},
            &a, sizeof a);
  ex.launch("ef_decode_combine_d" + dim, {heads, batch, 1}, {kDecodeThreads, 1, 1}, &a, sizeof a);
}

// ------------------------------------------------------------ fast.h -------

std::vector<float> round_to(InputType t, const std::vector<float>& x) {
  std::vector<float> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = t == InputType::kF16 ? f16_to_float(float_to_f16(x[i])) : bf16_to_float(float_to_bf16(x[i]));
  return out;
}

std::vector<uint16_t> to_bits(InputType t, const std::vector<float>& x) {
  std::vector<uint16_t> h(x.size());
  for (size_t i = 0; i < x.size(); ++i) h[i] = t == InputType::kF16 ? float_to_f16(x[i]) : float_to_bf16(x[i]);
  return h;
}

std::vector<float> gemm(Device d, InputType t, int64_t m, int64_t n, int64_t k, const std::vector<float>& a,
                        const std::vector<float>& b) {
  if (m <= 0 || n <= 0 || k <= 0) bad("GEMM sizes must be positive");
  expect_size(a, m * k, "a");
  expect_size(b, k * n, "b");
  auto ex = open(d);
  float* c = room(*ex, m * n);
  launch_gemm(*ex, t, m, n, k, put(*ex, to_bits(t, a)), put(*ex, to_bits(t, b)), c);
  return fetch(*ex, c, m * n);
}

std::vector<float> softmax_rows(Device d, int64_t r, int64_t cols, const std::vector<float>& x, float scale,
                                int64_t causal_q_len) {
  return rows(d, RowOp::kSoftmax, r, cols, x, nullptr, nullptr, 0.0f, scale, causal_q_len);
}

std::vector<float> layernorm_rows(Device d, int64_t r, int64_t cols, const std::vector<float>& x,
                                  const std::vector<float>& gamma, const std::vector<float>& beta, float eps) {
  return rows(d, RowOp::kLayerNorm, r, cols, x, &gamma, &beta, eps, 1.0f);
}

std::vector<float> rmsnorm_rows(Device d, int64_t r, int64_t cols, const std::vector<float>& x,
                                const std::vector<float>& gamma, float eps) {
  return rows(d, RowOp::kRmsNorm, r, cols, x, &gamma, nullptr, eps, 1.0f);
}

bool has_prefill_kernel(int64_t d) { return d == 32 || d == 64 || d == 96 || d == 128; }
bool has_decode_kernel(int64_t d) { return has_prefill_kernel(d) || d == 256; }

namespace {

void check_attention_data(const Attention& s, const std::vector<float>& q, const std::vector<float>& k,
                          const std::vector<float>& v) {
  expect_size(q, s.batch * s.heads * s.q_len * s.head_dim, "q");
  expect_size(k, s.batch * s.kv_heads * s.k_len * s.head_dim, "k");
  expect_size(v, s.batch * s.kv_heads * s.k_len * s.head_dim, "v");
}

}  // namespace

std::vector<float> flash_attention(Device d, const Attention& s, const std::vector<float>& q,
                                   const std::vector<float>& k, const std::vector<float>& v) {
  check_attention_shape(s, false);
  check_attention_data(s, q, k, v);
  auto ex = open(d);
  float* o = room(*ex, s.batch * s.heads * s.q_len * s.head_dim);
  launch_flash_attention(*ex, s, put(*ex, q), put(*ex, k), put(*ex, v), o);
  return fetch(*ex, o, s.batch * s.heads * s.q_len * s.head_dim);
}

std::vector<float> flash_decoding(Device d, const Attention& s, int64_t splits, const std::vector<float>& q,
                                  const std::vector<float>& k, const std::vector<float>& v) {
  check_attention_shape(s, true);
  check_attention_data(s, q, k, v);
  auto ex = open(d);
  splits = decode_splits(*ex, s, splits);
  float* o = room(*ex, s.batch * s.heads * s.head_dim);
  launch_flash_decoding(*ex, s, splits, put(*ex, q), put(*ex, k), put(*ex, v), o,
                        room(*ex, s.batch * s.heads * splits * s.head_dim), room(*ex, s.batch * s.heads * splits * 2));
  return fetch(*ex, o, s.batch * s.heads * s.head_dim);
}

}  // namespace einflow::golden::cuda::fast
