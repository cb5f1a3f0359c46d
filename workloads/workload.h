// A workload file: one cascade, several named variants of one computation, or
// a Transformer model with an instance (scope, phase, batch, sequence length)
// from which the builders make one variant per attention cascade.
//
//   name: my-attention          # optional
//   cascade: {...}              # one cascade (cascade_yaml.h)
// or
//   variants: {3pass: {...}, 1pass: {...}}
//   reference: 3pass            # the variant the others are checked against
// or
//   model: {name: BERT-Base, d_model: 768, heads: 12, ...}
//   instance: {scope: layer, phase: prefill, batch: 1, seq_len: 512}
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "workloads/cascade.h"
#include "workloads/transformer.h"

namespace einflow {
class YamlNode;
}

namespace einflow::workloads {

struct Variant {
  std::string name;
  Cascade cascade;
};

struct Workload {
  std::string name;
  std::string file;
  std::vector<Variant> variants;
  std::string reference_variant;       // for hand-written variants: what the others are compared to
  std::optional<ModelSpec> model;      // set for model workloads
  std::optional<InstanceSpec> instance;

  const Variant* find_variant(const std::string& name) const;
  std::vector<std::string> variant_names() const;
  // The one rule for choosing a variant, everywhere (command line, mappings,
  // sweeps): the variant `wanted` names, else the only one. A UserError at
  // `where` (key `key`) when `wanted` names none, or when several exist and
  // none is named; both list the variants, the second ends with `how`
  // ("name one with --variant").
  const Variant& select_variant(const std::string& wanted, const SourceLoc& where, const std::string& key,
                                const std::string& how) const;
};

// The same model workload at another scope (a layer's attention alone, ...):
// the variants rebuilt from its model and instance. UserError when `w` is not
// a model workload.
Workload with_scope(const Workload& w, Scope scope);

// The same model workload with another chunk (instance.block: FuseMax's M0,
// the linear mixers' chunk); UserError when `w` is not a model workload or the
// block does not divide the keys.
Workload with_block(const Workload& w, int64_t block);

// KEY=VALUE from the command line; KEY is a dotted path ("instance.batch"), VALUE YAML.
struct Override {
  std::string key;
  std::string value;
};
// Parses "instance.batch=4"; throws UserError on a malformed text.
Override parse_override(const std::string& text);

// Loads, validates and builds; throws UserError listing every problem.
Workload load_workload(const std::string& path, const std::vector<Override>& overrides = {});
Workload load_workload_text(const std::string& text, const std::string& name,
                            const std::vector<Override>& overrides = {});
// From a parsed document (a sweep's point, with its overrides applied); `path`
// names the file in the workload.
Workload load_workload_node(const YamlNode& doc, const std::string& path);

}  // namespace einflow::workloads
