// Output verification: a simulated tensor against the golden interpreter's.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "workloads/golden/tensor.h"

namespace einflow::sim::cycle {

// The first element where `got` and `want` differ by more than
// tol * max(1, |want|), or at all for the tensors in `exact` (integer data);
// ok when none.
struct Mismatch {
  bool ok = true;
  std::string tensor;
  std::vector<int64_t> index;
  double got = 0, want = 0;
  double max_abs_error = 0;
};
Mismatch compare_tensors(const golden::TensorSet<double>& got,
                         const golden::TensorSet<double>& want, double tol,
                         const std::set<std::string>& exact = {});

}  // namespace einflow::sim::cycle
