// Small cascades and the miniature FuseMax's folder, shared by the cascade
// search tests (cascade_search_test.cpp, optimal_test.cpp).
#pragma once

#include <string>

namespace einflow::cascade::cascade_testing {

inline const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/attention/";

// A GEMV and an exponential after it: two Einsums, ranks M = K = 2.
inline const char* const kTwo = R"(cascade:
  name: two
  ranks: {M: 2, K: 2}
  inputs: {A: [M, K], B: [K]}
  einsums:
    - Z[m] = A[m,k] * B[k]
    - Y[m] = exp(Z[m])
)";

}  // namespace einflow::cascade::cascade_testing
