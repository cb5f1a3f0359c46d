#include "tools/sweep/measured.h"

#include <cctype>
#include <cmath>
#include <fstream>

#include "common/error.h"

namespace einflow::sweep {

namespace {

// One CSV line's fields ("..." quotes a field; "" inside is a quote), with each field's column.
std::vector<std::pair<std::string, int>> fields(const std::string& line) {
  std::vector<std::pair<std::string, int>> out(1, {"", 1});
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      out.back().first += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back({"", static_cast<int>(i) + 2});
    } else if (c != '\r') {
      out.back().first += c;
    }
  }
  return out;
}

}  // namespace

std::optional<double> Measurements::find(const std::string& design, const std::string& arch, int64_t batch,
                                         int64_t seq_len, bool causal) const {
  for (const Row& r : rows)
    if (r.design == design && r.arch == arch && r.batch == batch && r.seq_len == seq_len &&
        (r.causal.empty() || r.causal == (causal ? "true" : "false")))
      return r.seconds;
  return std::nullopt;
}

std::string preset_for_device(const std::string& device) {
  std::string low;
  for (char c : device) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string token;
  for (size_t i = 0; i <= low.size(); ++i) {
    if (i < low.size() && low[i] != ' ') {
      token += low[i];
      continue;
    }
    for (const char* p : {"a100", "h100"})  // A100-SXM4-80GB, H100 PCIe, ...
      if (token.rfind(p, 0) == 0) return p;
    if (token == "t4") return "t4";
    token.clear();
  }
  return low;
}

Measurements read_measurements(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(SourceLoc{path, 0, 0}, "cannot read the measurements");
  const std::vector<std::string> header = {"design", "arch", "batch", "seq_len", "causal", "measured_seconds"};
  Measurements m;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line == "\r") continue;
    const auto f = fields(line);
    auto bad = [&](size_t i, const std::string& what) {
      throw UserError(SourceLoc{path, n, i < f.size() ? f[i].second : 1}, what);
    };
    if (n == 1) {
      for (size_t i = 0; i < header.size(); ++i)
        if (i >= f.size() || f[i].first != header[i])
          bad(i, "expected the columns " + header[0] + "," + header[1] + "," + header[2] + "," + header[3] + "," +
                     header[4] + "," + header[5] + "[,device]");
      continue;
    }
    if (f.size() < header.size() || f.size() > header.size() + 1)
      bad(f.size() < header.size() ? f.size() - 1 : header.size() + 1,
          "expected " + std::to_string(header.size()) + " or " + std::to_string(header.size() + 1) + " fields");
    Measurements::Row r;
    r.design = f[0].first;
    r.arch = f[1].first;
    r.causal = f[4].first;
    if (f.size() > header.size()) r.device = f[6].first;
    auto integer = [&](size_t i) {
      size_t used = 0;
      long long v = 0;
      try {
        v = std::stoll(f[i].first, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != f[i].first.size() || v <= 0) bad(i, "expected a positive integer, not '" + f[i].first + "'");
      return static_cast<int64_t>(v);
    };
    r.batch = integer(2);
    r.seq_len = integer(3);
    if (!r.causal.empty() && r.causal != "true" && r.causal != "false")
      bad(4, "expected true, false or nothing, not '" + r.causal + "'");
    size_t used = 0;
    try {
      r.seconds = std::stod(f[5].first, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != f[5].first.size() || !std::isfinite(r.seconds) || r.seconds <= 0)
      bad(5, "expected positive seconds, not '" + f[5].first + "'");
    if (r.design.empty() || r.arch.empty()) bad(r.design.empty() ? 0 : 1, "a row needs a design and an arch");
    m.rows.push_back(r);
  }
  if (n == 0) throw UserError(SourceLoc{path, 0, 0}, "the measurements file is empty");
  return m;
}

}  // namespace einflow::sweep
