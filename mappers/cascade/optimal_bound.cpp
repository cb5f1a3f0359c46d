#include "mappers/cascade/optimal_bound.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "sim/analytical/group_counts.h"

namespace einflow::cascade {

using sim::LevelStats;

GroupBounds::GroupBounds(const arch::Architecture& a, const workloads::Cascade& c) : m_arch(a), m_cascade(c) {
  for (const arch::Node& node : a.nodes)
    if (node.is_storage()) m_leak_per_cycle += node.leak_pj * static_cast<double>(node.instances);
}

TileBound GroupBounds::tile(const mapping::FusionGroup& grp, size_t k, const sim::Stats& st) const {
  TileBound t;
  t.unit = grp.tiles[k].compute;
  const std::string& unit = m_arch.nodes[static_cast<size_t>(t.unit)].name;
  const double n = static_cast<double>(grp.executions(m_cascade, grp.einsums[k]));
  double onchip = static_cast<double>(st.compute_cycles);
  for (const auto& level : st.per_level)
    if (m_arch.find(level.name) != m_arch.dram()) onchip = std::max(onchip, level.cycles);
  t.onchip = onchip * n;
  // The unit's work per execution is exact (operations x issue cycles over
  // instances) while the tile's compute cycles are rounded to the nearest
  // cycle: half a cycle less is at most any tile's cycles.
  const auto u = st.utilization.find(unit);
  const double work = u == st.utilization.end() ? 0 : u->second * static_cast<double>(st.cycles);
  t.work = std::max(0.0, work - 0.5) * n;
  for (const auto& en : st.energy)
    if (en.component == unit) t.unit_pj += en.energy_pj * n;
  t.inner_pj = onchip_pj(grp, k, n, st);
  root_floor(grp, k, n, st, t);
  return t;
}

namespace {

// Whole cycles no fewer than `cycles` could round to (past 9e18 the model rejects).
int64_t floor_cycles(double cycles) { return static_cast<int64_t>(std::floor(std::min(cycles, 9.0e18))); }

}  // namespace

int64_t GroupBounds::dram_cycles(double words) const {
  const double rate = m_arch.dram_words_per_cycle();
  return floor_cycles(rate > 0 ? words / rate : 0);
}

void GroupBounds::root_floor(const mapping::FusionGroup& grp, size_t k, double n, const sim::Stats& st,
                             TileBound& t) const {
  if (st.per_level.empty() || m_arch.find(st.per_level[0].name) != m_arch.dram() || m_arch.dram() != m_arch.root()) return;
  const int e = grp.einsums[k];
  const arch::Node& dram = m_arch.nodes[static_cast<size_t>(m_arch.dram())];
  for (const auto& ta : st.per_level[0].tensors) {
    const int tensor = m_cascade.find_tensor(ta.tensor);
    if (tensor < 0 || grp.may_retain(m_cascade, tensor)) continue;
    const double f = sim::analytical::reusable(m_cascade, grp, static_cast<int>(k), e, n, tensor);
    const auto reads = static_cast<double>(ta.accesses.reads), updates = static_cast<double>(ta.accesses.updates);
    t.dram_words += (reads + updates) * f;
    t.dram_pj += (reads * dram.read_pj + updates * dram.update_pj) * f * per_word(m_arch.dram());
  }
}

double GroupBounds::per_word(int node) const {
  // access_energy's ceil(words / instances / block_words) x clusters x pj, without the ceil.
  const arch::Node& x = m_arch.nodes[static_cast<size_t>(node)];
  const double inst = static_cast<double>(std::max<int64_t>(1, x.instances));
  if (x.block_words <= 1 && x.cluster <= 1) return 1;
  const double clusters = std::min(inst, std::max(1.0, std::floor(inst / static_cast<double>(std::max<int64_t>(1, x.cluster)))));
  return clusters / inst / static_cast<double>(std::max<int64_t>(1, x.block_words));
}

double GroupBounds::onchip_pj(const mapping::FusionGroup& grp, size_t k, double n, const sim::Stats& st) const {
  const int e = grp.einsums[k];
  double pj = 0;
  std::vector<int> kept;  // tensors an outer on-chip level keeps (their first keeper is above)
  for (size_t l = 1; l < st.per_level.size(); ++l) {
    const LevelStats& level = st.per_level[l];
    const int node = m_arch.find(level.name);
    if (node < 0 || m_arch.is_offchip(node)) continue;
    const arch::Node& x = m_arch.nodes[static_cast<size_t>(node)];
    const bool innermost = l + 1 == st.per_level.size();
    double sum = 0;
    for (const auto& ta : level.tensors) {
      const int tensor = m_cascade.find_tensor(ta.tensor);
      const bool first = std::find(kept.begin(), kept.end(), tensor) == kept.end();
      if (first) kept.push_back(tensor);
      const bool retainable = tensor < 0 || grp.may_retain(m_cascade, tensor);
      if (retainable && !innermost) continue;
      sum += (static_cast<double>(ta.accesses.reads) * x.read_pj + static_cast<double>(ta.accesses.updates) * x.update_pj) * n;
      if (retainable) continue;
      // The first keeper's fills: once per fetch of the tensor, at least reusable()'s.
      const double fills = first ? sim::analytical::reusable(m_cascade, grp, static_cast<int>(k), e, n, tensor) : n;
      sum += static_cast<double>(ta.accesses.fills) * x.write_pj * fills;
    }
    pj += sum * per_word(node);
  }
  return pj;
}

Cost GroupBounds::with_leakage(double cycles, double unit_pj, const Cost& dram) const {
  cycles = std::max(cycles, static_cast<double>(dram.cycles));
  const int64_t whole = floor_cycles(cycles);
  return {whole, unit_pj + dram.energy + static_cast<double>(whole) * m_leak_per_cycle};
}

Cost GroupBounds::of_tiles(const std::vector<TileBound>& tiles, bool pipelined, const Cost& dram) const {
  std::map<int, double> busy;
  double sequential = 0, unit_pj = 0;
  double words = 0, dram_pj = 0;
  for (const TileBound& t : tiles) {
    sequential += t.onchip;
    busy[t.unit] += t.onchip;
    unit_pj += t.unit_pj + t.inner_pj;
    words += t.dram_words;
    dram_pj += t.dram_pj;
  }
  const Cost root{std::max(dram.cycles, dram_cycles(words)), std::max(dram.energy, dram_pj)};
  double cycles = sequential;
  if (pipelined) {
    cycles = 0;
    for (const auto& [u, t] : busy) cycles = std::max(cycles, t);
  }
  return with_leakage(cycles, unit_pj, root);
}

Cost GroupBounds::of_bindings(const std::vector<std::vector<double>>& work, double pj, const Cost& dram) const {
  return with_leakage(busiest_unit_floor(work), pj, dram);
}

namespace {

// sum_k min_u y_u work[k][u], a unit of weight 0 taking nothing.
double weighted(const std::vector<std::vector<double>>& work, const std::vector<double>& y) {
  double sum = 0;
  for (const auto& w : work) {
    double least = std::numeric_limits<double>::infinity();
    for (size_t u = 0; u < w.size(); ++u)
      if (std::isfinite(w[u])) least = std::min(least, y[u] * w[u]);
    if (std::isfinite(least)) sum += least;
  }
  return sum;
}

}  // namespace

void check_floor(const Cost& least, const sim::Stats& s, const char* what) {
  if (static_cast<double>(s.cycles) < static_cast<double>(least.cycles) * (1 - 1e-9) ||
      s.energy_pj < least.energy * (1 - 1e-9))
    throw InternalError(std::string("the optimal search's ") + what + " bound (" + std::to_string(least.cycles) +
                        " cycles, " + std::to_string(least.energy) + " pJ) exceeds a group's cost (" +
                        std::to_string(s.cycles) + " cycles, " + std::to_string(s.energy_pj) + " pJ)");
}

double busiest_unit_floor(const std::vector<std::vector<double>>& work) {
  if (work.empty()) return 0;
  const size_t units = work[0].size();
  double best = 0;
  for (const auto& w : work) best = std::max(best, *std::min_element(w.begin(), w.end()));
  if (units == 0) return best;
  std::vector<double> y(units, 1.0 / static_cast<double>(units)), total(units, 0);
  best = std::max(best, weighted(work, y));
  double inverse = 0;
  for (size_t u = 0; u < units; ++u) {
    for (const auto& w : work) total[u] += std::isfinite(w[u]) ? w[u] : 0;
    inverse += total[u] > 0 ? 1 / total[u] : 0;
  }
  if (inverse > 0) {
    for (size_t u = 0; u < units; ++u) y[u] = total[u] > 0 ? 1 / total[u] / inverse : 0;
    best = std::max(best, weighted(work, y));
  }
  // Between two units a and b the weighted sum is concave in y_a, its
  // breaks where y_a w_a = (1 - y_a) w_b for some position.
  for (size_t a = 0; a < units; ++a)
    for (size_t b = a + 1; b < units; ++b)
      for (const auto& w : work) {
        if (!std::isfinite(w[a]) || !std::isfinite(w[b]) || w[a] + w[b] <= 0) continue;
        std::fill(y.begin(), y.end(), 0.0);
        y[a] = w[b] / (w[a] + w[b]);
        y[b] = 1 - y[a];
        best = std::max(best, weighted(work, y));
      }
  return best;
}

bool GroupBounds::covers(const workloads::Einsum& e, const workloads::Access& x) const {
  if (!e.mask.empty()) return false;
  const workloads::Tensor& t = m_cascade.tensors[static_cast<size_t>(x.tensor)];
  if (x.index.size() != t.extents.size()) return false;
  // Each index a mixed-radix number of ranks no other index uses (m, or
  // m1*M0 + m0 over a partition) whose range is the tensor's extent there.
  std::vector<int> seen;
  for (size_t d = 0; d < x.index.size(); ++d) {
    const workloads::IndexExpr& ix = x.index[d];
    if (ix.constant != 0 || ix.terms.empty()) return false;
    std::vector<workloads::IndexTerm> terms = ix.terms;
    std::sort(terms.begin(), terms.end(), [](const auto& p, const auto& q) { return p.coef < q.coef; });
    int64_t place = 1;
    for (const auto& term : terms) {
      if (term.coef != place || std::find(seen.begin(), seen.end(), term.rank) != seen.end()) return false;
      seen.push_back(term.rank);
      place *= m_cascade.ranks[static_cast<size_t>(term.rank)].size;
    }
    if (place != t.extents[d]) return false;
  }
  return true;
}

Cost GroupBounds::compulsory(const std::vector<int>& einsums) const {
  const int d = m_arch.dram();
  if (d < 0 || d != m_arch.root()) return {};
  const arch::Node& dram = m_arch.nodes[static_cast<size_t>(d)];
  const auto inside = [&](int e) { return std::find(einsums.begin(), einsums.end(), e) != einsums.end(); };
  double words = 0, pj = 0;
  for (size_t t = 0; t < m_cascade.tensors.size(); ++t) {
    const workloads::Tensor& tensor = m_cascade.tensors[t];
    const double n = static_cast<double>(tensor.elements());
    const bool written_here = std::any_of(tensor.writers.begin(), tensor.writers.end(), inside);
    bool whole_read = false, whole_write = false;
    for (int e : einsums) {
      const workloads::Einsum& es = m_cascade.einsums[static_cast<size_t>(e)];
      for (const auto& x : es.inputs) whole_read = whole_read || (x.tensor == static_cast<int>(t) && covers(es, x));
      whole_write = whole_write || (es.output.tensor == static_cast<int>(t) && covers(es, es.output));
    }
    if (!written_here && whole_read) {
      words += n;
      pj += dram.access_energy(n, static_cast<double>(dram.instances), dram.read_pj);
    }
    const bool all_here = std::all_of(tensor.writers.begin(), tensor.writers.end(), inside);
    const bool read_outside = std::any_of(tensor.readers.begin(), tensor.readers.end(),
                                          [&](int e) { return !inside(e); });
    if (written_here && all_here && whole_write && (tensor.kind == workloads::TensorKind::kOutput || read_outside)) {
      words += n;
      pj += dram.access_energy(n, static_cast<double>(dram.instances), std::min(dram.write_pj, dram.update_pj));
    }
  }
  return {dram_cycles(words), pj};
}

}  // namespace einflow::cascade
