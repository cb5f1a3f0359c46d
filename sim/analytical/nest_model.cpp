#include "sim/analytical/nest_model.h"

#include <algorithm>
#include <cmath>

namespace einflow::sim::analytical {

using mapping::kMaxRanks;
using mapping::TensorProjection;

NestModel::NestModel(const arch::Architecture& arch, const workloads::Cascade& cascade, int einsum, int compute)
    : m_arch(arch), m_cascade(cascade), m_einsum(einsum), m_compute(compute) {
  const workloads::Einsum& e = cascade.einsums[einsum];
  m_n_ranks = static_cast<int>(e.iteration_ranks.size());
  m_proj = mapping::project(cascade, einsum);
  if (m_proj.size() > static_cast<size_t>(kMaxTensors))
    throw UserError(e.loc, "Einsum " + e.name + " touches more tensors than the analytical model supports");
  for (int node : arch.storage_path(compute)) {
    const arch::Node& n = arch.nodes[node];
    LevelInfo li;
    li.node = node;
    li.read_pj = n.read_pj;
    li.write_pj = n.write_pj;
    li.multicast = n.multicast;
    if (n.cls == arch::NodeClass::kDram) {
      li.read_bw = li.write_bw = arch.dram_words_per_cycle(n);
      li.shared_bw = true;
    } else {
      li.read_bw = n.read_bandwidth;
      li.write_bw = n.write_bandwidth;
    }
    m_levels.push_back(li);
  }
  if (m_levels.size() > static_cast<size_t>(kMaxLevels))
    throw UserError(arch.nodes[compute].loc, "more than " + std::to_string(kMaxLevels) +
                                                 " storage levels above " + arch.nodes[compute].name);
  const arch::Node& unit = arch.nodes[compute];
  m_needs = mapping::einsum_hw_ops(cascade, einsum);
  m_issue_cycles = mapping::issue_cycles_per_point(unit, m_needs);
  for (const auto& need : m_needs)
    if (const arch::OpSpec* op = mapping::unit_op_for(unit, need.op))
      m_compute_pj += static_cast<double>(need.count) * op->energy_pj;
}

Nest NestModel::nest_of(const mapping::Mapping& m) const {
  const workloads::Einsum& e = m_cascade.einsums[m_einsum];
  Nest nest;
  nest.n_levels = static_cast<int>(m.levels.size());
  for (int i = 0; i < nest.n_levels; ++i) {
    const mapping::LevelMapping& lm = m.levels[i];
    NestLevel& l = nest.levels[i];
    if (lm.temporal.size() > static_cast<size_t>(kMaxLoops) || lm.spatial.size() > static_cast<size_t>(kMaxLoops))
      throw UserError(lm.loc, "more than " + std::to_string(kMaxLoops) + " loops at one level");
    for (const auto& loop : lm.temporal)
      l.temporal[l.n_temporal++] = {static_cast<int8_t>(mapping::local_rank(e, loop.rank)), 0, loop.factor};
    for (const auto& loop : lm.spatial)
      l.spatial[l.n_spatial++] = {static_cast<int8_t>(mapping::local_rank(e, loop.rank)),
                                  static_cast<int8_t>(loop.axis == mapping::Axis::kX ? 0 : 1), loop.factor};
    for (int t = 0; t < n_tensors(); ++t)
      if (mapping::level_keeps(m, m_arch, m_cascade, i, m_proj[t].tensor)) l.keep |= 1u << t;
  }
  return nest;
}

namespace {

int64_t iabs(int64_t v) { return v < 0 ? -v : v; }

// Extent of the union over the children of the spatial loops at levels
// [lo, hi) of boxes of extent `e` along virtual dimension `d`: children spaced
// sigma apart along a rank of the dimension overlap by e - sigma when sigma < e.
int64_t union_extent(const Nest& nest, const mapping::VDim& d, int lo, int hi,
                     const int64_t (*s_stride)[kMaxLoops], int64_t e) {
  if (e <= 0) return 0;
  for (int i = hi - 1; i >= lo; --i) {
    const NestLevel& l = nest.levels[i];
    for (int j = l.n_spatial - 1; j >= 0; --j) {
      const NestLoop& loop = l.spatial[j];
      if (loop.factor == 1) continue;
      for (int k = 0; k < d.n_terms; ++k)
        if (d.rank[k] == loop.rank) {
          const int64_t sigma = iabs(d.coef[k]) * s_stride[i][j];
          e += (loop.factor - 1) * std::min(sigma, e);
        }
    }
  }
  return e;
}

}  // namespace

void NestModel::count_tensor(const Nest& nest, int t, const int64_t (*tile)[kMaxRanks],
                             const int64_t (*t_stride)[kMaxLoops], const int64_t (*s_stride)[kMaxLoops],
                             NestResult& out) const {
  const TensorProjection& p = m_proj[t];
  const int n = nest.n_levels;
  const int nv = p.n_vdims;
  int parent = 0;
  // Distinct words a keeper at level k ever holds: its tile grown by the
  // temporal loops above it and by the spatial loops at levels [lo, k).
  auto distinct_words = [&](int k, int lo) {
    int64_t dt[kMaxRanks];
    for (int r = 0; r < m_n_ranks; ++r) dt[r] = tile[k][r];
    for (int i = 0; i < k; ++i) {
      const NestLevel& l = nest.levels[i];
      for (int j = 0; j < l.n_temporal; ++j) dt[l.temporal[j].rank] *= l.temporal[j].factor;
      if (i >= lo)
        for (int j = 0; j < l.n_spatial; ++j) dt[l.spatial[j].rank] *= l.spatial[j].factor;
    }
    return p.footprint(dt);
  };
  // Distinct words ever held, summed over instances, at the current keeper.
  int64_t first_total = distinct_words(0, 0);
  out.tile_words[0][t] = p.footprint(tile[0]);

  for (int k = 1; k < n; ++k) {
    if (!(nest.levels[k].keep & (1u << t))) continue;
    // Transfers between keeper `parent` and keeper `k`.
    int64_t e[mapping::kMaxVdims], words = 1;
    for (int v = 0; v < nv; ++v) {
      e[v] = p.extent(v, tile[k]);
      words *= e[v];
    }
    out.tile_words[k][t] = words;
    bool multicast = true;
    for (int i = parent; i < k; ++i) multicast = multicast && m_levels[i].multicast;
    int64_t u_full = 1;
    for (int v = 0; v < nv; ++v) u_full *= union_extent(nest, p.vdims[v], parent, k, s_stride, e[v]);

    // Temporal loops above k, innermost first.
    int64_t p_all = 1;
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < nest.levels[i].n_temporal; ++j) p_all *= nest.levels[i].temporal[j].factor;
    int64_t wrap[kMaxRanks] = {};
    int64_t q = 1;
    int64_t arrivals = words, parent_side = u_full;
    for (int i = k - 1; i >= 0; --i) {
      const NestLevel& l = nest.levels[i];
      for (int j = l.n_temporal - 1; j >= 0; --j) {
        const NestLoop& loop = l.temporal[j];
        if (loop.factor == 1) continue;
        const int64_t st = t_stride[i][j];
        q *= loop.factor;
        const int64_t count = (loop.factor - 1) * (p_all / q);
        int64_t kept = 1, shifting = 0, shift_dim = -1, s_abs[mapping::kMaxVdims];
        for (int v = 0; v < nv; ++v) {
          const mapping::VDim& d = p.vdims[v];
          int64_t s = 0;
          for (int x = 0; x < d.n_terms; ++x) {
            const int r = d.rank[x];
            s += d.coef[x] * ((r == loop.rank ? st : 0) - wrap[r]);
          }
          s_abs[v] = iabs(s);
          if (s != 0) {
            ++shifting;
            shift_dim = v;
          }
          kept *= std::max<int64_t>(0, e[v] - s_abs[v]);
        }
        const int64_t delta = words - kept;
        if (delta > 0) {
          arrivals += count * delta;
          int64_t du;
          if (shifting == 1) {
            du = union_extent(nest, p.vdims[shift_dim], parent, k, s_stride, std::min(s_abs[shift_dim], e[shift_dim]));
            for (int v = 0; v < nv; ++v)
              if (v != shift_dim) du *= union_extent(nest, p.vdims[v], parent, k, s_stride, e[v]);
          } else {
            int64_t u_kept = 1;
            for (int v = 0; v < nv; ++v)
              u_kept *= union_extent(nest, p.vdims[v], parent, k, s_stride, std::max<int64_t>(0, e[v] - s_abs[v]));
            du = u_full - u_kept;
          }
          parent_side += count * du;
        }
        wrap[loop.rank] += (loop.factor - 1) * st;
      }
    }
    const int64_t inst_k = out.instances_used[k], inst_p = out.instances_used[parent];
    if (!p.is_output) {
      out.counts[k][t].fills += arrivals * inst_k;
      out.counts[parent][t].reads += multicast ? parent_side * inst_p : arrivals * inst_k;
    } else {
      const int64_t first_child = distinct_words(k, k);
      const int64_t p_arr = parent_side * inst_p, p_first = distinct_words(k, parent) * inst_p;
      out.counts[k][t].fills += p_arr - p_first;
      out.counts[parent][t].reads += p_arr - p_first;
      out.counts[parent][t].updates += p_arr;
      first_total = first_child * inst_k;
    }
    parent = k;
  }

  // The compute units read operands from (and write results to) the innermost keeper.
  bool multicast = true;
  for (int i = parent; i < n; ++i) multicast = multicast && m_levels[i].multicast;
  int64_t u = 1;
  for (int v = 0; v < nv; ++v) u *= union_extent(nest, p.vdims[v], parent, n, s_stride, 1);
  const int64_t per_step = (!p.is_output && !multicast) ? out.instances_used[n] : u * out.instances_used[parent];
  const int64_t words = out.steps * per_step;
  if (!p.is_output) {
    out.counts[parent][t].reads += words;
  } else {
    out.counts[parent][t].updates += words;
    out.counts[parent][t].reads += words - first_total;
  }
}

void NestModel::evaluate(const Nest& nest, NestResult& out) const {
  const int n = nest.n_levels;
  int64_t tile[kMaxLevels + 1][kMaxRanks];
  int64_t t_stride[kMaxLevels][kMaxLoops];
  int64_t s_stride[kMaxLevels][kMaxLoops];
  int64_t run[kMaxRanks];
  for (int r = 0; r < m_n_ranks; ++r) run[r] = tile[n][r] = 1;
  for (int i = n - 1; i >= 0; --i) {
    const NestLevel& l = nest.levels[i];
    for (int j = l.n_spatial - 1; j >= 0; --j) {
      s_stride[i][j] = run[l.spatial[j].rank];
      run[l.spatial[j].rank] *= l.spatial[j].factor;
    }
    for (int j = l.n_temporal - 1; j >= 0; --j) {
      t_stride[i][j] = run[l.temporal[j].rank];
      run[l.temporal[j].rank] *= l.temporal[j].factor;
    }
    for (int r = 0; r < m_n_ranks; ++r) tile[i][r] = run[r];
  }
  out.steps = 1;
  out.instances_used[0] = 1;
  for (int i = 0; i < n; ++i) {
    const NestLevel& l = nest.levels[i];
    int64_t sp = 1;
    for (int j = 0; j < l.n_spatial; ++j) sp *= l.spatial[j].factor;
    for (int j = 0; j < l.n_temporal; ++j) out.steps *= l.temporal[j].factor;
    out.instances_used[i + 1] = out.instances_used[i] * sp;
  }
  out.compute_instances = out.instances_used[n];
  for (int i = 0; i < n; ++i)
    for (int t = 0; t < n_tensors(); ++t) {
      out.counts[i][t] = {};
      out.tile_words[i][t] = 0;
    }
  for (int t = 0; t < n_tensors(); ++t) count_tensor(nest, t, tile, t_stride, s_stride, out);

  out.compute_cycles = static_cast<double>(out.steps) * m_issue_cycles;
  double cycles = out.compute_cycles;
  double energy = m_compute_pj;
  out.bound_level = -1;
  for (int i = 0; i < n; ++i) {
    const LevelInfo& li = m_levels[i];
    int64_t reads = 0, writes = 0;
    for (int t = 0; t < n_tensors(); ++t) {
      reads += out.counts[i][t].reads;
      writes += out.counts[i][t].fills + out.counts[i][t].updates;
    }
    energy += static_cast<double>(reads) * li.read_pj + static_cast<double>(writes) * li.write_pj;
    const double inst = static_cast<double>(out.instances_used[i]);
    double c = 0;
    if (li.shared_bw) {
      if (li.read_bw > 0) c = static_cast<double>(reads + writes) / inst / li.read_bw;
    } else {
      if (li.read_bw > 0) c = std::max(c, static_cast<double>(reads) / inst / li.read_bw);
      if (li.write_bw > 0) c = std::max(c, static_cast<double>(writes) / inst / li.write_bw);
    }
    out.level_cycles[i] = c;
    if (c > cycles) {
      cycles = c;
      out.bound_level = i;
    }
  }
  out.cycles = static_cast<int64_t>(std::ceil(cycles - 1e-9));
  out.energy_pj = energy;
}

Stats evaluate_mapping(const arch::Architecture& arch, const workloads::Cascade& cascade, const mapping::Mapping& m) {
  NestModel model(arch, cascade, m.einsum, m.compute);
  Nest nest = model.nest_of(m);
  NestResult r;
  model.evaluate(nest, r);
  return model.to_stats(nest, r);
}

}  // namespace einflow::sim::analytical
