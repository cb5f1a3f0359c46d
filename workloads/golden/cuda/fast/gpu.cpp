// The fast kernels on a GPU: NVRTC compiles kernels.cuh for the device's
// compute capability (once per process), the driver runs it.
#include <cuda.h>
#include <nvrtc.h>

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

// The primary context, retained for the executor's life (released however it ends).
struct PrimaryContext {
  const Driver& d;
  CUdevice dev = 0;
  CUcontext ctx = nullptr;
  PrimaryContext(const Driver& driver, CUdevice device) : d(driver), dev(device) {
    d.check(d.retain(&ctx, dev), "cuDevicePrimaryCtxRetain");
  }
  ~PrimaryContext() { d.release_ctx(dev); }
  PrimaryContext(const PrimaryContext&) = delete;
  PrimaryContext& operator=(const PrimaryContext&) = delete;
};

CUdevice first_device(const Driver& d) {
  CUdevice dev = 0;
  d.check(d.device_get(&dev, 0), "cuDeviceGet");
  return dev;
}

// The compute capabilities this NVRTC compiles for, as 10 * major + minor.
bool nvrtc_supports(int cc, std::string& lowest) {
  int n = 0;
  if (nvrtcGetNumSupportedArchs(&n) != NVRTC_SUCCESS || n <= 0) return true;  // let the compile say
  std::vector<int> archs(static_cast<size_t>(n));
  nvrtcGetSupportedArchs(archs.data());
  lowest = std::to_string(archs.front() / 10) + "." + std::to_string(archs.front() % 10);
  return std::find(archs.begin(), archs.end(), cc) != archs.end() || cc > archs.back();
}

class GpuExecutor : public Executor {
 public:
  GpuExecutor() : m_d(open_driver()), m_ctx(m_d, first_device(m_d)) {
    m_d.check(m_d.set_current(m_ctx.ctx), "cuCtxSetCurrent");
    int major = 0, minor = 0;
    m_d.check(m_d.attribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, m_ctx.dev), "cuDeviceGetAttribute");
    m_d.check(m_d.attribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, m_ctx.dev), "cuDeviceGetAttribute");
    m_d.check(m_d.attribute(&m_sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, m_ctx.dev), "cuDeviceGetAttribute");
    m_cc = 10 * major + minor;
    std::string lowest;
    if (m_cc < 70 || !nvrtc_supports(m_cc, lowest))
      throw UserError(SourceLoc{}, "no CUDA device is available that the fast kernels support (compute capability " +
                                       std::to_string(major) + "." + std::to_string(minor) +
                                       (m_cc < 70 ? ": they need tensor cores, 7.0 or later"
                                                  : ": this toolkit's NVRTC compiles for " + lowest + " and later") +
                                       ")");
    m_d.check(m_d.load(&m_mod, ptx_for("compute_" + std::to_string(m_cc)).c_str()), "cuModuleLoadData");
  }
  ~GpuExecutor() override {
    for (CUdeviceptr p : m_allocs) m_d.free(p);
    if (m_mod) m_d.unload(m_mod);
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
  int compute_capability() const override { return m_cc; }
  bool is_host() const override { return false; }
  std::string name() const override {
    char buf[256] = {};
    return m_d.device_name(buf, static_cast<int>(sizeof buf - 1), m_ctx.dev) == CUDA_SUCCESS ? buf : "a CUDA device";
  }
  double time_ms(const std::function<void()>& work, int reps) override {
    if (!m_d.event_elapsed) m_d.find_events();
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
  PrimaryContext m_ctx;
  CUmodule m_mod = nullptr;
  int m_sms = 1, m_cc = 0;
  std::vector<CUdeviceptr> m_allocs;
};

}  // namespace

std::unique_ptr<Executor> gpu_executor() { return std::make_unique<GpuExecutor>(); }

}  // namespace einflow::golden::cuda::fast
