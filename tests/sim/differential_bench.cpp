// The long differential run (issue 24): N random cases (nests and groups) of
// the cycle model against the per-cycle reference. Prints the distribution of
// model / reference, the cases where the model is below the reference or the
// counts differ (with their YAML), and exits 1 if there is any.
//   differential_bench [CASES] [SEED] [nests|groups|both]   (default 10000 cases, seed 1, both)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/files.h"
#include "tests/sim/reference/random_case.h"


int main(int argc, char** argv) {
  using namespace einflow::reference;
  // One case from a folder (arch.yaml, w.yaml, m.yaml), as printed by a run:
  // set EINFLOW_REFERENCE_TRACE=1 for the reference's operations.
  if (argc > 1 && !einflow::read_file(std::string(argv[1]) + "/arch.yaml").empty()) {
    const std::string d = argv[1];
    RandomCase rc{einflow::read_file(d + "/arch.yaml"), einflow::read_file(d + "/w.yaml"),
                  einflow::read_file(d + "/m.yaml"), false};
    rc.cascade = is_cascade_mapping(rc.mapping);
    const Comparison k = compare(rc);
    std::printf("model %lld, reference %lld (%s; fixed rules %lld)%s\n", static_cast<long long>(k.model),
                static_cast<long long>(k.reference), k.arbitration.c_str(), static_cast<long long>(k.fixed_reference),
                k.error.c_str());
    for (const auto& x : k.count_differences) std::printf("  %s\n", x.c_str());
    return 0;
  }
  const long cases = argc > 1 ? std::atol(argv[1]) : 10000;
  const unsigned long long seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  const std::string kinds = argc > 3 ? argv[3] : "both";  // nests, groups or both (every fourth a group)
  std::mt19937_64 rng(seed);
  std::vector<double> ratio;
  int bad = 0, errors = 0, skipped = 0, groups = 0;
  long below_fixed = 0, searched = 0;  // the model below the fixed rules' best; of those, met by a seeded one
  std::vector<double> fixed_ratio;
  const char* above = std::getenv("EINFLOW_DIFF_ABOVE");  // also print cases with model / reference over this
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < cases; ++i) {
    const bool group = kinds == "groups" || (kinds == "both" && i % 4 == 3);
    const RandomCase rc = group ? random_group_case(rng) : random_nest_case(rng);
    const Comparison k = compare(rc);
    if (!k.error.empty()) {
      ++errors;
      std::printf("case %ld: error %s\n%s%s%s\n", i, k.error.c_str(), rc.arch.c_str(), rc.workload.c_str(), rc.mapping.c_str());
      continue;
    }
    if (!k.valid) {
      ++skipped;
      continue;
    }
    groups += group;
    ratio.push_back(static_cast<double>(k.model) / static_cast<double>(std::max<int64_t>(1, k.reference)));
    // (No fixed rule ran to the end: the searched figure stands for them.)
    const int64_t fixed = k.fixed_reference >= 0 ? k.fixed_reference : k.reference;
    fixed_ratio.push_back(static_cast<double>(k.model) / static_cast<double>(std::max<int64_t>(1, fixed)));
    if (k.model < fixed) {
      ++below_fixed;
      searched += k.model >= k.reference;
    }
    if (k.model < k.reference || !k.count_differences.empty() ||
        (above && static_cast<double>(k.model) > std::atof(above) * static_cast<double>(k.reference))) {
      bad += k.model < k.reference || !k.count_differences.empty();
      std::printf("case %ld: model %lld, reference %lld (%s; fixed rules %lld)\n", i, static_cast<long long>(k.model),
                  static_cast<long long>(k.reference), k.arbitration.c_str(), static_cast<long long>(k.fixed_reference));
      for (const auto& d : k.count_differences) std::printf("  %s\n", d.c_str());
      std::printf("%s%s%s\n", rc.arch.c_str(), rc.workload.c_str(), rc.mapping.c_str());
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::sort(ratio.begin(), ratio.end());
  auto q = [&](double f) { return ratio.empty() ? 0.0 : ratio[static_cast<size_t>(f * static_cast<double>(ratio.size() - 1))]; };
  long exact = 0;
  for (double x : ratio) exact += x == 1.0;
  std::printf("%zu cases compared (%d groups), %d not valid mappings, %d errors, %d disagreeing, %.1f s\n", ratio.size(),
              groups, skipped, errors, bad, secs);
  std::printf("model / reference: equal in %ld; median %.3f, 90%% %.3f, 99%% %.3f, max %.3f\n", exact, q(0.5), q(0.9),
              q(0.99), q(1.0));
  long under = 0;
  for (double x : ratio) under += x < 1.0;
  std::printf("model below the reference in %ld (%.2f%%), at worst by the factor %.3f\n", under,
              ratio.empty() ? 0.0 : 100.0 * static_cast<double>(under) / static_cast<double>(ratio.size()),
              ratio.empty() ? 1.0 : ratio.front());
  std::sort(fixed_ratio.begin(), fixed_ratio.end());
  std::printf("below the fixed rules' best in %ld (%.2f%%, at worst by the factor %.3f); the search met the "
              "model in %ld of them\n",
              below_fixed,
              fixed_ratio.empty() ? 0.0 : 100.0 * static_cast<double>(below_fixed) / static_cast<double>(fixed_ratio.size()),
              fixed_ratio.empty() ? 1.0 : fixed_ratio.front(), searched);
  return bad || errors ? 1 : 0;
}
