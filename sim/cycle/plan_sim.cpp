#include "sim/cycle/plan_sim.h"

#include <memory>

#include "sim/cycle/cascade_sim.h"
#include "workloads/golden/interpreter.h"

namespace einflow::sim::cycle {

namespace {

// The golden values of each cascade the plan's single-Einsum parts map (every
// tensor, inputs included), computed once per cascade.
using Golden = std::map<const workloads::Cascade*, golden::TensorSet<double>>;

const golden::TensorSet<double>& golden_of(Golden& cache, const workloads::Cascade& c,
                                           uint64_t seed) {
  auto it = cache.find(&c);
  if (it != cache.end()) return it->second;
  golden::TensorSet<double> all = golden::seeded_inputs<double>(c, seed);
  for (auto& [name, t] : golden::interpret<double>(c, all)) all[name] = std::move(t);
  return cache.emplace(&c, std::move(all)).first->second;
}

}  // namespace

PlanSimResult simulate_plan(const arch::Architecture& a, const mapping::Plan& plan,
                            const SimOptions& o, uint64_t seed) {
  EINFLOW_ASSERT(!o.root_link && !o.record_activity,
                 "a plan is simulated without a root link or trace");
  PlanSimResult out;
  Golden cache;
  auto take = [&](auto r, PlanPartRun run) {
    analytical::GroupStats g;
    g.stats = std::move(r.stats);
    out.parts.push_back(std::move(g));
    for (const auto& [cause, n] : r.stalls) out.stalls[cause] += n;
    out.fast_forwarded = out.fast_forwarded || r.fast_forwarded;
    out.runs.push_back(std::move(run));
  };
  for (const mapping::PlanPart& p : plan.parts) {
    const workloads::Cascade& c = *p.cascade;
    PlanPartRun run;
    run.what = mapping::part_name(p);
    if (p.fused) {
      golden::TensorSet<double> inputs;
      if (o.functional) {
        inputs = golden::seeded_inputs<double>(c, seed);
        const golden::TensorSet<double> want = golden::interpret<double>(c, inputs);
        for (const auto& t : c.tensors)
          if (t.kind == workloads::TensorKind::kOutput) run.want[t.name] = want.at(t.name);
      }
      CascadeSimResult r = simulate_cascade(a, c, *p.fused, inputs, o);
      run.steps = r.executions;
      for (const auto& [name, t] : run.want)
        if (r.tensors.count(name)) run.got[name] = r.tensors.at(name);
      take(std::move(r), std::move(run));
    } else {
      const golden::TensorSet<double>* all = o.functional ? &golden_of(cache, c, seed) : nullptr;
      SimResult r = simulate_mapping(a, c, *p.single, all ? *all : golden::TensorSet<double>{}, o);
      run.steps = r.steps;
      if (all) {
        const std::string& out_name =
            c.tensors[static_cast<size_t>(
                          c.einsums[static_cast<size_t>(p.single->einsum)].output.tensor)]
                .name;
        run.want[out_name] = all->at(out_name);
        if (r.outputs.count(out_name)) run.got[out_name] = r.outputs.at(out_name);
      }
      take(std::move(r), std::move(run));
    }
  }
  out.stats = analytical::combine_groups(a, out.parts).stats;
  return out;
}

PlanSimResult simulate_plan(const arch::Architecture& a, const mapping::Plan& plan) {
  SimOptions o;
  o.functional = false;
  return simulate_plan(a, plan, o);
}

}  // namespace einflow::sim::cycle
