// `einflow check`: run every variant of a workload on the golden interpreter
// with seeded inputs, and compare its outputs with an independent answer: the
// direct implementation (reference.h) for model workloads, or the reference
// variant for hand-written ones.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "workloads/golden/tensor.h"
#include "workloads/workload.h"

namespace einflow::golden {

struct CheckOptions {
  bool single_precision = false;  // float instead of double
  uint64_t seed = 1;
  std::string variant;            // only this variant ("" = all)
  double tolerance = -1;          // max relative error that passes; < 0: 1e-9 (double), 1e-3 (float)
  int threads = 0;                // for the direct implementation's kernels
  // Runs a variant's cascade instead of the interpreter: the CUDA backend's
  // kernels on a GPU or on the host (golden/cuda/run.h). The bool asks for
  // single precision (the kernels compute in float; values pass as double).
  std::function<TensorSet<double>(const workloads::Cascade&, const TensorSet<double>&, bool)> runner;
  std::string backend = "cpu";    // what runs the variants, for the report
};

// Error of one output tensor. The relative error of an entry is |a - b| / max(|b|, f)
// where b is the reference and f = 1e-2 * max|b|: entries far below the tensor's scale are
// compared on that scale, so rounding in sums that cancel does not count as a mismatch.
struct TensorDiff {
  std::string tensor;
  double max_abs = 0;
  double max_rel = 0;
  std::vector<int64_t> worst;  // coordinates of the largest relative error
  bool finite = true;          // no NaN or inf where the reference is finite
};

struct VariantCheck {
  std::string variant;
  std::vector<TensorDiff> diffs;
  double max_abs = 0;
  double max_rel = 0;
  double seconds = 0;  // interpreter time
  bool passed = false;
};

struct CheckReport {
  std::string workload;
  std::string reference;  // "direct implementation" or "variant NAME"
  std::string precision;  // "double" or "float"
  std::string backend;    // "cpu" (the interpreter), "cuda", "cuda-host"
  double tolerance = 0;
  uint64_t seed = 0;
  std::vector<VariantCheck> variants;
  bool passed = false;
};

// Throws UserError for an unknown variant.
CheckReport check_workload(const workloads::Workload& workload, const CheckOptions& options);

}  // namespace einflow::golden
