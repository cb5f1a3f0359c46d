// The CUDA driver's entry points, opened at run time with dlopen so that
// einflow starts on machines with the toolkit but no driver. Private to the
// CUDA-built sources of the backend (includes cuda.h).
#pragma once

#include <cuda.h>
#include <dlfcn.h>

#include <string>

#include "common/error.h"

namespace einflow::golden::cuda {

// The driver's entry points, found at run time.
struct Driver {
  void* lib = nullptr;
  CUresult (*init)(unsigned) = nullptr;
  CUresult (*device_count)(int*) = nullptr;
  CUresult (*device_get)(CUdevice*, int) = nullptr;
  CUresult (*device_name)(char*, int, CUdevice) = nullptr;
  CUresult (*retain)(CUcontext*, CUdevice) = nullptr;
  CUresult (*release_ctx)(CUdevice) = nullptr;
  CUresult (*attribute)(int*, CUdevice_attribute, CUdevice) = nullptr;
  CUresult (*memset)(CUdeviceptr, unsigned char, size_t) = nullptr;
  CUresult (*set_current)(CUcontext) = nullptr;
  CUresult (*load)(CUmodule*, const void*) = nullptr;
  CUresult (*unload)(CUmodule) = nullptr;
  CUresult (*function)(CUfunction*, CUmodule, const char*) = nullptr;
  CUresult (*alloc)(CUdeviceptr*, size_t) = nullptr;
  CUresult (*free)(CUdeviceptr) = nullptr;
  CUresult (*to_device)(CUdeviceptr, const void*, size_t) = nullptr;
  CUresult (*to_host)(void*, CUdeviceptr, size_t) = nullptr;
  CUresult (*launch)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream,
                     void**, void**) = nullptr;
  CUresult (*synchronize)() = nullptr;
  CUresult (*error_string)(CUresult, const char**) = nullptr;
  CUresult (*event_create)(CUevent*, unsigned) = nullptr;
  CUresult (*event_record)(CUevent, CUstream) = nullptr;
  CUresult (*event_synchronize)(CUevent) = nullptr;
  CUresult (*event_elapsed)(float*, CUevent, CUevent) = nullptr;
  CUresult (*event_destroy)(CUevent) = nullptr;

  template <class F>
  void find(F& f, const char* name) {
    f = reinterpret_cast<F>(dlsym(lib, name));
    if (!f) throw UserError(SourceLoc{}, std::string("no CUDA device is available (the driver lacks ") + name + ")");
  }
  // The event functions, only for timing (fast/gpu.cpp); cuEventElapsedTime_v2
  // is recent (the CUDA 13 headers' name), older drivers have the plain one.
  void find_events() {
    find(event_create, "cuEventCreate");
    find(event_record, "cuEventRecord");
    find(event_synchronize, "cuEventSynchronize");
    find(event_destroy, "cuEventDestroy_v2");
    event_elapsed = reinterpret_cast<decltype(event_elapsed)>(dlsym(lib, "cuEventElapsedTime_v2"));
    if (!event_elapsed) find(event_elapsed, "cuEventElapsedTime");
  }
  std::string error(CUresult r) const {
    const char* s = nullptr;
    if (error_string) error_string(r, &s);
    return s ? s : "CUDA error " + std::to_string(static_cast<int>(r));
  }
  void check(CUresult r, const char* what) const {
    if (r != CUDA_SUCCESS) throw UserError(SourceLoc{}, std::string(what) + ": " + error(r));
  }
};

inline Driver open_driver() {
  Driver d;
  d.lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!d.lib) throw UserError(SourceLoc{}, "no CUDA device is available (libcuda.so.1: no CUDA driver installed)");
  d.find(d.init, "cuInit");
  d.find(d.error_string, "cuGetErrorString");
  d.find(d.device_count, "cuDeviceGetCount");
  d.find(d.device_get, "cuDeviceGet");
  d.find(d.device_name, "cuDeviceGetName");
  d.find(d.retain, "cuDevicePrimaryCtxRetain");
  d.find(d.release_ctx, "cuDevicePrimaryCtxRelease_v2");
  d.find(d.attribute, "cuDeviceGetAttribute");
  d.find(d.memset, "cuMemsetD8_v2");
  d.find(d.set_current, "cuCtxSetCurrent");
  d.find(d.load, "cuModuleLoadData");
  d.find(d.unload, "cuModuleUnload");
  d.find(d.function, "cuModuleGetFunction");
  d.find(d.alloc, "cuMemAlloc_v2");
  d.find(d.free, "cuMemFree_v2");
  d.find(d.to_device, "cuMemcpyHtoD_v2");
  d.find(d.to_host, "cuMemcpyDtoH_v2");
  d.find(d.launch, "cuLaunchKernel");
  d.find(d.synchronize, "cuCtxSynchronize");
  const CUresult r = d.init(0);
  if (r != CUDA_SUCCESS) throw UserError(SourceLoc{}, "no CUDA device is available (cuInit: " + d.error(r) + ")");
  int n = 0;
  d.check(d.device_count(&n), "cuDeviceGetCount");
  if (n == 0) throw UserError(SourceLoc{}, "no CUDA device is available (cuDeviceGetCount: 0 devices)");
  return d;
}


}  // namespace einflow::golden::cuda
