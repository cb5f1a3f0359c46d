#include "sim/cycle/verify.h"

#include <algorithm>
#include <cmath>

namespace einflow::sim::cycle {

Mismatch compare_tensors(const golden::TensorSet<double>& got,
                         const golden::TensorSet<double>& want, double tol,
                         const std::set<std::string>& exact) {
  Mismatch mm;
  for (const auto& [name, g] : got) {
    auto it = want.find(name);
    if (it == want.end()) continue;
    const auto& w = it->second;
    const double t = exact.count(name) ? 0.0 : tol;
    for (size_t i = 0; i < g.data.size(); ++i) {
      const double err = g.data[i] == w.data[i] ? 0.0 : std::abs(g.data[i] - w.data[i]);
      const bool bad = !(err <= t * std::max(1.0, std::abs(w.data[i])));  // equal infinities pass
      mm.max_abs_error = std::max(mm.max_abs_error, std::isfinite(err) ? err : mm.max_abs_error);
      if (bad && mm.ok) {
        mm.ok = false;
        mm.tensor = name;
        mm.got = g.data[i];
        mm.want = w.data[i];
        int64_t rest = static_cast<int64_t>(i);
        mm.index.assign(g.extents.size(), 0);
        for (size_t d = g.extents.size(); d-- > 0;) {
          mm.index[d] = rest % g.extents[d];
          rest /= g.extents[d];
        }
      }
    }
  }
  return mm;
}

}  // namespace einflow::sim::cycle
