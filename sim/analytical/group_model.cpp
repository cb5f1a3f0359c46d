#include "sim/analytical/group_model.h"

#include "common/contains.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "sim/analytical/group_counts.h"
#include "sim/analytical/group_schedule.h"
#include "sim/analytical/nest_model.h"

namespace einflow::sim::analytical {
namespace {

int64_t to_count(double x) { return static_cast<int64_t>(std::llround(x)); }

// Whether `above` is a proper ancestor of `node`.
bool above(const arch::Architecture& a, int above_node, int node) {
  for (int n = a.nodes[node].parent; n >= 0; n = a.nodes[n].parent)
    if (n == above_node) return true;
  return false;
}

// One evaluation of a group: its tiles' figures, the residency decision, the
// accesses counted by formula, and the cycles.
class GroupEvaluation {
 public:
  GroupEvaluation(const arch::Architecture& a, const workloads::Cascade& c, const Group& g,
                  const std::vector<Stats>* tile_stats, const std::function<void(Residency&)>& adjust)
      : a(a), c(c), g(g), n_e(static_cast<int>(g.einsums.size())), adjust(adjust) {
    // The tile cascade (a copy of the cascade) only when the tiles are to be evaluated here.
    std::optional<mapping::TileCascade> tiled;
    if (!tile_stats) tiled.emplace(c, g.shared);
    for (int k = 0; k < n_e; ++k)
      tiles.push_back(
          tile_figures(a, c, g, k, tile_stats ? (*tile_stats)[k] : evaluate_mapping(a, tiled->get(), g.tiles[k])));
  }

  GroupStats run() {
    residency = decide_residency(a, c, g, tiles);
    if (adjust) adjust(residency);
    out.retained = residency.retained;
    out.spilled = residency.spilled;
    out.peak_words = residency.peak_words;
    const GroupCounts counts = accumulate();
    const double dram_words = counts.fill(a, c, out.stats);
    cycles(dram_words);
    return out;
  }

 private:
  // Executions of tile k that fetch tensor t from the root.
  double fetches(const TileFigures& tile, int t) const {
    return residency.is_resident(tile.k, t) ? reusable(c, g, tile, t) : tile.executions;
  }

  // Accesses over every execution. A retained intermediate never reaches the
  // levels above its retention level, and that level is not refilled with it.
  GroupCounts accumulate() const {
    GroupCounts r;
    for (const TileFigures& tile : tiles) {
      for (const auto& l : tile.levels)
        for (const auto& ta : l.tensors) {
          const int keep = residency.retained_node[static_cast<size_t>(ta.tensor)];
          if (keep >= 0 && above(a, l.node, keep) && residency.stays_home(c, tile.einsum, ta.tensor)) continue;
          DoubleAccesses x{static_cast<double>(ta.accesses.reads), static_cast<double>(ta.accesses.fills),
                           static_cast<double>(ta.accesses.updates)};
          if (keep == l.node) x.fills = 0;
          const double n = tile.executions;
          const double f = keep >= 0 ? n : fetches(tile, ta.tensor);
          if (l.node == a.root()) {
            x.reads *= f;
            x.updates *= f;
          } else if (l.node == tile.first_keeper(ta.tensor)) {
            x.fills *= f;
            x.reads *= n;
            x.updates *= n;
          } else {
            x.reads *= n;
            x.fills *= n;
            x.updates *= n;
          }
          r.add(l.node, ta.tensor, x);
        }
      const std::string& unit = a.nodes[tile.unit].name;
      for (const auto& en : tile.stats.energy)
        if (en.component == unit)
          r.add_unit_energy(unit, en.action, static_cast<double>(en.count) * tile.executions,
                            en.energy_pj * tile.executions);
    }
    return r;
  }

  void cycles(double dram_words) {
    Stats& s = out.stats;
  // Cycles: the Einsums one after another; with a pipelined rank, the units
  // overlap. Across a shared loop over the rank, the executions are
  // list-scheduled as the cycle model schedules them (group_schedule.h). Only
  // inside the tile (no shared loop over it), the busiest unit's time plus one
  // iteration of each other unit (fill and drain); Einsums that do not iterate
  // it run before or after. With pipeline_fill_drain: false (the FuseMax paper's
  // model), the busiest unit's time alone. DRAM traffic at the DRAM's
  // bandwidth bounds it all.
  std::map<std::string, double> unit_time, unit_work;
  double sequential = 0, outside = 0;
  double iters = 1;
  const bool pipelined = g.pipeline_rank >= 0;
  const int64_t pipeline_tile = pipelined ? mapping::tile_rank_size(c, g.shared, g.pipeline_rank) : 1;
  const bool in_tile = pipelined && pipeline_tile > 1;
  if (pipelined && !in_tile)
    for (const auto& loop : g.shared)
      if (loop.rank == g.pipeline_rank) iters *= static_cast<double>(loop.factor);
  if (in_tile) iters = static_cast<double>(pipeline_tile);
  // Einsums inside the loop over the pipelined rank overlap; the others run before or after.
  auto inside_pipeline = [&](int e) {
    for (int i = 0; i <= g.innermost(c, e); ++i)
      if (g.shared[i].rank == g.pipeline_rank) return true;
    return false;
  };
  for (const TileFigures& tile : tiles) {
    const std::string& unit = a.nodes[tile.unit].name;
    const double t = tile.onchip_cycles * tile.executions;
    sequential += t;
    if (pipelined && (in_tile || inside_pipeline(tile.einsum)))
      unit_time[unit] += t;
    else
      outside += t;
    unit_work[unit] += tile.stats.utilization.at(unit) * static_cast<double>(tile.stats.cycles) * tile.executions;
    s.per_einsum.push_back(einsum_over(tile, tile.executions, tile.onchip_cycles));
  }
  double onchip = sequential;
  double slowest = 0, all = 0;
  for (const auto& [u, t] : unit_time) {
    slowest = std::max(slowest, t);
    all += t;
  }
  bool across_shared = false;
  for (const auto& loop : g.shared) across_shared = across_shared || (loop.rank == g.pipeline_rank && loop.factor > 1);
  if (pipelined && !a.pipeline_fill_drain) {
    // The FuseMax paper's assumption: the busiest unit sets the pace from
    // the first iteration to the last, no fill or drain.
    if (unit_time.size() > 1) onchip = slowest + outside;
  } else if (pipelined) {
    // Pipelined across a shared loop: the schedule the cycle model follows
    // (group_schedule.h) on these tiles' times (the executions overlap, not
    // the iterations inside one), whatever units the tiles share. Only inside
    // the tile (no shared loop over the rank), or where the schedule cannot
    // be extended from a few iterations: one iteration of each other unit to
    // fill and drain.
    const double sched = across_shared ? scheduled() : -1;
    if (sched >= 0) onchip = sched;
    else if (unit_time.size() > 1) onchip = slowest + (all - slowest) / iters + outside;
  }
  const double dram_rate = a.dram_words_per_cycle();
  const double dram_cycles = dram_rate > 0 ? dram_words / dram_rate : 0;
  s.compute_cycles = to_count(onchip);
  // Each on-chip level's ports bound the group by all the accesses counted
  // there and the words it sends up, whichever units make them (the tiles
  // overlap; a port does not).
  for (size_t l = 0; l < s.per_level.size(); ++l) {
    const LevelStats& ls = s.per_level[l];
    const int i = a.find(ls.name);
    if (i < 0 || a.is_offchip(i)) continue;
    const arch::Node& n = a.node(i);
    const double inst = static_cast<double>(n.instances);
    // The group's levels are merged over its tiles, not one path: the levels
    // above are the node's ancestors.
    std::vector<size_t> above;
    for (int p = a.nodes[static_cast<size_t>(i)].parent; p >= 0; p = a.nodes[static_cast<size_t>(p)].parent)
      for (size_t j = 0; j < s.per_level.size(); ++j)
        if (s.per_level[j].name == a.nodes[static_cast<size_t>(p)].name) above.push_back(j);
    const double reads = static_cast<double>(ls.total.reads) + words_sent_up(s.per_level, l, above),
                 writes = static_cast<double>(ls.total.fills + ls.total.updates);
    const double bound = n.port_cycles(reads / inst, writes / inst).busiest();
    if (bound > onchip) {
      onchip = bound;
      s.bound_by = n.name;
    }
  }
  if (dram_cycles > onchip) s.bound_by = a.node(a.dram()).name;
  else if (s.bound_by.empty()) s.bound_by = "compute";
  s.cycles = whole_cycles(std::max(onchip, dram_cycles), a.loc);
  s.seconds = a.seconds(static_cast<double>(s.cycles));
  s.area_um2 = a.total_area_um2();
  set_utilization(s, a, unit_work);
  add_leakage(s, a);
  }

  // The makespan of the group's executions scheduled as the cycle model does
  // (units overlapping as the dependencies allow); -1 when too large to extend.
  double scheduled() const {
    std::vector<double> durations;
    std::vector<int> resource_of;
    std::vector<int> units;
    for (const TileFigures& tile : tiles) {
      durations.push_back(tile.onchip_cycles);
      auto it = std::find(units.begin(), units.end(), tile.unit);
      resource_of.push_back(static_cast<int>(it - units.begin()));
      if (it == units.end()) units.push_back(tile.unit);
    }
    return schedule_makespan(c, g, durations, resource_of);
  }

  const arch::Architecture& a;
  const workloads::Cascade& c;
  const Group& g;
  const int n_e;
  const std::function<void(Residency&)>& adjust;
  std::vector<TileFigures> tiles;
  Residency residency;
  GroupStats out;
};

}  // namespace

GroupStats evaluate_group(const arch::Architecture& a, const workloads::Cascade& c, const Group& g,
                          const std::vector<Stats>* tile_stats, const std::function<void(Residency&)>& adjust) {
  if (g.tiles.size() != g.einsums.size() || (tile_stats && tile_stats->size() != g.einsums.size()))
    throw InternalError("evaluate_group: one tile mapping per Einsum of the group");
  if (g.einsums.size() == 1 && a.is_pim(g.tiles[0].compute)) {  // a PIM unit's Einsum runs alone
    GroupStats gs;
    gs.stats = tile_stats ? (*tile_stats)[0] : evaluate_mapping(a, c, g.tiles[0]);
    return gs;
  }
  return GroupEvaluation(a, c, g, tile_stats, adjust).run();
}

CascadeStats evaluate_cascade(const arch::Architecture& a, const workloads::Cascade& c,
                              const mapping::CascadeMapping& m) {
  std::vector<GroupStats> groups;
  for (const auto& g : m.groups) groups.push_back(evaluate_group(a, c, g));
  return combine_groups(a, std::move(groups));
}

void add_leakage(Stats& s, const arch::Architecture& arch) {
  for (const arch::Node& n : arch.nodes)
    if (n.is_storage() && n.leak_pj > 0) {
      const double count = static_cast<double>(s.cycles) * static_cast<double>(n.instances);
      s.energy.push_back({n.name, "leak", static_cast<int64_t>(std::llround(count)), count * n.leak_pj});
      s.energy_pj += count * n.leak_pj;
    }
}

void set_utilization(Stats& s, const arch::Architecture& a, const std::map<std::string, double>& work) {
  for (int u : a.compute_units()) {
    const std::string& name = a.nodes[static_cast<size_t>(u)].name;
    const auto it = work.find(name);
    s.utilization[name] = (it == work.end() || s.cycles == 0) ? 0.0 : it->second / static_cast<double>(s.cycles);
  }
  // What else a part measured (the GPU model's SMs busy): time-weighted the same way.
  for (const auto& [name, w] : work)
    if (!s.utilization.count(name)) s.utilization[name] = s.cycles == 0 ? 0.0 : w / static_cast<double>(s.cycles);
}

CascadeStats combine_groups(const arch::Architecture& a, std::vector<GroupStats> groups) {
  CascadeStats out;
  Stats& s = out.stats;
  std::map<std::string, double> work;
  double longest = -1;
  for (auto& gs : groups) {
    const Stats& x = gs.stats;
    s.cycles += x.cycles;
    s.energy_pj += x.energy_pj;
    s.dram_bytes += x.dram_bytes;
    s.compute_cycles += x.compute_cycles;
    if (static_cast<double>(x.cycles) > longest) {
      longest = static_cast<double>(x.cycles);
      s.bound_by = x.bound_by;
    }
    for (const auto& [u, f] : x.utilization) work[u] += f * static_cast<double>(x.cycles);
    for (const auto& l : x.per_level) {
      auto it = std::find_if(s.per_level.begin(), s.per_level.end(), [&](const LevelStats& y) { return y.name == l.name; });
      if (it == s.per_level.end()) {
        s.per_level.push_back(l);
        continue;
      }
      it->total += l.total;
      for (const auto& ta : l.tensors) {
        auto jt = std::find_if(it->tensors.begin(), it->tensors.end(),
                               [&](const TensorAccesses& y) { return y.tensor == ta.tensor; });
        if (jt == it->tensors.end()) it->tensors.push_back(ta);
        else jt->accesses += ta.accesses;
      }
    }
    for (const auto& en : x.energy) {
      auto it = std::find_if(s.energy.begin(), s.energy.end(), [&](const EnergyEntry& y) {
        return y.component == en.component && y.action == en.action;
      });
      if (it == s.energy.end()) {
        s.energy.push_back(en);
      } else {
        it->count += en.count;
        it->energy_pj += en.energy_pj;
      }
    }
    for (const auto& e : x.per_einsum) s.per_einsum.push_back(e);
    out.groups.push_back(std::move(gs));
  }
  s.seconds = a.seconds(static_cast<double>(s.cycles));
  s.area_um2 = a.total_area_um2();
  set_utilization(s, a, work);
  return out;
}

}  // namespace einflow::sim::analytical
