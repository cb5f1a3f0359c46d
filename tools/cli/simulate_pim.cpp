// einflow simulate --design pim|host-only: a cascade on an architecture whose
// DRAM computes. Each vector-matrix product the design places on PIM runs
// command by command on the DRAM's command-level PIM model (its cycles) and
// with the device's arithmetic (its values: sim/cycle/pim_values.h); every
// other Einsum runs on the host at its roofline, its values the golden
// interpreter's. --verify checks each PIM Einsum against the exact product of
// the same operands within the forward error bound of the device's arithmetic,
// and reports how far the outputs moved from the golden interpreter's.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "sim/analytical/pim_layer.h"
#include "sim/cycle/pim/pim_kernel.h"
#include "sim/cycle/pim_values.h"
#include "tools/cli/simulate_pim.h"
#include "workloads/golden/interpreter.h"

namespace einflow::cli {


int simulate_pim(const arch::Architecture& a, const workloads::Workload& w, const named::Design& d,
                 const PimSimulateOptions& o) {
  const workloads::Cascade& c =
      (o.variant.empty() && w.model ? w.variants.front()
                                    : w.select_variant(o.variant, SourceLoc{"--variant", 0, 0}, "variant",
                                                       "name one with --variant"))
          .cascade;
  const auto policy =
      d.name == "host-only" ? sim::analytical::PimPolicy::kHostOnly : sim::analytical::PimPolicy::kBest;
  const sim::analytical::PimCascade r = sim::analytical::pim_cascade(a, c, policy);
  const int dram = a.dram();
  const arch::DramStandard* s = dram >= 0 && a.node(dram).dram_standard ? &*a.node(dram).dram_standard : nullptr;
  double seconds = 0;
  std::vector<sim::cycle::PimEinsum> on_pim;
  nlohmann::json parts = nlohmann::json::array();
  for (size_t i = 0; i < r.einsums.size(); ++i) {
    const auto& p = r.einsums[i];
    if (p.where == "in place") continue;
    double sec = p.seconds;
    uint64_t cycles = 0;
    if (p.where == "pim") {
      cycles = sim::pim::run_pim_vmm(*s, p.shape.rows, p.shape.cols, p.shape.matrices, p.vectors, p.layout).cycles;
      sec = static_cast<double>(cycles) * s->timing.tck_ns * 1e-9;
      on_pim.push_back({static_cast<int>(i), p.matrix_input});
    }
    seconds += sec;
    parts.push_back({{"einsum", p.einsum}, {"where", p.where == "pim" ? "PIM" : p.host_unit}, {"seconds", sec},
                     {"dram_cycles", cycles}});
    if (!o.json)
      std::cout << printf_string("  %-8s on %-8s %12.4g s%s\n", p.einsum.c_str(), p.where == "pim" ? "PIM" : p.host_unit.c_str(), sec,
                  p.where == "pim" ? (" (" + std::to_string(cycles) + " DRAM cycles, command by command)").c_str()
                                   : " (roofline)");
  }
  nlohmann::json j{{"architecture", a.name}, {"workload", w.name}, {"design", d.name}, {"seconds", seconds},
                   {"model_seconds", r.seconds}, {"parts", parts}};
  int code = 0;
  if (o.verify) {
    const golden::TensorSet<double> inputs = golden::seeded_inputs<double>(c, o.seed);
    const golden::TensorSet<double> want = golden::interpret<double>(c, inputs);
    sim::cycle::PimValues got;
    if (s && s->pim.enabled()) got = sim::cycle::run_with_pim(c, inputs, on_pim, *s);
    else got.tensors = want;
    // Every PIM Einsum was computed by the device's arithmetic (none sits in a recurrence).
    if (got.checks.size() != on_pim.size())
      throw UserError(SourceLoc{"--design", 0, 0}, "design",
                      "a PIM Einsum inside a recurrence: its values cannot be computed by the PIM arithmetic");
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& ch : got.checks) {
      checks.push_back({{"einsum", ch.einsum}, {"elements", ch.elements}, {"max_abs_error", ch.max_abs_error},
                        {"bound_factor", ch.gamma}, {"worst_error_over_bound", ch.worst_ratio}, {"ok", ch.ok()}});
      if (!ch.ok()) code = 1;
      if (!o.json)
        std::cout << printf_string("  verify %-8s %lld values: max abs error %.3g, at most %.2f of the bound (%.3g x sum |m x|)%s\n",
                    ch.einsum.c_str(), static_cast<long long>(ch.elements), ch.max_abs_error, ch.worst_ratio, ch.gamma,
                    ch.ok() ? "" : "  EXCEEDS the bound");
    }
    double drift = 0;  // the outputs against the golden interpreter's
    for (int t : c.outputs()) {
      const std::string& name = c.tensors[static_cast<size_t>(t)].name;
      const auto& g = got.tensors.at(name).data;
      const auto& wv = want.at(name).data;
      for (size_t i = 0; i < g.size(); ++i) {
        const double d = std::fabs(g[i] - wv[i]) / std::max(1.0, std::fabs(wv[i]));
        drift = std::isnan(d) || std::isnan(drift) ? std::nan("") : std::max(drift, d);
      }
    }
    j["verify"] = {{"pim_einsums", checks}, {"ok", code == 0}, {"output_drift", drift}};
    if (!o.json)
      std::cout << printf_string("verify: %zu PIM Einsum(s) %s the device's error bound; outputs within %.3g (relative) of the golden "
                  "interpreter's\n",
                  got.checks.size(), code == 0 ? "within" : "NOT within", drift);
  }
  if (o.json) std::cout << j.dump(2) << "\n";
  else
    std::cout << printf_string("design %s of %s on %s: %.4g s (PIM Einsums command by command, the rest at the host's roofline; "
                "analytical model %.4g s)\n",
                d.name.c_str(), w.name.c_str(), a.name.c_str(), seconds, r.seconds);
  return code;
}

void register_pim_timer() {
  sim::cycle::register_pim_command_timer(
      [](const arch::DramStandard& s, const workloads::VectorMatrix& v, sim::PimLayout layout) {
        const sim::pim::PimRun r = sim::pim::run_pim_vmm(s, v.rows, v.cols, v.matrices, v.vectors, layout);
        sim::analytical::PimVmmCost c;
        c.seconds = static_cast<double>(r.cycles) * s.timing.tck_ns * 1e-9;
        c.energy_pj = r.energy_pj;
        c.offchip_bytes = static_cast<double>(r.offchip_bytes);
        c.inbank_bytes = static_cast<double>(r.inbank_bytes);
        c.unit_ops = static_cast<double>(r.unit_ops);
        c.column_commands = static_cast<double>(r.column_commands);
        c.activations = static_cast<double>(r.column_commands - r.row_hits);
        return c;
      });
}

std::vector<sim::cycle::PimEinsum> pim_einsums(const arch::Architecture& a, const workloads::Cascade& c,
                                               const mapping::CascadeMapping& m) {
  std::vector<sim::cycle::PimEinsum> out;
  for (const auto& g : m.groups)
    for (const auto& t : g.tiles) {
      if (!a.is_pim(t.compute)) continue;
      const workloads::VectorMatrix v = workloads::vector_matrix(c, c.einsums[static_cast<size_t>(t.einsum)]);
      if (v.ok) out.push_back({t.einsum, v.matrix_input});
    }
  return out;
}

bool print_pim_checks(const std::vector<sim::cycle::PimCheck>& checks, bool json) {
  bool ok = true;
  for (const auto& ch : checks) {
    ok = ok && ch.ok();
    if (!json)
      std::cout << printf_string("  PIM %-8s %lld values: max abs error %.3g, at most %.2f of the device's bound (%.3g x sum |m x|)%s\n",
                  ch.einsum.c_str(), static_cast<long long>(ch.elements), ch.max_abs_error, ch.worst_ratio, ch.gamma,
                  ch.ok() ? "" : "  EXCEEDS the bound");
  }
  return ok;
}

}  // namespace einflow::cli
