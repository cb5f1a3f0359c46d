#include "sim/stats/stats_json.h"

#include <cstdio>

#include "common/text.h"

namespace einflow::sim {

namespace {

nlohmann::json accesses_json(const Accesses& a) {
  return {{"reads", a.reads}, {"fills", a.fills}, {"updates", a.updates}};
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

nlohmann::json stats_json(const Stats& s, const std::string& arch, const std::string& workload,
                          const char* what, const std::string& value) {
  nlohmann::json j = stats_json(s);
  j["architecture"] = arch;
  j["workload"] = workload;
  j[what] = value;
  return j;
}

nlohmann::json stats_json(const Stats& s) {
  nlohmann::json j{{"cycles", s.cycles},       {"seconds", s.seconds},   {"energy_pj", s.energy_pj},
                   {"dram_bytes", s.dram_bytes}, {"area_um2", s.area_um2}, {"compute_cycles", s.compute_cycles},
                   {"bound_by", s.bound_by}};
  if (s.resident_bytes > 0) {
    j["resident_bytes"] = s.resident_bytes;
    j["dram_capacity_bytes"] = s.dram_capacity_bytes;
    j["fits_in_dram"] = s.fits_in_dram();
  }
  j["utilization"] = nlohmann::json::object();
  for (const auto& [unit, u] : s.utilization) j["utilization"][unit] = u;
  j["per_level"] = nlohmann::json::object();
  for (const auto& l : s.per_level) {
    nlohmann::json lj = accesses_json(l.total);
    lj["total"] = accesses_json(l.total);
    lj["instances_used"] = l.instances_used;
    lj["cycles"] = l.cycles;
    for (const auto& t : l.tensors) {
      lj[t.tensor] = accesses_json(t.accesses);
      lj[t.tensor]["tile_words"] = t.tile_words;
    }
    j["per_level"][l.name] = lj;
  }
  j["energy"] = nlohmann::json::array();
  for (const auto& e : s.energy)
    j["energy"].push_back({{"component", e.component}, {"action", e.action}, {"count", e.count}, {"energy_pj", e.energy_pj}});
  j["per_einsum"] = nlohmann::json::object();
  for (const auto& e : s.per_einsum)
    j["per_einsum"][e.name] = {{"cycles", e.cycles}, {"energy_pj", e.energy_pj}, {"unit", e.unit}, {"ops", e.ops}};
  return j;
}

void print_capacity(std::ostream& os, const Stats& s) {
  if (s.resident_bytes > 0 && s.dram_capacity_bytes > 0)
    os << "DRAM capacity: " << fmt("%.6g", s.resident_bytes) << " bytes resident of " << fmt("%.6g", s.dram_capacity_bytes)
       << (s.fits_in_dram() ? " (fits)" : " (DOES NOT FIT: the workload's weights, caches and activations exceed the DRAM)")
       << "\n";
}

void print_stats(std::ostream& os, const Stats& s) {
  os << "cycles " << s.cycles << " (" << fmt("%.4g", s.seconds) << " s), bound by " << s.bound_by
     << "; compute cycles " << s.compute_cycles << "\n";
  os << "energy " << fmt("%.6g", s.energy_pj) << " pJ; DRAM " << s.dram_bytes << " bytes; area "
     << fmt("%.6g", s.area_um2 * 1e-6) << " mm^2\n";
  print_capacity(os, s);
  for (const auto& [unit, u] : s.utilization) os << "utilization of " << unit << ": " << fmt("%.4f", u) << "\n";
  os << "\n  level / tensor          reads        fills      updates   tile words\n";
  for (const auto& l : s.per_level) {
    os << "  " << l.name << " (" << l.instances_used << " in use)\n";
    for (const auto& t : l.tensors) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "    %-18s %12lld %12lld %12lld %12lld\n", t.tensor.c_str(),
                    static_cast<long long>(t.accesses.reads), static_cast<long long>(t.accesses.fills),
                    static_cast<long long>(t.accesses.updates), static_cast<long long>(t.tile_words));
      os << buf;
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "    %-18s %12lld %12lld %12lld\n", "total", static_cast<long long>(l.total.reads),
                  static_cast<long long>(l.total.fills), static_cast<long long>(l.total.updates));
    os << buf;
  }
  os << "\n  energy by component and action (pJ)\n";
  for (const auto& e : s.energy) {
    if (e.count == 0) continue;
    char buf[160];
    std::snprintf(buf, sizeof buf, "    %-18s %-8s %14lld %14.6g\n", e.component.c_str(), e.action.c_str(),
                  static_cast<long long>(e.count), e.energy_pj);
    os << buf;
  }
}

}  // namespace einflow::sim
