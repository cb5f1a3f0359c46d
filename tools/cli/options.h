// Options shared by subcommands that read a workload.
#pragma once

#include <string>
#include <vector>

#include "common/files.h"
#include "workloads/workload.h"

namespace CLI {
class App;
}

namespace einflow::cli {

struct WorkloadOptions {
  std::string file;
  std::string variant;
  std::vector<std::string> sets;  // KEY=VALUE
};

using einflow::write_file_atomic;  // common/files.h

// Whether progress lines may go to stderr: it is a terminal, and the command
// is not run by an embedder (the Python module reports progress itself).
bool stderr_is_terminal();
// Marks this process's commands as run by an embedder (cli::run_embedded).
void set_embedded();

// Whether an executable of that name is on the PATH.
bool on_path(const std::string& program);

// Adds WORKLOAD (or --workload when `named`), --variant and --set to a subcommand.
void add_workload_options(CLI::App& sub, WorkloadOptions& opt, bool named = false);
// Loads the workload with the --set overrides; checks --variant names one.
workloads::Workload load(const WorkloadOptions& opt);

}  // namespace einflow::cli
