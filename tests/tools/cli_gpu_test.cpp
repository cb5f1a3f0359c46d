// The command line on GPUs: the GPU attention designs (evaluate, the cycle
// model's refusal), the DRAM capacity check, a GPU design over a whole layer,
// and the long-context study's deployment questions through a sweep.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/tools/cli_testing.h"

namespace {

using namespace einflow::cli_testing;

// The GPU attention designs from the command line: evaluate gives the model's
// figures and the DRAM capacity check; the cycle model refuses them, located,
// and a scope other than attention or layer;
// a GQA decode on the A100 preset: FA-2 has a thread block per sequence and KV
// head (8 of 108 SMs), Flash-Decoding and LeanAttention fill the GPU.
TEST(Cli, GpuAttentionDesignsOnTheA100) {
  const std::string root = std::string(EINFLOW_SOURCE_DIR) + "/configs/";
  const std::string base = "evaluate --arch " + root + "arch/a100.yaml --workload " + root +
                           "workloads/llama3-8b.yaml --set instance.scope=attention --set instance.phase=decode "
                           "--set instance.seq_len=64K --json --design ";
  std::map<std::string, nlohmann::json> got;
  for (const char* d : {"flash2", "flash-decoding", "lean"}) {
    Result r = run(base + d);
    ASSERT_EQ(r.code, 0) << r.out;
    got[d] = nlohmann::json::parse(r.out);
    EXPECT_TRUE(got[d]["fits_in_dram"].get<bool>()) << d;
  }
  EXPECT_EQ(got["flash2"]["model"]["thread_blocks"].get<double>(), 8);
  EXPECT_GT(got["flash-decoding"]["model"]["splits"].get<double>(), 1);
  EXPECT_GT(got["flash2"]["seconds"].get<double>(), 3 * got["lean"]["seconds"].get<double>());
  // Every design reads the whole cache once: 8 KV heads x 64K keys x 256 x 2 bytes.
  for (const auto& [d, j] : got) EXPECT_GE(j["dram_bytes"].get<double>(), 8.0 * 65536 * 256 * 2) << d;
  Result sim = run("simulate --arch " + root + "arch/a100.yaml --workload " + root +
                   "workloads/llama3-8b.yaml --set instance.scope=attention --design flash2 --no-data");
  EXPECT_EQ(sim.code, 2) << sim.out;
  EXPECT_NE(sim.out.find("costed by a model of its own"), std::string::npos) << sim.out;
  Result ffn = run("evaluate --arch " + root + "arch/a100.yaml --workload " + root +
                   "workloads/llama3-8b.yaml --set instance.scope=ffn --design lean");
  EXPECT_EQ(ffn.code, 2) << ffn.out;
  EXPECT_NE(ffn.out.find("instance.scope attention or layer"), std::string::npos) << ffn.out;
  Result not_gpu = run("evaluate --arch " + root + "arch/fusemax-cloud.yaml --workload " + root +
                       "workloads/llama3-8b.yaml --set instance.scope=attention --design lean");
  EXPECT_EQ(not_gpu.code, 2) << not_gpu.out;
  EXPECT_NE(not_gpu.out.find("need a GPU"), std::string::npos) << not_gpu.out;
}

// Yi-34B decoding 50K-token contexts at batch 4 on one A100: 68.8 GB of
// weights and 4 x 12.3 GB of KV cache do not fit 80 GiB (reference/gpus.md).
TEST(Cli, ReportsAWorkloadThatDoesNotFitTheDram) {
  const std::string root = std::string(EINFLOW_SOURCE_DIR) + "/configs/";
  Result r = run("evaluate --arch " + root + "arch/a100.yaml --workload " + root +
                 "workloads/yi-34b.yaml --set instance.scope=attention --set instance.phase=decode "
                 "--set instance.seq_len=50K --set instance.batch=4 --design lean");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("DOES NOT FIT"), std::string::npos) << r.out;
  Result j = run("evaluate --arch " + root + "arch/a100.yaml --workload " + root +
                 "workloads/yi-34b.yaml --set instance.scope=attention --set instance.phase=decode "
                 "--set instance.seq_len=50K --set instance.batch=4 --design lean --json");
  const auto x = nlohmann::json::parse(j.out);
  EXPECT_FALSE(x["fits_in_dram"].get<bool>());
  // 34388917248 parameters x 2 + 4 x 51200 x 245760 + 2 x 4 x 7168 x 2.
  EXPECT_DOUBLE_EQ(x["resident_bytes"].get<double>(), 34388917248.0 * 2 + 4.0 * 51200 * 245760 + 2 * 4 * 7168 * 2);
}


// A GPU design over a whole layer: the attention's kernels, then each other
// Einsum's, adding up to the total; the deployment the layers give.
TEST(Cli, GpuDesignOverALayer) {
  const std::string root = std::string(EINFLOW_SOURCE_DIR) + "/configs/";
  Result r = run("evaluate --arch " + root + "arch/a100.yaml --workload " + root +
                 "workloads/llama3-8b.yaml --set instance.phase=decode --set instance.seq_len=8K --design lean --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  double seconds = 0;
  bool attention = false, ffn = false;
  for (const auto& p : j["parts"]) {
    seconds += p["seconds"].get<double>();
    attention = attention || p["part"].get<std::string>().find("kernel attention") == 0;
    ffn = ffn || p["part"].get<std::string>().find("kernel FO") == 0;
  }
  EXPECT_TRUE(attention && ffn) << r.out;
  EXPECT_NEAR(seconds, j["seconds"].get<double>(), 1e-9 * seconds);
  // A decode layer streams its weights (4096 x (4096 + 2 x 1024 + 4096) + 3 x
  // 4096 x 14336, 2 bytes each: 436 MB) and the cache (8K keys x K and V of 8
  // heads of 128, 2 bytes: 33.5 MB).
  EXPECT_GE(j["dram_bytes"].get<double>(), (4096.0 * 10240 + 3 * 4096.0 * 14336) * 2 + 8192.0 * 2 * 1024 * 2);
}

// configs/studies/long-context.yaml through sweep and report: the deployment
// columns equal the hand derivation of configs/studies/long-context.md, and no
// mapped model beats the peak bound of the same point.
TEST(Cli, LongContextStudyAnswersTheDeploymentQuestions) {
  const std::string out = ::testing::TempDir() + "long-context";
  Result s = run_shell("rm -rf " + out + " && " + std::string(EINFLOW_BINARY) + " sweep " + EINFLOW_SOURCE_DIR +
                       "/configs/studies/long-context.yaml --out " + out);
  ASSERT_EQ(s.code, 0) << s.out;
  Result rep = run("report " + out + " --format csv,md");
  ASSERT_EQ(rep.code, 0) << rep.out;
  std::ifstream csv(out + "/results.csv");
  std::string line;
  std::getline(csv, line);
  std::vector<std::string> cols;
  std::stringstream header(line);
  for (std::string c; std::getline(header, c, ',');) cols.push_back(c);
  auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
  };
  std::map<std::string, std::map<std::string, std::vector<std::string>>> at;  // context -> design -> row
  while (std::getline(csv, line)) {
    std::vector<std::string> row;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) row.push_back(c);
    at[row[col("workload.instance.seq_len")]][row[col("design")]] = row;
  }
  ASSERT_EQ(at.size(), 2u);
  auto num = [&](const std::string& ctx, const std::string& d, const std::string& c) {
    return std::stod(at[ctx][d][col("deploy_" + c)]);
  };
  EXPECT_DOUBLE_EQ(num("4K", "peak-1", "weights_bytes"), 34388917248.0 * 2);
  EXPECT_DOUBLE_EQ(num("50K", "peak-1", "kv_cache_bytes"), 51200.0 * 245760);
  EXPECT_EQ(num("4K", "peak-1", "max_concurrent_requests"), 17);
  EXPECT_EQ(num("4K", "peak-4", "max_concurrent_requests"), 273);
  EXPECT_EQ(num("50K", "peak-1", "max_concurrent_requests"), 1);
  EXPECT_EQ(num("50K", "peak-4", "max_concurrent_requests"), 21);
  EXPECT_NEAR(num("50K", "peak-1", "context_switch_seconds"), 2 * 51200.0 * 245760 / 32e9, 1e-6);
  for (const char* ctx : {"4K", "50K"})
    for (const char* n : {"1", "4"})
      for (const char* mapped : {"flash2-", "lean-"}) {
        const std::string peak = std::string("peak-") + n, m = std::string(mapped) + n;
        EXPECT_GE(num(ctx, m, "prefill_seconds"), num(ctx, peak, "prefill_seconds")) << ctx << " " << m;
        EXPECT_GE(num(ctx, m, "decode_seconds_per_token"), num(ctx, peak, "decode_seconds_per_token")) << ctx << " " << m;
      }
  std::ifstream md(out + "/report.md");
  const std::string text((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("## Deployment"), std::string::npos);
}

// einflow check on the CUDA backend: its kernels built for the host agree with
// the golden interpreter (a single cascade, int8 data into saturating int16
// sums); on a GPU they run, and without one --backend cuda exits 2 with one
// line saying why. A single cascade on the CPU alone has no independent answer.
TEST(Cli, CheckOnTheCudaBackend) {
  const std::string data = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/";
  Result host = run("check " + data + "cycle/int/workload.yaml --backend cuda-host");
  ASSERT_EQ(host.code, 0) << host.out;
  EXPECT_NE(host.out.find("backend cuda-host"), std::string::npos) << host.out;
  EXPECT_NE(host.out.find("golden interpreter"), std::string::npos) << host.out;
  // In float, the kernels compute in float (not the interpreter behind the backend's name).
  Result single = run("check " + data + "attention/tiny.yaml --backend cuda-host --float");
  ASSERT_EQ(single.code, 0) << single.out;
  EXPECT_NE(single.out.find("float precision, backend cuda-host"), std::string::npos) << single.out;
  Result gpu = run("check " + data + "attention/tiny.yaml --backend cuda");
  if (gpu.code == 2) {
    EXPECT_NE(gpu.out.find("no CUDA device is available"), std::string::npos) << gpu.out;
    EXPECT_EQ(std::count(gpu.out.begin(), gpu.out.end(), '\n'), 1) << gpu.out;
  } else {
    EXPECT_EQ(gpu.code, 0) << gpu.out;  // a GPU: the variants agree with the direct implementation
  }
  const std::string ex = std::string(EINFLOW_SOURCE_DIR) + "/configs/examples/tpu-gemm/";
  Result sim = run("simulate --arch " + ex + "arch.yaml --workload " + ex + "workload.yaml --mapping " + ex +
                   "mapping.yaml --verify --golden cuda-host");
  ASSERT_EQ(sim.code, 0) << sim.out;
  EXPECT_NE(sim.out.find("matches the CUDA backend's kernels (host build)"), std::string::npos) << sim.out;
  Result alone = run("check " + data + "cycle/int/workload.yaml");
  EXPECT_EQ(alone.code, 2) << alone.out;
  EXPECT_NE(alone.out.find("no independent answer"), std::string::npos) << alone.out;
}

}  // namespace
