// Timeloop architecture constraints -> an einflow mapper file: what a
// Timeloop mapper search on the imported design would explore.
#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "common/text.h"
#include "tools/import/timeloop_internal.h"

namespace einflow::import {
namespace {

struct LoopConstraint {
  std::map<std::string, int64_t> exact, at_most, at_least;
  std::vector<std::string> residual;
  std::vector<std::string> permutation;  // innermost first, as Timeloop writes it
  int64_t split = -1;                    // -1: not given
};

std::vector<std::string> words_of(const YamlNode& n) {
  Diagnostics d;
  std::vector<std::string> words;
  if (n.is_sequence()) {
    words = n.as_string_list(d).value_or(std::vector<std::string>{});
  } else {
    std::istringstream is(n.as_string(d).value_or(""));
    for (std::string w; is >> w;) words.push_back(w);
  }
  d.throw_if_any();
  return words;
}

// "R=3", "R3", "N<=4", "C>=2", "R=0" (what the other levels leave).
void read_factor(const std::string& w, const std::vector<std::string>& dims, const YamlNode& at, LoopConstraint& c) {
  std::string dim, op = "=", val;
  for (const char* o : {"<=", ">=", "="})
    if (auto p = w.find(o); p != std::string::npos) {
      dim = w.substr(0, p);
      op = o;
      val = w.substr(p + std::string(o).size());
      break;
    }
  if (dim.empty()) {
    size_t i = w.size();
    while (i > 0 && std::isdigit(static_cast<unsigned char>(w[i - 1]))) --i;
    dim = w.substr(0, i);
    val = w.substr(i);
  }
  auto v = parse_int_with_suffix(val);
  if (dim.empty() || !v || *v < 0)
    throw UserError(at.loc(), at.path(), "cannot read factor '" + w + "' (expected DIM=N, DIM<=N or DIM>=N)");
  if (std::find(dims.begin(), dims.end(), dim) == dims.end())
    throw UserError(at.loc(), at.path(), "no dimension '" + dim + "'" + did_you_mean(dim, dims));
  if (op == "<=") c.at_most[dim] = std::max<int64_t>(1, *v);
  else if (op == ">=") c.at_least[dim] = std::max<int64_t>(1, *v);
  else if (*v == 0) c.residual.push_back(dim);
  else c.exact[dim] = *v;
}

LoopConstraint read_loops(const YamlNode& n, const std::string& where, const std::vector<std::string>& dims,
                          std::vector<std::string>& notes) {
  LoopConstraint c;
  if (!n.is_map()) throw UserError(n.loc(), n.path(), "a loop constraint is a map");
  for (const auto& [key, v] : n.entries()) {
    if (v.is_null() || (v.is_sequence() && v.size() == 0)) continue;  // resolved inputs write empty entries
    if (key == "factors") {
      for (const auto& w : words_of(v)) read_factor(w, dims, v, c);
    } else if (key == "permutation") {
      std::vector<std::string> perm = words_of(v);
      if (perm.size() == 1 && !std::count(dims.begin(), dims.end(), perm[0])) {  // "RSPQ": one letter each
        const std::string s = perm[0];
        perm.clear();
        for (char ch : s) perm.push_back(std::string(1, ch));
      }
      for (const auto& d : perm)
        if (std::find(dims.begin(), dims.end(), d) == dims.end())
          throw UserError(v.loc(), v.path(), "no dimension '" + d + "'" + did_you_mean(d, dims));
      c.permutation = perm;
    } else if (key == "split") {
      Diagnostics d;
      c.split = v.as_int(d).value_or(-1);
      d.throw_if_any();
    } else if (key != "target" && key != "type" && !(v.is_scalar() && (v.scalar().empty() || v.scalar() == "false"))) {
      notes.push_back("constraint '" + key + "' at " + where + " is not used by einflow's mapper");
    }
  }
  return c;
}

std::string factor_map(const std::map<std::string, int64_t>& m) {
  std::string s = "{";
  for (const auto& [k, v] : m) s += (s.size() > 1 ? ", " : "") + k + ": " + std::to_string(v);
  return s + "}";
}

std::string name_list(const std::vector<std::string>& v) { return "[" + join(v, ", ") + "]"; }

}  // namespace

std::string emit_mapper(const TlArch& arch, const std::vector<std::string>& dims, std::vector<std::string>& notes) {
  // Per storage level: its temporal constraint, and the spatial ones of the
  // fan-out below it (its own, and those of the containers below it).
  std::map<std::string, std::pair<YamlNode, std::vector<YamlNode>>> at;
  std::vector<std::string> order;
  std::string last_storage;
  for (size_t i = 0; i < arch.components.size(); ++i) {
    const TlComponent& c = arch.components[i];
    for (const auto& [first, spatial] : arch.container_spatial)
      if (first == i) {
        if (last_storage.empty())
          notes.push_back("a container's spatial constraint with no storage level above it is not used");
        else
          at[last_storage].second.push_back(spatial);
      }
    if (c.is_compute) continue;
    last_storage = c.name;
    order.push_back(c.name);
    if (c.temporal.defined()) at[c.name].first = c.temporal;
    if (c.spatial.defined()) at[c.name].second.push_back(c.spatial);
  }
  std::ostringstream os;
  for (const std::string& name : order) {
    auto it = at.find(name);
    if (it == at.end()) continue;
    std::ostringstream lv;
    if (it->second.first.defined()) {
      const LoopConstraint t = read_loops(it->second.first, name, dims, notes);
      if (!t.exact.empty()) lv << "      factors: " << factor_map(t.exact) << "\n";
      if (!t.at_most.empty()) lv << "      max_factors: " << factor_map(t.at_most) << "\n";
      if (!t.at_least.empty()) lv << "      min_factors: " << factor_map(t.at_least) << "\n";
      if (!t.residual.empty()) lv << "      residual: " << name_list(t.residual) << "\n";
      if (!t.permutation.empty()) {
        // Timeloop's permutation is innermost first and fixes the innermost loops.
        std::vector<std::string> inner(t.permutation.rbegin(), t.permutation.rend());
        lv << "      innermost: " << name_list(inner) << "\n";
      }
    }
    std::map<std::string, int64_t> sp_exact, sp_most;
    std::vector<std::string> x, y;
    bool axes = false;
    for (const YamlNode& n : it->second.second) {
      const LoopConstraint s = read_loops(n, name + " (spatial)", dims, notes);
      for (const auto& [k, v] : s.exact) sp_exact[k] = v;
      for (const auto& [k, v] : s.at_most) sp_most[k] = v;
      if (!s.residual.empty() || !s.at_least.empty())
        notes.push_back("spatial factors of 0 or with >= at " + name + " are not used by einflow's mapper");
      // With a split and every dimension ordered: the first `split` on X, the rest on Y.
      if (s.split >= 0 && s.permutation.size() != dims.size())
        notes.push_back("the spatial split at " + name +
                        " is not used: einflow's mapper needs a permutation naming every dimension to place it");
      if (s.split >= 0 && s.permutation.size() == dims.size()) {
        axes = true;
        const size_t split = std::min(static_cast<size_t>(s.split), s.permutation.size());
        x.assign(s.permutation.begin(), s.permutation.begin() + static_cast<std::ptrdiff_t>(split));
        y.assign(s.permutation.begin() + static_cast<std::ptrdiff_t>(split), s.permutation.end());
      }
    }
    if (!sp_exact.empty()) lv << "      spatial_factors: " << factor_map(sp_exact) << "\n";
    if (!sp_most.empty()) lv << "      spatial_max_factors: " << factor_map(sp_most) << "\n";
    if (axes) lv << "      spatial_x: " << name_list(x) << "\n      spatial_y: " << name_list(y) << "\n";
    if (!lv.str().empty()) os << "    - target: " << name << "\n" << lv.str();
  }
  if (os.str().empty()) return "";
  return "# Imported from Timeloop by `einflow import timeloop`: the architecture's constraints.\nmapper:\n  levels:\n" +
         os.str();
}

}  // namespace einflow::import
