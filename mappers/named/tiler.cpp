// The canonical tiler and the 2D/1D unit finder.
#include <algorithm>

#include "mappers/named/named.h"
#include "common/contains.h"
#include "sim/analytical/nest_model.h"

namespace einflow::named {
namespace {

int64_t largest_divisor_at_most(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0) return d;
  return 1;
}

int64_t smallest_prime(int64_t n) {
  for (int64_t p = 2; p * p <= n; ++p)
    if (n % p == 0) return p;
  return n;
}

// Orders the temporal loops of level `level` for the least energy (then the
// fewest cycles): every order of up to six loops, evaluated by the model.
void best_order(const arch::Architecture& a, const workloads::Cascade& c, mapping::Mapping& m, int level) {
  std::vector<mapping::Loop>& loops = m.levels[level].temporal;
  if (loops.size() < 2 || loops.size() > 6) return;
  const std::vector<mapping::Loop> start = loops;
  std::vector<int> perm(loops.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int>(i);
  std::vector<int> best = perm;
  double best_energy = 0;
  int64_t best_cycles = 0;
  bool first = true;
  do {
    for (size_t i = 0; i < perm.size(); ++i) loops[i] = start[perm[i]];
    const sim::Stats s = sim::analytical::evaluate_mapping(a, c, m);
    if (first || s.energy_pj < best_energy * (1 - 1e-12) ||
        (s.energy_pj <= best_energy * (1 + 1e-12) && s.cycles < best_cycles)) {
      best = perm;
      best_energy = s.energy_pj;
      best_cycles = s.cycles;
      first = false;
    }
  } while (std::next_permutation(perm.begin(), perm.end()));
  for (size_t i = 0; i < perm.size(); ++i) loops[i] = start[best[i]];
}

// Retention: keep each requested tensor at its node, bypass the levels
// between it and the root.
void apply_retention(const arch::Architecture& a, const std::vector<int>& path, const std::vector<int>& tensors,
                     const TileRequest& req, mapping::Mapping& m) {
  const int n = static_cast<int>(path.size());
  for (const auto& [t, node] : req.retain) {
    if (!contains(tensors, t)) continue;
    for (int i = 1; i < n; ++i) {
      bool is_above = false;
      for (int x = a.nodes[node].parent; x >= 0; x = a.nodes[x].parent) is_above = is_above || x == path[i];
      if (path[i] == node) m.levels[i].keep.push_back(t);
      else if (is_above) m.levels[i].bypass.push_back(t);
    }
  }
}

// Moves loops out of level `sp` (storage node `node`) to the root until the
// tiles fit; `order`: the Einsum's ranks, output ranks first.
void fit_tiles(const arch::Architecture& a, const workloads::Cascade& c, const workloads::Einsum& e, int node, int sp,
               const std::vector<int>& order, const std::vector<int>& tensors, mapping::Mapping& m) {
  // Move loops out to the root one prime at a time until the tiles fit, taking
  // first the rank whose tensors are largest (streaming them once, and
  // re-fetching the smaller ones); the root's loops keep the output ranks
  // outside the reduced ones, so partial sums stay on chip.
  std::vector<double> weight(c.ranks.size(), 0);
  for (int r : e.iteration_ranks)
    for (int t : tensors)
      if (e.indexes(t, r)) weight[r] += static_cast<double>(c.tensors[t].elements());
  auto position = [&](int r) { return std::find(order.begin(), order.end(), r) - order.begin(); };
  const std::string over = "the tiles kept at " + a.nodes[static_cast<size_t>(node)].name;
  for (int guard = 0; guard < 256; ++guard) {
    const mapping::MappingStatus st = mapping::validate_mapping(m, c, a);
    if (st.ok || st.reason.compare(0, over.size(), over) != 0) break;
    auto& inner = m.levels[sp].temporal;
    auto it = inner.end();
    for (auto jt = inner.begin(); jt != inner.end(); ++jt)
      if (jt->factor > 1 && (it == inner.end() || weight[jt->rank] > weight[it->rank])) it = jt;
    if (it == inner.end()) break;
    const int64_t p = smallest_prime(it->factor);
    it->factor /= p;
    const int rank = it->rank;
    if (it->factor == 1) inner.erase(it);
    auto& outer = m.levels[0].temporal;
    auto jt = std::find_if(outer.begin(), outer.end(), [&](const mapping::Loop& l) { return l.rank == rank; });
    if (jt != outer.end()) {
      jt->factor *= p;
      continue;
    }
    auto at = std::find_if(outer.begin(), outer.end(), [&](const mapping::Loop& l) { return position(l.rank) > position(rank); });
    outer.insert(at, {rank, p, mapping::Axis::kX, m.loc});
  }
}

}  // namespace

ArrayUnits find_array_units(const arch::Architecture& a) {
  ArrayUnits u;
  int64_t best2d = 0, best1d = 0;
  for (int unit : a.host_units()) {
    int64_t x = 1, y = 1;
    for (int n = unit; n >= 0; n = a.nodes[n].parent) {
      x *= a.nodes[n].mesh.x;
      y *= a.nodes[n].mesh.y;
    }
    if (x > 1 && y > 1 && x * y > best2d) {
      best2d = x * y;
      u.array2d = unit;
    } else if (!(x > 1 && y > 1) && x * y > best1d) {
      best1d = x * y;
      u.array1d = unit;
    }
  }
  if (u.array2d < 0) u.array2d = u.array1d;
  if (u.array1d < 0) u.array1d = u.array2d;
  return u;
}

int common_storage(const arch::Architecture& a, const std::vector<int>& units) {
  std::vector<int> common;
  for (int u : units) {
    const std::vector<int> path = a.storage_path(u);
    if (common.empty()) {
      common = path;
      continue;
    }
    size_t n = 0;
    while (n < common.size() && n < path.size() && common[n] == path[n]) ++n;
    common.resize(n);
  }
  return common.empty() ? a.root() : common.back();
}

mapping::Mapping canonical_tile(const arch::Architecture& a, const workloads::Cascade& c, int einsum, int unit,
                                const TileRequest& req) {
  const workloads::Einsum& e = c.einsums[einsum];
  mapping::Mapping m;
  m.einsum = einsum;
  m.einsum_name = e.name;
  m.compute = unit;
  m.loc = c.einsums[einsum].loc;
  const std::vector<int> path = a.storage_path(unit);
  const int n = static_cast<int>(path.size());
  for (int node : path) {
    mapping::LevelMapping l;
    l.node = node;
    l.written = true;
    l.loc = m.loc;
    m.levels.push_back(l);
  }

  // The level above the deepest fan-out carries the spatial loops and the tile's temporal loops.
  int sp = n - 1;
  for (int i = n - 1; i >= 0; --i) {
    const int below = i + 1 < n ? path[i + 1] : unit;
    if (a.fanout(path[i], below) > 1) {
      sp = i;
      break;
    }
  }
  int64_t mesh_x = 1, mesh_y = 1;
  {
    const int below = sp + 1 < n ? path[sp + 1] : unit;
    for (int x = below; x >= 0 && x != path[sp]; x = a.nodes[x].parent) {
      mesh_x *= a.nodes[x].mesh.x;
      mesh_y *= a.nodes[x].mesh.y;
    }
  }
  std::vector<int64_t> remaining(c.ranks.size(), 1);
  for (int r : e.iteration_ranks) remaining[r] = c.ranks[r].size;
  // Each axis takes the preferred ranks in order, each with the largest factor
  // that divides what is left of it and what is left of the axis.
  auto place = [&](const std::vector<std::string>& names, int64_t extent, mapping::Axis axis) {
    for (const auto& name : names) {
      const int r = c.find_rank(name);
      if (extent <= 1) return;
      if (r < 0 || !contains(e.iteration_ranks, r) || remaining[r] <= 1) continue;
      const int64_t f = largest_divisor_at_most(remaining[r], extent);
      if (f <= 1) continue;
      m.levels[sp].spatial.push_back({r, f, axis, m.loc});
      remaining[r] /= f;
      extent /= f;
    }
  };
  place(req.x_ranks, mesh_x, mapping::Axis::kX);
  place(req.y_ranks, mesh_y, mapping::Axis::kY);
  std::vector<int> order;  // output ranks outermost, reduced ranks innermost
  for (const auto* ranks : {&e.output_ranks, &e.reduced_ranks})
    for (int r : *ranks) {
      order.push_back(r);
      if (remaining[r] > 1) m.levels[sp].temporal.push_back({r, remaining[r], mapping::Axis::kX, m.loc});
    }

  const std::vector<int> tensors = mapping::einsum_tensors(e);
  apply_retention(a, path, tensors, req, m);
  if (sp == 0) return m;
  fit_tiles(a, c, e, path[sp], sp, order, tensors, m);
  if (mapping::validate_mapping(m, c, a).ok) {
    best_order(a, c, m, sp);
    best_order(a, c, m, 0);
  }
  return m;
}

mapping::CascadeMapping canonical_unfused(const arch::Architecture& a, const workloads::Cascade& c,
                                          const std::vector<int>& unit_of, const TileRequest& request) {
  std::vector<mapping::Mapping> per;
  for (int e : c.topo_order) per.push_back(canonical_tile(a, c, e, unit_of[e], request));
  return mapping::unfused(per);
}

}  // namespace einflow::named
