// The host emulation of the fast kernels: kernels.cuh compiled by the host
// compiler over host_shim.h, each block's threads run as std::threads.
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "common/error.h"
#include "workloads/golden/cuda/fast/executor.h"
#include "workloads/golden/cuda/fast/host_shim.h"
#include "workloads/golden/cuda/fast/kernels.cuh"

namespace einflow::golden::cuda::fast {

namespace {

using HostKernel = void (*)(const void*);

template <class A, void (*K)(A)>
void call(const void* args) {
  K(*static_cast<const A*>(args));
}

#define EF_ATTENTION_ENTRIES(D)                                                          \
  {"ef_flash_decode_d" #D, call<EfAttentionArgs, ef_flash_decode_d##D>},                 \
      {"ef_decode_combine_d" #D, call<EfAttentionArgs, ef_decode_combine_d##D>}

const std::map<std::string, HostKernel>& kernels() {
  static const std::map<std::string, HostKernel> table = {
      {"ef_gemm_f16", call<EfGemmArgs, ef_gemm_f16>},
      {"ef_gemm_bf16", call<EfGemmArgs, ef_gemm_bf16>},
      {"ef_softmax_rows", call<EfRowsArgs, ef_softmax_rows>},
      {"ef_layernorm_rows", call<EfRowsArgs, ef_layernorm_rows>},
      {"ef_rmsnorm_rows", call<EfRowsArgs, ef_rmsnorm_rows>},
      {"ef_flash_attention_d32", call<EfAttentionArgs, ef_flash_attention_d32>},
      {"ef_flash_attention_d64", call<EfAttentionArgs, ef_flash_attention_d64>},
      {"ef_flash_attention_d96", call<EfAttentionArgs, ef_flash_attention_d96>},
      {"ef_flash_attention_d128", call<EfAttentionArgs, ef_flash_attention_d128>},
      EF_ATTENTION_ENTRIES(32),
      EF_ATTENTION_ENTRIES(64),
      EF_ATTENTION_ENTRIES(96),
      EF_ATTENTION_ENTRIES(128),
      EF_ATTENTION_ENTRIES(256),
  };
  return table;
}

// A GPU block may declare 48 KiB of static shared memory; so may an emulated one.
constexpr size_t kSharedBytes = 48 * 1024;

void run_block(HostKernel kernel, const void* args, Dim3 grid, Dim3 block, Dim3 index) {
  ef_host::Block b;
  b.grid = {grid.x, grid.y, grid.z};
  b.block = {block.x, block.y, block.z};
  b.index = {index.x, index.y, index.z};
  b.threads = static_cast<int>(block.x * block.y * block.z);
  b.all = std::make_unique<ef_host::Barrier>(b.threads);
  for (int w = 0; w * 32 < b.threads; ++w) b.warps.push_back(std::make_unique<ef_host::Barrier>(std::min(32, b.threads - w * 32)));
  b.slots.assign(static_cast<size_t>(b.threads), 0);
  b.shared.assign(kSharedBytes, 0);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(b.threads));
  for (int t = 0; t < b.threads; ++t)
    threads.emplace_back([&b, t, kernel, args, block] {
      ef_host::current = ef_host::Thread{};
      ef_host::current.block = &b;
      ef_host::current.linear = t;
      const unsigned u = static_cast<unsigned>(t);
      ef_host::current.tid = {u % block.x, u / block.x % block.y, u / (block.x * block.y)};
      kernel(args);
    });
  for (std::thread& th : threads) th.join();
}

class HostExecutor : public Executor {
 public:
  void* alloc(size_t bytes) override {
    m_blocks.emplace_back(bytes / 16 + 1);  // 16-byte aligned, zeroed
    return m_blocks.back().data();
  }
  void upload(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void download(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void launch(const std::string& name, Dim3 grid, Dim3 block, const void* args, size_t) override {
    const auto it = kernels().find(name);
    if (it == kernels().end()) throw InternalError("fast kernel " + name + " missing from the host build");
    for (unsigned z = 0; z < grid.z; ++z)
      for (unsigned y = 0; y < grid.y; ++y)
        for (unsigned x = 0; x < grid.x; ++x) run_block(it->second, args, grid, block, {x, y, z});
  }
  int multiprocessors() const override { return 1; }
  bool is_host() const override { return true; }
  std::string name() const override { return "host emulation"; }
  int compute_capability() const override { return 90; }
  double time_ms(const std::function<void()>& work, int reps) override {
    work();
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) work();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / std::max(reps, 1);
  }

 private:
  struct alignas(16) Chunk {
    unsigned char bytes[16];
  };
  std::vector<std::vector<Chunk>> m_blocks;
};

}  // namespace

std::unique_ptr<Executor> host_executor() { return std::make_unique<HostExecutor>(); }

}  // namespace einflow::golden::cuda::fast
