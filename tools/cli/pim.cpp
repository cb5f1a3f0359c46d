// einflow pim --device NAME|FILE --kernel gemv|add|mul|relu --shape
// ROWSxCOLS|N [--json] [--no-refresh]: a micro-kernel on a PIM DRAM's units,
// command by command, beside the same kernel run by the host through the same
// DRAM, as the vendors' simulators report them.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "arch/dram_standard.h"
#include "common/error.h"
#include "common/text.h"
#include "sim/analytical/pim_model.h"
#include "sim/cycle/pim/pim_kernel.h"
#include "tools/cli/commands.h"

namespace einflow::cli {

namespace {

struct PimOptions {
  std::string device;
  std::string kernel = "gemv";
  std::string shape;
  std::string layout;
  bool no_refresh = false;
  std::string host_mapping = sim::pim::kHostAddressMapping;
  bool json = false;
};

std::vector<std::string> pim_device_names() {
  std::vector<std::string> out;
  for (const std::string& name : arch::dram_standard_names())
    if (arch::find_dram_standard(name)->pim.enabled()) out.push_back(name);
  return out;
}

double model_cycles(const arch::DramStandard& s, const sim::pim::Kernel& k, bool refresh) {
  using sim::pim::KernelKind;
  if (k.kind == KernelKind::kGemv)
    return sim::estimate_pim_gemv(s, sim::PimGemv{k.matrices, k.rows, k.cols}, k.layout, refresh).cycles;
  return sim::estimate_pim_eltwise(s, k.elements, k.kind != KernelKind::kRelu, refresh).cycles;
}

nlohmann::json commands_json(const sim::pim::PimRun& r) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, n] : r.commands) j[name] = n;
  return j;
}

int run_pim(const PimOptions& o) {
  const arch::DramStandard s = arch::resolve_dram_standard(o.device, SourceLoc{"--device", 0, 0}, "");
  if (!s.pim.enabled())
    throw UserError(SourceLoc{"--device", 0, 0}, "device",
                    "'" + s.name + "' has no PIM units; PIM devices: " + join(pim_device_names(), ", "));
  sim::pim::Kernel k = sim::pim::Kernel::parse(o.kernel, o.shape);
  k.layout = sim::pim_layout_named(o.layout).value_or(sim::pim::default_layout(s));
  if (k.layout == sim::PimLayout::kRowStream && s.pim.command_set != arch::PimCommandSet::kAim)
    throw UserError(SourceLoc{"--layout", 0, 0}, "layout",
                    "the row-stream layout is for AiM-style devices (a unit per bank, a global buffer); " + s.name +
                        " runs HBM-PIM's own GEMV");
  sim::pim::RunOptions ro;
  ro.refresh = !o.no_refresh;
  ro.host_mapping = o.host_mapping;
  const sim::pim::PimRun pim = sim::pim::run_pim(s, k, ro);
  const sim::pim::PimRun host = sim::pim::run_host(s, k, ro);
  const double model = model_cycles(s, k, ro.refresh);
  const double speedup = pim.cycles ? static_cast<double>(host.cycles) / static_cast<double>(pim.cycles) : 0;
  if (o.json) {
    nlohmann::json j{{"device", s.name},
                     {"kernel", o.kernel},
                     {"shape", o.shape},
                     {"datatype", s.pim.datatype},
                     {"layout", sim::pim_layout_name(k.layout)},
                     {"pim_cycles", pim.cycles},
                     {"baseline_cycles", host.cycles},
                     {"speedup", speedup},
                     {"tck_ns", s.timing.tck_ns},
                     {"model_cycles", model},
                     {"pim_energy_pj", pim.energy_pj},
                     {"baseline_energy_pj", host.energy_pj},
                     {"row_hit_rate", pim.row_hit_rate()},
                     {"baseline_row_hit_rate", host.row_hit_rate()},
                     {"inbank_bytes", pim.inbank_bytes},
                     {"offchip_bytes", pim.offchip_bytes},
                     {"baseline_offchip_bytes", host.offchip_bytes},
                     {"unit_ops", pim.unit_ops},
                     {"refresh", ro.refresh},
                     {"commands", commands_json(pim)},
                     {"baseline_commands", commands_json(host)}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << printf_string("%s on %s (%s, %d channels), %s\n", o.kernel.c_str(), s.name.c_str(), s.pim.datatype.c_str(),
              s.channels, o.shape.c_str());
  std::cout << printf_string("  %-10s %12s %12s %14s %10s\n", "", "cycles", "us", "energy (uJ)", "row hits");
  auto line = [&](const char* what, double cycles, double pj, double hits) {
    std::cout << printf_string("  %-10s %12.0f %12.3f %14.4f %9.1f%%\n", what, cycles, cycles * s.timing.tck_ns * 1e-3, pj * 1e-6,
                100.0 * hits);
  };
  line("PIM", static_cast<double>(pim.cycles), pim.energy_pj, pim.row_hit_rate());
  line("host", static_cast<double>(host.cycles), host.energy_pj, host.row_hit_rate());
  std::cout << printf_string("  speedup %.2fx, host energy / PIM energy %.2f; analytical model %.0f cycles (%+.1f%%)\n", speedup,
              pim.energy_pj > 0 ? host.energy_pj / pim.energy_pj : 0.0, model,
              pim.cycles ? 100.0 * (model / static_cast<double>(pim.cycles) - 1.0) : 0.0);
  std::string cmds;
  for (const auto& [name, n] : pim.commands) cmds += (cmds.empty() ? "" : ", ") + name + " " + std::to_string(n);
  std::cout << printf_string("  PIM commands: %s\n", cmds.c_str());
  return 0;
}

}  // namespace

Runner add_pim(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "pim", "A micro-kernel on a PIM DRAM's units beside the host running it through the same DRAM");
  auto o = std::make_shared<PimOptions>();
  sub->add_option("--device", o->device,
                  "PIM DRAM: " + join(pim_device_names(), ", ") + ", or a standard's file with a pim section")
      ->required();
  sub->add_option("--kernel", o->kernel, "gemv, add, mul or relu (default gemv)")
      ->check(CLI::IsMember({"gemv", "add", "mul", "relu"}));
  sub->add_option("--shape", o->shape, "ROWSxCOLS for gemv (4096x4096), N elements otherwise (1M)")->required();
  sub->add_option("--host-mapping", o->host_mapping,
                  std::string("The host baseline's address mapping, most significant field first (default ") +
                      sim::pim::kHostAddressMapping + ")");
  sub->add_option("--layout", o->layout,
                  "GEMV layout on AiM-style devices: rounds (CENT's: a row per output) or row-stream (PIM-GPT's: "
                  "outputs side by side in a row); default row-stream where the units hold several partial sums")
      ->check(CLI::IsMember({"rounds", "row-stream"}));
  sub->add_flag("--no-refresh", o->no_refresh, "Disable refresh (the AiM simulator never refreshes)");
  sub->add_flag("--json", o->json, "Print one JSON object");
  return [o]() { return run_pim(*o); };
}

}  // namespace einflow::cli
