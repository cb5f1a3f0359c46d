#include "tools/sweep/evaluate.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>

#include "arch/arch.h"
#include "common/version.h"
#include "mappers/cascade/cascade_search.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/mapping/mapping.h"
#include "mappers/mapping/unit_ops.h"
#include "mappers/named/named.h"
#include "mappers/search/driver.h"
#include "mappers/search/mapper_config.h"
#include "sim/analytical/group_model.h"
#include "sim/analytical/nest_model.h"
#include "sim/analytical/deployment.h"
#include "sim/analytical/peak_bound.h"
#include "sim/analytical/plan.h"
#include "sim/analytical/residency.h"
#include "sim/cycle/cascade_sim.h"
#include "sim/cycle/plan_sim.h"
#include "mappers/search/objective.h"
#include "mappers/cascade/block_search.h"
#include "sim/cycle/rerank.h"
#include "mappers/cosma/run.h"
#include "workloads/workload.h"

namespace einflow::sweep {

namespace {

// What running one mapping gives, or several run one after another.
struct Outcome {
  std::vector<sim::analytical::GroupStats> parts;  // combined by combine_groups at the end
  std::map<std::string, int64_t> stalls;
  bool fast_forwarded = false;
  std::string mapping_yaml;
  int64_t block = 0;  // the chunk size a block search chose (0: the instance's)
  std::optional<sim::analytical::DeploymentBound> deployment;  // a model's, when the design gives one
  std::vector<std::pair<std::string, double>> figures;          // a design model's own
};

Outcome part(sim::Stats stats, std::string mapping_yaml) {
  Outcome o;
  o.parts.push_back({std::move(stats), {}, {}, {}});
  o.mapping_yaml = std::move(mapping_yaml);
  return o;
}

// A cycle-model result (of a cascade or of one Einsum) as an outcome.
template <class SimResult>
Outcome cycle_part(SimResult r, std::string mapping_yaml) {
  Outcome o = part(std::move(r.stats), std::move(mapping_yaml));
  o.stalls = std::move(r.stalls);
  o.fast_forwarded = r.fast_forwarded;
  return o;
}

// `x` runs after what `total` holds.
void then(Outcome& total, Outcome x) {
  for (auto& p : x.parts) total.parts.push_back(std::move(p));
  for (const auto& [c, n] : x.stalls) total.stalls[c] += n;
  total.fast_forwarded = total.fast_forwarded || x.fast_forwarded;
  if (!x.mapping_yaml.empty())
    total.mapping_yaml += (total.mapping_yaml.empty() ? "" : "---\n") + x.mapping_yaml;
}

sim::cycle::SimOptions timing_only() {
  sim::cycle::SimOptions o;
  o.functional = false;
  return o;
}

Outcome run_cascade(const arch::Architecture& a, const workloads::Cascade& c,
                    const mapping::CascadeMapping& m, bool cycle) {
  std::string yaml = mapping::write_cascade_mapping(m, c, a);
  if (!cycle) {
    // The groups themselves: their peak occupancy gives the on-chip footprint.
    Outcome o;
    o.parts = sim::analytical::evaluate_cascade(a, c, m).groups;
    o.mapping_yaml = std::move(yaml);
    return o;
  }
  return cycle_part(sim::cycle::simulate_cascade(a, c, m, {}, timing_only()), std::move(yaml));
}

Outcome run_mapping(const arch::Architecture& a, const workloads::Cascade& c,
                    const mapping::Mapping& m, bool cycle) {
  std::string yaml = mapping::write_mapping(m, c, a);
  if (!cycle) return part(sim::analytical::evaluate_mapping(a, c, m), std::move(yaml));
  return cycle_part(sim::cycle::simulate_mapping(a, c, m, {}, timing_only()), std::move(yaml));
}

// The workload's variant for a design: the one rule of Workload::select_variant.
const workloads::Variant& pick(const workloads::Workload& w, const std::string& wanted,
                               const SourceLoc& loc) {
  return w.select_variant(wanted, loc, "variant", "name one with the design's variant");
}

// A named design: the one composition of named::design_plan (on a model
// workload of scope `layer`, the attention on the design plus the linear
// layers: FuseMax's end-to-end figure), run part by part.
Outcome named_design(const Point& p, const arch::Architecture& a, const workloads::Workload& w,
                     bool cycle) {
  const named::Design d = named::with_params(named::design_named(p.design->named, p.design->loc, "design"),
                                             named::read_design_params(p.design_doc));
  if (d.model) {
    if (cycle)
      throw UserError(p.design->loc, "design " + d.name + " is costed by a model of its own (" + d.family +
                                         "), not by the cycle model: give the sweep mode: analytical");
    named::ModelCost c = d.model(d, a, w, p.design->loc);
    Outcome o;
    o.parts.push_back({std::move(c.stats), {}, {}, {}});
    o.deployment = std::move(c.deployment);
    o.figures = std::move(c.figures);
    return o;
  }
  const mapping::Plan plan = named::design_plan(d, a, w, p.design->variant, p.design->loc);
  Outcome o;
  if (cycle) {
    sim::cycle::PlanSimResult r = sim::cycle::simulate_plan(a, plan);
    o.parts = std::move(r.parts);
    o.stalls = std::move(r.stalls);
    o.fast_forwarded = r.fast_forwarded;
  } else {
    o.parts = sim::analytical::evaluate_plan_parts(a, plan);
  }
  // The record keeps the design's cascade mapping (the attention), not the linear layers' tiles.
  for (const mapping::PlanPart& part : plan.parts)
    if (part.fused) o.mapping_yaml = mapping::write_cascade_mapping(*part.fused, *part.cascade, a);
  return o;
}

// The peak bound (einflow bound) of the workload's variant; for a model
// workload, its deployment at those bounds over the design's devices. A bound
// has no energy: 0.
Outcome peak(const Point& p, const arch::Architecture& a, const workloads::Workload& w) {
  const workloads::Variant& v = pick(w, p.design->variant, p.design->loc);
  const sim::analytical::CascadeBound b = sim::analytical::peak_bound(a, v.cascade);
  sim::Stats s;
  s.seconds = b.seconds();
  s.cycles = sim::whole_cycles(b.seconds() * a.clock_mhz * 1e6, a.loc);
  s.dram_bytes = static_cast<int64_t>(b.bytes);
  s.compute_cycles = static_cast<int64_t>(b.compute_seconds * a.clock_mhz * 1e6);
  s.bound_by = b.compute_seconds >= b.memory_seconds ? "compute" : a.node(a.dram()).name;
  Outcome o = part(std::move(s), "");
  if (w.model) o.deployment = sim::analytical::deployment_bound(a, w, static_cast<int>(p.design->devices));
  return o;
}

Outcome mapping_file(const Point& p, const arch::Architecture& a, const workloads::Workload& w,
                     bool cycle) {
  const std::string& file = p.design->file;
  const workloads::Variant& v =
      pick(w, p.design->variant.empty() ? mapping::mapping_variant(file) : p.design->variant,
           p.design->loc);
  if (mapping::is_cascade_mapping_file(file)) {
    const mapping::CascadeMapping m = mapping::load_cascade_mapping(file, v.cascade, a);
    const mapping::MappingStatus st = mapping::validate_cascade_mapping(m, v.cascade, a);
    if (!st.ok) throw UserError(st.loc, "invalid mapping: " + st.reason);
    return run_cascade(a, v.cascade, m, cycle);
  }
  const mapping::Mapping m = mapping::load_mapping(file, v.cascade, a);
  const mapping::MappingStatus st = mapping::validate_mapping(m, v.cascade, a);
  if (!st.ok) throw UserError(st.loc, "invalid mapping: " + st.reason);
  return run_mapping(a, v.cascade, m, cycle);
}

// The COSMA mapper: the cascade's memory schedule beside the arena baselines
// (figures by name); the record's DRAM bytes are the compulsory traffic plus
// COSMA's non-compulsory traffic. It times nothing: cycles and energy stay 0.
Outcome memory_schedule(const arch::Architecture& a, const workloads::Cascade& c, const search::MapperConfig& cfg,
                        bool cycle, const Point& p) {
  if (cycle)
    throw UserError(p.design->loc, "the cosma mapper schedules memory and times nothing: give the sweep mode: analytical");
  const cosma::Run run = cosma::run_cosma(a, c, cfg);
  const cosma::Comparison& r = run.comparison;
  if (!r.cosma.found) throw UserError(p.design->loc, "COSMA found no schedule within the mapper's max_seconds");
  sim::Stats s;
  s.dram_bytes = run.graph.compulsory_bytes() + r.cosma.traffic.noncompulsory();
  s.bound_by = "memory schedule";
  Outcome o = part(std::move(s), cosma::write_memory_schedule(run.graph, r.cosma.schedule, r.budget));
  o.figures = cosma::comparison_figures(run.graph, r);
  return o;
}

// A search: the cascade search (fuse), or each Einsum's best mapping on its own,
// one after another; `rerank` picks among each search's top K on the cycle model.
Outcome searched(const SweepSpec& spec, const Point& p, const arch::Architecture& a,
                 const workloads::Workload& w, const EvalOptions& opts) {
  search::MapperConfig cfg = search::load_mapper_config_node(p.mapper_doc);
  cfg.seed = spec.seed;
  cfg.threads = opts.search_threads;
  const bool cycle = spec.mode != "analytical";
  const workloads::Variant& v = pick(w, p.design->variant, p.design->loc);
  const workloads::Cascade& c = v.cascade;
  if (cfg.algorithm == "cosma") return memory_schedule(a, c, cfg, cycle, p);
  if (p.design->fuse) {
    // The chunk size too, when the mapper lists blocks: the record keeps the chosen one.
    const cascade::BlockSearch bs = cascade::search_blocks(a, w, v.name, cfg);
    if (bs.result.valid == 0) throw UserError(p.design->loc, "the cascade search found no valid mapping");
    const workloads::Cascade& chosen = bs.workload.find_variant(v.name)->cascade;
    Outcome o = run_cascade(a, chosen, bs.result.best, cycle);
    o.block = bs.block;
    return o;
  }
  Outcome total;
  for (int e : c.topo_order) {
    const search::EinsumSearch s = search::search_einsum(a, c, e, cfg);
    if (s.result.top.empty())
      throw UserError(p.design->loc,
                      "no valid mapping of Einsum " + c.einsums[e].name + " on " + a.name);
    size_t best = 0;
    if (spec.mode == "rerank")
      best = sim::cycle::rerank(a, c, search::top_mappings(s, spec.rerank), [&](const sim::Stats& st) {
               return search::objective(st.cycles, st.energy_pj, cfg.latency_weight, cfg.energy_weight);
             }).front().index;
    then(total, run_mapping(a, c, s.space->to_mapping(s.result.top[best].genome), cycle));
  }
  return total;
}

// The largest group's on-chip bytes (results.proto, Metrics.onchip_bytes).
int64_t onchip_bytes(const Outcome& o, const arch::Architecture& a) {
  int64_t most = 0;
  for (const auto& g : o.parts) {
    int64_t bytes = 0;
    for (const auto& [name, words] : g.peak_words) {
      const int node = a.find(name);
      if (node < 0 || a.is_offchip(node)) continue;
      const arch::Node& n = a.nodes[static_cast<size_t>(node)];
      bytes += words * n.instances * n.word_bits / 8;
    }
    most = std::max(most, bytes);
  }
  return most;
}

void fill_metrics(results::Metrics& m, const Outcome& o, const sim::Stats& s,
                  const arch::Architecture& a) {
  m.set_cycles(s.cycles);
  m.set_seconds(s.seconds);
  m.set_energy_pj(s.energy_pj);
  m.set_dram_bytes(s.dram_bytes);
  m.set_area_um2(a.total_area_um2());
  m.set_bound_by(s.bound_by);
  m.set_fast_forwarded(o.fast_forwarded);
  for (const auto& [u, f] : s.utilization) (*m.mutable_utilization())[u] = f;
  for (const auto& e : s.energy) {
    (*m.mutable_energy_by_component_pj())[e.component] += e.energy_pj;
    const int node = a.find(e.component);
    (*m.mutable_component_class())[e.component] =
        node >= 0 ? arch::node_class_name(a.nodes[static_cast<size_t>(node)].cls) : "network";
  }
  for (const auto& [c, n] : o.stalls) (*m.mutable_stalls())[c] = n;
  m.set_onchip_bytes(onchip_bytes(o, a));
  m.set_resident_bytes(s.resident_bytes);
  m.set_dram_capacity_bytes(s.dram_capacity_bytes);
  m.set_fits_in_dram(s.fits_in_dram());
}

void fill_deployment(results::Deployment& x, const sim::analytical::DeploymentBound& d) {
  x.set_devices(d.devices);
  x.set_context(d.context);
  x.set_weights_bytes(d.weights_bytes);
  x.set_kv_cache_bytes_per_token(d.kv_cache_bytes_per_token);
  x.set_kv_cache_bytes(d.kv_cache_bytes);
  x.set_prefill_seconds(d.prefill_seconds);
  x.set_decode_seconds_per_token(d.decode_seconds_per_token);
  x.set_max_concurrent_requests(d.max_concurrent_requests);
  x.set_context_switch_seconds(d.context_switch_seconds);
  x.set_capacity_bytes(d.capacity_bytes);
}

std::string host_name() {
  char buf[256] = {};
  return gethostname(buf, sizeof buf - 1) == 0 ? buf : "";
}

}  // namespace

Record evaluate_point(const SweepSpec& spec, const Point& p, const EvalOptions& opts) {
  const auto t0 = std::chrono::steady_clock::now();
  Record r;
  r.set_point(p.index);
  r.set_config_hash(p.config_hash);
  r.set_design(p.design->name);
  for (const auto& [k, v] : p.axes) {
    results::AxisValue* a = r.add_axes();
    a->set_key(k);
    a->set_value(v);
  }
  try {
    const arch::Architecture a = arch::load_arch_node(p.arch_doc);
    r.set_arch(a.name);
    const workloads::Workload w = workloads::load_workload_node(p.workload_doc, p.workload_file);
    r.set_workload(w.name);
    if (w.instance) {
      results::Instance* in = r.mutable_instance();
      in->set_scope(workloads::scope_name(w.instance->scope));
      in->set_phase(workloads::phase_name(w.instance->phase));
      in->set_batch(w.instance->batch);
      in->set_seq_len(w.instance->seq_len);
      in->set_causal(w.instance->causal);
      in->set_block(w.instance->block);
    }
    const bool cycle = spec.mode != "analytical";
    Outcome o;
    switch (p.design->kind) {
      case DesignSpec::Kind::kNamed:
        o = named_design(p, a, w, cycle);
        break;
      case DesignSpec::Kind::kMapping:
        o = mapping_file(p, a, w, cycle);
        break;
      case DesignSpec::Kind::kMapper:
        o = searched(spec, p, a, w, opts);
        break;
      case DesignSpec::Kind::kBound:
        o = peak(p, a, w);
        break;
    }
    if (o.deployment) fill_deployment(*r.mutable_deployment(), *o.deployment);
    if (o.block > 0) r.mutable_instance()->set_block(o.block);
    sim::Stats stats = sim::analytical::combine_groups(a, o.parts).stats;
    sim::analytical::set_residency(stats, sim::analytical::dram_residency(a, w, w.variants.front().cascade));
    fill_metrics(*r.mutable_total(), o, stats, a);
    for (const auto& [name, v] : o.figures) (*r.mutable_total()->mutable_figures())[name] = v;
    for (const auto& e : stats.per_einsum) {
      results::EinsumResult* x = r.add_per_einsum();
      x->set_name(e.name);
      x->set_unit(e.unit);
      x->set_cycles(e.cycles);
      x->set_energy_pj(e.energy_pj);
    }
    r.set_mapping_yaml(o.mapping_yaml);
    r.set_status(results::OK);
  } catch (const UserError& e) {
    r.set_status(results::FAILED);
    r.set_error(e.what());
  } catch (const std::exception& e) {
    r.set_status(results::FAILED);
    r.set_error(std::string("internal error: ") + e.what());
  }
  results::Provenance* prov = r.mutable_provenance();
  prov->set_version(kVersion);
  prov->set_git_hash(kGitHash);
  prov->set_seed(spec.seed);
  prov->set_mode(spec.mode);
  prov->set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  prov->set_finished_unix(static_cast<int64_t>(std::time(nullptr)));
  prov->set_host(host_name());
  return r;
}

}  // namespace einflow::sweep
