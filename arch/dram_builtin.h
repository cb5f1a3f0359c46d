// The built-in DRAM standards: the files of configs/dram/, compiled into the
// binary by arch/embed_files.cmake so that einflow runs from any directory.
// Internal to arch/.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace einflow::arch {

// (file name as shown in messages, "configs/dram/HBM2.yaml"; its text), by file name.
const std::vector<std::pair<std::string, std::string>>& builtin_dram_files();

}  // namespace einflow::arch
