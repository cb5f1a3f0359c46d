// A YAML node that knows where it came from: file, line, column and key path.
// Readers use it to validate configs in a pass of their own, collecting every
// error with its location. yaml-cpp stays out of this header (STYLE.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace YAML {
class Node;
}

namespace einflow {

class YamlNode {
 public:
  // Parses a file; a syntax error or unreadable file is a UserError at its position.
  static YamlNode load_file(const std::string& path);
  // Parses text; `name` stands for the file name in messages.
  static YamlNode load_string(const std::string& text, const std::string& name);

  YamlNode();
  ~YamlNode();
  YamlNode(const YamlNode&);
  YamlNode& operator=(const YamlNode&);

  bool defined() const;  // false for a missing key
  bool is_map() const;
  bool is_sequence() const;
  bool is_scalar() const;
  bool is_null() const;

  // Where the node starts; for a missing key, where its parent starts.
  const SourceLoc& loc() const { return m_loc; }
  // For a map entry's value: where its key is written (else loc()).
  const SourceLoc& key_loc() const { return m_key_loc; }
  // Dotted key path from the document root, e.g. "cascade.ranks.M" or "einsums[3]".
  const std::string& path() const { return m_path; }
  const std::string& file() const { return m_loc.file; }

  // The raw scalar text ("" for a non-scalar).
  std::string scalar() const;
  // For quoted scalars the text starts one column after loc().
  bool is_quoted() const;
  // An explicit tag such as "!Container" ("" when none).
  std::string tag() const;

  // Typed reads: on a type mismatch they record "expected X, got Y" and return nullopt.
  std::optional<std::string> as_string(Diagnostics& diags) const;
  // Integer; accepts the suffixes K, M, G for powers of 1024 (1K = 1024).
  std::optional<int64_t> as_int(Diagnostics& diags) const;
  // Floating point; accepts inf, -inf, .inf, -.inf.
  std::optional<double> as_double(Diagnostics& diags) const;
  std::optional<bool> as_bool(Diagnostics& diags) const;
  // A sequence of strings, or one scalar taken as a list of one.
  std::optional<std::vector<std::string>> as_string_list(Diagnostics& diags) const;

  // Map access. A missing key yields an undefined node located at this node.
  bool has(const std::string& key) const;
  YamlNode operator[](const std::string& key) const;
  // Entries of a map in file order.
  std::vector<std::pair<std::string, YamlNode>> entries() const;

  // Sequence access.
  size_t size() const;
  YamlNode at(size_t i) const;

  // Records an error for each key not in `allowed` (suggesting the nearest) and
  // for each key written twice. Does nothing for a non-map.
  void check_keys(const std::vector<std::string>& allowed, Diagnostics& diags) const;
  // Records "missing required key" unless the key is present.
  bool require(const std::string& key, Diagnostics& diags) const;
  // Records "expected a map/sequence, got ..." unless the node has that shape.
  bool expect_map(Diagnostics& diags) const;
  bool expect_sequence(Diagnostics& diags) const;

  // The node at a dotted path with sequence indices ("tree.children[0].size_words");
  // an undefined node when the path is malformed or leads nowhere.
  YamlNode find(const std::string& path) const;

  // A copy of this document with the value at dotted `key` ("instance.batch",
  // "tree.children[0].size_bytes") replaced by `value` (YAML text), creating
  // maps on the way (sequence elements must exist); a `null` value removes the
  // key. For --set and sweeps.
  YamlNode with_override(const std::string& key, const std::string& value) const;

  // The node as YAML text: block style (canonical, for hashing a resolved
  // config), or flow style on one line (for a value in a table).
  std::string emit() const;
  std::string emit_flow() const;

  // What the node is, for messages: "a map", "a sequence", "'text'", "nothing".
  std::string describe() const;

 private:
  YamlNode(std::shared_ptr<const YAML::Node> node, SourceLoc loc, SourceLoc key_loc,
           std::string path);
  static YamlNode from_yaml(const YAML::Node& node, const std::string& file,
                            const std::string& path, const SourceLoc& fallback,
                            const SourceLoc& key_loc);
  void type_error(Diagnostics& diags, const std::string& expected) const;

  std::shared_ptr<const YAML::Node> m_node;  // null when undefined
  SourceLoc m_loc;
  SourceLoc m_key_loc;
  std::string m_path;
};

// Parses an integer with an optional K/M/G suffix (powers of 1024); nullopt if not one.
std::optional<int64_t> parse_int_with_suffix(const std::string& text);
// Parses a double, including inf/-inf/.inf/nan spellings; nullopt if not one.
std::optional<double> parse_double(const std::string& text);

}  // namespace einflow
