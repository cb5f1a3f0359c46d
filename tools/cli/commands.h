// Subcommands of the einflow CLI. Each registers its options on the app and
// returns the function that runs it (exit code 0, 1 for a failed check).
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace einflow::cli {

using Runner = std::function<int()>;

Runner add_describe(CLI::App& app);
Runner add_check(CLI::App& app);
Runner add_evaluate(CLI::App& app);
Runner add_import(CLI::App& app);
Runner add_map(CLI::App& app);
Runner add_dram(CLI::App& app);
Runner add_pim(CLI::App& app);
Runner add_simulate(CLI::App& app);
Runner add_sweep(CLI::App& app);
Runner add_report(CLI::App& app);
Runner add_bound(CLI::App& app);

// Prints an architecture's tree with capacities, bandwidths, energies and area.
void describe_arch(const std::string& file, bool json, std::ostream& os);

}  // namespace einflow::cli
