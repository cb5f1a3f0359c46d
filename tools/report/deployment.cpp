// A model's deployment in reports (records of `bound` designs and of GPU
// designs on a layer: results.proto's Deployment): columns for the CSV and
// JSON, a table for report.md.
#include <sstream>

#include "tools/report/report.h"

namespace einflow::report {

bool has_deployment(const ReportData& d) {
  for (const auto& r : d.records)
    if (r.has_deployment()) return true;
  return false;
}

const std::vector<std::string>& deployment_columns() {
  static const std::vector<std::string> cols = {
      "deploy_devices",         "deploy_context",          "deploy_weights_bytes",
      "deploy_kv_cache_bytes_per_token", "deploy_kv_cache_bytes", "deploy_prefill_seconds",
      "deploy_decode_seconds_per_token", "deploy_max_concurrent_requests", "deploy_context_switch_seconds"};
  return cols;
}

std::vector<double> deployment_values(const sweep::Record& r) {
  const auto& x = r.deployment();
  return {static_cast<double>(x.devices()), static_cast<double>(x.context()), x.weights_bytes(),
          x.kv_cache_bytes_per_token(), x.kv_cache_bytes(), x.prefill_seconds(), x.decode_seconds_per_token(),
          static_cast<double>(x.max_concurrent_requests()), x.context_switch_seconds()};
}

std::string deployment_markdown(const ReportData& d) {
  std::ostringstream md;
  md << "\n## Deployment\n\nThe model's deployment at batch 1 per request: a `bound` design's at its peak bounds, a "
        "GPU design's with every layer costed by its model. Requests: how many KV caches fit beside the weights "
        "in the devices' DRAM; a context switch moves one out and one in over the host link (-1: none given).\n\n|";
  for (const auto& k : d.axis_keys) md << " " << d.labels.at(k) << " |";
  md << " design | devices | weights (GB) | KV cache (GB per request) | requests | prefill (s) | decode (ms per token) "
        "| context switch (s) |\n|";
  for (size_t i = 0; i < d.axis_keys.size() + 8; ++i) md << "---|";
  md << "\n";
  for (const auto& r : d.records) {
    if (!r.has_deployment()) continue;
    const auto& x = r.deployment();
    md << "|";
    for (const auto& k : d.axis_keys) md << " " << axis_value(r, k) << " |";
    md << " " << r.design() << " | " << x.devices() << " | " << num(x.weights_bytes() / 1e9) << " | "
       << num(x.kv_cache_bytes() / 1e9) << " | " << x.max_concurrent_requests() << " | "
       << num(x.prefill_seconds()) << " | " << num(x.decode_seconds_per_token() * 1e3) << " | "
       << num(x.context_switch_seconds()) << " |\n";
  }
  return md.str();
}

}  // namespace einflow::report
