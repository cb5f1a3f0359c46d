// Expansion of a sweep into points: the grid (or zip) of the axes times the
// designs, each with its documents resolved, filtered and hashed.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "arch/arch.h"
#include "common/files.h"
#include "tools/sweep/filter.h"
#include "tools/sweep/spec.h"

namespace einflow::sweep {

namespace fs = std::filesystem;

namespace {

// The tree node named `name` (depth first), or an undefined node.
YamlNode find_arch_node(const YamlNode& n, const std::string& name) {
  if (!n.is_map()) return YamlNode();
  if (n.has("name") && n["name"].scalar() == name) return n;
  if (n.has("children") && n["children"].is_sequence())
    for (size_t i = 0; i < n["children"].size(); ++i) {
      YamlNode found = find_arch_node(n["children"].at(i), name);
      if (found.defined()) return found;
    }
  return YamlNode();
}

// "arch.GlobalBuffer.size_bytes" -> "architecture.tree.children[0].size_bytes";
// "arch.clock_mhz" -> "architecture.clock_mhz".
std::string arch_path(const YamlNode& doc, const std::string& rest) {
  const size_t dot = rest.find('.');
  if (dot != std::string::npos) {
    const YamlNode node = find_arch_node(doc["architecture"]["tree"], rest.substr(0, dot));
    if (node.defined()) return node.path() + rest.substr(dot);
  }
  return "architecture." + rest;
}

class Resolver {
 public:
  explicit Resolver(const SweepSpec& s) : m_spec(s), m_dir(fs::path(s.file).parent_path()) {}

  const YamlNode& doc(const std::string& file) {
    auto it = m_docs.find(file);
    if (it == m_docs.end()) it = m_docs.emplace(file, YamlNode::load_file(file)).first;
    return it->second;
  }
  const std::string& text(const std::string& file) {
    auto it = m_texts.find(file);
    if (it == m_texts.end()) it = m_texts.emplace(file, read_file(file)).first;
    return it->second;
  }
  std::string resolve_file(const std::string& value, const SourceLoc& loc,
                           const std::string& key) const {
    const std::string v = unquoted(value);
    const std::string f = fs::path(v).is_absolute() ? v : (m_dir / v).string();
    if (!fs::exists(f)) throw UserError(loc, key, "no file " + f);
    return f;
  }

  // A key that names a whole file: `arch`, `workload` or `mapper` alone.
  static bool swaps_file(const std::string& key) { return key == "arch" || key == "workload" || key == "mapper"; }

  // A file override: the point's architecture, workload or (mapper designs
  // only) mapper file, before any value override is applied.
  void choose_file(Point& p, std::string& mapper_file, const std::string& key, const std::string& value,
                   const SourceLoc& loc) const {
    if (key == "arch") p.arch_file = resolve_file(value, loc, key);
    else if (key == "workload") p.workload_file = resolve_file(value, loc, key);
    else if (p.design->kind == DesignSpec::Kind::kMapper) mapper_file = resolve_file(value, loc, key);
  }

  // A point's documents: its files chosen first (the base's, then the axes',
  // then the design's own architecture and overrides), then every value
  // override applied to them in order (the base's, the axes', the design's),
  // so that no override is lost when an axis or a design swaps a file.
  void resolve(Point& p, const std::vector<size_t>& combo) {
    const DesignSpec& design = *p.design;
    const SourceLoc here{m_spec.file, 0, 0};
    p.arch_file = m_spec.arch_file;
    p.workload_file = m_spec.workload_file;
    std::string mapper_file = design.kind == DesignSpec::Kind::kMapper ? design.file : "";
    for (const auto& [k, v] : m_spec.sets)
      if (swaps_file(k)) choose_file(p, mapper_file, k, v, here);
    for (size_t a = 0; a < m_spec.axes.size(); ++a)
      for (const auto& key : m_spec.axes[a].keys) {
        p.axes.emplace_back(key.key, key.values[combo[a]]);
        if (swaps_file(key.key)) choose_file(p, mapper_file, key.key, key.values[combo[a]], key.loc);
      }
    if (!design.arch_file.empty()) p.arch_file = design.arch_file;
    for (const auto& [k, v] : design.sets)
      if (swaps_file(k)) choose_file(p, mapper_file, k, v, design.loc);
    p.arch_doc = doc(p.arch_file);
    p.workload_doc = doc(p.workload_file);
    if (design.kind == DesignSpec::Kind::kNamed)
      p.design_doc = design.params.defined() && !design.params.is_null() ? design.params
                                                                          : YamlNode::load_string("{}", m_spec.file);
    if (!mapper_file.empty()) p.mapper_doc = doc(mapper_file);
    for (const auto& [k, v] : m_spec.sets)
      if (!swaps_file(k)) apply(p, k, v, here);
    for (size_t a = 0; a < m_spec.axes.size(); ++a)
      for (const auto& key : m_spec.axes[a].keys)
        if (!swaps_file(key.key)) apply(p, key.key, key.values[combo[a]], key.loc);
    for (const auto& [k, v] : design.sets)
      if (!swaps_file(k)) apply(p, k, v, design.loc);
  }

  // Applies one value override to the point; `loc` locates it in the sweep file.
  void apply(Point& p, const std::string& key, const std::string& value, const SourceLoc& loc) {
    const size_t dot = key.find('.');
    const std::string prefix = key.substr(0, dot);
    const std::string rest = dot == std::string::npos ? "" : key.substr(dot + 1);
    try {
      if (prefix == "arch") {
        p.arch_doc = p.arch_doc.with_override(arch_path(p.arch_doc, rest), value);
      } else if (prefix == "workload") {
        p.workload_doc = p.workload_doc.with_override(rest, value);
      } else if (prefix == "mapper") {
        // Applies to mapper designs only; the others have no mapper config.
        if (p.design->kind == DesignSpec::Kind::kMapper)
          p.mapper_doc = p.mapper_doc.with_override(key, value);
      } else if (prefix == "design") {
        // design.NAME.KEY: a parameter of the design named NAME only.
        const size_t dot2 = rest.find('.');
        if (dot2 != std::string::npos && rest.substr(0, dot2) == p.design->name)
          p.design_doc = p.design_doc.with_override(rest.substr(dot2 + 1), value);
      } else {
        throw UserError(loc, key, "a key starts with arch, workload, mapper or design");
      }
    } catch (const UserError& e) {
      // Overrides are checked against the documents here; say which sweep key failed.
      if (e.diagnostics().empty() || e.diagnostics().front().loc.file != "<command line>") throw;
      throw UserError(loc, key, e.diagnostics().front().message);
    }
  }

  // The canonical text of everything that decides a point's result.
  std::string canonical(const Point& p) {
    const DesignSpec& d = *p.design;
    std::ostringstream s;
    s << "einflow sweep point v1\nmode " << m_spec.mode << "\nrerank "
      << (m_spec.mode == "rerank" ? m_spec.rerank : 0) << "\nseed " << m_spec.seed << "\ndesign "
      << d.name << "\nkind " << static_cast<int>(d.kind) << "\nnamed " << d.named << "\nfuse "
      << d.fuse << "\nvariant " << d.variant << "\n";
    for (const auto& [k, v] : p.axes) s << "axis " << k << " = " << v << "\n";
    s << "--- arch\n" << p.arch_doc.emit() << "\n--- workload\n" << p.workload_doc.emit() << "\n";
    if (d.kind == DesignSpec::Kind::kMapping) s << "--- mapping\n" << text(d.file) << "\n";
    if (d.kind == DesignSpec::Kind::kMapper) s << "--- mapper\n" << p.mapper_doc.emit() << "\n";
    if (d.kind == DesignSpec::Kind::kBound) s << "--- bound\ndevices " << d.devices << "\n";
    // Parameters only when given, so that points without them keep their hashes.
    if (d.kind == DesignSpec::Kind::kNamed && p.design_doc.is_map() && !p.design_doc.entries().empty())
      s << "--- design params\n" << p.design_doc.emit() << "\n";
    return s.str();
  }

  // A filter name's value at the point.
  std::optional<double> lookup(const Point& p, const std::string& name,
                               std::optional<arch::Architecture>& built) {
    if (name == "area_um2") {
      if (!built) built = arch::load_arch_node(p.arch_doc);
      return built->total_area_um2();
    }
    const size_t dot = name.find('.');
    const std::string prefix = name.substr(0, dot);
    if (dot == std::string::npos) return std::nullopt;
    const std::string rest = name.substr(dot + 1);
    YamlNode n;
    if (prefix == "arch")
      n = p.arch_doc.find(arch_path(p.arch_doc, rest));
    else if (prefix == "workload")
      n = p.workload_doc.find(rest);
    else if (prefix == "mapper")
      n = p.mapper_doc.find(name);
    if (!n.is_scalar()) return std::nullopt;
    if (auto i = parse_int_with_suffix(n.scalar())) return static_cast<double>(*i);
    return parse_double(n.scalar());
  }

 private:
  const SweepSpec& m_spec;
  fs::path m_dir;
  std::map<std::string, YamlNode> m_docs;
  std::map<std::string, std::string> m_texts;
};

}  // namespace

Expansion expand(const SweepSpec& spec) {
  Resolver res(spec);
  Expansion out;
  // The combinations, first axis outermost.
  std::vector<std::vector<size_t>> combos;
  if (spec.axes.empty()) {
    combos.push_back({});
  } else if (spec.zip) {
    for (size_t i = 0; i < spec.axes.front().size(); ++i) combos.emplace_back(spec.axes.size(), i);
  } else {
    std::vector<size_t> at(spec.axes.size(), 0);
    for (;;) {
      combos.push_back(at);
      if (combos.size() > 10000000)
        throw UserError(SourceLoc{spec.file, 0, 0}, "sweep", "more than 10^7 combinations");
      size_t k = spec.axes.size();
      while (k > 0 && ++at[k - 1] == spec.axes[k - 1].size()) at[--k] = 0;
      if (k == 0) break;
    }
  }
  std::set<std::string> seen;
  for (const auto& combo : combos)
    for (const auto& design : spec.designs) {
      Point p;
      p.design = &design;
      res.resolve(p, combo);
      std::optional<arch::Architecture> built;
      bool keep = true;
      for (const auto& f : spec.filters) {
        try {
          keep = f->holds([&](const std::string& name) { return res.lookup(p, name, built); });
        } catch (const UserError&) {
          // An architecture that does not build is kept: the point fails with its error.
          if (built ||
              std::find(f->names().begin(), f->names().end(), "area_um2") == f->names().end())
            throw;
        }
        if (!keep) break;
      }
      if (!keep) {
        ++out.filtered;
        continue;
      }
      p.config_hash = hash_hex(res.canonical(p));
      if (!seen.insert(p.config_hash).second) {
        ++out.duplicates;
        continue;
      }
      p.index = static_cast<int64_t>(out.points.size());
      out.points.push_back(std::move(p));
    }
  return out;
}

}  // namespace einflow::sweep
