#include "tools/sweep/measured.h"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace einflow::sweep {

namespace {

struct Field {
  std::string text;
  int col = 1;
};

// One CSV line's fields: "..." quotes a field ("" inside is a quote); spaces
// around a field are dropped. False on an unterminated quote.
bool split(const std::string& line, std::vector<Field>& out) {
  out.assign(1, Field{});
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      out.back().text += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back({"", static_cast<int>(i) + 2});
    } else if (c != '\r' && (quoted || c != ' ' || !out.back().text.empty())) {
      out.back().text += c;
    }
  }
  for (Field& f : out)
    while (!f.text.empty() && f.text.back() == ' ') f.text.pop_back();
  return !quoted;
}

const std::vector<std::string>& header() {
  static const std::vector<std::string> h = {"design", "arch",   "phase",           "batch",
                                             "seq_len", "causal", "measured_seconds"};
  return h;
}

}  // namespace

std::optional<double> Measurements::find(const std::string& design, const std::string& arch,
                                         const std::string& phase, int64_t batch, int64_t seq_len,
                                         bool causal) const {
  for (const Row& r : rows)
    if (r.design == design && r.arch == arch && r.phase == phase && r.batch == batch && r.seq_len == seq_len &&
        (r.causal.empty() || r.causal == (causal ? "true" : "false")))
      return r.seconds;
  return std::nullopt;
}

std::string measured_copy_path(const std::string& dir) {
  return (std::filesystem::path(dir) / "measured.csv").string();
}

Measurements read_measurements(const std::string& path) {
  std::ifstream in(path);
  if (!in || std::filesystem::is_directory(path)) throw UserError(SourceLoc{path, 0, 0}, "cannot read the measurements");
  const std::vector<std::string>& h = header();
  Measurements m;
  std::string line;
  int n = 0;
  bool seen_header = false;
  std::vector<Field> f;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte-order mark
    if (line.empty() || line == "\r") continue;
    auto bad = [&](size_t i, const std::string& what) {
      throw UserError(SourceLoc{path, n, i < f.size() ? f[i].col : 1}, what);
    };
    if (!split(line, f)) bad(f.size() - 1, "a quote is not closed");
    if (!seen_header) {
      seen_header = true;
      for (size_t i = 0; i < h.size(); ++i)
        if (i >= f.size() || f[i].text != h[i]) bad(i, "expected the columns " + h[0] + "," + h[1] + "," + h[2] + "," +
                                                           h[3] + "," + h[4] + "," + h[5] + "," + h[6] + "[,device]");
      if (f.size() > h.size() + 1 || (f.size() == h.size() + 1 && f.back().text != "device"))
        bad(h.size(), "expected device or nothing after measured_seconds");
      continue;
    }
    if (f.size() < h.size() || f.size() > h.size() + 1)
      bad(std::min(f.size(), h.size()) - 1, "expected " + std::to_string(h.size()) + " or " +
                                                std::to_string(h.size() + 1) + " fields, not " + std::to_string(f.size()));
    Measurements::Row r;
    r.design = f[0].text;
    r.arch = f[1].text;
    r.phase = f[2].text;
    r.causal = f[5].text;
    if (f.size() > h.size()) r.device = f[7].text;
    if (r.design.empty() || r.arch.empty()) bad(r.design.empty() ? 0 : 1, "a row needs a design and an arch");
    if (r.phase != "prefill" && r.phase != "decode") bad(2, "expected prefill or decode, not '" + r.phase + "'");
    auto integer = [&](size_t i) {
      size_t used = 0;
      long long v = 0;
      try {
        v = std::stoll(f[i].text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != f[i].text.size() || v <= 0) bad(i, "expected a positive integer, not '" + f[i].text + "'");
      return static_cast<int64_t>(v);
    };
    r.batch = integer(3);
    r.seq_len = integer(4);
    if (!r.causal.empty() && r.causal != "true" && r.causal != "false")
      bad(5, "expected true, false or nothing, not '" + r.causal + "'");
    size_t used = 0;
    try {
      r.seconds = std::stod(f[6].text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != f[6].text.size() || !std::isfinite(r.seconds) || r.seconds <= 0)
      bad(6, "expected positive seconds, not '" + f[6].text + "'");
    for (const Measurements::Row& o : m.rows)
      if (o.design == r.design && o.arch == r.arch && o.phase == r.phase && o.batch == r.batch &&
          o.seq_len == r.seq_len && (o.causal.empty() || r.causal.empty() || o.causal == r.causal))
        bad(0, "a second time for " + r.design + " on " + r.arch + " (" + r.phase + ", batch " +
                   std::to_string(r.batch) + ", seq_len " + std::to_string(r.seq_len) + ")");
    m.rows.push_back(r);
  }
  if (!seen_header) throw UserError(SourceLoc{path, 0, 0}, "the measurements file is empty");
  return m;
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
    const std::string word = token.substr(0, token.find('-'));  // A100-SXM4-80GB: a100
    for (const char* p : {"a100", "h100", "t4"})
      if (word == p) return p;
    token.clear();
  }
  return low;
}

}  // namespace einflow::sweep
