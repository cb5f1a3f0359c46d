// The CUDA backend's code generator: any cascade as CUDA C++ source, one pair
// of kernels per Einsum (initialise its output: the reduction's identity or
// the mask's fill; then run it: a thread per output point, its reduced ranks
// looped in the Einsum's order, so integer saturation and every reduction
// (sum, max, min, product) fold exactly as the golden interpreter folds them).
// The same source compiles for the host (each kernel a loop over its thread
// indices), so its indexing is checked against the interpreter without a GPU
// (host_run.h), and NVRTC compiles it to PTX without a GPU (nvrtc.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/cascade.h"

namespace einflow::golden::cuda {

enum class Target : uint8_t { kCuda, kHost };

struct Source {
  std::string text;
  // Per Einsum (cascade index): its kernels' names and thread counts.
  struct Kernel {
    std::string init, run;
    int64_t init_threads = 0, run_threads = 0;  // run: per launch (a recurrence's step fixes its rank)
  };
  std::vector<Kernel> kernels;
};

// `scalar`: "double" or "float". Tensors are passed as one array of pointers
// indexed like cascade.tensors (row-major, last rank contiguous); a run kernel
// takes the value of the rank its exec group loops over (-1 when none).
Source generate(const workloads::Cascade& cascade, Target target, const std::string& scalar);

}  // namespace einflow::golden::cuda
