// einflow describe WORKLOAD.yaml: ranks, tensors, Einsums in dependency order,
// recurrences, operation counts and pass counts of each variant.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <memory>

#include "common/text.h"
#include "common/yaml_node.h"
#include "tools/cli/commands.h"
#include "tools/cli/options.h"
#include "workloads/analysis.h"
#include "workloads/model_stats.h"
#include "workloads/workload.h"

namespace einflow::cli {

namespace {

using workloads::Cascade;

std::string rank_list(const Cascade& c, const std::vector<int>& ranks) {
  std::vector<std::string> names;
  for (int r : ranks) names.push_back(c.ranks[r].name);
  return join(names, ",");
}

nlohmann::json variant_json(const Cascade& c) {
  nlohmann::json j;
  j["name"] = c.name;
  for (const auto& r : c.ranks) {
    nlohmann::json rj{{"name", r.name}, {"size", r.size}, {"iterative", r.iterative}};
    if (r.parent >= 0) rj["part_of"] = c.ranks[r.parent].name;
    if (!r.parts.empty()) rj["parts"] = rank_list(c, r.parts);
    j["ranks"].push_back(rj);
  }
  for (const auto& t : c.tensors)
    j["tensors"].push_back({{"name", t.name}, {"ranks", rank_list(c, t.ranks)}, {"extents", t.extents},
                            {"dtype", workloads::dtype_name(t.dtype)}, {"kind", workloads::tensor_kind_name(t.kind)}});
  workloads::EinsumOps total;
  for (int e : c.topo_order) {
    auto ops = workloads::einsum_ops(c, e);
    total += ops;
    nlohmann::json ej{{"name", c.einsums[e].name}, {"einsum", c.einsum_text(e)},
                      {"reduce", workloads::reduce_name(c.einsums[e].reduce)}, {"points", ops.points},
                      {"macs", ops.macs}, {"flops", ops.flops()}};
    j["einsums"].push_back(ej);
  }
  for (const auto& g : c.exec_groups)
    if (g.loop_rank >= 0) {
      std::vector<std::string> names;
      for (int e : g.einsums) names.push_back(c.einsums[e].name);
      j["recurrences"].push_back({{"rank", c.ranks[g.loop_rank].name}, {"einsums", names}});
    }
  for (const auto& p : workloads::pass_counts(c)) j["passes"][c.ranks[p.rank].name] = p.passes;
  for (const auto& s : workloads::recurrent_states(c)) {
    std::vector<std::string> ranks;
    for (int r : s.ranks) ranks.push_back(c.ranks[static_cast<size_t>(r)].name);
    j["states"].push_back({{"tensor", c.tensors[static_cast<size_t>(s.tensor)].name},
                           {"rank", c.ranks[static_cast<size_t>(s.rank)].name},
                           {"ranks", ranks},
                           {"values", s.elements},
                           {"per_head", s.per_head}});
  }
  j["macs"] = total.macs;
  j["flops"] = total.flops();
  return j;
}

void print_variant(const Cascade& c, std::ostream& os) {
  os << "cascade " << c.name << "\n  ranks:";
  for (const auto& r : c.ranks) {
    os << " " << r.name << "=" << r.size;
    if (!r.parts.empty()) {
      std::vector<std::string> parts;
      for (int p : r.parts) parts.push_back(c.ranks[p].name);
      os << "(" << join(parts, "x") << ")";
    }
    if (r.iterative) os << "(iterative)";
  }
  os << "\n  tensors:\n";
  for (const auto& t : c.tensors)
    os << "    " << std::left << std::setw(8) << t.name << " [" << rank_list(c, t.ranks) << "] "
       << workloads::dtype_name(t.dtype) << " " << workloads::tensor_kind_name(t.kind) << "\n";
  os << "  einsums (dependency order):\n";
  workloads::EinsumOps total;
  for (int e : c.topo_order) {
    auto ops = workloads::einsum_ops(c, e);
    total += ops;
    os << "    " << std::left << std::setw(8) << c.einsums[e].name << c.einsum_text(e) << "\n"
       << "             points " << ops.points << ", MACs " << ops.macs << ", FLOPs " << ops.flops() << "\n";
  }
  for (const auto& g : c.exec_groups)
    if (g.loop_rank >= 0) {
      std::vector<std::string> names;
      for (int e : g.einsums) names.push_back(c.einsums[e].name);
      os << "  recurrence over " << c.ranks[g.loop_rank].name << ": " << join(names, ", ") << "\n";
    }
  for (const auto& s : workloads::recurrent_states(c))
    os << "  state " << c.tensors[static_cast<size_t>(s.tensor)].name << " [" << rank_list(c, s.ranks)
       << "] carried over " << c.ranks[static_cast<size_t>(s.rank)].name << ": " << s.elements << " values, "
       << s.per_head << " per batch and head\n";
  os << "  passes:";
  for (const auto& p : workloads::pass_counts(c)) os << " " << c.ranks[p.rank].name << "=" << p.passes;
  os << "\n  total: MACs " << total.macs << ", FLOPs " << total.flops() << "\n";
}

// The model's parameters and per-token costs (model workloads); a part that
// cannot be computed says why instead.
nlohmann::json model_json(const workloads::ModelSpec& m, const workloads::InstanceSpec& inst) {
  nlohmann::json j;
  try {
    const auto p = workloads::model_params(m);
    j["parameters"] = {{"total", p.total},         {"per_layer", p.layer}, {"attention_per_layer", p.attention},
                       {"ffn_per_layer", p.ffn},   {"norms_per_layer", p.norms}, {"embedding", p.embedding},
                       {"lm_head", p.head},        {"final_norm", p.final_norm}, {"active", p.active},
                       {"active_without_embedding", p.active_no_embedding}};
    if (m.experts > 0) {
      j["parameters"]["router_per_layer"] = p.router;
      j["parameters"]["per_expert"] = p.expert;
      j["parameters"]["per_dense_layer"] = p.dense_layer;
      const auto s = workloads::moe_shape(m, inst);
      j["moe"] = {{"experts", s.experts},   {"per_token", s.top_k},
                  {"tokens", s.tokens},     {"expected_touched", s.expected_touched},
                  {"touched", s.touched()}, {"tokens_per_expert_choice", s.capacity}};
    }
  } catch (const UserError& e) {
    j["parameters"] = {{"unavailable", e.what()}};
  }
  try {
    const auto t = workloads::token_costs(m, inst);
    j["per_token"] = {{"phase", workloads::phase_name(t.phase)},
                      {"context", t.context},
                      {"macs", t.macs},
                      {"layer_macs", t.layer_macs},
                      {"lm_head_macs", t.head_macs},
                      {"kv_cache_bytes", t.kv_bytes},
                      {"kv_cache_tokens_max", t.kv_tokens_max},
                      {"state_bytes", t.state_bytes},
                      {"bytes_per_value", workloads::kModelValueBytes}};
  } catch (const UserError& e) {
    j["per_token"] = {{"unavailable", e.what()}};
  }
  return j;
}

void print_model(const nlohmann::json& j, int64_t layers, const std::string& mixer, std::ostream& os) {
  os << "\nmodel (" << layers << " layers as built; what is counted: workloads/README.md)\n";
  const auto& p = j["parameters"];
  if (p.contains("unavailable")) {
    os << "  parameters: not computed: " << p["unavailable"].get<std::string>() << "\n";
  } else {
    os << "  parameters: " << p["total"].get<int64_t>() << " (per layer " << p["per_layer"].get<int64_t>()
       << ": " << (mixer == "softmax" ? "attention " : mixer + " mixer ") << p["attention_per_layer"].get<int64_t>() << ", FFN " << p["ffn_per_layer"].get<int64_t>()
       << ", norms " << p["norms_per_layer"].get<int64_t>() << "; embedding " << p["embedding"].get<int64_t>()
       << ", LM head " << p["lm_head"].get<int64_t>() << ", final norm " << p["final_norm"].get<int64_t>() << ")\n";
    if (p["active"].get<int64_t>() != p["total"].get<int64_t>())
      os << "  active per token: " << p["active"].get<int64_t>() << ", "
         << p["active_without_embedding"].get<int64_t>() << " without the token table (routed experts of "
         << p["per_expert"].get<int64_t>() << " each)\n";
  }
  if (j.contains("moe")) {
    const auto& e = j["moe"];
    os << "  experts: " << e["tokens"].get<int64_t>() << " tokens per step pick " << e["per_token"].get<int64_t>()
       << " of " << e["experts"].get<int64_t>() << " each; " << format_double(e["expected_touched"].get<double>())
       << " experts touched in expectation, " << e["touched"].get<int64_t>() << " in the cascade ("
       << e["tokens_per_expert_choice"].get<int64_t>() << " token slots each)\n";
  }
  const auto& t = j["per_token"];
  if (t.contains("unavailable")) {
    os << "  per token: not computed: " << t["unavailable"].get<std::string>() << "\n";
    return;
  }
  os << "  per " << t["phase"].get<std::string>() << " token"
     << (t["state_bytes"].get<int64_t>() > 0 ? std::string()
                                             : " at " + std::to_string(t["context"].get<int64_t>()) + " keys")
     << ": MACs " << t["macs"].get<int64_t>() << " (per layer " << t["layer_macs"].get<int64_t>()
     << ", LM head " << t["lm_head_macs"].get<int64_t>() << ")\n";
  if (t["state_bytes"].get<int64_t>() > 0)
    os << "  recurrent state: " << t["state_bytes"].get<int64_t>() << " bytes per sequence (no KV cache)\n";
  else
    os << "  KV cache: " << t["kv_cache_bytes"].get<int64_t>() << " bytes per token"
       << (t["kv_cache_tokens_max"].get<int64_t>() > 0
               ? " for at most " + std::to_string(t["kv_cache_tokens_max"].get<int64_t>()) + " tokens (sliding window)"
               : std::string())
       << "\n";
}

}  // namespace

Runner add_describe(CLI::App& app) {
  auto* sub = app.add_subcommand("describe", "What a config means: a workload's ranks, Einsums and passes, or an "
                                              "architecture's tree, energies and area");
  auto opt = std::make_shared<WorkloadOptions>();
  auto arch_file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("WORKLOAD", opt->file, "Workload YAML file (or an architecture file)");
  sub->add_option("--variant", opt->variant, "Only this variant (e.g. 1pass)");
  sub->add_option("--set", opt->sets, "Override a key, e.g. --set instance.seq_len=256 (repeatable)");
  sub->add_option("--arch", *arch_file, "Describe this architecture YAML file instead");
  sub->add_flag("--json", *json, "Print one JSON object");
  return [opt, arch_file, json]() {
    if (!arch_file->empty()) {
      if (!opt->file.empty())
        throw UserError(SourceLoc{}, "give either a WORKLOAD or --arch to describe, not both");
      describe_arch(*arch_file, *json, std::cout);
      return 0;
    }
    if (opt->file.empty()) throw UserError(SourceLoc{}, "give a WORKLOAD file or --arch A.yaml to describe");
    // A file whose document is an architecture describes as one (as --arch).
    if (YamlNode::load_file(opt->file).has("architecture")) {
      describe_arch(opt->file, *json, std::cout);
      return 0;
    }
    workloads::Workload w = load(*opt);
    if (*json) {
      nlohmann::json j{{"workload", w.name}};
      if (w.model) j["model"] = model_json(*w.model, *w.instance);
      for (const auto& v : w.variants)
        if (opt->variant.empty() || v.name == opt->variant) j["variants"][v.name] = variant_json(v.cascade);
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    std::cout << "workload " << w.name << " (" << w.variants.size() << " variant"
              << (w.variants.size() == 1 ? "" : "s") << ")\n";
    for (const auto& v : w.variants) {
      if (!opt->variant.empty() && v.name != opt->variant) continue;
      std::cout << "\nvariant " << v.name << ": ";
      print_variant(v.cascade, std::cout);
    }
    if (w.model) print_model(model_json(*w.model, *w.instance), w.model->layers, workloads::mixer_name(w.model->mixer),
                            std::cout);
    return 0;
  };
}

}  // namespace einflow::cli
