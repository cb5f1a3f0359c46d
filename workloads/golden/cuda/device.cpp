// run_on_gpu and compile_ptx with the CUDA toolkit: NVRTC (linked) compiles
// the generated source to PTX; the CUDA driver, opened at run time (so that
// einflow starts on machines with the toolkit but no driver), loads and
// launches it. Only built when the toolkit is found (EINFLOW_CUDA).
#include <nvrtc.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "workloads/golden/cuda/codegen.h"
#include "workloads/golden/cuda/driver.h"
#include "workloads/golden/cuda/run.h"

namespace einflow::golden::cuda {

bool built_with_cuda() { return true; }

std::string compile_ptx(const std::string& source, const std::string& arch, bool contract) {
  nvrtcProgram prog = nullptr;
  if (nvrtcCreateProgram(&prog, source.c_str(), "einflow_kernels.cu", 0, nullptr, nullptr) != NVRTC_SUCCESS)
    throw UserError(SourceLoc{}, "NVRTC could not create a program");
  const std::string gpu = "--gpu-architecture=" + arch;
  const std::string include = std::string("--include-path=") + EINFLOW_CUDA_INCLUDE_DIR;
  const char* opts[] = {gpu.c_str(), "--std=c++17", include.c_str(), contract ? "--fmad=true" : "--fmad=false"};
  const nvrtcResult r = nvrtcCompileProgram(prog, 4, opts);
  size_t log_size = 0;
  nvrtcGetProgramLogSize(prog, &log_size);
  std::string log(log_size, '\0');
  if (log_size > 0) nvrtcGetProgramLog(prog, log.data());
  if (r != NVRTC_SUCCESS) {
    nvrtcDestroyProgram(&prog);
    throw UserError(SourceLoc{}, std::string("NVRTC: ") + nvrtcGetErrorString(r) + ": " + log.substr(0, 2000));
  }
  size_t ptx_size = 0;
  nvrtcGetPTXSize(prog, &ptx_size);
  std::string ptx(ptx_size, '\0');
  nvrtcGetPTX(prog, ptx.data());
  nvrtcDestroyProgram(&prog);
  return ptx;
}

TensorSet<double> run_on_gpu(const workloads::Cascade& c, const TensorSet<double>& inputs, bool single) {
  Driver d = open_driver();
  CUdevice dev = 0;
  CUcontext ctx = nullptr;
  d.check(d.device_get(&dev, 0), "cuDeviceGet");
  d.check(d.retain(&ctx, dev), "cuDevicePrimaryCtxRetain");
  struct Release {  // the primary context, released however this ends
    const Driver& d;
    CUdevice dev;
    ~Release() { d.release_ctx(dev); }
  } release_ctx{d, dev};
  d.check(d.set_current(ctx), "cuCtxSetCurrent");
  int major = 0, minor = 0;  // PTX for the device's own compute capability
  d.check(d.attribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev), "cuDeviceGetAttribute");
  d.check(d.attribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev), "cuDeviceGetAttribute");
  const Source src = generate(c, Target::kCuda, single ? "float" : "double");
  const size_t word = single ? sizeof(float) : sizeof(double);
  const std::string ptx = compile_ptx(src.text, "compute_" + std::to_string(major) + std::to_string(minor));
  CUmodule mod = nullptr;
  d.check(d.load(&mod, ptx.c_str()), "cuModuleLoadData");
  std::vector<CUdeviceptr> dptr(c.tensors.size(), 0);
  auto release = [&]() {
    for (CUdeviceptr p : dptr)
      if (p) d.free(p);
    d.unload(mod);
  };
  try {
    for (size_t t = 0; t < c.tensors.size(); ++t) {
      const workloads::Tensor& x = c.tensors[t];
      const size_t bytes = static_cast<size_t>(x.elements()) * word;
      d.check(d.alloc(&dptr[t], bytes == 0 ? word : bytes), "cuMemAlloc");
      d.check(d.memset(dptr[t], 0, bytes), "cuMemsetD8");  // the interpreter's tensors start at 0
      if (x.kind == workloads::TensorKind::kInput) {
        auto it = inputs.find(x.name);
        if (it == inputs.end()) throw UserError(x.loc, "no data for input '" + x.name + "'");
        if (it->second.extents != x.extents) throw UserError(x.loc, "input '" + x.name + "' has the wrong shape");
        const std::vector<float> narrow(single ? it->second.data.begin() : it->second.data.end(), it->second.data.end());
        d.check(d.to_device(dptr[t], single ? static_cast<const void*>(narrow.data())
                                            : static_cast<const void*>(it->second.data.data()), bytes),
                "cuMemcpyHtoD");
      }
    }
    CUdeviceptr table = 0;
    d.check(d.alloc(&table, dptr.size() * sizeof(CUdeviceptr)), "cuMemAlloc");
    dptr.push_back(table);  // freed with the rest
    d.check(d.to_device(table, dptr.data(), (dptr.size() - 1) * sizeof(CUdeviceptr)), "cuMemcpyHtoD");
    // An init kernel takes (T, n); the driver reads only its two arguments of the three.
    auto launch = [&](const std::string& name, long long n, long long fixed) {
      CUfunction f = nullptr;
      d.check(d.function(&f, mod, name.c_str()), "cuModuleGetFunction");
      constexpr unsigned kThreads = 256;
      const unsigned blocks = static_cast<unsigned>((n + kThreads - 1) / kThreads);
      void* args[] = {&table, &n, &fixed};
      if (blocks > 0) d.check(d.launch(f, blocks, 1, 1, kThreads, 1, 1, 0, nullptr, args, nullptr), "cuLaunchKernel");
    };
    for (const auto& g : c.exec_groups) {
      for (int e : g.einsums) {
        const Source::Kernel& k = src.kernels[static_cast<size_t>(e)];
        launch(k.init, k.init_threads, 0);
        if (g.loop_rank < 0) launch(k.run, k.run_threads, -1);
      }
      if (g.loop_rank < 0) continue;
      for (long long v = 0; v < c.ranks[static_cast<size_t>(g.loop_rank)].size; ++v)
        for (int e : g.einsums) {
          const Source::Kernel& k = src.kernels[static_cast<size_t>(e)];
          launch(k.run, k.run_threads, v);
        }
    }
    d.check(d.synchronize(), "cuCtxSynchronize");
    TensorSet<double> out;
    for (size_t t = 0; t < c.tensors.size(); ++t) {
      const workloads::Tensor& x = c.tensors[t];
      if (x.kind == workloads::TensorKind::kInput) continue;
      DenseTensor<double>& o = out[x.name] = DenseTensor<double>(x.extents);
      if (single) {
        std::vector<float> narrow(o.data.size());
        d.check(d.to_host(narrow.data(), dptr[t], narrow.size() * sizeof(float)), "cuMemcpyDtoH");
        std::copy(narrow.begin(), narrow.end(), o.data.begin());
      } else {
        d.check(d.to_host(o.data.data(), dptr[t], o.data.size() * sizeof(double)), "cuMemcpyDtoH");
      }
    }
    release();
    return out;
  } catch (...) {
    release();
    throw;
  }
}

}  // namespace einflow::golden::cuda
