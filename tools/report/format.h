// Report formats as a registry: each format registers by name from its own
// file (EINFLOW_REGISTER_FORMAT), and `einflow report --format NAME,...`
// writes the ones named, in the order named. Adding a format is adding a file
// (and its line in tools/report/CMakeLists.txt); nothing else chooses among them.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "tools/report/report.h"

namespace einflow::report {

// Where a format writes: the output folder, whether gnuplot renders, the log
// for warnings, and the list of files written.
struct FormatOutput {
  std::filesystem::path dir;
  bool gnuplot = true;
  std::ostream* log = nullptr;
  std::vector<std::string> written;
  // Writes dir/name whole (atomically) and records it.
  void put(const std::string& name, const std::string& text);
};

struct Format {
  const char* name;  // as --format and sweep reports spell it
  const char* doc;   // what it writes, for --help and errors
  void (*write)(const ReportData& data, FormatOutput& out);
};

// Registers a format (at static initialisation); returns true.
bool register_format(const Format& format);
// Every registered format, by name.
std::vector<Format> report_formats();

#define EINFLOW_REGISTER_FORMAT(ID, NAME, DOC, WRITE)                                         \
  namespace {                                                                                 \
  const bool registered_format_##ID = ::einflow::report::register_format({NAME, DOC, WRITE}); \
  }

}  // namespace einflow::report
