// Running a cascade through the CUDA backend's generated kernels, in the
// golden interpreter's order (exec groups; a recurrence's group stepped over
// its rank): on a GPU (run_on_gpu: NVRTC, the CUDA driver), or on the host
// (run_on_host: the same kernels compiled for the host by the system C++
// compiler, so that the generator is checked against the interpreter where no
// GPU is). Both return every tensor the cascade writes.
#pragma once

#include <string>

#include "workloads/cascade.h"
#include "workloads/golden/tensor.h"

namespace einflow::golden::cuda {

// Whether this einflow was built with the CUDA backend (NVRTC linked).
bool built_with_cuda();

// CUDA source compiled to PTX (NVRTC; no GPU needed), for the compute
// capability `arch` (e.g. "compute_80"), with the toolkit's headers on the
// include path. Without `contract`, no fused multiply-adds (each operation
// rounds as the interpreter's does; the generated kernels); with it, NVRTC's
// default (the fast kernels). UserError with NVRTC's log when it does not
// compile, or when einflow was built without CUDA.
std::string compile_ptx(const std::string& source, const std::string& arch = "compute_80", bool contract = false);

// `single`: the kernels compute in float (the inputs rounded to float, the
// outputs widened back), else in double.
// UserError, in one line, when no CUDA device is available (no driver, no
// device: the runtime error reported) or einflow was built without CUDA.
TensorSet<double> run_on_gpu(const workloads::Cascade& cascade, const TensorSet<double>& inputs, bool single = false);

// The host build of the same kernels. The compiler is $EINFLOW_CXX, else
// `c++`; UserError when it fails (with its output).
TensorSet<double> run_on_host(const workloads::Cascade& cascade, const TensorSet<double>& inputs, bool single = false);

}  // namespace einflow::golden::cuda
