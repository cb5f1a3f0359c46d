// The einflow command line as a library: the executable (main.cpp) and the
// Python module (tools/python) run the same commands through it, so both
// print the same text and the same --json objects.
#pragma once

#include <string>
#include <vector>

namespace einflow::cli {

// The einflow executable: parses argv, runs the command, and maps errors to
// exit codes (DESIGN §4): 0 success, 1 a check failed, 2 bad input
// (file:line:col: message), 3 internal error.
int main_with(int argc, char** argv);

// Runs one command for an embedder. `args` are the command line without the
// program name (e.g. {"evaluate", "--arch", "a.yaml", ...}). Output goes to
// std::cout and std::cerr; returns the command's exit code (0 or 1). Bad
// input, including bad arguments, throws UserError; einflow's own faults
// throw InternalError or other exceptions; --help prints and returns 0.
int run_embedded(const std::vector<std::string>& args);

}  // namespace einflow::cli
