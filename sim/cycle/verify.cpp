#include "sim/cycle/verify.h"

#include <algorithm>
#include <cmath>

#include "workloads/golden/interpreter.h"
#include "workloads/golden/reference.h"

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

IndependentAnswer independent_answer(const workloads::Workload& w, const workloads::Variant& v, uint64_t seed) {
  IndependentAnswer a;
  if (w.model) {
    a.values = golden::reference_outputs<double>(*w.model, *w.instance, golden::seeded_inputs<double>(v.cascade, seed));
    a.name = "the direct implementation";
  } else if (!w.reference_variant.empty() && w.reference_variant != v.name) {
    const workloads::Cascade& rc = w.find_variant(w.reference_variant)->cascade;
    a.values = golden::interpret<double>(rc, golden::seeded_inputs<double>(rc, seed));
    a.name = "variant " + w.reference_variant;
  }
  return a;
}

Verification verify_outputs(const workloads::Cascade& c, const golden::TensorSet<double>& got,
                            const golden::TensorSet<double>& want, double tol, const IndependentAnswer& independent) {
  Verification v;
  v.against = "the golden interpreter";
  for (const auto& t : c.tensors)
    if (workloads::dtype_is_integer(t.dtype)) v.exact.insert(t.name);
  v.mismatch = compare_tensors(got, want, tol, v.exact);
  if (!v.mismatch.ok || independent.name.empty()) return v;
  golden::TensorSet<double> ref;
  for (const auto& [name, t] : got)
    if (independent.values.count(name) && independent.values.at(name).extents == t.extents)
      ref[name] = independent.values.at(name);
  v.mismatch = compare_tensors(got, ref, tol, v.exact);
  v.against = v.mismatch.ok ? v.against + " and " + independent.name : independent.name;
  return v;
}

}  // namespace einflow::sim::cycle
