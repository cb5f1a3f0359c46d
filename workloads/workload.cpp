#include "workloads/workload.h"

#include <algorithm>

#include "common/text.h"
#include "common/yaml_node.h"
#include "workloads/cascade_spec.h"
#include "workloads/cascade_yaml.h"
#include "workloads/model_yaml.h"

namespace einflow::workloads {

namespace {

// A model workload's variants: one per attention cascade when the scope has attention.
std::vector<Variant> model_variants(const ModelSpec& model, const InstanceSpec& inst) {
  const bool attention = inst.scope == Scope::kAttention || inst.scope == Scope::kLayer;
  std::vector<AttentionCascade> cascades = inst.attention;
  if (!attention) cascades = {cascades.empty() ? AttentionCascade::k3Pass : cascades.front()};
  std::vector<Variant> out;
  for (AttentionCascade a : cascades) {
    const std::string name = attention ? attention_cascade_name(a) : scope_name(inst.scope);
    out.push_back(Variant{name, build_cascade(transformer_spec(model, inst, a))});
  }
  return out;
}

// The model workload `w` with its instance changed by `change` (the key
// `key` names), its variants rebuilt.
template <class Change>
Workload rebuilt(const Workload& w, const char* key, Change change) {
  if (!w.model || !w.instance)
    throw UserError(SourceLoc{w.file, 0, 0}, key, "workload " + w.name + " is not a model workload");
  Workload out = w;
  change(*out.instance);
  out.variants = model_variants(*out.model, *out.instance);
  out.reference_variant.clear();
  return out;
}

}  // namespace

Workload with_scope(const Workload& w, Scope scope) {
  return rebuilt(w, "instance.scope", [&](InstanceSpec& i) { i.scope = scope; });
}

Workload with_block(const Workload& w, int64_t block) {
  return rebuilt(w, "instance.block", [&](InstanceSpec& i) { i.block = block; });
}

const Variant* Workload::find_variant(const std::string& n) const {
  for (const auto& v : variants)
    if (v.name == n) return &v;
  return nullptr;
}

std::vector<std::string> Workload::variant_names() const {
  std::vector<std::string> out;
  for (const auto& v : variants) out.push_back(v.name);
  return out;
}

const Variant& Workload::select_variant(const std::string& wanted, const SourceLoc& where, const std::string& key,
                                        const std::string& how) const {
  if (!wanted.empty()) {
    if (const Variant* v = find_variant(wanted)) return *v;
    throw UserError(where, key,
                    "no variant named '" + wanted + "'; the workload has " + join(variant_names(), ", ") +
                        did_you_mean(wanted, variant_names()));
  }
  if (variants.size() == 1) return variants.front();
  throw UserError(where, key, "the workload has several variants (" + join(variant_names(), ", ") + "); " + how);
}

Override parse_override(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UserError(SourceLoc{"<command line>", 0, 0}, "expected KEY=VALUE, got '" + text + "'");
  return Override{text.substr(0, eq), text.substr(eq + 1)};
}

namespace {

Workload build(const YamlNode& root, const std::string& file) {
  Diagnostics diags;
  Workload w;
  w.file = file;
  if (!root.expect_map(diags)) diags.throw_if_any();
  root.check_keys({"name", "cascade", "variants", "reference", "model", "instance"}, diags);
  int forms = root.has("cascade") + root.has("variants") + root.has("model");
  if (forms != 1)
    diags.error(root.loc(), "a workload has exactly one of 'cascade', 'variants' or 'model' (" +
                                std::to_string(forms) + " given)");
  if (root.has("instance") && !root.has("model"))
    diags.error(root["instance"].key_loc(), "instance", "'instance' goes with 'model'");
  if (root.has("reference") && !root.has("variants"))
    diags.error(root["reference"].key_loc(), "reference", "'reference' goes with 'variants'");
  diags.throw_if_any();
  if (root.has("name")) w.name = root["name"].as_string(diags).value_or("");

  if (root.has("cascade")) {
    CascadeSpec spec = read_cascade_spec(root["cascade"], diags);
    diags.throw_if_any();
    if (w.name.empty()) w.name = spec.name;
    w.variants.push_back(Variant{spec.name.empty() ? "default" : spec.name, build_cascade(spec)});
  } else if (root.has("variants")) {
    YamlNode vs = root["variants"];
    std::vector<std::pair<std::string, CascadeSpec>> specs;
    if (vs.expect_map(diags))
      for (const auto& [name, v] : vs.entries()) {
        CascadeSpec spec = read_cascade_spec(v, diags);
        if (spec.name.empty()) spec.name = name;
        specs.emplace_back(name, spec);
      }
    if (root.has("reference")) {
      w.reference_variant = root["reference"].as_string(diags).value_or("");
      std::vector<std::string> names;
      for (const auto& s : specs) names.push_back(s.first);
      if (!w.reference_variant.empty() &&
          std::find(names.begin(), names.end(), w.reference_variant) == names.end())
        diags.error(root["reference"].loc(), "reference",
                    "no variant named '" + w.reference_variant + "'" + did_you_mean(w.reference_variant, names));
    }
    diags.throw_if_any();
    for (auto& [name, spec] : specs) {
      try {
        w.variants.push_back(Variant{name, build_cascade(spec)});
      } catch (const UserError& e) {
        for (const auto& d : e.diagnostics()) diags.error(d.loc, d.key_path, d.message);
      }
    }
    diags.throw_if_any();
    if (w.reference_variant.empty() && !w.variants.empty()) w.reference_variant = w.variants.front().name;
  } else {
    ModelSpec model = read_model(root["model"], diags);
    InstanceSpec inst = read_instance(root["instance"], model, diags);
    diags.throw_if_any();
    if (w.name.empty()) w.name = model.name;
    w.variants = model_variants(model, inst);
    w.model = model;
    w.instance = inst;
  }
  return w;
}

YamlNode apply_overrides(YamlNode root, const std::vector<Override>& overrides) {
  for (const auto& o : overrides) root = root.with_override(o.key, o.value);
  return root;
}

}  // namespace

Workload load_workload(const std::string& path, const std::vector<Override>& overrides) {
  return build(apply_overrides(YamlNode::load_file(path), overrides), path);
}

Workload load_workload_node(const YamlNode& doc, const std::string& path) { return build(doc, path); }

Workload load_workload_text(const std::string& text, const std::string& name,
                            const std::vector<Override>& overrides) {
  return build(apply_overrides(YamlNode::load_string(text, name), overrides), name);
}

}  // namespace einflow::workloads
