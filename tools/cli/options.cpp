#include "tools/cli/options.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <sstream>

#include <filesystem>
#include <fstream>

#include "common/text.h"

namespace einflow::cli {

void add_workload_options(CLI::App& sub, WorkloadOptions& opt, bool named) {
  sub.add_option(named ? "--workload" : "WORKLOAD", opt.file, "Workload YAML file")->required();
  sub.add_option("--variant", opt.variant, "Only this variant (e.g. 1pass)");
  sub.add_option("--set", opt.sets, "Override a key, e.g. --set instance.seq_len=256 (repeatable)");
}

workloads::Workload load(const WorkloadOptions& opt) {
  std::vector<workloads::Override> overrides;
  for (const auto& s : opt.sets) overrides.push_back(workloads::parse_override(s));
  workloads::Workload w = workloads::load_workload(opt.file, overrides);
  if (!opt.variant.empty()) w.select_variant(opt.variant, SourceLoc{opt.file, 0, 0}, "--variant", "");
  return w;
}

namespace {
std::atomic<bool> g_embedded{false};
}  // namespace

bool stderr_is_terminal() { return !g_embedded.load() && ::isatty(2); }
void set_embedded() { g_embedded = true; }

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace einflow::cli
