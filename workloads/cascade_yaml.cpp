#include "workloads/cascade_yaml.h"

#include "common/text.h"

namespace einflow::workloads {

namespace {

std::optional<DType> read_dtype(const YamlNode& n, Diagnostics& diags) {
  auto s = n.as_string(diags);
  if (!s) return std::nullopt;
  auto t = parse_dtype(*s);
  if (!t)
    diags.error(n.loc(), n.path(), "unknown element type '" + *s + "'" +
                                       did_you_mean(*s, dtype_names()) + "; one of " +
                                       join(dtype_names(), ", "));
  return t;
}

std::vector<Name> read_names(const YamlNode& n, Diagnostics& diags) {
  std::vector<Name> out;
  if (n.is_sequence()) {
    for (size_t i = 0; i < n.size(); ++i) {
      YamlNode item = n.at(i);
      if (auto s = item.as_string(diags)) out.push_back(Name{*s, item.loc()});
    }
  } else {
    diags.error(n.loc(), n.path(), "expected a list of rank names, got " + n.describe());
  }
  return out;
}

TensorSpec read_tensor(const std::string& name, const YamlNode& v, bool input, Diagnostics& diags) {
  TensorSpec t;
  t.name = Name{name, v.key_loc()};
  t.input = input;
  if (v.is_sequence()) {
    t.ranks = read_names(v, diags);
  } else if (v.is_map()) {
    v.check_keys({"ranks", "dtype", "scale"}, diags);
    if (v.require("ranks", diags)) t.ranks = read_names(v["ranks"], diags);
    if (v.has("dtype")) t.dtype = read_dtype(v["dtype"], diags);
    if (v.has("scale")) {
      auto s = v["scale"].as_double(diags);
      if (s && *s <= 0) diags.error(v["scale"].loc(), v["scale"].path(), "expected a positive number");
      if (s) t.init_scale = *s;
    }
  } else {
    diags.error(v.loc(), v.path(), "expected a list of rank names or a map, got " + v.describe());
  }
  return t;
}

}  // namespace

CascadeSpec read_cascade_spec(const YamlNode& node, Diagnostics& diags) {
  CascadeSpec spec;
  spec.loc = node.loc();
  if (!node.expect_map(diags)) return spec;
  node.check_keys({"name", "dtype", "ranks", "partitions", "inputs", "tensors", "einsums", "outputs"},
                  diags);
  if (node.has("name")) spec.name = node["name"].as_string(diags).value_or("");
  if (node.has("dtype")) spec.dtype = read_dtype(node["dtype"], diags).value_or(DType::kFp16);

  if (node.require("ranks", diags) && node["ranks"].expect_map(diags)) {
    for (const auto& [name, v] : node["ranks"].entries()) {
      RankSpec r;
      r.name = Name{name, v.key_loc()};
      r.size = v.as_int(diags);
      if (r.size) spec.ranks.push_back(r);
    }
  }
  if (node.has("partitions") && node["partitions"].expect_map(diags)) {
    for (const auto& [name, v] : node["partitions"].entries()) {
      PartitionSpec p;
      p.rank = Name{name, v.key_loc()};
      p.parts = read_names(v, diags);
      spec.partitions.push_back(p);
    }
  }
  if (node.require("inputs", diags) && node["inputs"].expect_map(diags))
    for (const auto& [name, v] : node["inputs"].entries())
      spec.tensors.push_back(read_tensor(name, v, true, diags));
  if (node.has("tensors") && node["tensors"].expect_map(diags))
    for (const auto& [name, v] : node["tensors"].entries())
      spec.tensors.push_back(read_tensor(name, v, false, diags));

  if (node.require("einsums", diags)) {
    YamlNode list = node["einsums"];
    if (!list.is_sequence()) {
      diags.error(list.loc(), list.path(), "expected a list of Einsums, one per item, got " + list.describe());
    } else {
      for (size_t i = 0; i < list.size(); ++i) {
        YamlNode item = list.at(i);
        auto text = item.as_string(diags);
        if (!text) continue;
        SourceLoc start = item.loc().shifted(item.is_quoted() ? 1 : 0);
        try {
          spec.einsums.push_back(parse_einsum(*text, start));
        } catch (const UserError& e) {
          for (const auto& d : e.diagnostics()) diags.error(d.loc, item.path(), d.message);
        }
      }
    }
  }
  if (node.has("outputs")) spec.outputs = read_names(node["outputs"], diags);
  return spec;
}

}  // namespace einflow::workloads
