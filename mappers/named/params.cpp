// Design parameters (named.h: DesignParams): read from YAML (a sweep's
// `params:`, `design.NAME.KEY` axes, `--design-set` on the command line) and
// attached to a registered design.
#include "common/yaml_node.h"
#include "mappers/named/named.h"

namespace einflow::named {

const std::vector<std::string>& design_param_keys() {
  static const std::vector<std::string> keys = {"query_tile", "offchip", "stationary", "devices"};
  return keys;
}

bool takes_params(const Design& design) {
  return (design.family == "attention" && design.fused && design.variant == "3pass") || design.family == "gpu-attention";
}

namespace {

// Which parameters a design takes, for its error message.
bool takes(const Design& design, const DesignParams& p) {
  if (design.family == "gpu-attention") return p.query_tile == 0 && p.offchip.empty() && p.stationary.empty();
  return takes_params(design) && p.devices == 1;
}

}  // namespace

DesignParams read_design_params(const YamlNode& n) {
  DesignParams p;
  p.loc = n.loc();
  if (!n.defined() || n.is_null()) return p;
  Diagnostics diags;
  if (!n.expect_map(diags)) diags.throw_if_any();
  n.check_keys(design_param_keys(), diags);
  if (n.has("query_tile")) {
    const YamlNode q = n["query_tile"];
    if (auto v = q.as_int(diags)) {
      if (*v < 1) diags.error(q.loc(), q.path(), "expected a positive number of queries");
      else p.query_tile = *v;
    }
  }
  if (n.has("offchip"))
    if (auto v = n["offchip"].as_string_list(diags)) p.offchip = *v;
  if (n.has("devices")) {
    const YamlNode q = n["devices"];
    if (auto v = q.as_int(diags)) {
      if (*v < 1) diags.error(q.loc(), q.path(), "expected at least one device");
      else p.devices = *v;
    }
  }
  if (n.has("stationary")) {
    const YamlNode s = n["stationary"];
    if (s.expect_map(diags))
      for (const auto& [einsum, how] : s.entries()) {
        auto v = how.as_string(diags);
        if (v && *v != "output" && *v != "weight")
          diags.error(how.loc(), how.path(), "expected output or weight, got '" + *v + "'");
        else if (v)
          p.stationary.emplace_back(einsum, *v);
      }
  }
  diags.throw_if_any();
  return p;
}

Design with_params(const Design& design, const DesignParams& params) {
  if (params.empty()) return design;
  if (!takes(design, params))
    throw UserError(params.loc, "design " + design.name +
                                    " does not take these parameters (query_tile, offchip and stationary are FLAT's, "
                                    "the fused 3-pass design's; devices, tensor-parallel GPUs, the GPU designs')");
  Design d = design;
  d.params = params;
  return d;
}

Design design_with_sets(const std::string& name, const std::vector<std::string>& sets) {
  const SourceLoc where{"--design-set", 0, 0};
  const Design& d = design_named(name, SourceLoc{"--design", 0, 0}, "");
  YamlNode doc = YamlNode::load_string("{}", "--design-set");
  for (const auto& s : sets) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw UserError(where, "expected KEY=VALUE, got '" + s + "'");
    doc = doc.with_override(s.substr(0, eq), s.substr(eq + 1));
  }
  return with_params(d, read_design_params(doc));
}

}  // namespace einflow::named
