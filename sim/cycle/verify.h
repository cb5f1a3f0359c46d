// Output verification: a simulated tensor against the golden interpreter's.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "workloads/golden/tensor.h"
#include "workloads/workload.h"

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

// The workload's independent answer to a cascade's outputs: the direct
// implementation of a model, or its reference variant when `v` is another
// variant; an empty name when there is none. `seed`: the seeded inputs'.
struct IndependentAnswer {
  std::string name;  // "the direct implementation", "variant 3pass", or ""
  golden::TensorSet<double> values;
};
IndependentAnswer independent_answer(const workloads::Workload& w, const workloads::Variant& v, uint64_t seed);

// The one verification `simulate --verify` does: `got` against the golden
// interpreter's `want` on the same cascade (the dataflow is faithful; integer
// tensors of `cascade` exactly, the rest within `tol` relative), then against
// the independent answer when one is given, which catches a cascade that
// computes the wrong thing (an online softmax without its correction factor).
struct Verification {
  Mismatch mismatch;    // the first failure, or ok (max_abs_error over what was compared)
  std::string against;  // what the outputs matched, or the answer they failed against
  std::set<std::string> exact;  // the integer tensors, compared exactly
};
Verification verify_outputs(const workloads::Cascade& cascade, const golden::TensorSet<double>& got,
                            const golden::TensorSet<double>& want, double tol,
                            const IndependentAnswer& independent = {});

}  // namespace einflow::sim::cycle
