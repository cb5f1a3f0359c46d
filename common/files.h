// Whole-file reads and writes shared by the tools (sweep stores' companions,
// reports, the CLI's outputs).
#pragma once

#include <string>

namespace einflow {

// The file's bytes; "" for a missing or unreadable file.
std::string read_file(const std::string& path);

// Writes a file whole or not at all (a temporary file renamed over it); a
// failure is a UserError naming the file.
void write_file_atomic(const std::string& path, const std::string& text);

}  // namespace einflow
