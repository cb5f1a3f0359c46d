// einflow check WORKLOAD.yaml: golden run of every variant, compared with the
// direct implementation (or the reference variant).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "common/text.h"
#include "tools/cli/commands.h"
#include "tools/cli/options.h"
#include "workloads/golden/check.h"
#include "workloads/golden/cuda/run.h"

namespace einflow::cli {

namespace {

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

}  // namespace

Runner add_check(CLI::App& app) {
  auto* sub = app.add_subcommand("check", "Golden run of a workload's cascades, compared with a direct implementation");
  auto opt = std::make_shared<WorkloadOptions>();
  auto copt = std::make_shared<golden::CheckOptions>();
  auto json = std::make_shared<bool>(false);
  add_workload_options(*sub, *opt);
  sub->add_flag("--json", *json, "Print one JSON object");
  sub->add_flag("--float", copt->single_precision, "Compute in float instead of double");
  sub->add_option("--seed", copt->seed, "Seed of the input values");
  sub->add_option("--tolerance", copt->tolerance, "Largest relative error that passes (default 1e-9 double, 1e-3 float)");
  sub->add_option("--threads", copt->threads, "Threads of the direct implementation (default: all)");
  auto backend = std::make_shared<std::string>("cpu");
  sub->add_option("--backend", *backend,
                  "What runs the variants: cpu (the golden interpreter), cuda (the CUDA backend's kernels on a GPU), "
                  "cuda-host (the same generated kernels built for the host, to check them without a GPU)")
      ->check(CLI::IsMember({"cpu", "cuda", "cuda-host"}));
  return [opt, copt, json, backend]() {
    workloads::Workload w = load(*opt);
    golden::CheckOptions o = *copt;
    o.variant = opt->variant;
    o.backend = *backend;
    if (*backend == "cuda") {
      o.runner = [](const workloads::Cascade& c, const golden::TensorSet<double>& in, bool single) {
        try {
          return golden::cuda::run_on_gpu(c, in, single);
        } catch (const UserError& e) {  // located at the option that asked for it
          throw UserError(SourceLoc{"--backend", 0, 0}, e.diagnostics().front().message);
        }
      };
    } else if (*backend == "cuda-host") {
      o.runner = [](const workloads::Cascade& c, const golden::TensorSet<double>& in, bool single) {
        try {
          return golden::cuda::run_on_host(c, in, single);
        } catch (const UserError& e) {
          throw UserError(SourceLoc{"--backend", 0, 0}, e.diagnostics().front().message);
        }
      };
    }
    golden::CheckReport rep = golden::check_workload(w, o);
    if (*json) {
      nlohmann::json j{{"workload", rep.workload}, {"reference", rep.reference}, {"precision", rep.precision},
                       {"backend", rep.backend},
                       {"tolerance", rep.tolerance}, {"seed", rep.seed}, {"passed", rep.passed}};
      j["variants"] = nlohmann::json::object();
      for (const auto& v : rep.variants) {
        nlohmann::json vj{{"max_abs_error", v.max_abs}, {"max_rel_error", v.max_rel}, {"seconds", v.seconds},
                          {"passed", v.passed}};
        for (const auto& d : v.diffs)
          vj["tensors"][d.tensor] = {{"max_abs_error", d.max_abs}, {"max_rel_error", d.max_rel},
                                     {"worst_index", d.worst}, {"finite", d.finite}};
        j["variants"][v.variant] = vj;
      }
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << "workload " << rep.workload << ": " << rep.precision << " precision, backend " << rep.backend
                << ", seed " << rep.seed
                << ", compared with the " << rep.reference << " (tolerance " << sci(rep.tolerance) << " relative)\n";
      std::cout << printf_string("  %-18s %-12s %-12s %-9s %s\n", "variant", "max abs err", "max rel err", "seconds", "result");
      for (const auto& v : rep.variants)
        std::cout << printf_string("  %-18s %-12s %-12s %-9.3f %s\n", v.variant.c_str(), sci(v.max_abs).c_str(),
                    sci(v.max_rel).c_str(), v.seconds, v.passed ? "ok" : "MISMATCH");
      std::cout << (rep.passed ? "all variants agree\n" : "some variants disagree\n");
    }
    return rep.passed ? 0 : 1;
  };
}

}  // namespace einflow::cli
