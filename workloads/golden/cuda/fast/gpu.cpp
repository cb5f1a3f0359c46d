// The fast kernels on a GPU: NVRTC compiles kernels.cuh for the device's
// compute capability (once per process), the driver runs it.
#include <cuda.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <vector>

#include "workloads/golden/cuda/driver.h"
#include "workloads/golden/cuda/fast/executor.h"
#include "workloads/golden/cuda/fast/fast.h"
#include "workloads/golden/cuda/run.h"

namespace einflow::golden::cuda::fast {

namespace {

// PTX for `arch`, compiled once.
const std::string& ptx_for(const std::string& arch) {
  static std::mutex mu;
  static std::map<std::string, std::string> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(arch);
  if (it == cache.end()) it = cache.emplace(arch, compile_ptx(kernel_source(), arch, true)).first;
  return it->second;
}

class GpuExecutor : public Executor {
 public:
  GpuExecutor() : m_d(open_driver()) {
    m_d.check(m_d.device_get(&m_dev, 0), "cuDeviceGet");
    m_d.check(m_d.retain(&m_ctx, m_dev), "cuDevicePrimaryCtxRetain");
    m_retained = true;
    m_d.check(m_d.set_current(m_ctx), "cuCtxSetCurrent");
    int major = 0, minor = 0;
    m_d.check(m_d.attribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, m_dev), "cuDeviceGetAttribute");
    m_d.check(m_d.attribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, m_dev), "cuDeviceGetAttribute");
    m_d.check(m_d.attribute(&m_sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, m_dev), "cuDeviceGetAttribute");
    if (major < 7) throw UserError(SourceLoc{}, "the fast kernels need tensor cores (compute capability 7.0 or later)");
    m_d.check(m_d.load(&m_mod, ptx_for("compute_" + std::to_string(major) + std::to_string(minor)).c_str()),
              "cuModuleLoadData");
  }
  ~GpuExecutor() override {
    for (CUdeviceptr p : m_allocs) m_d.free(p);
    if (m_mod) m_d.unload(m_mod);
    if (m_retained) m_d.release_ctx(m_dev);
  }
  void* alloc(size_t bytes) override {
    CUdeviceptr p = 0;
    m_d.check(m_d.alloc(&p, bytes == 0 ? 16 : bytes), "cuMemAlloc");
    m_allocs.push_back(p);
    m_d.check(m_d.memset(p, 0, bytes), "cuMemsetD8");
    return reinterpret_cast<void*>(p);
  }
  void upload(void* dst, const void* src, size_t bytes) override {
    m_d.check(m_d.to_device(reinterpret_cast<CUdeviceptr>(dst), src, bytes), "cuMemcpyHtoD");
  }
  void download(void* dst, const void* src, size_t bytes) override {
    m_d.check(m_d.synchronize(), "cuCtxSynchronize");
    m_d.check(m_d.to_host(dst, reinterpret_cast<CUdeviceptr>(src), bytes), "cuMemcpyDtoH");
  }
  void launch(const std::string& name, Dim3 grid, Dim3 block, const void* args, size_t) override {
    CUfunction f = nullptr;
    m_d.check(m_d.function(&f, m_mod, name.c_str()), "cuModuleGetFunction");
    void* params[] = {const_cast<void*>(args)};
    m_d.check(m_d.launch(f, grid.x, grid.y, grid.z, block.x, block.y, block.z, 0, nullptr, params, nullptr),
              ("cuLaunchKernel(" + name + ")").c_str());
  }
  int multiprocessors() const override { return m_sms; }
  bool is_host() const override { return false; }
  double time_ms(const std::function<void()>& work, int reps) override {
    work();
    CUevent start = nullptr, stop = nullptr;
    m_d.check(m_d.event_create(&start, CU_EVENT_DEFAULT), "cuEventCreate");
    m_d.check(m_d.event_create(&stop, CU_EVENT_DEFAULT), "cuEventCreate");
    float ms = 0;
    try {
      m_d.check(m_d.event_record(start, nullptr), "cuEventRecord");
      for (int r = 0; r < reps; ++r) work();
      m_d.check(m_d.event_record(stop, nullptr), "cuEventRecord");
      m_d.check(m_d.event_synchronize(stop), "cuEventSynchronize");
      m_d.check(m_d.event_elapsed(&ms, start, stop), "cuEventElapsedTime");
    } catch (...) {
      m_d.event_destroy(start);
      m_d.event_destroy(stop);
      throw;
    }
    m_d.event_destroy(start);
    m_d.event_destroy(stop);
    return ms / std::max(reps, 1);
  }

 private:
  Driver m_d;
  CUdevice m_dev = 0;
  CUcontext m_ctx = nullptr;
  bool m_retained = false;
  CUmodule m_mod = nullptr;
  int m_sms = 1;
  std::vector<CUdeviceptr> m_allocs;
};

}  // namespace

std::unique_ptr<Executor> gpu_executor() { return std::make_unique<GpuExecutor>(); }

}  // namespace einflow::golden::cuda::fast
