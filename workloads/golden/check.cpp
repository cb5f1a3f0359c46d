#include "workloads/golden/check.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/progress.h"
#include "common/text.h"
#include "workloads/golden/interpreter.h"
#include "workloads/golden/reference.h"

namespace einflow::golden {

namespace {

template <class T>
TensorDiff compare(const std::string& name, const DenseTensor<T>& got, const DenseTensor<T>& want) {
  TensorDiff d;
  d.tensor = name;
  EINFLOW_ASSERT(got.extents == want.extents, "compared tensors differ in shape: " + name);
  double peak = 0;
  for (T v : want.data)
    if (std::isfinite(static_cast<double>(v))) peak = std::max(peak, std::fabs(static_cast<double>(v)));
  double floor = std::max(1e-2 * peak, 1e-300);
  int64_t worst = 0;
  for (size_t i = 0; i < want.data.size(); ++i) {
    double a = got.data[i], b = want.data[i];
    if (std::isfinite(b) && !std::isfinite(a)) {
      if (d.finite) worst = static_cast<int64_t>(i);
      d.finite = false;
      continue;
    }
    if (!std::isfinite(b)) continue;
    double abs = std::fabs(a - b), rel = abs / std::max(std::fabs(b), floor);
    d.max_abs = std::max(d.max_abs, abs);
    if (rel > d.max_rel && d.finite) {
      d.max_rel = rel;
      worst = static_cast<int64_t>(i);
    }
  }
  if (!d.finite) d.max_rel = d.max_abs = INFINITY;
  for (size_t k = 0; k < want.extents.size(); ++k) d.worst.push_back((worst / want.strides[k]) % want.extents[k]);
  return d;
}

template <class T>
CheckReport run_check(const workloads::Workload& w, const CheckOptions& opt) {
  CheckReport rep;
  rep.workload = w.name;
  rep.precision = std::is_same<T, float>::value ? "float" : "double";
  rep.tolerance = opt.tolerance >= 0 ? opt.tolerance : (std::is_same<T, float>::value ? 1e-3 : 1e-9);
  rep.seed = opt.seed;
  rep.backend = opt.backend;
  if (!opt.variant.empty() && !w.find_variant(opt.variant))
    throw UserError(SourceLoc{w.file, 0, 0}, "--variant", "no variant named '" + opt.variant + "'; the workload has " +
                                                             join(w.variant_names(), ", ") +
                                                             did_you_mean(opt.variant, w.variant_names()));
  TensorSet<T> expected;
  std::string ref_variant;
  if (w.model) {
    rep.reference = "direct implementation";
    TensorSet<T> inputs = seeded_inputs<T>(w.variants.front().cascade, opt.seed);
    expected = reference_outputs<T>(*w.model, *w.instance, inputs, opt.threads);
  } else if (opt.runner) {
    rep.reference = "golden interpreter";  // per variant, below: the backend against the oracle
  } else {
    if (w.reference_variant.empty())
      throw UserError(SourceLoc{w.file, 0, 0}, "cascade '" + w.name + "' has one form and no independent answer: "
                      "einflow check compares a model with its direct implementation, or a workload's variants "
                      "with its reference variant (variants: and reference:); --backend cuda or cuda-host compares "
                      "the CUDA backend's kernels with the golden interpreter");
    ref_variant = w.reference_variant;
    rep.reference = "variant " + ref_variant;
    const auto& c = w.find_variant(ref_variant)->cascade;
    TensorSet<T> all = interpret<T>(c, seeded_inputs<T>(c, opt.seed));
    for (int t : c.outputs()) expected[c.tensors[t].name] = all[c.tensors[t].name];
  }
  rep.passed = true;
  for (const auto& v : w.variants) {
    progress::tick("check: variants", static_cast<double>(rep.variants.size()), static_cast<double>(w.variants.size()));
    if (!opt.variant.empty() && v.name != opt.variant) continue;
    if (opt.variant.empty() && v.name == ref_variant && w.variants.size() > 1) continue;
    VariantCheck vc;
    vc.variant = v.name;
    auto start = std::chrono::steady_clock::now();
    TensorSet<T> got;
    if (!opt.runner) {
      got = interpret<T>(v.cascade, seeded_inputs<T>(v.cascade, opt.seed));
    } else if constexpr (std::is_same<T, double>::value) {
      got = opt.runner(v.cascade, seeded_inputs<T>(v.cascade, opt.seed), false);
    } else {  // the same float inputs, passed as double; the float results come back exact
      TensorSet<double> wide;
      for (const auto& [name, t] : seeded_inputs<T>(v.cascade, opt.seed)) {
        DenseTensor<double>& w = wide[name] = DenseTensor<double>(t.extents);
        std::copy(t.data.begin(), t.data.end(), w.data.begin());
      }
      for (const auto& [name, t] : opt.runner(v.cascade, wide, true)) {
        DenseTensor<T>& n = got[name] = DenseTensor<T>(t.extents);
        std::transform(t.data.begin(), t.data.end(), n.data.begin(), [](double x) { return static_cast<T>(x); });
      }
    }
    vc.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    vc.passed = true;
    if (!w.model && opt.runner) {  // the oracle: the interpreter on the same variant
      expected.clear();
      TensorSet<T> all = interpret<T>(v.cascade, seeded_inputs<T>(v.cascade, opt.seed));
      for (int t : v.cascade.outputs()) expected[v.cascade.tensors[t].name] = all[v.cascade.tensors[t].name];
    }
    for (int t : v.cascade.outputs()) {
      const std::string& name = v.cascade.tensors[t].name;
      auto it = expected.find(name);
      if (it == expected.end())
        throw UserError(v.cascade.tensors[t].loc, "output '" + name + "' of variant '" + v.name +
                                                      "' has no counterpart in the " + rep.reference);
      if (it->second.extents != got[name].extents)
        throw UserError(v.cascade.tensors[t].loc, "output '" + name + "' of variant '" + v.name +
                                                      "' differs in shape from the " + rep.reference);
      vc.diffs.push_back(compare(name, got[name], it->second));
      vc.max_abs = std::max(vc.max_abs, vc.diffs.back().max_abs);
      vc.max_rel = std::max(vc.max_rel, vc.diffs.back().max_rel);
    }
    vc.passed = vc.max_rel <= rep.tolerance;
    rep.passed = rep.passed && vc.passed;
    rep.variants.push_back(vc);
  }
  return rep;
}

}  // namespace

CheckReport check_workload(const workloads::Workload& w, const CheckOptions& opt) {
  return opt.single_precision ? run_check<float>(w, opt) : run_check<double>(w, opt);
}

}  // namespace einflow::golden
