// The CUDA backend of the golden kernels (workloads/golden/cuda/): its
// generated kernels, built for the host, agree with the golden interpreter on
// every kind of Einsum (masks and fills, max/min/product reductions, integer
// saturation, sliding windows, recurrences, partitioned ranks); NVRTC compiles
// them to PTX for every zoo cascade without a GPU; on a GPU they run and agree
// (skipped, with the reason, where none is).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "workloads/golden/cuda/codegen.h"
#include "workloads/golden/cuda/run.h"
#include "workloads/golden/interpreter.h"
#include "workloads/workload.h"

namespace einflow::golden {
namespace {

// Largest relative difference over the tensors both hold.
double max_rel(const TensorSet<double>& a, const TensorSet<double>& b) {
  double worst = 0;
  for (const auto& [name, t] : b) {
    const auto it = a.find(name);
    EXPECT_NE(it, a.end()) << name;
    if (it == a.end()) continue;
    double scale = 0;
    for (double v : t.data) scale = std::max(scale, std::fabs(v));
    for (size_t i = 0; i < t.data.size(); ++i) {
      const double x = it->second.data[i], y = t.data[i];
      if (std::isnan(x) || std::isnan(y) || std::isinf(x) || std::isinf(y)) {  // only the same non-finite value agrees
        const bool same = (std::isnan(x) && std::isnan(y)) || x == y;
        if (!same) worst = HUGE_VAL;
        continue;
      }
      worst = std::max(worst, std::fabs(x - y) / std::max({std::fabs(y), 1e-2 * scale, 1e-300}));
    }
  }
  return worst;
}


TEST(CudaBackend, HostBuildMatchesTheInterpreterOnEveryKindOfEinsum) {
  const std::string data = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/";
  // Masks with and without fills, max and min reductions, unary functions,
  // an integer output that saturates (the fold order matters), a sliding
  // window, a fill of -0.0 (1 / -0 = -inf: the constant's sign kept).
  const workloads::Workload mixed = workloads::load_workload_text(R"(cascade:
  name: mixed
  ranks: {M: 5, P: 4, K: 3}
  inputs: {A: [M, P], B: [M, K]}
  einsums:
    - S[m,p] = A[m,p] * 3 where m <= p + 1 else -inf
    - GM[p] = max(m) S[m,p]
    - LM[p] = min(m) A[m,p]
    - PR[p] = A[m,p] * 0.5 + 1
    - E[m,p] = sigmoid(S[m,p] - GM[p]) + gelu(A[m,p]) * silu(LM[p]) - tanh(PR[p])
    - W[p,k] = B[m,k] * exp(E[m,p]) where m >= p
    - Z[m,p] = A[m,p] where m < 2 else -0.0
    - R[p] = exp(recip(Z[m,p]))
)",
                                                                "mixed.yaml");
  // Several output points on one element (i + j): one thread runs them in order.
  const workloads::Workload scatter = workloads::load_workload_text(R"(cascade:
  name: scatter
  ranks: {I: 4, J: 3, K: 2, N: 6}
  inputs: {A: [I, K], B: [J, K]}
  tensors: {O: [N]}
  einsums:
    - O[i+j] = A[i,k] * B[j,k]
)",
                                                                  "scatter.yaml");
  const cuda::Source src = cuda::generate(scatter.variants.front().cascade, cuda::Target::kCuda, "double");
  EXPECT_EQ(src.kernels.front().run_threads, 1);
  std::vector<const workloads::Workload*> all{&scatter};
  std::vector<workloads::Workload> loaded;
  for (const char* f : {"cycle/int/workload.yaml", "conv1d/conv1d.yaml"})
    loaded.push_back(workloads::load_workload(data + f));
  loaded.push_back(mixed);
  for (const auto& w : loaded) all.push_back(&w);
  for (const workloads::Workload* w : all)
    for (const auto& v : w->variants) {
      SCOPED_TRACE(w->name + " " + v.name);
      const TensorSet<double> in = seeded_inputs<double>(v.cascade, 7);
      EXPECT_LT(max_rel(cuda::run_on_host(v.cascade, in), interpret<double>(v.cascade, in)), 1e-12);
    }
}

TEST(CudaBackend, HostBuildMatchesTheInterpreterOnAttentionAndRecurrences) {
  // Every softmax form (the 1-pass running state over M1, the split form's
  // merge), causal with a window and GQA; Mamba's scan and GLA's chunkwise
  // recurrence (iterative ranks stepped launch by launch).
  const std::string base = std::string(EINFLOW_SOURCE_DIR) + "/configs/workloads/";
  const std::vector<std::pair<std::string, std::vector<workloads::Override>>> cases = {
      {"mistral-7b.yaml",
       {{"instance.scope", "attention"}, {"instance.seq_len", "12"}, {"instance.block", "4"},
        {"model.sliding_window", "5"}, {"model.heads", "4"}, {"model.kv_heads", "2"}, {"model.head_dim", "8"},
        {"instance.attention", "[3pass, 2pass, 1pass, split]"}}},
      {"mamba-1.4b.yaml",
       {{"instance.scope", "attention"}, {"instance.seq_len", "6"}, {"model.d_model", "16"}, {"model.state_dim", "4"}}},
      {"gla-1.3b.yaml",
       {{"instance.scope", "attention"}, {"instance.seq_len", "8"}, {"instance.block", "4"}, {"model.d_model", "32"},
        {"model.heads", "2"}, {"model.kv_heads", "2"}, {"model.head_dim", "16"}, {"model.v_head_dim", "16"},
        {"instance.attention", "[chunkwise]"}}},
  };
  for (const auto& [file, sets] : cases) {
    const workloads::Workload w = workloads::load_workload(base + file, sets);
    for (const auto& v : w.variants) {
      SCOPED_TRACE(file + " " + v.name);
      const TensorSet<double> in = seeded_inputs<double>(v.cascade, 3);
      EXPECT_LT(max_rel(cuda::run_on_host(v.cascade, in), interpret<double>(v.cascade, in)), 1e-12);
    }
  }
}

TensorSet<double> widen(const TensorSet<float>& from) {
  TensorSet<double> to;
  for (const auto& [name, t] : from) {
    to[name] = DenseTensor<double>(t.extents);
    std::copy(t.data.begin(), t.data.end(), to[name].data.begin());
  }
  return to;
}

// The kernels in float (ef_t = float) against the interpreter in float: the
// same folds in the same order, so they agree to float rounding (1e-5
// relative), far inside check's float tolerance of 1e-3 against the direct
// implementation; integer saturation is exact in float for these widths.
TEST(CudaBackend, HostBuildInFloatMatchesTheInterpreterInFloat) {
  const std::string base = std::string(EINFLOW_SOURCE_DIR) + "/";
  std::vector<workloads::Workload> ws;
  ws.push_back(workloads::load_workload(base + "configs/workloads/mistral-7b.yaml",
                                        {{"instance.scope", "attention"}, {"instance.seq_len", "12"},
                                         {"instance.block", "4"}, {"model.sliding_window", "5"}, {"model.heads", "4"},
                                         {"model.kv_heads", "2"}, {"model.head_dim", "8"},
                                         {"instance.attention", "[3pass, 1pass, split]"}}));
  ws.push_back(workloads::load_workload(base + "tests/data/cycle/int/workload.yaml"));
  for (const auto& w : ws)
    for (const auto& v : w.variants) {
      SCOPED_TRACE(w.name + " " + v.name);
      const TensorSet<float> in = seeded_inputs<float>(v.cascade, 4);
      TensorSet<double> wide_in, want;
      wide_in = widen(in);
      want = widen(interpret<float>(v.cascade, in));
      const TensorSet<double> got = cuda::run_on_host(v.cascade, wide_in, true);
      for (const auto& [name, t] : got)  // every value is a float
        for (double x : t.data) ASSERT_TRUE(std::isnan(x) || static_cast<double>(static_cast<float>(x)) == x) << name;
      EXPECT_LT(max_rel(got, want), 1e-5);
    }
}

std::vector<std::string> zoo() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(EINFLOW_SOURCE_DIR) + "/configs/workloads"))
    if (e.path().extension() == ".yaml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(CudaBackend, NvrtcCompilesEveryZooCascadeToPtx) {
  if (!cuda::built_with_cuda()) GTEST_SKIP() << "einflow was built without the CUDA toolkit (no NVRTC)";
  for (const std::string& f : zoo()) {
    for (const char* phase : {"prefill", "decode"}) {
      const workloads::Workload plain = workloads::load_workload(f);
      if (std::string(phase) == "decode" && plain.model->kind == workloads::ModelKind::kEncoder) continue;
      std::vector<workloads::Override> small{{"instance.scope", "layer"}, {"instance.seq_len", "4"},
                                             {"instance.block", "2"}, {"instance.phase", phase}};
      if (plain.model->experts > 0) small.push_back({"model.expert_ffn_dim", "64"});
      const workloads::Workload w = workloads::load_workload(f, small);
      {  // the model's first form (every form's Einsums are covered by the host checks)
        const auto& v = w.variants.front();
        SCOPED_TRACE(f + " " + phase + " " + v.name);
        const cuda::Source src = cuda::generate(v.cascade, cuda::Target::kCuda, "double");
        const std::string ptx = cuda::compile_ptx(src.text);
        EXPECT_NE(ptx.find(".entry ef_run_0"), std::string::npos);
        EXPECT_NE(ptx.find(".entry ef_init_" + std::to_string(v.cascade.einsums.size() - 1)), std::string::npos);
      }
    }
  }
}

using Runner = TensorSet<double> (*)(const workloads::Cascade&, const TensorSet<double>&, bool);

// Every zoo model's layer, every form, prefill and (for decoders) decode, at
// tiny widths (64 wide, 4 heads of 16, GQA kept as 2 KV heads), run by `run`
// against the interpreter.
void every_zoo_model(Runner run, double tolerance) {
  for (const std::string& f : zoo()) {
    const workloads::Workload plain = workloads::load_workload(f);
    for (const char* phase : {"prefill", "decode"}) {
      if (std::string(phase) == "decode" && plain.model->kind == workloads::ModelKind::kEncoder) continue;
      std::vector<workloads::Override> tiny{{"instance.scope", "layer"}, {"instance.seq_len", "4"},
                                            {"instance.block", "2"},      {"instance.phase", phase},
                                            {"model.d_model", "64"},      {"model.ffn_dim", "96"},
                                            {"model.heads", "4"},         {"model.head_dim", "16"},
                                            {"model.kv_heads", plain.model->kv_heads < plain.model->heads ? "2" : "4"}};
      if (plain.model->experts > 0) tiny.push_back({"model.expert_ffn_dim", "32"});
      const workloads::Workload w = workloads::load_workload(f, tiny);
      for (const auto& v : w.variants) {
        SCOPED_TRACE(f + " " + phase + " " + v.name);
        const TensorSet<double> in = seeded_inputs<double>(v.cascade, 11);
        EXPECT_LT(max_rel(run(v.cascade, in, false), interpret<double>(v.cascade, in)), tolerance);
      }
    }
  }
}

// Every workload file of the tests and the examples (a cascade or a model, as
// written: each form), run by `run` against the interpreter.
void every_test_cascade(Runner run, double tolerance) {
  std::vector<std::string> files;
  for (const char* dir : {"/tests/data", "/configs/examples"})
    for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(EINFLOW_SOURCE_DIR) + dir)) {
      if (e.path().extension() != ".yaml") continue;
      std::ifstream in(e.path());
      std::string line;
      while (std::getline(in, line))
        if (line.rfind("cascade:", 0) == 0 || line.rfind("model:", 0) == 0) {
          files.push_back(e.path().string());
          break;
        }
    }
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), 50u);
  for (const std::string& f : files) {
    const workloads::Workload w = workloads::load_workload(f);
    for (const auto& v : w.variants) {
      SCOPED_TRACE(f + " " + v.name);
      const TensorSet<double> in = seeded_inputs<double>(v.cascade, 13);
      EXPECT_LT(max_rel(run(v.cascade, in, false), interpret<double>(v.cascade, in)), tolerance);
    }
  }
}

// The host build: the generated indexing checked on each model's own Einsums
// and on every test cascade in CI, without a GPU.
TEST(CudaBackend, HostBuildMatchesTheInterpreterOnEveryZooModel) { every_zoo_model(cuda::run_on_host, 1e-12); }
TEST(CudaBackend, HostBuildMatchesTheInterpreterOnEveryTestCascade) { every_test_cascade(cuda::run_on_host, 1e-12); }

TEST(CudaBackend, RunsOnAGpuWhenThereIsOne) {
  const workloads::Workload w = workloads::load_workload(std::string(EINFLOW_SOURCE_DIR) + "/tests/data/attention/tiny.yaml");
  for (const auto& v : w.variants) {
    const TensorSet<double> in = seeded_inputs<double>(v.cascade, 5);
    TensorSet<double> got;
    try {
      got = cuda::run_on_gpu(v.cascade, in);
    } catch (const UserError& e) {  // skipped only where there is no device; any other fault fails
      const std::string why = e.diagnostics().front().message;
      if (why.find("no CUDA device is available") == std::string::npos) FAIL() << why;
      GTEST_SKIP() << why;
    }
    EXPECT_LT(max_rel(got, interpret<double>(v.cascade, in)), 1e-9) << v.name;
  }
  // A device: every zoo model and every test cascade on it, in double (the
  // device's libm: 1e-9), and the tiny attention in float (1e-5).
  every_zoo_model(cuda::run_on_gpu, 1e-9);
  every_test_cascade(cuda::run_on_gpu, 1e-9);
  for (const auto& v : w.variants) {
    const TensorSet<float> in = seeded_inputs<float>(v.cascade, 5);
    EXPECT_LT(max_rel(cuda::run_on_gpu(v.cascade, widen(in), true), widen(interpret<float>(v.cascade, in))), 1e-5)
        << v.name;
  }
}

}  // namespace
}  // namespace einflow::golden
