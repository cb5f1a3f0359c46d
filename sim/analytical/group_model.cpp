#include "sim/analytical/group_model.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "common/checked.h"
#include "sim/analytical/nest_model.h"

namespace einflow::sim::analytical {

workloads::Cascade tile_cascade(const workloads::Cascade& c, const std::vector<mapping::Loop>& shared) {
  workloads::Cascade t = c;
  std::vector<int64_t> div(c.ranks.size(), 1);
  for (const auto& loop : shared) {
    div[loop.rank] *= loop.factor;
    if (c.ranks[loop.rank].size % div[loop.rank] != 0)
      throw UserError(loop.loc, "the shared loops of rank " + c.ranks[loop.rank].name + " (" +
                                    std::to_string(div[loop.rank]) + ") do not divide its size " +
                                    std::to_string(c.ranks[loop.rank].size));
  }
  for (size_t r = 0; r < c.ranks.size(); ++r) t.ranks[r].size = c.ranks[r].size / div[r];
  for (auto& tensor : t.tensors)
    for (size_t i = 0; i < tensor.ranks.size(); ++i) {
      const int r = tensor.ranks[i];
      tensor.extents[i] = t.ranks[r].size + (tensor.extents[i] - c.ranks[r].size);  // keeps the +1 of iterative ranks
    }
  return t;
}

namespace {

bool in(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

const LevelStats* level_of(const Stats& s, const std::string& name) {
  for (const auto& l : s.per_level)
    if (l.name == name) return &l;
  return nullptr;
}

int64_t tile_words_at(const Stats& s, const std::string& level, const std::string& tensor) {
  if (const LevelStats* l = level_of(s, level))
    for (const auto& t : l->tensors)
      if (t.tensor == tensor) return t.tile_words;
  return -1;  // not kept there
}

}  // namespace

GroupStats evaluate_group(const arch::Architecture& a, const workloads::Cascade& c, const Group& g) {
  if (g.tiles.size() != g.einsums.size())
    throw InternalError("evaluate_group: one tile mapping per Einsum of the group");
  const workloads::Cascade tc = tile_cascade(c, g.shared);
  int64_t n_iter = 1;
  for (const auto& loop : g.shared) n_iter *= loop.factor;
  const double n = static_cast<double>(n_iter);
  const int n_e = static_cast<int>(g.einsums.size());
  std::vector<Stats> tiles;
  for (int k = 0; k < n_e; ++k) tiles.push_back(evaluate_mapping(a, tc, g.tiles[k]));
  const std::string root = a.nodes[0].name;
  const std::string keep_level = g.retain >= 0 ? a.nodes[g.retain].name : "";

  // Intermediates produced and consumed inside the group, retained in cascade
  // order while they fit beside each Einsum's own tiles; the rest spill.
  GroupStats out;
  std::vector<int> retained;
  std::vector<int> first(c.tensors.size(), n_e), last(c.tensors.size(), -1);
  for (size_t t = 0; t < c.tensors.size(); ++t) {
    const auto& tensor = c.tensors[t];
    if (tensor.kind != workloads::TensorKind::kIntermediate) continue;
    bool inside = !tensor.writers.empty();
    for (int w : tensor.writers) inside = inside && in(g.einsums, w);
    for (int r : tensor.readers) inside = inside && in(g.einsums, r);
    if (!inside) continue;
    for (int k = 0; k < n_e; ++k) {
      const int e = g.einsums[k];
      if (in(tensor.writers, e) || in(tensor.readers, e)) {
        first[t] = std::min(first[t], k);
        last[t] = std::max(last[t], k);
      }
    }
    if (g.retain < 0) {
      out.spilled.push_back(tensor.name);
      continue;
    }
    for (int k = first[t]; k <= last[t]; ++k) {
      const int e = g.einsums[k];
      if ((in(tensor.writers, e) || in(tensor.readers, e)) && tile_words_at(tiles[k], keep_level, tensor.name) < 0)
        throw UserError(g.tiles[k].loc, "intermediate " + tensor.name + " is retained at " + keep_level +
                                            ", but the mapping of Einsum " + c.einsums[e].name + " does not keep it there");
    }
    const int64_t capacity = a.nodes[g.retain].size_words;
    bool fits = true;
    for (int k = 0; k < n_e; ++k) {
      int64_t need = 0;
      for (int x : retained)
        if (first[x] <= k && k <= last[x]) need += tc.tensors[x].elements();
      if (first[t] <= k && k <= last[t]) need += tc.tensors[t].elements();
      if (const LevelStats* l = level_of(tiles[k], keep_level))
        for (const auto& ta : l->tensors) {
          const int x = c.find_tensor(ta.tensor);
          if (x != static_cast<int>(t) && !in(retained, x)) need += ta.tile_words;
        }
      fits = fits && (capacity == 0 || need <= capacity);
    }
    if (fits) {
      retained.push_back(static_cast<int>(t));
      out.retained.push_back(tensor.name);
    } else {
      out.spilled.push_back(tensor.name);
    }
  }
  for (int x : retained) out.retained_words += tc.tensors[x].elements();

  // Accesses over every iteration; retained intermediates never reach the
  // root, and the retention level is not refilled with what it already holds.
  Stats& s = out.stats;
  std::map<std::string, std::map<std::string, Accesses>> acc;
  std::vector<std::string> level_order;
  double compute_pj = 0;
  for (int k = 0; k < n_e; ++k) {
    for (const auto& l : tiles[k].per_level) {
      if (std::find(level_order.begin(), level_order.end(), l.name) == level_order.end()) level_order.push_back(l.name);
      for (const auto& ta : l.tensors) {
        const bool kept_on_chip = in(retained, c.find_tensor(ta.tensor));
        if (kept_on_chip && l.name == root) continue;
        Accesses x = ta.accesses;
        if (kept_on_chip && l.name == keep_level) x.fills = 0;
        x.reads = static_cast<int64_t>(std::llround(static_cast<double>(x.reads) * n));
        x.fills = static_cast<int64_t>(std::llround(static_cast<double>(x.fills) * n));
        x.updates = static_cast<int64_t>(std::llround(static_cast<double>(x.updates) * n));
        acc[l.name][ta.tensor] += x;
      }
    }
    const std::string unit = tiles[k].per_einsum[0].unit;
    for (const auto& en : tiles[k].energy)
      if (en.component == unit) {
        compute_pj += en.energy_pj * n;
        s.energy.push_back({unit, en.action, static_cast<int64_t>(std::llround(static_cast<double>(en.count) * n)),
                            en.energy_pj * n});
      }
  }
  s.energy_pj = compute_pj;
  double dram_words = 0;
  for (const auto& name : level_order) {
    const arch::Node& node = a.nodes[a.find(name)];
    LevelStats ls;
    ls.name = name;
    for (const auto& [tensor, x] : acc[name]) {
      ls.tensors.push_back({tensor, x, 0});
      ls.total += x;
    }
    const double rpj = ls.total.reads * node.read_pj, wpj = (ls.total.fills + ls.total.updates) * node.write_pj;
    s.energy.push_back({name, "read", ls.total.reads, rpj});
    s.energy.push_back({name, "fill", ls.total.fills, static_cast<double>(ls.total.fills) * node.write_pj});
    s.energy.push_back({name, "update", ls.total.updates, static_cast<double>(ls.total.updates) * node.write_pj});
    s.energy_pj += rpj + wpj;
    if (node.cls == arch::NodeClass::kDram) {
      dram_words += static_cast<double>(ls.total.reads + ls.total.fills + ls.total.updates);
      s.dram_bytes += (ls.total.reads + ls.total.fills + ls.total.updates) * node.word_bits / 8;
    }
    s.per_level.push_back(ls);
  }

  // Cycles: each Einsum's on-chip time per tile (compute, or an inner level's
  // bandwidth); sequential, or overlapped across the pipelined rank's
  // iterations (the busiest unit plus one iteration of each other unit to fill
  // and drain); against the DRAM traffic at the DRAM's bandwidth.
  std::map<std::string, double> unit_time, unit_work;
  double sequential = 0;
  for (int k = 0; k < n_e; ++k) {
    double oc = static_cast<double>(tiles[k].compute_cycles);
    for (size_t i = 1; i < tiles[k].per_level.size(); ++i) oc = std::max(oc, tiles[k].per_level[i].cycles);
    const std::string& unit = tiles[k].per_einsum[0].unit;
    unit_time[unit] += oc;
    sequential += oc;
    const double util = tiles[k].utilization.at(unit);
    unit_work[unit] += util * static_cast<double>(tiles[k].cycles);
    EinsumStats es = tiles[k].per_einsum[0];
    es.cycles = static_cast<int64_t>(std::llround(oc * n));
    es.energy_pj *= n;
    for (auto& [op, count] : es.ops) count = static_cast<int64_t>(std::llround(static_cast<double>(count) * n));
    s.per_einsum.push_back(es);
  }
  double onchip = sequential;
  if (g.pipeline_rank >= 0 && unit_time.size() > 1) {
    const double iters = static_cast<double>(tc.ranks[g.pipeline_rank].size);
    double slowest = 0, rest = 0;
    for (const auto& [u, t] : unit_time) slowest = std::max(slowest, t);
    for (const auto& [u, t] : unit_time) rest += t / iters;
    onchip = slowest + rest - slowest / iters;
  }
  onchip *= n;
  const double dram_rate = a.dram_words_per_cycle(a.nodes[0]);
  const double dram_cycles = (a.nodes[0].cls == arch::NodeClass::kDram && dram_rate > 0) ? dram_words / dram_rate : 0;
  s.compute_cycles = static_cast<int64_t>(std::llround(onchip));
  s.bound_by = dram_cycles > onchip ? root : "compute";
  s.cycles = static_cast<int64_t>(std::ceil(std::max(onchip, dram_cycles) - 1e-9));
  s.seconds = static_cast<double>(s.cycles) / (a.clock_mhz * 1e6);
  s.area_um2 = a.total_area_um2();
  for (int u : a.compute_units()) {
    const auto it = unit_work.find(a.nodes[u].name);
    s.utilization[a.nodes[u].name] = (it == unit_work.end() || s.cycles == 0) ? 0.0 : it->second * n / static_cast<double>(s.cycles);
  }
  return out;
}

}  // namespace einflow::sim::analytical
