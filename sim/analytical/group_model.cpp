#include "sim/analytical/group_model.h"
#include "common/contains.h"

#include <algorithm>
#include <cmath>

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

struct DoubleAccesses {
  double reads = 0, fills = 0, updates = 0;
};

// One Einsum's tile in the group.
struct Tile {
  Stats stats;
  int einsum = -1;
  double executions = 1;
  std::string unit;
  double onchip_cycles = 0;  // per execution: compute, or an inner level's bandwidth
};

// Words of tensor `tensor` that a tile keeps per instance at `level` (-1: not kept there).
int64_t tile_words_at(const Stats& s, const std::string& level, const std::string& tensor) {
  for (const auto& l : s.per_level)
    if (l.name == level)
      for (const auto& t : l.tensors)
        if (t.tensor == tensor) return t.tile_words;
  return -1;
}

// The first level below the root that keeps the tensor ("" when none).
std::string first_keeper(const Stats& s, const std::string& tensor) {
  for (size_t i = 1; i < s.per_level.size(); ++i)
    for (const auto& t : s.per_level[i].tensors)
      if (t.tensor == tensor) return s.per_level[i].name;
  return "";
}

// One evaluation of a group: its tiles, the intermediates it retains, the
// inputs it keeps resident across shared loops, and the Stats it fills.
class GroupEvaluation {
 public:
  GroupEvaluation(const arch::Architecture& a, const workloads::Cascade& c, const Group& g,
                  const std::vector<Stats>* tile_stats)
      : a(a), c(c), g(g), tc(mapping::tile_cascade(c, g.shared)), n_e(static_cast<int>(g.einsums.size())),
        tiles(static_cast<size_t>(n_e)), retained_node(c.tensors.size(), -1) {
    for (int k = 0; k < n_e; ++k) {
      Tile& t = tiles[k];
      t.stats = tile_stats ? (*tile_stats)[k] : evaluate_mapping(a, tc, g.tiles[k]);
      t.einsum = g.einsums[k];
      t.executions = static_cast<double>(g.executions(c, t.einsum));
      t.unit = a.nodes[g.tiles[k].compute].name;
      t.onchip_cycles = static_cast<double>(t.stats.compute_cycles);
      // Every level's own time but the DRAM's, which the group schedules itself (below).
      for (const auto& level : t.stats.per_level)
        if (a.find(level.name) != a.dram()) t.onchip_cycles = std::max(t.onchip_cycles, level.cycles);
    }
  }

  GroupStats run() {
    retain_intermediates();
    keep_inputs_resident();
    peak_words();
    Accumulated acc = accumulate();
    const double dram_words = level_stats(acc);
    cycles(dram_words);
    return out;
  }

 private:
  // Executions of tile k that fetch tensor t from the root: a tensor that the
  // shared loops inside the last one moving it leave unchanged can stay at its
  // first on-chip level across them (Timeloop's temporal reuse), unless the
  // tile's own root loops move it. It then occupies that level while the other
  // Einsums of the group run, so it stays only where it fits (decided below,
  // after the intermediates, which save more).
  double reusable(int k, int t) const {
    const workloads::Einsum& e = c.einsums[tiles[k].einsum];
    for (const auto* loops : {&g.tiles[k].levels[0].temporal, &g.tiles[k].levels[0].spatial})
      for (const auto& loop : *loops)
        if (loop.factor > 1 && e.indexes(t, loop.rank)) return tiles[k].executions;
    double n = 1, upto = 1;
    const int last = g.innermost(c, tiles[k].einsum);
    for (int i = 0; i <= last; ++i) {
      n *= static_cast<double>(g.shared[i].factor);
      if (e.indexes(t, g.shared[i].rank)) upto = n;
    }
    return upto;
  }
  double fetches(int k, int t) const {
    for (const auto& r : resident)
      if (r.k == k && r.tensor == t) return reusable(k, t);
    return tiles[static_cast<size_t>(k)].executions;
  }

  struct Kept {
    int tensor, node, first, last;
    int64_t words;  // per instance, for one iteration of the shared loops
  };
  struct Resident {
    int k, tensor;
    std::string level;
    int64_t words;
  };
  // Words per instance that node `node` holds at Einsum k: the retained
  // intermediates live then (and `extra`, a candidate), the tile's own words
  // that are not retained, and the other tiles' resident inputs.
  int64_t need_at(int k, int node, const Kept* extra) const {
    const std::string& name = a.nodes[node].name;
    int64_t need = 0;
    auto count = [&](const Kept& x) {
      if (x.node == node && x.first <= k && k <= x.last) need += x.words;
    };
    for (const auto& x : kept) count(x);
    if (extra) count(*extra);
    for (const auto& l : tiles[k].stats.per_level)
      if (l.name == name)
        for (const auto& ta : l.tensors) {
          const int x = c.find_tensor(ta.tensor);
          if (retained_node[x] != node && !(extra && extra->tensor == x)) need += ta.tile_words;
        }
    for (const auto& r : resident)
      if (r.k != k && r.level == name) need += r.words;
    return need;
  }

  // Intermediates produced and consumed inside the group, retained at their
  // retention level in cascade order while they fit beside the tiles; the
  // rest spill.
  void retain_intermediates() {
  for (size_t t = 0; t < c.tensors.size(); ++t) {
    const auto& tensor = c.tensors[t];
    if (tensor.kind != workloads::TensorKind::kIntermediate || tensor.writers.empty()) continue;
    bool inside = true;
    for (int w : tensor.writers) inside = inside && contains(g.einsums, w);
    for (int r : tensor.readers) inside = inside && contains(g.einsums, r);
    if (!inside) continue;
    Kept x{static_cast<int>(t), g.retention_node(static_cast<int>(t)), n_e, -1, 0};
    for (int k = 0; k < n_e; ++k)
      if (contains(tensor.writers, tiles[k].einsum) || contains(tensor.readers, tiles[k].einsum)) {
        x.first = std::min(x.first, k);
        x.last = std::max(x.last, k);
      }
    if (x.node < 0) {
      out.spilled.push_back(tensor.name);
      continue;
    }
    const std::string& level = a.nodes[x.node].name;
    for (int k = x.first; k <= x.last; ++k) {
      const workloads::Einsum& e = c.einsums[tiles[k].einsum];
      // validate_cascade_mapping rejects a retention that a tile does not keep.
      EINFLOW_ASSERT(!(contains(tensor.writers, tiles[k].einsum) || contains(tensor.readers, tiles[k].einsum)) ||
                         tile_words_at(tiles[k].stats, level, tensor.name) >= 0,
                     "intermediate " + tensor.name + " is retained at " + level + ", but Einsum " + e.name +
                         " does not keep it there; the mapping was not validated");
    }
    const int64_t inst = a.nodes[x.node].instances;
    x.words = (tc.tensors[t].elements() + inst - 1) / inst;
    const int64_t capacity = a.nodes[x.node].size_words;
    bool fits = true;
    for (int k = 0; k < n_e && fits; ++k) fits = capacity == 0 || need_at(k, x.node, &x) <= capacity;
    if (fits) {
      kept.push_back(x);
      retained_node[t] = x.node;
      out.retained.push_back(tensor.name);
    } else {
      out.spilled.push_back(tensor.name);
    }
  }
  }

  // Inputs that the shared loops leave unchanged stay at their first on-chip
  // level across those loops where they fit.
  void keep_inputs_resident() {
  for (int k = 0; k < n_e; ++k)
    for (int t : mapping::einsum_tensors(c.einsums[tiles[k].einsum])) {
      if (retained_node[t] >= 0 || reusable(k, t) >= tiles[k].executions) continue;
      const std::string level = first_keeper(tiles[k].stats, c.tensors[t].name);
      if (level.empty()) continue;
      const int node = a.find(level);
      resident.push_back({k, t, level, tile_words_at(tiles[k].stats, level, c.tensors[t].name)});
      bool fits = true;
      for (int j = 0; j < n_e && fits; ++j)
        fits = a.nodes[node].size_words == 0 || need_at(j, node, nullptr) <= a.nodes[node].size_words;
      if (!fits) resident.pop_back();
    }
  }

  void peak_words() {
  for (int k = 0; k < n_e; ++k)
    for (const auto& l : tiles[k].stats.per_level) {
      if (a.find(l.name) == a.root()) continue;
      int64_t& peak = out.peak_words[l.name];
      peak = std::max(peak, need_at(k, a.find(l.name), nullptr));
    }
  }

  struct Accumulated {
    std::vector<std::string> level_order;
    std::vector<std::vector<std::pair<std::string, DoubleAccesses>>> acc;  // per level_order entry
    double compute_pj = 0;
    std::map<std::pair<std::string, std::string>, std::pair<double, double>> unit_energy;  // count, pJ
  };

  // Accesses over every execution. A retained intermediate never reaches the
  // levels above its retention level, and that level is not refilled with it.
  Accumulated accumulate() const {
    Accumulated r;
  for (int k = 0; k < n_e; ++k) {
    const Tile& tile = tiles[k];
    for (const auto& l : tile.stats.per_level) {
      auto it = std::find(r.level_order.begin(), r.level_order.end(), l.name);
      const size_t li = static_cast<size_t>(it - r.level_order.begin());
      if (it == r.level_order.end()) {
        r.level_order.push_back(l.name);
        r.acc.emplace_back();
      }
      const int node = a.find(l.name);
      for (const auto& ta : l.tensors) {
        const int t = c.find_tensor(ta.tensor);
        const int keep = retained_node[t];
        if (keep >= 0 && above(a, node, keep)) continue;
        DoubleAccesses x{static_cast<double>(ta.accesses.reads), static_cast<double>(ta.accesses.fills),
                         static_cast<double>(ta.accesses.updates)};
        if (keep == node) x.fills = 0;
        const double n = tile.executions;
        const double f = keep >= 0 ? n : fetches(k, t);
        if (node == a.root()) {
          x.reads *= f;
          x.updates *= f;
        } else if (l.name == first_keeper(tile.stats, ta.tensor)) {
          x.fills *= f;
          x.reads *= n;
          x.updates *= n;
        } else {
          x.reads *= n;
          x.fills *= n;
          x.updates *= n;
        }
        auto& list = r.acc[li];
        auto found = std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.first == ta.tensor; });
        if (found == list.end()) {
          list.emplace_back(ta.tensor, x);
        } else {
          found->second.reads += x.reads;
          found->second.fills += x.fills;
          found->second.updates += x.updates;
        }
      }
    }
    for (const auto& en : tile.stats.energy)
      if (en.component == tile.unit) {
        auto& u = r.unit_energy[{tile.unit, en.action}];
        u.first += static_cast<double>(en.count) * tile.executions;
        u.second += en.energy_pj * tile.executions;
        r.compute_pj += en.energy_pj * tile.executions;
      }
  }
    return r;
  }

  // Each level's accesses and energy, the units' energy; returns the DRAM's words.
  double level_stats(const Accumulated& r) {
    Stats& s = out.stats;
  s.energy_pj = r.compute_pj;
  for (const auto& [key, v] : r.unit_energy) s.energy.push_back({key.first, key.second, to_count(v.first), v.second});
  double dram_words = 0;
  for (size_t li = 0; li < r.level_order.size(); ++li) {
    const arch::Node& node = a.nodes[a.find(r.level_order[li])];
    LevelStats ls;
    ls.name = r.level_order[li];
    DoubleAccesses total;
    for (const auto& [tensor, x] : r.acc[li]) {
      ls.tensors.push_back({tensor, {to_count(x.reads), to_count(x.fills), to_count(x.updates)}, 0});
      total.reads += x.reads;
      total.fills += x.fills;
      total.updates += x.updates;
    }
    ls.total = {to_count(total.reads), to_count(total.fills), to_count(total.updates)};
    const double rpj = total.reads * node.read_pj, fpj = total.fills * node.write_pj,
                 upj = total.updates * node.write_pj;
    s.energy.push_back({ls.name, "read", ls.total.reads, rpj});
    s.energy.push_back({ls.name, "fill", ls.total.fills, fpj});
    s.energy.push_back({ls.name, "update", ls.total.updates, upj});
    s.energy_pj += rpj + fpj + upj;
    if (node.cls == arch::NodeClass::kDram) {
      const double words = total.reads + total.fills + total.updates;
      dram_words += words;
      s.dram_bytes += to_count(words * node.word_bits / 8);
    }
    s.per_level.push_back(ls);
  }
    return dram_words;
  }

  void cycles(double dram_words) {
    Stats& s = out.stats;
  // Cycles: the Einsums one after another; with a pipelined rank, the units
  // overlap across its iterations: the busiest unit's time plus one iteration
  // of each other unit (fill and drain). The rank is pipelined inside the tile
  // when the tile iterates it, else across the shared loops over it, restarting
  // at each iteration of the loops outside; Einsums that do not iterate it run
  // before or after the pipeline. DRAM traffic at the DRAM's bandwidth bounds it all.
  std::map<std::string, double> unit_time, unit_work;
  double sequential = 0, outside = 0;
  double iters = 1;
  const bool pipelined = g.pipeline_rank >= 0;
  const bool in_tile = pipelined && tc.ranks[g.pipeline_rank].size > 1;
  if (pipelined && !in_tile)
    for (const auto& loop : g.shared)
      if (loop.rank == g.pipeline_rank) iters *= static_cast<double>(loop.factor);
  if (in_tile) iters = static_cast<double>(tc.ranks[g.pipeline_rank].size);
  // Einsums inside the loop over the pipelined rank overlap; the others run before or after.
  auto inside_pipeline = [&](int e) {
    for (int i = 0; i <= g.innermost(c, e); ++i)
      if (g.shared[i].rank == g.pipeline_rank) return true;
    return false;
  };
  for (int k = 0; k < n_e; ++k) {
    const Tile& tile = tiles[k];
    const double t = tile.onchip_cycles * tile.executions;
    sequential += t;
    if (pipelined && (in_tile || inside_pipeline(tile.einsum)))
      unit_time[tile.unit] += t;
    else
      outside += t;
    unit_work[tile.unit] += tile.stats.utilization.at(tile.unit) * static_cast<double>(tile.stats.cycles) *
                            tile.executions;
    EinsumStats es = tile.stats.per_einsum[0];
    es.cycles = to_count(t);
    es.energy_pj *= tile.executions;
    for (auto& [op, count] : es.ops) count = to_count(static_cast<double>(count) * tile.executions);
    s.per_einsum.push_back(es);
  }
  double onchip = sequential;
  if (pipelined && unit_time.size() > 1) {
    double slowest = 0, all = 0;
    for (const auto& [u, t] : unit_time) {
      slowest = std::max(slowest, t);
      all += t;
    }
    onchip = slowest + (all - slowest) / iters + outside;
  }
  const double dram_rate = a.dram_words_per_cycle();
  const double dram_cycles = dram_rate > 0 ? dram_words / dram_rate : 0;
  s.compute_cycles = to_count(onchip);
  s.bound_by = dram_cycles > onchip ? a.node(a.dram()).name : "compute";
  s.cycles = whole_cycles(std::max(onchip, dram_cycles), a.loc);
  s.seconds = a.seconds(static_cast<double>(s.cycles));
  s.area_um2 = a.total_area_um2();
  set_utilization(s, a, unit_work);
  }

  const arch::Architecture& a;
  const workloads::Cascade& c;
  const Group& g;
  const workloads::Cascade tc;
  const int n_e;
  std::vector<Tile> tiles;
  std::vector<int> retained_node;
  std::vector<Kept> kept;
  std::vector<Resident> resident;
  GroupStats out;
};

}  // namespace

GroupStats evaluate_group(const arch::Architecture& a, const workloads::Cascade& c, const Group& g,
                          const std::vector<Stats>* tile_stats) {
  if (g.tiles.size() != g.einsums.size() || (tile_stats && tile_stats->size() != g.einsums.size()))
    throw InternalError("evaluate_group: one tile mapping per Einsum of the group");
  return GroupEvaluation(a, c, g, tile_stats).run();
}

CascadeStats evaluate_cascade(const arch::Architecture& a, const workloads::Cascade& c,
                              const mapping::CascadeMapping& m) {
  std::vector<GroupStats> groups;
  for (const auto& g : m.groups) groups.push_back(evaluate_group(a, c, g));
  return combine_groups(a, std::move(groups));
}

void set_utilization(Stats& s, const arch::Architecture& a, const std::map<std::string, double>& work) {
  for (int u : a.compute_units()) {
    const std::string& name = a.nodes[static_cast<size_t>(u)].name;
    const auto it = work.find(name);
    s.utilization[name] = (it == work.end() || s.cycles == 0) ? 0.0 : it->second / static_cast<double>(s.cycles);
  }
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
