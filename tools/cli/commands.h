// Subcommands of the einflow CLI. Each registers its options on the app and
// returns the function that runs it (exit code 0, 1 for a failed check).
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace einflow::cli {

using Runner = std::function<int()>;

Runner add_describe(CLI::App& app);
Runner add_check(CLI::App& app);

}  // namespace einflow::cli
