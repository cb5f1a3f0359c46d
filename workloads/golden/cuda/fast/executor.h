// Where the fast kernels run: the GPU through the driver, or the host
// emulation. Private to golden/cuda/fast.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace einflow::golden::cuda::fast {

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

class Executor {
 public:
  virtual ~Executor() = default;
  // `bytes` of zeroed device memory, freed with the executor.
  virtual void* alloc(size_t bytes) = 0;
  virtual void upload(void* dst, const void* src, size_t bytes) = 0;
  virtual void download(void* dst, const void* src, size_t bytes) = 0;
  // Runs kernel `name` (extern "C" in kernels.cuh) over grid x block threads,
  // with its one argument struct.
  virtual void launch(const std::string& name, Dim3 grid, Dim3 block, const void* args, size_t args_size) = 0;
  // The device's SM count (the host: 1).
  virtual int multiprocessors() const = 0;
  virtual bool is_host() const = 0;
  // The device's name (cuDeviceGetName), or "host emulation".
  virtual std::string name() const = 0;
  // 10 * major + minor (the host emulation: 90, it has every kernel).
  virtual int compute_capability() const = 0;
  // Milliseconds per run of `work` (launches), averaged over `reps` runs after
  // one warm-up: device events on a GPU, the wall clock on the host.
  virtual double time_ms(const std::function<void()>& work, int reps) = 0;
};

std::unique_ptr<Executor> host_executor();
// UserError in one line when no CUDA device is available, or einflow was built without CUDA.
std::unique_ptr<Executor> gpu_executor();

}  // namespace einflow::golden::cuda::fast
