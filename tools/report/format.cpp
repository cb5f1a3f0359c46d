#include "tools/report/format.h"

#include <algorithm>
#include <map>
#include <string>

#include "common/error.h"
#include "common/files.h"
#include "common/text.h"

namespace einflow::report {

namespace {

std::map<std::string, Format>& registry() {
  static std::map<std::string, Format> formats;
  return formats;
}

}  // namespace

void FormatOutput::put(const std::string& name, const std::string& text) {
  const std::filesystem::path p = dir / name;
  std::filesystem::create_directories(p.parent_path());
  write_file_atomic(p.string(), text);
  written.push_back(p.string());
}

bool register_format(const Format& format) {
  registry().emplace(format.name, format);
  return true;
}

std::vector<Format> report_formats() {
  std::vector<Format> out;
  for (const auto& [name, f] : registry()) out.push_back(f);
  return out;
}

std::vector<std::string> write_report(const std::string& dir, const ReportOptions& opts,
                                      std::ostream& log) {
  std::vector<std::string> names;
  for (const auto& [name, f] : registry()) names.push_back(name);
  for (const auto& f : opts.formats)
    if (!registry().count(f))
      throw UserError(
          SourceLoc{}, "--format",
          "unknown format '" + f + "' (" + join(names, ", ") + ")" + did_you_mean(f, names));
  const ReportData d = load_report(dir, opts, log);
  FormatOutput out;
  out.dir = opts.out_dir.empty() ? std::filesystem::path(dir) : std::filesystem::path(opts.out_dir);
  out.gnuplot = opts.gnuplot;
  out.log = &log;
  std::filesystem::create_directories(out.dir);
  for (const auto& f : opts.formats) registry().at(f).write(d, out);
  return out.written;
}

}  // namespace einflow::report
