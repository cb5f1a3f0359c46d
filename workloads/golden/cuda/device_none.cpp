// run_on_gpu, compile_ptx and the fast kernels' GPU executor where einflow was built without the CUDA toolkit
// (EINFLOW_CUDA off or no toolkit found): each says so, in one line.
#include "common/error.h"
#include "workloads/golden/cuda/fast/executor.h"
#include "workloads/golden/cuda/run.h"

namespace einflow::golden::cuda {

namespace {

[[noreturn]] void without_cuda() {
  throw UserError(SourceLoc{}, "no CUDA device is available (einflow was built without the CUDA toolkit: configure "
                               "with -DEINFLOW_CUDA=ON where it is installed)");
}

}  // namespace

bool built_with_cuda() { return false; }

std::string compile_ptx(const std::string&, const std::string&, bool) { without_cuda(); }

TensorSet<double> run_on_gpu(const workloads::Cascade&, const TensorSet<double>&, bool) { without_cuda(); }

std::unique_ptr<fast::Executor> fast::gpu_executor() { without_cuda(); }

}  // namespace einflow::golden::cuda
