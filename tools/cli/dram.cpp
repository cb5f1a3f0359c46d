// einflow dram --standard NAME|FILE --pattern stream|random --requests N
// --outstanding W [--json]: the command-level DRAM model alone on synthetic
// traffic, reporting what the open DRAM simulators report.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "arch/dram_standard.h"
#include "common/error.h"
#include "common/text.h"
#include "sim/cycle/dram/traffic.h"
#include "tools/cli/commands.h"

namespace einflow::cli {

namespace {

struct DramOptions {
  std::string standard;
  std::string pattern = "stream";
  std::string policy = "open";
  uint64_t requests = 100000;
  int outstanding = 16;
  double write_fraction = 0;
  uint64_t seed = 1;
  int queue_depth = 32;
  bool no_refresh = false;
  std::string address_mapping = sim::dram::kDefaultAddressMapping;
  bool json = false;
};

int run_dram(const DramOptions& o) {
  const arch::DramStandard s =
      arch::resolve_dram_standard(o.standard, SourceLoc{"--standard", 0, 0}, "");
  sim::dram::TrafficConfig cfg;
  cfg.pattern = o.pattern == "random" ? sim::dram::Pattern::kRandom : sim::dram::Pattern::kStream;
  cfg.requests = o.requests;
  cfg.outstanding = o.outstanding;
  cfg.write_fraction = o.write_fraction;
  cfg.seed = o.seed;
  cfg.address_mapping = o.address_mapping;
  cfg.controller.policy =
      o.policy == "closed" ? sim::dram::PagePolicy::kClosed : sim::dram::PagePolicy::kOpen;
  cfg.controller.queue_depth = o.queue_depth;
  cfg.controller.refresh = !o.no_refresh;
  sim::dram::TrafficResult r = sim::dram::run_traffic(s, cfg);

  using sim::dram::Command;
  const double cps = r.wall_seconds > 0 ? static_cast<double>(r.cycles) / r.wall_seconds : 0;
  if (o.json) {
    nlohmann::json j{{"standard", s.name},
                     {"pattern", o.pattern},
                     {"page_policy", o.policy},
                     {"address_mapping", o.address_mapping},
                     {"requests", o.requests},
                     {"outstanding", o.outstanding},
                     {"write_fraction", o.write_fraction},
                     {"cycles", r.cycles},
                     {"seconds", r.seconds},
                     {"bandwidth_gbps", r.bandwidth_gbps},
                     {"peak_bandwidth_gbps", s.channel_gbps * s.channels},
                     {"avg_read_latency_ns", r.avg_read_latency_ns},
                     {"p99_read_latency_ns", r.p99_read_latency_ns},
                     {"row_hit_rate", r.row_hit_rate},
                     {"energy_pj", r.energy_pj},
                     {"wall_seconds", r.wall_seconds},
                     {"simulated_cycles_per_second", cps},
                     {"engine_activations", r.activations}};
    for (int c = 0; c < static_cast<int>(Command::kCount); ++c)
      j["commands"][sim::dram::command_name(static_cast<Command>(c))] =
          r.stats.commands[static_cast<size_t>(c)];
    j["energy_breakdown_pj"] = {{"activate", r.energy.activate},
                                {"read", r.energy.read},
                                {"write", r.energy.write},
                                {"refresh", r.energy.refresh},
                                {"background", r.energy.background}};
    j["energy_source"] = s.power.idd ? "IDD currents (DRAMPower method): " + s.energy_source
                                     : "pJ/bit per access: " + s.energy_source;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << printf_string(
      "%s, %s traffic: %llu requests of %d B, at most %d outstanding, %s page, mapping %s\n",
      s.name.c_str(), o.pattern.c_str(), static_cast<unsigned long long>(o.requests),
      s.access_bytes, o.outstanding, o.policy.c_str(), o.address_mapping.c_str());
  std::cout << printf_string("  bandwidth          %10.2f GB/s (peak %.1f)\n", r.bandwidth_gbps,
              s.channel_gbps * s.channels);
  std::cout << printf_string("  read latency       %10.1f ns average, %.1f ns p99\n", r.avg_read_latency_ns,
              r.p99_read_latency_ns);
  std::cout << printf_string("  row-buffer hits    %10.1f %%\n", 100.0 * r.row_hit_rate);
  std::cout << printf_string("  energy             %10.4g pJ (%.2f pJ/bit)\n", r.energy_pj,
              r.energy_pj / (8.0 * static_cast<double>(o.requests) * s.access_bytes));
  std::cout << printf_string(
      "  commands           ACT %llu, PRE %llu, RD %llu, WR %llu, RDA %llu, WRA %llu, REF %llu\n",
      static_cast<unsigned long long>(r.stats.count(Command::kAct)),
      static_cast<unsigned long long>(r.stats.count(Command::kPre)),
      static_cast<unsigned long long>(r.stats.count(Command::kRd)),
      static_cast<unsigned long long>(r.stats.count(Command::kWr)),
      static_cast<unsigned long long>(r.stats.count(Command::kRda)),
      static_cast<unsigned long long>(r.stats.count(Command::kWra)),
      static_cast<unsigned long long>(r.stats.count(Command::kRef)));
  std::cout << printf_string("  simulated          %llu cycles (%.3f us) in %.3f s: %.2f M cycles/s\n",
              static_cast<unsigned long long>(r.cycles), r.seconds * 1e6, r.wall_seconds,
              cps / 1e6);
  return 0;
}

}  // namespace

Runner add_dram(CLI::App& app) {
  auto* sub =
      app.add_subcommand("dram",
                         "The command-level DRAM model on synthetic traffic (bandwidth, latency, "
                         "row hits, energy)");
  auto o = std::make_shared<DramOptions>();
  sub->add_option(
         "--standard", o->standard,
         "DRAM standard: " + join(arch::dram_standard_names(), ", ") + ", or a standard's file")
      ->required();
  sub->add_option("--pattern", o->pattern,
                  "stream (sequential 64-B lines) or random (uniform over the device)")
      ->check(CLI::IsMember({"stream", "random"}));
  sub->add_option("--requests", o->requests, "Requests, one access each (default 100000)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  sub->add_option("--outstanding", o->outstanding, "Most requests in flight (default 16)")
      ->check(CLI::Range(1, 1 << 20));
  sub->add_option("--write-fraction", o->write_fraction, "Fraction of writes (default 0)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--seed", o->seed, "Seed of the random pattern");
  sub->add_option("--page-policy", o->policy, "open or closed")
      ->check(CLI::IsMember({"open", "closed"}));
  sub->add_option("--queue-depth", o->queue_depth,
                  "Requests each channel controller holds (default 32)")
      ->check(CLI::Range(1, 4096));
  sub->add_option("--address-mapping", o->address_mapping,
                  "Fields most significant first (default ro-ra-ba-bg-ch-co: a row fills first)");
  sub->add_flag("--no-refresh", o->no_refresh, "Disable refresh");
  sub->add_flag("--json", o->json, "Print one JSON object");
  return [o]() { return run_dram(*o); };
}

}  // namespace einflow::cli
