#include "sim/analytical/group_counts.h"

#include <algorithm>
#include <cmath>

#include "common/contains.h"

namespace einflow::sim::analytical {
namespace {

int64_t to_count(double x) { return static_cast<int64_t>(std::llround(x)); }

}  // namespace

const TileFigures::Entry* TileFigures::find(int node, int tensor) const {
  for (const auto& l : levels)
    if (l.node == node)
      for (const auto& e : l.tensors)
        if (e.tensor == tensor) return &e;
  return nullptr;
}

int64_t TileFigures::tile_words(int node, int tensor) const {
  const Entry* e = find(node, tensor);
  return e ? e->tile_words : -1;
}

int TileFigures::first_keeper(int tensor) const {
  for (size_t i = 1; i < levels.size(); ++i)
    for (const auto& e : levels[i].tensors)
      if (e.tensor == tensor) return levels[i].node;
  return -1;
}

TileFigures tile_figures(const arch::Architecture& a, const workloads::Cascade& c, const Group& g, int k,
                         Stats stats) {
  TileFigures t;
  t.k = k;
  t.einsum = g.einsums[static_cast<size_t>(k)];
  t.unit = g.tiles[static_cast<size_t>(k)].compute;
  t.executions = static_cast<double>(g.executions(c, t.einsum));
  t.onchip_cycles = static_cast<double>(stats.compute_cycles);
  for (const auto& level : stats.per_level) {
    TileFigures::Level l;
    l.node = a.find(level.name);
    for (const auto& ta : level.tensors) l.tensors.push_back({c.find_tensor(ta.tensor), ta.accesses, ta.tile_words});
    t.levels.push_back(std::move(l));
    // Every level's own time but the DRAM's, which the group schedules itself.
    if (a.find(level.name) != a.dram()) t.onchip_cycles = std::max(t.onchip_cycles, level.cycles);
  }
  t.stats = std::move(stats);
  return t;
}

bool Residency::is_resident(int k, int tensor) const {
  for (const auto& r : resident)
    if (r.k == k && r.tensor == tensor) return true;
  return false;
}

bool root_loops_move(const workloads::Cascade& c, const Group& g, const TileFigures& tile, int t) {
  return root_loops_move(c, g, tile.k, tile.einsum, t);
}

bool root_loops_move(const workloads::Cascade& c, const Group& g, int k, int einsum, int t) {
  const workloads::Einsum& e = c.einsums[static_cast<size_t>(einsum)];
  const mapping::LevelMapping& root = g.tiles[static_cast<size_t>(k)].levels[0];
  for (const auto* loops : {&root.temporal, &root.spatial})
    for (const auto& loop : *loops)
      if (loop.factor > 1 && e.indexes(t, loop.rank)) return true;
  return false;
}

double reusable(const workloads::Cascade& c, const Group& g, const TileFigures& tile, int t) {
  return reusable(c, g, tile.k, tile.einsum, tile.executions, t);
}

double reusable(const workloads::Cascade& c, const Group& g, int k, int einsum, double executions, int t) {
  if (root_loops_move(c, g, k, einsum, t)) return executions;
  const workloads::Einsum& e = c.einsums[static_cast<size_t>(einsum)];
  double n = 1, upto = 1;
  const int last = g.innermost(c, einsum);
  for (int i = 0; i <= last; ++i) {
    n *= static_cast<double>(g.shared[static_cast<size_t>(i)].factor);
    if (e.indexes(t, g.shared[static_cast<size_t>(i)].rank)) upto = n;
  }
  return upto;
}

namespace {

// The decision, stage by stage: intermediates, then resident inputs, then peaks.
class Decision {
 public:
  Decision(const arch::Architecture& a, const workloads::Cascade& c, const Group& g,
           const std::vector<TileFigures>& tiles)
      : a(a), c(c), g(g), tiles(tiles), n_e(static_cast<int>(tiles.size())) {
    out.retained_node.assign(c.tensors.size(), -1);
    out.exported.assign(c.tensors.size(), 0);
  }

  Residency run() {
    retain_intermediates();
    keep_inputs_resident();
    peak_words();
    return std::move(out);
  }

 private:
  // Words per instance that node `node` holds at Einsum k: the retained
  // intermediates live then (and `extra`, a candidate), the tile's own words
  // that are not retained, and the other tiles' resident inputs.
  int64_t need_at(int k, int node, const Residency::Kept* extra) const {
    int64_t need = 0;
    auto count = [&](const Residency::Kept& x) {
      if (x.node == node && x.first <= k && k <= x.last) need += x.words;
    };
    for (const auto& x : out.kept) count(x);
    if (extra) count(*extra);
    for (const auto& l : tiles[static_cast<size_t>(k)].levels)
      if (l.node == node)
        for (const auto& ta : l.tensors)
          if (out.retained_node[static_cast<size_t>(ta.tensor)] != node && !(extra && extra->tensor == ta.tensor))
            need += ta.tile_words;
    for (const auto& r : out.resident)
      if (r.k != k && r.node == node) need += r.words;
    return need - in_place_at(k, node, extra);
  }

  // Words that Einsum k saves at `node` by writing its output in place of an
  // input: an element-wise map (nothing reduced) that reads intermediate x at
  // exactly the indices it writes y, where x has its last reader in the group,
  // both held there (kept, or as k's own tile): FLAT's SN = exp(QK - GM)
  // overwrites QK, and A = SN / SD overwrites SN.
  int64_t in_place_at(int k, int node, const Residency::Kept* extra) const {
    const TileFigures& tile = tiles[static_cast<size_t>(k)];
    const workloads::Einsum& e = c.einsums[static_cast<size_t>(tile.einsum)];
    if (!e.reduced_ranks.empty()) return 0;
    // Words of tensor t that `node` holds at k, as need_at counts them (0: none).
    auto held = [&](int t, bool born) -> int64_t {
      auto live = [&](const Residency::Kept& x) {
        return x.node == node && x.tensor == t && (born ? x.first == k : x.last == k);
      };
      for (const auto& x : out.kept)
        if (x.tensor == t) return live(x) ? x.words : 0;
      if (extra && extra->tensor == t) return live(*extra) ? extra->words : 0;
      if (out.retained_node[static_cast<size_t>(t)] == node) return 0;
      for (const auto& l : tile.levels)
        if (l.node == node)
          for (const auto& ta : l.tensors)
            if (ta.tensor == t) return ta.tile_words;
      return 0;
    };
    const int64_t y = held(e.output.tensor, true);
    if (y <= 0) return 0;
    for (const auto& in : e.inputs) {
      const auto& x = c.tensors[static_cast<size_t>(in.tensor)];
      if (x.kind != workloads::TensorKind::kIntermediate || !same_indices(in, e.output)) continue;
      bool last = true;  // no reader of x in the group after k
      for (size_t j = static_cast<size_t>(k) + 1; j < tiles.size(); ++j)
        last = last && !c.einsums[static_cast<size_t>(tiles[j].einsum)].reads(in.tensor);
      if (last) return std::min(held(in.tensor, false), y);
    }
    return 0;
  }

  static bool same_indices(const workloads::Access& a, const workloads::Access& b) {
    if (a.index.size() != b.index.size()) return false;
    for (size_t i = 0; i < a.index.size(); ++i) {
      const workloads::IndexExpr &x = a.index[i], &y = b.index[i];
      if (x.constant != y.constant || x.terms.size() != y.terms.size()) return false;
      for (size_t j = 0; j < x.terms.size(); ++j)
        if (x.terms[j].rank != y.terms[j].rank || x.terms[j].coef != y.terms[j].coef) return false;
    }
    return true;
  }

  bool fits(int node, const Residency::Kept* extra) const {
    const int64_t capacity = a.nodes[static_cast<size_t>(node)].size_words;
    for (int k = 0; k < n_e; ++k)
      if (capacity != 0 && need_at(k, node, extra) > capacity) return false;
    return true;
  }

  // Intermediates produced and consumed inside the group, retained at their
  // retention level in cascade order while they fit beside the tiles; the
  // rest spill. One that a later group reads too is retained for the group's
  // readers and exported: its writer writes it out as well.
  void retain_intermediates() {
    for (size_t t = 0; t < c.tensors.size(); ++t) {
      const auto& tensor = c.tensors[t];
      if (tensor.kind != workloads::TensorKind::kIntermediate || tensor.writers.empty()) continue;
      if (!g.may_retain(c, static_cast<int>(t))) continue;
      bool read_outside = false;
      for (int r : tensor.readers) read_outside = read_outside || !contains(g.einsums, r);
      Residency::Kept x{static_cast<int>(t), g.retention_node(static_cast<int>(t)), n_e, -1, 0};
      for (int k = 0; k < n_e; ++k)
        if (touches(tensor, k)) {
          x.first = std::min(x.first, k);
          x.last = std::max(x.last, k);
        }
      if (x.node < 0) {
        out.spilled.push_back(tensor.name);
        continue;
      }
      for (int k = x.first; k <= x.last; ++k)
        // validate_cascade_mapping rejects a retention that a tile does not keep.
        EINFLOW_ASSERT(!touches(tensor, k) || tiles[static_cast<size_t>(k)].tile_words(x.node, static_cast<int>(t)) >= 0,
                       "intermediate " + tensor.name + " is retained at " + a.nodes[static_cast<size_t>(x.node)].name +
                           ", but Einsum " + c.einsums[static_cast<size_t>(tiles[static_cast<size_t>(k)].einsum)].name +
                           " does not keep it there; the mapping was not validated");
      const int64_t inst = a.nodes[static_cast<size_t>(x.node)].instances;
      x.words = (mapping::tile_elements(c, g.shared, static_cast<int>(t)) + inst - 1) / inst;
      if (fits(x.node, &x)) {
        out.kept.push_back(x);
        out.retained_node[t] = x.node;
        out.exported[t] = read_outside ? 1 : 0;
        out.retained.push_back(tensor.name);
      } else {
        out.spilled.push_back(tensor.name);
      }
    }
  }

  bool touches(const workloads::Tensor& tensor, int k) const {
    const int e = tiles[static_cast<size_t>(k)].einsum;
    return contains(tensor.writers, e) || contains(tensor.readers, e);
  }

  // Inputs that the shared loops leave unchanged stay at their first on-chip
  // level across those loops where they fit.
  void keep_inputs_resident() {
    for (int k = 0; k < n_e; ++k) {
      const TileFigures& tile = tiles[static_cast<size_t>(k)];
      for (int t : mapping::einsum_tensors(c.einsums[static_cast<size_t>(tile.einsum)])) {
        if (out.retained_node[static_cast<size_t>(t)] >= 0 || reusable(c, g, tile, t) >= tile.executions) continue;
        const int node = tile.first_keeper(t);
        if (node < 0) continue;
        out.resident.push_back({k, t, node, tile.tile_words(node, t)});
        if (!fits(node, nullptr)) out.resident.pop_back();
      }
    }
  }

  void peak_words() {
    for (int k = 0; k < n_e; ++k)
      for (const auto& l : tiles[static_cast<size_t>(k)].levels) {
        if (l.node == a.root()) continue;
        int64_t& peak = out.peak_words[a.nodes[static_cast<size_t>(l.node)].name];
        peak = std::max(peak, need_at(k, l.node, nullptr));
      }
  }

  const arch::Architecture& a;
  const workloads::Cascade& c;
  const Group& g;
  const std::vector<TileFigures>& tiles;
  const int n_e;
  Residency out;
};

}  // namespace

Residency decide_residency(const arch::Architecture& a, const workloads::Cascade& c, const Group& g,
                           const std::vector<TileFigures>& tiles) {
  return Decision(a, c, g, tiles).run();
}

void GroupCounts::add(int node, int tensor, const DoubleAccesses& x) {
  auto level = std::find_if(m_levels.begin(), m_levels.end(), [&](const auto& l) { return l.first == node; });
  if (level == m_levels.end()) {
    m_levels.emplace_back(node, std::vector<std::pair<int, DoubleAccesses>>{});
    level = m_levels.end() - 1;
  }
  auto& list = level->second;
  auto found = std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.first == tensor; });
  if (found == list.end()) {
    list.emplace_back(tensor, x);
  } else {
    found->second.reads += x.reads;
    found->second.fills += x.fills;
    found->second.updates += x.updates;
  }
}

void GroupCounts::add_unit_energy(const std::string& unit, const std::string& action, double count, double pj) {
  auto& u = m_unit_energy[{unit, action}];
  u.first += count;
  u.second += pj;
  m_compute_pj += pj;
}

double GroupCounts::fill(const arch::Architecture& a, const workloads::Cascade& c, Stats& s) const {
  s.energy_pj = m_compute_pj;
  for (const auto& [key, v] : m_unit_energy) s.energy.push_back({key.first, key.second, to_count(v.first), v.second});
  double dram_words = 0;
  for (const auto& [node_index, tensors] : m_levels) {
    const arch::Node& node = a.nodes[static_cast<size_t>(node_index)];
    LevelStats ls;
    ls.name = node.name;
    DoubleAccesses total;
    // Per tensor, as the nest model charges it; a cascade's tiles spread over every instance.
    const double inst = static_cast<double>(node.instances);
    double rpj = 0, fpj = 0, upj = 0;
    for (const auto& [tensor, x] : tensors) {
      rpj += node.access_energy(x.reads, inst, node.read_pj);
      fpj += node.access_energy(x.fills, inst, node.write_pj);
      upj += node.access_energy(x.updates, inst, node.update_pj);
      ls.tensors.push_back({c.tensors[static_cast<size_t>(tensor)].name,
                            {to_count(x.reads), to_count(x.fills), to_count(x.updates)},
                            0});
      total.reads += x.reads;
      total.fills += x.fills;
      total.updates += x.updates;
    }
    ls.total = {to_count(total.reads), to_count(total.fills), to_count(total.updates)};
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

EinsumStats einsum_over(const TileFigures& tile, double executions, double cycles_per_execution) {
  EinsumStats es = tile.stats.per_einsum[0];
  es.cycles = to_count(cycles_per_execution * executions);
  es.energy_pj *= executions;
  for (auto& [op, count] : es.ops) count = to_count(static_cast<double>(count) * executions);
  return es;
}

}  // namespace einflow::sim::analytical
