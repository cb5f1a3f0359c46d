// einflow bound --arch A --workload W [--devices N] [--json]: the peak-bound
// analysis (sim/analytical/peak_bound.h): per Einsum and in total, the FLOPs
// (matmul and the rest), the compulsory DRAM bytes, the compute-bound and
// bandwidth-bound times and which binds; for a model workload, its deployment
// at those bounds (sim/analytical/deployment.h).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>

#include "arch/arch.h"
#include "common/text.h"
#include "sim/analytical/deployment.h"
#include "tools/cli/commands.h"
#include "tools/cli/options.h"

namespace einflow::cli {

namespace {

using sim::analytical::CascadeBound;

// Four significant digits: the table's cells.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}
using sim::analytical::DeploymentBound;

nlohmann::json bound_json(const CascadeBound& b) {
  nlohmann::json j;
  for (const auto& e : b.einsums)
    j["einsums"].push_back({{"name", e.name},
                            {"unit", e.unit},
                            {"matmul_flops", e.matmul_flops},
                            {"other_flops", e.other_flops},
                            {"bytes", e.bytes},
                            {"compute_seconds", e.compute_seconds},
                            {"memory_seconds", e.memory_seconds},
                            {"bound", e.compute_bound() ? "compute" : "bandwidth"}});
  j["matmul_flops"] = b.matmul_flops;
  j["other_flops"] = b.other_flops;
  j["bytes"] = b.bytes;
  j["compute_seconds"] = b.compute_seconds;
  j["memory_seconds"] = b.memory_seconds;
  j["seconds"] = b.seconds();
  j["bound"] = b.compute_seconds >= b.memory_seconds ? "compute" : "bandwidth";
  return j;
}

nlohmann::json deployment_json(const DeploymentBound& d) {
  nlohmann::json j{{"devices", d.devices},
                   {"context", d.context},
                   {"weights_bytes", d.weights_bytes},
                   {"kv_cache_bytes_per_token", d.kv_cache_bytes_per_token},
                   {"kv_cache_bytes", d.kv_cache_bytes},
                   {"prefill_seconds", d.prefill_seconds},
                   {"decode_seconds_per_token", d.decode_seconds_per_token},
                   {"capacity_bytes", d.capacity_bytes},
                   {"max_concurrent_requests", d.max_concurrent_requests},
                   {"context_switch_seconds", d.context_switch_seconds}};
  j["prefill_layer"] = bound_json(d.prefill_layer);
  j["decode_layer"] = bound_json(d.decode_layer);
  return j;
}

void print_bound(const CascadeBound& b, std::ostream& os) {
  os << std::left << std::setw(10) << "einsum" << std::setw(12) << "unit" << std::right << std::setw(12)
     << "matmul FLOP" << std::setw(12) << "other FLOP" << std::setw(12) << "bytes" << std::setw(12) << "compute s"
     << std::setw(12) << "memory s" << "  bound\n";
  for (const auto& e : b.einsums)
    os << std::left << std::setw(10) << e.name << std::setw(12) << e.unit << std::right << std::setw(12)
       << num(static_cast<double>(e.matmul_flops)) << std::setw(12) << num(static_cast<double>(e.other_flops))
       << std::setw(12) << num(e.bytes) << std::setw(12) << num(e.compute_seconds) << std::setw(12)
       << num(e.memory_seconds) << "  " << (e.compute_bound() ? "compute" : "bandwidth") << "\n";
  os << "total: " << num(static_cast<double>(b.matmul_flops)) << " matmul and " << num(static_cast<double>(b.other_flops))
     << " other FLOPs, " << num(b.bytes) << " compulsory DRAM bytes; compute " << num(b.compute_seconds)
     << " s, bandwidth " << num(b.memory_seconds) << " s: " << num(b.seconds()) << " s, "
     << (b.compute_seconds >= b.memory_seconds ? "compute" : "bandwidth") << "-bound\n";
}

void print_deployment(const DeploymentBound& d, std::ostream& os) {
  os << "\ndeployment at the peak bounds (" << d.devices << " device" << (d.devices == 1 ? "" : "s")
     << ", tensor parallel, communication free; batch 1):\n"
     << "  weights: " << num(d.weights_bytes) << " bytes\n"
     << "  KV cache: " << num(d.kv_cache_bytes_per_token) << " bytes per token, "
     << num(d.kv_cache_bytes) << " per request of " << d.context << " tokens\n"
     << "  prefill: " << num(d.prefill_seconds) << " s; decode: " << num(d.decode_seconds_per_token)
     << " s per token\n";
  if (d.max_concurrent_requests >= 0)
    os << "  concurrent requests that fit in " << num(d.capacity_bytes)
       << " bytes of DRAM: " << d.max_concurrent_requests
       << (d.max_concurrent_requests == 0 && d.capacity_bytes < d.weights_bytes ? " (the weights alone do not fit)" : "")
       << "\n";
  else
    os << "  concurrent requests: unknown (the DRAM node gives no size_bytes)\n";
  if (d.context_switch_seconds >= 0)
    os << "  context switch (one cache out, one in, over the host link): " << num(d.context_switch_seconds)
       << " s\n";
  else
    os << "  context switch: unknown (no host_link_gbps)\n";
}

}  // namespace

Runner add_bound(CLI::App& app) {
  auto* sub = app.add_subcommand("bound", "Peak bounds: FLOPs, compulsory DRAM bytes, compute- and bandwidth-bound "
                                          "times; for a model, its deployment (prefill, decode, concurrency)");
  auto opt = std::make_shared<WorkloadOptions>();
  auto arch_file = std::make_shared<std::string>();
  auto devices = std::make_shared<int>(1);
  auto json = std::make_shared<bool>(false);
  sub->add_option("--arch", *arch_file, "Architecture YAML file")->required();
  add_workload_options(*sub, *opt, true);
  sub->add_option("--devices", *devices, "Devices (tensor parallel, communication free; default 1)");
  sub->add_flag("--json", *json, "Print one JSON object");
  return [opt, arch_file, devices, json]() {
    const arch::Architecture a = arch::load_arch(*arch_file);
    const workloads::Workload w = load(*opt);
    const workloads::Variant& v =
        w.select_variant(opt->variant, SourceLoc{w.file, 0, 0}, "--variant", "name one with --variant");
    const CascadeBound b = sim::analytical::peak_bound(a, v.cascade);
    std::optional<DeploymentBound> d;
    if (w.model) d = sim::analytical::deployment_bound(a, w, *devices);
    if (*json) {
      nlohmann::json j{{"architecture", a.name}, {"workload", w.name}, {"variant", v.name}};
      j["bound"] = bound_json(b);
      if (d) j["deployment"] = deployment_json(*d);
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    std::cout << "peak bound of " << v.cascade.name << " on " << a.name << "\n";
    print_bound(b, std::cout);
    if (d) print_deployment(*d, std::cout);
    return 0;
  };
}

}  // namespace einflow::cli
