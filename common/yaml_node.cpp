#include "common/yaml_node.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "common/checked.h"
#include "common/text.h"

namespace einflow {

namespace {

SourceLoc loc_of(const YAML::Node& node, const std::string& file, const SourceLoc& fallback) {
  YAML::Mark m = node.Mark();
  if (m.is_null()) return fallback;
  return SourceLoc{file, m.line + 1, m.column + 1};  // yaml-cpp marks are 0-based
}

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

}  // namespace

YamlNode::YamlNode() = default;
YamlNode::~YamlNode() = default;
YamlNode::YamlNode(const YamlNode&) = default;
YamlNode& YamlNode::operator=(const YamlNode&) = default;

YamlNode::YamlNode(std::shared_ptr<const YAML::Node> node, SourceLoc loc, SourceLoc key_loc,
                   std::string path)
    : m_node(std::move(node)), m_loc(std::move(loc)), m_key_loc(std::move(key_loc)),
      m_path(std::move(path)) {}

YamlNode YamlNode::from_yaml(const YAML::Node& node, const std::string& file,
                             const std::string& path, const SourceLoc& fallback,
                             const SourceLoc& key_loc) {
  SourceLoc loc = loc_of(node, file, fallback);
  return YamlNode(std::make_shared<const YAML::Node>(node), loc,
                  key_loc.line ? key_loc : loc, path);
}

YamlNode YamlNode::load_string(const std::string& text, const std::string& name) {
  try {
    YAML::Node root = YAML::Load(text);
    return from_yaml(root, name, "", SourceLoc{name, 1, 1}, SourceLoc{});
  } catch (const YAML::Exception& e) {
    SourceLoc loc{name, e.mark.is_null() ? 0 : e.mark.line + 1,
                  e.mark.is_null() ? 0 : e.mark.column + 1};
    throw UserError(loc, "YAML syntax error: " + e.msg);
  }
}

YamlNode YamlNode::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(SourceLoc{path, 0, 0}, "cannot read file");
  std::stringstream ss;
  ss << in.rdbuf();
  return load_string(ss.str(), path);
}

bool YamlNode::defined() const { return m_node && m_node->IsDefined(); }
bool YamlNode::is_map() const { return defined() && m_node->IsMap(); }
bool YamlNode::is_sequence() const { return defined() && m_node->IsSequence(); }
bool YamlNode::is_scalar() const { return defined() && m_node->IsScalar(); }
bool YamlNode::is_null() const { return !defined() || m_node->IsNull(); }

std::string YamlNode::scalar() const { return is_scalar() ? m_node->Scalar() : std::string(); }

bool YamlNode::is_quoted() const { return is_scalar() && m_node->Tag() == "!"; }

std::string YamlNode::tag() const {
  if (!defined()) return "";
  const std::string& t = m_node->Tag();
  return (t == "!" || t == "?") ? std::string() : t;
}

std::string YamlNode::describe() const {
  if (!defined()) return "nothing";
  if (m_node->IsNull()) return "nothing";
  if (m_node->IsMap()) return "a map";
  if (m_node->IsSequence()) return "a sequence";
  return "'" + m_node->Scalar() + "'";
}

void YamlNode::type_error(Diagnostics& diags, const std::string& expected) const {
  diags.error(m_loc, m_path, "expected " + expected + ", got " + describe());
}

std::optional<int64_t> parse_int_with_suffix(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::string digits = text;
  int64_t scale = 1;
  char last = digits.back();
  if (last == 'K' || last == 'M' || last == 'G') {
    scale = last == 'K' ? (int64_t{1} << 10) : last == 'M' ? (int64_t{1} << 20) : (int64_t{1} << 30);
    digits.pop_back();
  }
  if (digits.empty()) return std::nullopt;
  size_t start = (digits[0] == '-' || digits[0] == '+') ? 1 : 0;
  if (start == digits.size()) return std::nullopt;
  for (size_t i = start; i < digits.size(); ++i)
    if (digits[i] < '0' || digits[i] > '9') return std::nullopt;
  errno = 0;
  long long v = std::strtoll(digits.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::nullopt;
  return checked_mul(v, scale);
}

std::optional<double> parse_double(const std::string& text) {
  if (text == "inf" || text == ".inf" || text == "+inf" || text == "+.inf" || text == "Infinity")
    return std::numeric_limits<double>::infinity();
  if (text == "-inf" || text == "-.inf" || text == "-Infinity")
    return -std::numeric_limits<double>::infinity();
  if (text == "nan" || text == ".nan") return std::numeric_limits<double>::quiet_NaN();
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE) return std::nullopt;
  return v;
}

std::optional<std::string> YamlNode::as_string(Diagnostics& diags) const {
  if (!is_scalar()) {
    type_error(diags, "a string");
    return std::nullopt;
  }
  return m_node->Scalar();
}

std::optional<int64_t> YamlNode::as_int(Diagnostics& diags) const {
  if (is_scalar()) {
    if (auto v = parse_int_with_suffix(m_node->Scalar())) return v;
  }
  type_error(diags, "an integer");
  return std::nullopt;
}

std::optional<double> YamlNode::as_double(Diagnostics& diags) const {
  if (is_scalar()) {
    if (auto v = parse_double(m_node->Scalar())) return v;
  }
  type_error(diags, "a number");
  return std::nullopt;
}

std::optional<bool> YamlNode::as_bool(Diagnostics& diags) const {
  if (is_scalar()) {
    const std::string& s = m_node->Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  type_error(diags, "true or false");
  return std::nullopt;
}

std::optional<std::vector<std::string>> YamlNode::as_string_list(Diagnostics& diags) const {
  if (is_scalar()) return std::vector<std::string>{m_node->Scalar()};
  if (!is_sequence()) {
    type_error(diags, "a list of names");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < size(); ++i) {
    auto s = at(i).as_string(diags);
    if (s) out.push_back(*s);
    else ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

bool YamlNode::has(const std::string& key) const {
  if (!is_map()) return false;
  for (auto it = m_node->begin(); it != m_node->end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == key) return true;
  return false;
}

YamlNode YamlNode::operator[](const std::string& key) const {
  if (is_map()) {
    for (auto it = m_node->begin(); it != m_node->end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) {
        SourceLoc kloc = loc_of(it->first, file(), m_loc);
        return from_yaml(it->second, file(), child_path(m_path, key), kloc, kloc);
      }
    }
  }
  return YamlNode(nullptr, m_loc, m_loc, child_path(m_path, key));
}

std::vector<std::pair<std::string, YamlNode>> YamlNode::entries() const {
  std::vector<std::pair<std::string, YamlNode>> out;
  if (!is_map()) return out;
  for (auto it = m_node->begin(); it != m_node->end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
    SourceLoc kloc = loc_of(it->first, file(), m_loc);
    out.emplace_back(key, from_yaml(it->second, file(), child_path(m_path, key), kloc, kloc));
  }
  return out;
}

size_t YamlNode::size() const { return defined() ? m_node->size() : 0; }

YamlNode YamlNode::at(size_t i) const {
  EINFLOW_ASSERT(is_sequence() && i < size(), "YamlNode::at out of range");
  return from_yaml((*m_node)[i], file(), m_path + "[" + std::to_string(i) + "]", m_loc,
                   SourceLoc{});
}

void YamlNode::check_keys(const std::vector<std::string>& allowed, Diagnostics& diags) const {
  if (!is_map()) return;
  std::set<std::string> seen;
  for (const auto& [key, value] : entries()) {
    if (!seen.insert(key).second) {
      diags.error(value.key_loc(), value.path(), "key written twice");
      continue;
    }
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == key;
    if (!ok) {
      std::string msg = "unknown key '" + key + "'" + did_you_mean(key, allowed);
      if (did_you_mean(key, allowed).empty()) msg += "; valid keys: " + join(allowed, ", ");
      diags.error(value.key_loc(), value.path(), msg);
    }
  }
}

bool YamlNode::require(const std::string& key, Diagnostics& diags) const {
  if (has(key)) return true;
  diags.error(m_loc, child_path(m_path, key), "missing required key '" + key + "'");
  return false;
}

bool YamlNode::expect_map(Diagnostics& diags) const {
  if (is_map()) return true;
  type_error(diags, "a map");
  return false;
}

bool YamlNode::expect_sequence(Diagnostics& diags) const {
  if (is_sequence()) return true;
  type_error(diags, "a sequence");
  return false;
}

namespace {

// A component of a dotted path: a map key, or a sequence index ("a.b[2].c"
// is a, b, [2], c).
struct PathPart {
  std::string key;
  bool index = false;
  size_t i = 0;
};

// A UserError at `loc` when the path is malformed.
std::vector<PathPart> parse_path(const std::string& key, const SourceLoc& loc) {
  std::vector<PathPart> parts;
  size_t pos = 0;
  for (;;) {
    size_t dot = key.find('.', pos);
    std::string comp = key.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    const size_t bracket = comp.find('[');
    if (comp.empty() || bracket == 0) throw UserError(loc, key, "empty key in the path");
    parts.push_back({comp.substr(0, bracket)});
    for (size_t b = bracket; b != std::string::npos; b = comp.find('[', b + 1)) {
      const size_t close = comp.find(']', b);
      const auto n = close == std::string::npos ? std::nullopt : parse_int_with_suffix(comp.substr(b + 1, close - b - 1));
      if (!n || *n < 0 || (close + 1 < comp.size() && comp[close + 1] != '['))
        throw UserError(loc, key, "malformed index in '" + comp + "'");
      parts.push_back({"", true, static_cast<size_t>(*n)});
    }
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return parts;
}

}  // namespace

YamlNode YamlNode::find(const std::string& path) const {
  std::vector<PathPart> parts;
  try {
    parts = parse_path(path, m_loc);
  } catch (const UserError&) {
    return YamlNode();
  }
  YamlNode n = *this;
  for (const auto& p : parts) {
    if (p.index) {
      if (!n.is_sequence() || p.i >= n.size()) return YamlNode();
      n = n.at(p.i);
    } else {
      if (!n.is_map() || !n.has(p.key)) return YamlNode();
      n = n[p.key];
    }
  }
  return n;
}

YamlNode YamlNode::with_override(const std::string& key, const std::string& value) const {
  SourceLoc cli{"<command line>", 0, 0};
  YAML::Node root = m_node ? YAML::Clone(*m_node) : YAML::Node(YAML::NodeType::Map);
  YAML::Node parsed;
  try {
    parsed = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    throw UserError(cli, key, "cannot parse the value '" + value + "': " + e.msg);
  }
  const std::vector<PathPart> parts = parse_path(key, cli);
  auto name = [](const PathPart& p) { return p.index ? "[" + std::to_string(p.i) + "]" : "'" + p.key + "'"; };
  // yaml-cpp nodes are handles: walking with reset() (not =, which assigns
  // the value) edits the cloned tree in place.
  YAML::Node cur = root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const PathPart& p = parts[i];
    if (p.index) {
      if (!cur.IsSequence() || p.i >= cur.size())
        throw UserError(cli, key, name(p) + " is not an element of a sequence here");
      cur.reset(cur[p.i]);
      continue;
    }
    if (!cur.IsMap() && !cur.IsNull())
      throw UserError(cli, key, name(p) + " cannot be set inside a non-map value");
    YAML::Node child = cur[p.key];
    if (!child.IsDefined() || child.IsNull()) {
      cur[p.key] = YAML::Node(parts[i + 1].index ? YAML::NodeType::Sequence : YAML::NodeType::Map);
      child = cur[p.key];
    }
    cur.reset(child);
  }
  const PathPart& last = parts.back();
  if (last.index) {
    if (!cur.IsSequence() || last.i >= cur.size())
      throw UserError(cli, key, name(last) + " is not an element of a sequence here");
    cur[last.i] = parsed;
  } else {
    if (!cur.IsMap() && !cur.IsNull()) throw UserError(cli, key, "cannot set a key inside a non-map value");
    if (parsed.IsNull()) cur.remove(last.key);  // `null` takes the key out (back to its default)
    else cur[last.key] = parsed;
  }
  return from_yaml(root, file(), "", m_loc, SourceLoc{});
}

std::string YamlNode::emit() const {
  if (!m_node) return "";
  YAML::Emitter out;
  out << *m_node;
  return out.c_str();
}

std::string YamlNode::emit_flow() const {
  if (!m_node) return "";
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << *m_node;
  return out.c_str();
}

}  // namespace einflow
