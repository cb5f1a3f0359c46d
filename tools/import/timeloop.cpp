// Timeloop problem and mapping -> einflow workload and mapping YAML, and the driver.
#include "tools/import/timeloop.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "common/text.h"
#include "tools/import/timeloop_internal.h"

namespace einflow::import {

std::string emit_arch(const TlArch& a, const std::string& name, const YamlNode* ert_doc,
                      std::vector<std::string>& notes);

namespace {

std::string str(const YamlNode& n) {
  Diagnostics d;
  auto s = n.as_string(d);
  d.throw_if_any();
  return *s;
}

int64_t integer(const YamlNode& n) {
  Diagnostics d;
  auto v = n.as_int(d);
  d.throw_if_any();
  return *v;
}

// Timeloop writes booleans as Python does (True / False).
bool truth(const YamlNode& n) {
  const std::string s = lower(str(n));
  if (s == "true" || s == "yes" || s == "1") return true;
  if (s == "false" || s == "no" || s == "0") return false;
  throw UserError(n.loc(), n.path(), "expected True or False, got '" + str(n) + "'");
}

// Timeloop's densities (what timeloopfe's resolved input always writes): a
// number or {density: D, distribution: ...} per tensor, or one for all. A
// density of 1 is the dense problem einflow models; anything else is sparse,
// an unsupported feature named at its value.
double density_of(const YamlNode& n) {
  Diagnostics d;
  const YamlNode v = n.is_map() ? n["density"] : n;
  if (!v.defined() || v.is_null()) return 1.0;
  const double x = v.as_double(d).value_or(1.0);
  d.throw_if_any();
  return x;
}

void require_dense(const YamlNode& n, const std::string& key) {
  std::vector<YamlNode> values;
  if (n.is_map() && !n.has("density"))
    for (const auto& entry : n.entries()) values.push_back(entry.second);
  else if (!n.is_null())
    values.push_back(n);
  for (const YamlNode& v : values)
    if (density_of(v) != 1.0)
      throw UserError(v.loc(), v.path(), "unsupported Timeloop feature '" + key +
                                             "' below 1 (sparse workloads); a density of 1 is the dense problem");
}

struct Problem {
  std::string name;
  std::vector<std::string> dims;
  std::map<std::string, int64_t> size;
  std::string text;  // the workload YAML
};

// Each projection term is [Dim] or [Dim, Coefficient] (either order).
Problem read_problem(const YamlNode& doc, int word_bits) {
  Problem p;
  YamlNode pr = doc["problem"];
  if (!pr.defined()) throw UserError(doc.loc(), "a Timeloop problem file has a 'problem' key");
  YamlNode shape = pr["shape"];
  if (!shape.defined()) throw UserError(pr.loc(), pr.path(), "missing 'shape'");
  p.name = shape.has("name") ? str(shape["name"]) : "timeloop-problem";
  Diagnostics d;
  p.dims = shape["dimensions"].as_string_list(d).value_or(std::vector<std::string>{});
  d.throw_if_any();
  std::map<std::string, int64_t> coef;
  if (shape.has("coefficients")) {
    YamlNode cs = shape["coefficients"];
    for (const YamlNode& c : list_items(cs, "coefficients")) coef[str(c["name"])] = c.has("default") ? integer(c["default"]) : 1;
  }
  YamlNode inst = pr.has("instance") ? pr["instance"] : pr;
  for (const auto& dim : p.dims) {
    if (!inst.has(dim)) throw UserError(inst.loc(), inst.path(), "no size for dimension " + dim);
    p.size[dim] = integer(inst[dim]);
  }
  for (auto& [k, v] : coef)
    if (inst.has(k)) v = integer(inst[k]);
  for (const char* key : {"densities", "density"})
    for (const YamlNode& at : {inst, pr})
      if (at.has(key)) require_dense(at[key], key);
  YamlNode spaces = shape.has("data_spaces") ? shape["data_spaces"] : shape["data-spaces"];
  if (!spaces.defined()) throw UserError(shape.loc(), shape.path(), "missing 'data_spaces'");

  std::ostringstream ranks, inputs;
  std::vector<std::string> input_access;
  std::string output_access;
  std::map<std::string, int64_t> extra_ranks;
  for (const YamlNode& ds : list_items(spaces, "data_spaces")) {
    const std::string name = str(ds["name"]);
    const bool rw = (ds.has("read_write") && truth(ds["read_write"])) || (ds.has("read-write") && truth(ds["read-write"]));
    YamlNode proj = ds["projection"];
    if (!proj.is_sequence()) throw UserError(ds.loc(), ds.path(), "unsupported projection form (expected a list)");
    std::vector<std::string> tensor_ranks, index;
    for (size_t k = 0; k < proj.size(); ++k) {
      YamlNode dimn = proj.at(k);
      if (!dimn.is_sequence())
        throw UserError(dimn.loc(), dimn.path(), "unsupported projection form (expected [[Dim], [Dim, Coef], ...])");
      std::string expr;
      int64_t extent = 1;
      std::string single;
      for (size_t t = 0; t < dimn.size(); ++t) {
        auto term = dimn.at(t).as_string_list(d).value_or(std::vector<std::string>{});
        d.throw_if_any();
        std::string dim;
        int64_t c = 1;
        for (const auto& w : term) {
          if (p.size.count(w)) dim = w;
          else if (coef.count(w)) c *= coef[w];
          else throw UserError(dimn.at(t).loc(), dimn.at(t).path(), "'" + w + "' is neither a dimension nor a coefficient");
        }
        if (dim.empty()) throw UserError(dimn.at(t).loc(), dimn.at(t).path(), "a projection term without a dimension");
        expr += (expr.empty() ? "" : "+") + (c == 1 ? "" : std::to_string(c) + "*") + lower(dim);
        extent += c * (p.size[dim] - 1);
        single = (dimn.size() == 1 && c == 1) ? dim : "";
      }
      if (!single.empty()) {
        tensor_ranks.push_back(single);
      } else {
        std::string r = name + "Dim" + std::to_string(k);
        extra_ranks[r] = extent;
        tensor_ranks.push_back(r);
      }
      index.push_back(expr);
    }
    std::string access = name + "[" + join(index, ",") + "]";
    if (rw) {
      if (!output_access.empty()) throw UserError(ds.loc(), ds.path(), "more than one read-write data space");
      output_access = access;
    } else {
      input_access.push_back(access);
      inputs << (inputs.tellp() > 0 ? ", " : "") << name << ": [" << join(tensor_ranks, ", ") << "]";
    }
  }
  d.throw_if_any();
  if (output_access.empty()) throw UserError(spaces.loc(), spaces.path(), "no read-write (output) data space");
  for (const auto& dim : p.dims) ranks << (ranks.tellp() > 0 ? ", " : "") << dim << ": " << p.size[dim];
  for (const auto& [r, e] : extra_ranks) ranks << ", " << r << ": " << e;
  std::ostringstream os;
  os << "# Imported from Timeloop by `einflow import timeloop`.\ncascade:\n  name: " << p.name << "\n  dtype: "
     << (word_bits <= 8 ? "int8" : word_bits <= 16 ? "int16" : "fp32") << "\n  ranks: {" << ranks.str()
     << "}\n  inputs: {" << inputs.str() << "}\n  einsums:\n    - " << output_access << " = "
     << join(input_access, " * ") << "\n";
  p.text = os.str();
  return p;
}

// "R=3 P=16", "R3 P16" or a list of such words -> {R: 3, P: 16}.
std::map<std::string, int64_t> read_factors(const YamlNode& n) {
  Diagnostics d;
  std::vector<std::string> words;
  if (n.is_sequence()) words = n.as_string_list(d).value_or(std::vector<std::string>{});
  else {
    std::istringstream is(n.as_string(d).value_or(""));
    for (std::string w; is >> w;) words.push_back(w);
  }
  d.throw_if_any();
  std::map<std::string, int64_t> out;
  for (const auto& w : words) {
    size_t i = 0;
    while (i < w.size() && (std::isalpha(static_cast<unsigned char>(w[i])) || w[i] == '_')) ++i;
    std::string dim = w.substr(0, i), val = w.substr(i);
    if (!val.empty() && val[0] == '=') val = val.substr(1);
    auto v = parse_int_with_suffix(val);
    if (dim.empty() || !v) throw UserError(n.loc(), n.path(), "cannot read factor '" + w + "' (expected DIM=N)");
    out[dim] = *v;
  }
  return out;
}

// Innermost first, as Timeloop writes it.
std::vector<std::string> read_permutation(const YamlNode& n) {
  Diagnostics d;
  std::vector<std::string> out;
  if (n.is_sequence()) out = n.as_string_list(d).value_or(std::vector<std::string>{});
  else
    for (char c : n.as_string(d).value_or(""))
      if (!std::isspace(static_cast<unsigned char>(c))) out.push_back(std::string(1, c));
  d.throw_if_any();
  return out;
}

struct Level {
  std::vector<std::string> temporal, spatial, keep, bypass;
};

std::string loops_text(const std::vector<std::string>& loops) { return "[" + join(loops, ", ") + "]"; }

std::string read_mapping(const YamlNode& doc, const TlArch& arch, const Problem& p) {
  YamlNode m = doc["mapping"];
  if (!m.is_sequence()) throw UserError(doc.loc(), "a Timeloop mapping file has a 'mapping' list");
  const std::vector<std::string> storage = storage_names(arch);
  std::map<std::string, Level> levels;
  for (size_t i = 0; i < m.size(); ++i) {
    YamlNode e = m.at(i);
    const std::string raw = str(e["target"]);
    const std::string type = str(e["type"]);
    bool column = false;
    const std::string target = resolve_target(arch, raw, type == "spatial", column, e.loc());
    if (target.empty())
      throw UserError(e["target"].loc(), e["target"].path(),
                      "'" + raw + "' is not a storage level of the architecture" + did_you_mean(raw, storage));
    Level& l = levels[target];
    if (type == "temporal" || type == "spatial") {
      auto factors = e.has("factors") ? read_factors(e["factors"]) : std::map<std::string, int64_t>{};
      for (const auto& [dim, f] : factors)
        if (!p.size.count(dim)) throw UserError(e["factors"].loc(), e["factors"].path(), "no dimension '" + dim + "'");
      std::vector<std::string> perm = e.has("permutation") ? read_permutation(e["permutation"]) : std::vector<std::string>{};
      for (const auto& dim : p.dims)  // dimensions the permutation leaves out go outermost
        if (std::find(perm.begin(), perm.end(), dim) == perm.end()) perm.push_back(dim);
      int64_t split = e.has("split") ? integer(e["split"]) : static_cast<int64_t>(perm.size());
      if (column) split = 0;  // the mesh's Y
      std::vector<std::string> loops;
      for (int64_t k = static_cast<int64_t>(perm.size()) - 1; k >= 0; --k) {
        auto it = factors.find(perm[k]);
        if (it == factors.end() || it->second == 1) continue;
        std::string loop = "{" + perm[k] + ": " + std::to_string(it->second);
        if (type == "spatial") loop += std::string(", axis: ") + (k < split ? "x" : "y");
        loops.push_back(loop + "}");
      }
      if (type == "temporal") l.temporal = loops;
      else l.spatial.insert(l.spatial.end(), loops.begin(), loops.end());  // X and Y directives add up
    } else if (type == "bypass" || type == "dataspace" || type == "datatype") {  // datatype: v0.4's name
      Diagnostics d;
      if (e.has("keep")) l.keep = e["keep"].as_string_list(d).value_or(std::vector<std::string>{});
      if (e.has("bypass")) l.bypass = e["bypass"].as_string_list(d).value_or(std::vector<std::string>{});
      d.throw_if_any();
    } else {
      throw UserError(e["type"].loc(), e["type"].path(), "unsupported Timeloop mapping type '" + type + "'");
    }
  }
  std::ostringstream os;
  os << "# Imported from Timeloop by `einflow import timeloop`.\nmapping:\n  levels:\n";
  for (const auto& name : storage) {
    const Level& l = levels[name];
    os << "    - target: " << name << "\n";
    if (!l.temporal.empty()) os << "      temporal: " << loops_text(l.temporal) << "\n";
    if (!l.spatial.empty()) os << "      spatial: " << loops_text(l.spatial) << "\n";
    if (!l.keep.empty()) os << "      keep: " << loops_text(l.keep) << "\n";
    if (!l.bypass.empty()) os << "      bypass: " << loops_text(l.bypass) << "\n";
  }
  return os.str();
}

std::string file_name(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '-';
  return lower(s);
}

}  // namespace

ImportResult import_timeloop(const TimeloopFiles& files) {
  ImportResult r;
  TlArch arch = read_timeloop_arch(YamlNode::load_file(files.arch), r.notes);
  const int word_bits =
      static_cast<int>(attribute(arch.components.back(), {"word_bits", "word_width", "datawidth"}).value_or(16));
  const YamlNode problem_doc = YamlNode::load_file(files.problem);
  read_constraints_doc(problem_doc, arch, r.notes);
  if (!files.constraints.empty()) read_constraints_doc(YamlNode::load_file(files.constraints), arch, r.notes);
  Problem p = read_problem(problem_doc, word_bits);
  r.name = file_name(p.name);
  YamlNode ert;
  if (!files.ert.empty()) ert = YamlNode::load_file(files.ert);
  r.arch_yaml = emit_arch(arch, r.name, files.ert.empty() ? nullptr : &ert, r.notes);
  r.workload_yaml = p.text;
  if (!files.mapping.empty()) r.mapping_yaml = read_mapping(YamlNode::load_file(files.mapping), arch, p);
  r.mapper_yaml = emit_mapper(arch, p.dims, r.notes);
  return r;
}

}  // namespace einflow::import
