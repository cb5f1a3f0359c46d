// einflow evaluate --arch A --workload W (--mapping M | --design NAME): the
// analytical model of one mapped Einsum (`mapping:`), of a whole cascade
// (`cascade_mapping:`), or of a named design over the whole workload (its
// plan: on a layer, the attention and then the linear layers, as sweeps
// compose it). Exit 1 when the mapping is invalid (with the reason).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "arch/arch.h"
#include "common/text.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/mapping/mapping.h"
#include "mappers/named/named.h"
#include "sim/analytical/group_model.h"
#include "sim/analytical/plan.h"
#include "sim/analytical/nest_model.h"
#include "sim/analytical/residency.h"
#include "tools/cli/commands.h"
#include "tools/cli/options.h"
#include "tools/cli/stats_json.h"

namespace einflow::cli {

namespace {

int evaluate_cascade(const arch::Architecture& a, const workloads::Workload& w, const workloads::Variant& v,
                     const std::string& file, bool json) {
  mapping::CascadeMapping m = mapping::load_cascade_mapping(file, v.cascade, a);
  mapping::MappingStatus st = mapping::validate_cascade_mapping(m, v.cascade, a);
  if (!st.ok) {
    std::cerr << st.loc.str() << ": invalid mapping: " << st.reason << "\n";
    return 1;
  }
  sim::analytical::CascadeStats cs = sim::analytical::evaluate_cascade(a, v.cascade, m);
  sim::analytical::set_residency(cs.stats, sim::analytical::dram_residency(a, w, v.cascade));
  if (json) {
    nlohmann::json j = stats_json(cs.stats, a.name, w.name, "variant", v.name);
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : cs.groups)
      groups.push_back({{"cycles", g.stats.cycles}, {"retained", g.retained}, {"spilled", g.spilled},
                        {"peak_words", g.peak_words}});
    j["groups"] = groups;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "Cascade " << v.cascade.name << " of " << w.name << " (" << v.name << ") on " << a.name << ", "
              << m.groups.size() << " group(s)\n";
    for (size_t i = 0; i < cs.groups.size(); ++i) {
      const auto& g = cs.groups[i];
      std::cout << "  group " << i + 1 << ": " << g.stats.cycles << " cycles";
      if (!g.retained.empty()) std::cout << "; retained " << join(g.retained, ", ");
      if (!g.spilled.empty()) std::cout << "; spilled " << join(g.spilled, ", ");
      std::cout << "\n";
    }
    print_stats(std::cout, cs.stats);
  }
  return 0;
}

// A design costed by its own model (the GPU attention algorithms): its kernels and figures.
int evaluate_modelled(const arch::Architecture& a, const workloads::Workload& w, const named::Design& d, bool json) {
  named::ModelCost c = d.model(d, a, w, SourceLoc{"--design", 0, 0});
  sim::analytical::set_residency(c.stats, sim::analytical::dram_residency(a, w, w.variants.front().cascade));
  if (json) {
    nlohmann::json j = stats_json(c.stats, a.name, w.name, "design", d.name);
    nlohmann::json parts = nlohmann::json::array();
    for (const auto& [name, st] : c.parts)
      parts.push_back({{"part", name}, {"cycles", st.cycles}, {"seconds", st.seconds}, {"dram_bytes", st.dram_bytes},
                       {"bound_by", st.bound_by}});
    j["parts"] = parts;
    for (const auto& [k, v] : c.figures) j["model"][k] = v;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "Design " << d.name << " (" << d.family << ") of " << w.name << " on " << a.name << ": "
            << d.description << "\n";
  for (const auto& [name, st] : c.parts)
    std::cout << "  " << name << ": " << st.cycles << " cycles, " << st.dram_bytes << " DRAM bytes, bound by "
              << st.bound_by << "\n";
  for (const auto& [k, v] : c.figures) std::cout << "  " << k << ": " << v << "\n";
  print_stats(std::cout, c.stats);
  return 0;
}

// A named design's plan: its parts, then their sum.
int evaluate_design(const arch::Architecture& a, const workloads::Workload& w, const std::string& name,
                    const std::vector<std::string>& design_sets, const std::string& variant, bool json) {
  const named::Design d = named::design_with_sets(name, design_sets);
  if (d.model) return evaluate_modelled(a, w, d, json);
  const mapping::Plan plan = named::design_plan(d, a, w, variant, SourceLoc{"--design", 0, 0});
  sim::analytical::CascadeStats cs = sim::analytical::evaluate_plan(a, plan);
  sim::analytical::set_residency(cs.stats, sim::analytical::dram_residency(a, w, *plan.parts.front().cascade));
  if (json) {
    nlohmann::json j = stats_json(cs.stats, a.name, w.name, "design", d.name);
    nlohmann::json parts = nlohmann::json::array();
    for (size_t i = 0; i < plan.parts.size(); ++i)
      parts.push_back({{"part", mapping::part_name(plan.parts[i])}, {"cycles", cs.groups[i].stats.cycles},
                       {"energy_pj", cs.groups[i].stats.energy_pj}});
    j["parts"] = parts;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "Design " << d.name << " of " << w.name << " on " << a.name << ", " << plan.parts.size()
            << " part(s) one after another\n";
  for (size_t i = 0; i < plan.parts.size(); ++i)
    std::cout << "  " << mapping::part_name(plan.parts[i]) << ": " << cs.groups[i].stats.cycles << " cycles\n";
  print_stats(std::cout, cs.stats);
  return 0;
}

}  // namespace

Runner add_evaluate(CLI::App& app) {
  auto* sub = app.add_subcommand("evaluate", "Analytical model of a mapped Einsum: accesses, cycles, energy");
  auto opt = std::make_shared<WorkloadOptions>();
  auto arch_file = std::make_shared<std::string>();
  auto mapping_file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("--arch", *arch_file, "Architecture YAML file")->required();
  add_workload_options(*sub, *opt, true);
  auto design = std::make_shared<std::string>();
  sub->add_option("--mapping", *mapping_file, "Mapping YAML file");
  sub->add_option("--design", *design, "A named design over the workload: FuseMax's ablation (unfused, flat, cascade, architecture, fusemax), "
                  "weight-stationary, or on a GPU preset standard, flash1, flash2, flash-decoding, lean");
  auto design_sets = std::make_shared<std::vector<std::string>>();
  sub->add_option("--design-set", *design_sets,
                  "A design parameter, e.g. --design-set query_tile=1024 (FLAT: query_tile, offchip, stationary; repeatable)");
  sub->add_flag("--json", *json, "Print one JSON object");
  return [opt, arch_file, mapping_file, design, design_sets, json]() {
    if (mapping_file->empty() == design->empty())
      throw UserError(SourceLoc{"--mapping", 0, 0}, "give either --mapping FILE or --design NAME");
    arch::Architecture a = arch::load_arch(*arch_file);
    workloads::Workload w = load(*opt);
    if (!design->empty()) return evaluate_design(a, w, *design, *design_sets, opt->variant, *json);
    std::string variant = opt->variant.empty() ? mapping::mapping_variant(*mapping_file) : opt->variant;
    const workloads::Variant& v = w.select_variant(variant, SourceLoc{*mapping_file, 0, 0}, "mapping.variant",
                                                          "name one with --variant or in the mapping");
    if (mapping::is_cascade_mapping_file(*mapping_file)) return evaluate_cascade(a, w, v, *mapping_file, *json);
    mapping::Mapping m = mapping::load_mapping(*mapping_file, v.cascade, a);
    mapping::MappingStatus st = mapping::validate_mapping(m, v.cascade, a);
    if (!st.ok) {
      std::cerr << st.loc.str() << ": invalid mapping: " << st.reason << "\n";
      return 1;
    }
    sim::Stats s = sim::analytical::evaluate_mapping(a, v.cascade, m);
    sim::analytical::set_residency(s, sim::analytical::dram_residency(a, w, v.cascade));
    if (*json) {
      nlohmann::json j = stats_json(s, a.name, w.name, "variant", v.name);
      j["einsum"] = m.einsum_name;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << "Einsum " << m.einsum_name << " of " << w.name << " (" << v.name << ") on " << a.name << ", unit "
                << a.nodes[m.compute].name << "\n";
      print_stats(std::cout, s);
    }
    return 0;
  };
}

}  // namespace einflow::cli
