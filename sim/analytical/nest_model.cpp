#include "sim/analytical/nest_model.h"

#include <algorithm>
#include <cmath>

#include "sim/analytical/pim_layer.h"
#include "workloads/analysis.h"

namespace einflow::sim::analytical {

using mapping::kMaxRanks;
using mapping::TensorProjection;

NestModel::NestModel(const arch::Architecture& arch, const workloads::Cascade& cascade, int einsum, int compute)
    : m_arch(arch), m_cascade(cascade), m_einsum(einsum), m_compute(compute) {
  const workloads::Einsum& e = cascade.einsums[einsum];
  m_n_ranks = static_cast<int>(e.iteration_ranks.size());
  m_proj = mapping::project(cascade, einsum);
  for (int r = 0; r < m_n_ranks; ++r) {
    m_sizes[r] = cascade.ranks[e.iteration_ranks[r]].size;
    m_points *= static_cast<double>(m_sizes[r]);
  }
  if (m_proj.size() > static_cast<size_t>(kMaxTensors))
    throw UserError(e.loc, "Einsum " + e.name + " touches more tensors than the analytical model supports");
  for (int node : arch.storage_path(compute)) {
    const arch::Node& n = arch.nodes[node];
    LevelInfo li;
    li.node = node;
    li.multicast = n.multicast;
    if (n.cls == arch::NodeClass::kDram) {
      li.read_bw = li.write_bw = arch.dram_words_per_cycle(n);
      li.shared_bw = true;
    } else {
      li.read_bw = n.read_bandwidth;
      li.write_bw = n.write_bandwidth;
      li.noc_bw = n.noc_bandwidth;
    }
    m_levels.push_back(li);
  }
  if (m_levels.size() > static_cast<size_t>(kMaxLevels))
    throw UserError(arch.nodes[compute].loc, "more than " + std::to_string(kMaxLevels) +
                                                 " storage levels above " + arch.nodes[compute].name);
  const arch::Node& unit = arch.nodes[compute];
  m_needs = mapping::einsum_hw_ops(cascade, einsum);
  m_cover = mapping::cover_einsum(unit, cascade, einsum);
  m_masked_points = static_cast<double>(workloads::einsum_ops(cascade, einsum).points);
  m_issue_cycles = m_cover.issue_cycles;
  m_compute_pj = m_cover.energy_pj * m_masked_points;
  m_timeloop_reuse = arch.reuse_model == arch::ReuseModel::kTimeloop;
}

Nest NestModel::nest_of(const mapping::Mapping& m) const {
  const workloads::Einsum& e = m_cascade.einsums[m_einsum];
  Nest nest;
  nest.n_levels = static_cast<int>(m.levels.size());
  nest.imperfect = m.imperfect;
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

// The loop nest's geometry. With perfect factorization every effective factor
// equals the factor. With remainder tiles the nest is padded and the
// iterations beyond a rank's size are skipped: along rank r, loop j cuts
// [0, size) into A_j = ceil(size / stride_j) non-empty chunks, and its
// effective factor A_j / A_(j-1) makes every product of factors a count of
// chunks that exist, so tiles and counts are means over full and remainder tiles.
struct NestModel::Geometry {
  int64_t tile[kMaxLevels + 1][kMaxRanks];   // full tile below each level
  double etile[kMaxLevels + 1][kMaxRanks];   // mean tile
  double t_eff[kMaxLevels][kMaxLoops], s_eff[kMaxLevels][kMaxLoops];
  double t_stride[kMaxLevels][kMaxLoops], s_stride[kMaxLevels][kMaxLoops];
  double inst[kMaxLevels + 1];               // instances busy, on average
  double steps;                              // temporal steps, on average over busy instances
};

namespace {

double dabs(double v) { return v < 0 ? -v : v; }

double extent_of(const mapping::VDim& d, const double* tile) {
  double e = 1;
  for (int i = 0; i < d.n_terms; ++i) e += dabs(static_cast<double>(d.coef[i])) * (tile[d.rank[i]] - 1);
  return e;
}

// Extent of the union over the children of the spatial loops at levels
// [lo, hi) of boxes of extent `e` along virtual dimension `d`: children spaced
// sigma apart along a rank of the dimension overlap by e - sigma when sigma < e.
//
// With `identical_only` (Timeloop's multicast), only children whose tiles are
// the same share a read: children spaced apart along the dimension are read
// separately however much their tiles overlap.
double union_extent(const Nest& nest, const mapping::VDim& d, int lo, int hi, const double (*s_stride)[kMaxLoops],
                    const double (*s_eff)[kMaxLoops], double e, bool identical_only) {
  if (e <= 0) return 0;
  for (int i = hi - 1; i >= lo; --i) {
    const NestLevel& l = nest.levels[i];
    for (int j = l.n_spatial - 1; j >= 0; --j) {
      const NestLoop& loop = l.spatial[j];
      if (loop.factor == 1) continue;
      for (int k = 0; k < d.n_terms; ++k)
        if (d.rank[k] == loop.rank) {
          const double sigma = dabs(static_cast<double>(d.coef[k])) * s_stride[i][j];
          e += (s_eff[i][j] - 1) * (identical_only ? (sigma > 0 ? e : 0) : std::min(sigma, e));
        }
    }
  }
  return e;
}

// Temporal steps the busiest instance runs to cover `extent` of one rank with
// its loops chain[pos..n): a temporal loop runs its full chunks and the
// remainder one after the other; a spatial loop's first child is the busiest.
struct ChainLoop {
  int64_t stride;
  bool temporal;
};
int64_t chain_steps(const ChainLoop* chain, int n, int pos, int64_t extent) {
  if (pos == n) return 1;
  const ChainLoop& l = chain[pos];
  if (!l.temporal) return chain_steps(chain, n, pos + 1, std::min(extent, l.stride));
  const int64_t q = extent / l.stride, rem = extent % l.stride;
  int64_t w = q > 0 ? q * chain_steps(chain, n, pos + 1, l.stride) : 0;
  if (rem > 0) w += chain_steps(chain, n, pos + 1, rem);
  return w;
}

}  // namespace

void NestModel::geometry(const Nest& nest, Geometry& g, NestResult& out) const {
  const int n = nest.n_levels;
  const int nr = m_n_ranks;
  int64_t product[kMaxRanks];
  for (int r = 0; r < nr; ++r) product[r] = 1;
  if (nest.imperfect)
    for (int i = 0; i < n; ++i) {
      const NestLevel& l = nest.levels[i];
      for (int j = 0; j < l.n_temporal; ++j) product[l.temporal[j].rank] *= l.temporal[j].factor;
      for (int j = 0; j < l.n_spatial; ++j) product[l.spatial[j].rank] *= l.spatial[j].factor;
    }
  // Effective factors, outermost loop first.
  int64_t outside[kMaxRanks], chunks[kMaxRanks];
  for (int r = 0; r < nr; ++r) outside[r] = chunks[r] = 1;
  auto eff = [&](const NestLoop& loop) {
    if (!nest.imperfect) return static_cast<double>(loop.factor);
    const int r = loop.rank;
    outside[r] *= loop.factor;
    const int64_t stride = product[r] / outside[r];
    const int64_t a = (m_sizes[r] + stride - 1) / stride;
    const double f = static_cast<double>(a) / static_cast<double>(chunks[r]);
    chunks[r] = a;
    return f;
  };
  for (int i = 0; i < n; ++i) {
    const NestLevel& l = nest.levels[i];
    for (int j = 0; j < l.n_temporal; ++j) g.t_eff[i][j] = eff(l.temporal[j]);
    for (int j = 0; j < l.n_spatial; ++j) g.s_eff[i][j] = eff(l.spatial[j]);
  }
  // Tiles and strides, innermost loop first.
  int64_t run[kMaxRanks];
  double erun[kMaxRanks];
  for (int r = 0; r < nr; ++r) {
    run[r] = g.tile[n][r] = 1;
    erun[r] = g.etile[n][r] = 1;
  }
  for (int i = n - 1; i >= 0; --i) {
    const NestLevel& l = nest.levels[i];
    for (int j = l.n_spatial - 1; j >= 0; --j) {
      const int r = l.spatial[j].rank;
      g.s_stride[i][j] = erun[r];
      erun[r] *= g.s_eff[i][j];
      run[r] *= l.spatial[j].factor;
    }
    for (int j = l.n_temporal - 1; j >= 0; --j) {
      const int r = l.temporal[j].rank;
      g.t_stride[i][j] = erun[r];
      erun[r] *= g.t_eff[i][j];
      run[r] *= l.temporal[j].factor;
    }
    for (int r = 0; r < nr; ++r) {
      g.tile[i][r] = run[r];
      g.etile[i][r] = erun[r];
    }
  }
  g.steps = 1;
  g.inst[0] = 1;
  out.steps = 1;
  out.instances_used[0] = 1;
  for (int i = 0; i < n; ++i) {
    const NestLevel& l = nest.levels[i];
    int64_t sp = 1;
    double esp = 1;
    for (int j = 0; j < l.n_spatial; ++j) {
      sp *= l.spatial[j].factor;
      esp *= g.s_eff[i][j];
    }
    for (int j = 0; j < l.n_temporal; ++j) {
      out.steps *= l.temporal[j].factor;
      g.steps *= g.t_eff[i][j];
    }
    out.instances_used[i + 1] = out.instances_used[i] * sp;
    g.inst[i + 1] = g.inst[i] * esp;
  }
  out.compute_instances = out.instances_used[n];
  if (!nest.imperfect) return;
  // Steps that run: per rank, the busiest instance's, multiplied over ranks.
  out.steps = 1;
  for (int r = 0; r < nr; ++r) {
    ChainLoop chain[kMaxLevels * 2 * kMaxLoops];
    int len = 0;
    int64_t inner = product[r];
    for (int i = 0; i < n; ++i) {
      const NestLevel& l = nest.levels[i];
      for (int pass = 0; pass < 2; ++pass) {
        const int cnt = pass == 0 ? l.n_temporal : l.n_spatial;
        for (int j = 0; j < cnt; ++j) {
          const NestLoop& loop = pass == 0 ? l.temporal[j] : l.spatial[j];
          if (loop.rank != r || loop.factor == 1) continue;
          inner /= loop.factor;
          chain[len++] = {inner, pass == 0};
        }
      }
    }
    out.steps *= chain_steps(chain, len, 0, m_sizes[r]);
  }
}

// What the temporal loops above level k add to the transfers between keeper
// `parent` and keeper k of tensor t (innermost loop first): each iteration
// that shifts the tile brings its new words (`arrivals`, at the child) and
// what the union over the children adds (`parent_side`). `e`: the tile's
// extent per virtual dimension; `words` and `u_full`: the tile's words at the
// child and their union over the children.
void NestModel::shifted_transfers(const Nest& nest, int t, const Geometry& g, int parent, int k, const double* e,
                                  double words, double u_full, double& arrivals, double& parent_side) const {
  const TensorProjection& p = m_proj[t];
  const int nv = p.n_vdims;
  auto uext = [&](int v, int lo, int hi, double ext) {
    return union_extent(nest, p.vdims[v], lo, hi, g.s_stride, g.s_eff, ext, m_timeloop_reuse);
  };
  double p_all = 1;
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < nest.levels[i].n_temporal; ++j) p_all *= g.t_eff[i][j];
  double wrap[kMaxRanks] = {};
  double q = 1;
  // Timeloop's deltas: the tile keeps its overlap with the previous one only
  // while the translation repeats that of the innermost loop's steps; a step
  // of an outer loop that moves it otherwise fetches it whole again.
  double first_shift[mapping::kMaxVdims] = {};
  bool innermost = true;
  for (int i = k - 1; i >= 0; --i) {
    const NestLevel& l = nest.levels[i];
    for (int j = l.n_temporal - 1; j >= 0; --j) {
      const NestLoop& loop = l.temporal[j];
      if (loop.factor == 1) continue;
      const double st = g.t_stride[i][j], f = g.t_eff[i][j];
      q *= f;
      const double count = (f - 1) * (p_all / q);
      double kept = 1, s_abs[mapping::kMaxVdims];
      int shifting = 0, shift_dim = -1;
      bool stride_changes = false;
      for (int v = 0; v < nv; ++v) {
        const mapping::VDim& d = p.vdims[v];
        double s = 0;
        for (int x = 0; x < d.n_terms; ++x) {
          const int r = d.rank[x];
          s += static_cast<double>(d.coef[x]) * ((r == loop.rank ? st : 0) - wrap[r]);
        }
        if (innermost) first_shift[v] = s;
        stride_changes = stride_changes || dabs(s - first_shift[v]) > 1e-9;
        s_abs[v] = dabs(s);
        if (s_abs[v] > 1e-9) {
          ++shifting;
          shift_dim = v;
        } else {
          s_abs[v] = 0;
        }
        kept *= std::max(0.0, e[v] - s_abs[v]);
      }
      innermost = false;
      if (m_timeloop_reuse && stride_changes && shifting > 0) {
        arrivals += count * words;
        parent_side += count * u_full;
        wrap[loop.rank] += (f - 1) * st;
        continue;
      }
      const double delta = words - kept;
      if (delta > 1e-9) {
        arrivals += count * delta;
        double du;
        if (shifting == 1) {
          du = uext(shift_dim, parent, k, std::min(s_abs[shift_dim], e[shift_dim]));
          for (int v = 0; v < nv; ++v)
            if (v != shift_dim) du *= uext(v, parent, k, e[v]);
        } else {
          double u_kept = 1;
          for (int v = 0; v < nv; ++v) u_kept *= uext(v, parent, k, std::max(0.0, e[v] - s_abs[v]));
          du = u_full - u_kept;
        }
        parent_side += count * du;
      }
      wrap[loop.rank] += (f - 1) * st;
    }
  }
}

void NestModel::count_tensor(const Nest& nest, int t, const Geometry& g, NestResult& out) const {
  const TensorProjection& p = m_proj[t];
  const int n = nest.n_levels;
  const int nv = p.n_vdims;
  int parent = 0;
  // Distinct words a keeper at level k ever holds: its tile grown by the
  // temporal loops above it and by the spatial loops at levels [lo, k).
  auto distinct_words = [&](int k, int lo) {
    double dt[kMaxRanks];
    for (int r = 0; r < m_n_ranks; ++r) dt[r] = g.etile[k][r];
    for (int i = 0; i < k; ++i) {
      const NestLevel& l = nest.levels[i];
      for (int j = 0; j < l.n_temporal; ++j) dt[l.temporal[j].rank] *= g.t_eff[i][j];
      if (i >= lo)
        for (int j = 0; j < l.n_spatial; ++j) dt[l.spatial[j].rank] *= g.s_eff[i][j];
    }
    double words = 1;
    for (int v = 0; v < nv; ++v) words *= extent_of(p.vdims[v], dt);
    return words;
  };
  auto uext = [&](int v, int lo, int hi, double e) {
    return union_extent(nest, p.vdims[v], lo, hi, g.s_stride, g.s_eff, e, m_timeloop_reuse);
  };
  // Distinct words ever held, summed over instances, at the current keeper.
  double first_total = distinct_words(0, 0);
  out.tile_words[0][t] = p.footprint(g.tile[0]);

  for (int k = 1; k < n; ++k) {
    if (!(nest.levels[k].keep & (1u << t))) continue;
    // Transfers between keeper `parent` and keeper `k`.
    double e[mapping::kMaxVdims], words = 1;
    for (int v = 0; v < nv; ++v) {
      e[v] = extent_of(p.vdims[v], g.etile[k]);
      words *= e[v];
    }
    out.tile_words[k][t] = p.footprint(g.tile[k]);
    bool multicast = true;
    for (int i = parent; i < k; ++i) multicast = multicast && m_levels[i].multicast;
    double u_full = 1;
    for (int v = 0; v < nv; ++v) u_full *= uext(v, parent, k, e[v]);

    // Temporal loops above k, innermost first.
    double arrivals = words, parent_side = u_full;
    shifted_transfers(nest, t, g, parent, k, e, words, u_full, arrivals, parent_side);
    const double inst_k = g.inst[k], inst_p = g.inst[parent];
    // The words the networks into k carry (one network per instance of the
    // level right above k, the keeper or not): the union over each one's
    // children, every tensor's added. For outputs, as many go up.
    if (m_levels[static_cast<size_t>(k)].noc_bw > 0) {
      double net = 0;
      if (parent == k - 1 || !multicast) {
        net = multicast ? parent_side * inst_p : arrivals * inst_k;
      } else {
        double n_full = 1;
        for (int v = 0; v < nv; ++v) n_full *= uext(v, k - 1, k, e[v]);
        double n_arr = words, n_side = n_full;
        shifted_transfers(nest, t, g, k - 1, k, e, words, n_full, n_arr, n_side);
        net = n_side * g.inst[k - 1];
      }
      if (p.is_output) {
        const double first = multicast ? distinct_words(k, parent == k - 1 ? parent : k - 1) * g.inst[k - 1]
                                       : distinct_words(k, k) * inst_k;
        out.net_down[k] += net - first;  // refills only: a first arrival initializes
        out.net_up[k] += net;
      } else {
        out.net_down[k] += net;
      }
    }
    if (!p.is_output) {
      out.counts[k][t].fills += arrivals * inst_k;
      out.counts[parent][t].reads += multicast ? parent_side * inst_p : arrivals * inst_k;
    } else {
      const double first_child = distinct_words(k, k);
      const double p_arr = parent_side * inst_p, p_first = distinct_words(k, parent) * inst_p;
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
  double u = 1;
  for (int v = 0; v < nv; ++v) u *= uext(v, parent, n, 1);
  const double per_step = (!p.is_output && !multicast) ? g.inst[n] : u * g.inst[parent];
  const double words = g.steps * per_step;
  if (!p.is_output) {
    out.counts[parent][t].reads += words;
  } else {
    out.counts[parent][t].updates += words;
    out.counts[parent][t].reads += words - first_total;
  }
}

void NestModel::evaluate(const Nest& nest, NestResult& out) const {
  const int n = nest.n_levels;
  Geometry g;
  geometry(nest, g, out);
  for (int i = 0; i < n; ++i)
    for (int t = 0; t < n_tensors(); ++t) {
      out.counts[i][t] = {};
      out.tile_words[i][t] = 0;
    }
  out.net_down.fill(0);
  out.net_up.fill(0);
  for (int t = 0; t < n_tensors(); ++t) count_tensor(nest, t, g, out);

  out.compute_cycles = static_cast<double>(out.steps) * m_issue_cycles;
  double cycles = out.compute_cycles;
  double energy = m_compute_pj;
  out.bound_level = -1;
  for (int i = 0; i < n; ++i) {
    const LevelInfo& li = m_levels[i];
    const arch::Node& node = m_arch.nodes[static_cast<size_t>(li.node)];
    const double inst = static_cast<double>(out.instances_used[i]);
    double reads = 0, writes = 0;
    for (int t = 0; t < n_tensors(); ++t) {
      const NestCounts& c = out.counts[i][t];
      reads += c.reads + sent_up(nest, out, i, t);
      writes += c.fills + c.updates;
      energy += node.access_energy(c.reads, inst, node.read_pj) + node.access_energy(c.fills, inst, node.write_pj) +
                node.access_energy(c.updates, inst, node.update_pj);
    }
    double c = 0;
    if (li.shared_bw) {
      if (li.read_bw > 0) c = (reads + writes) / inst / li.read_bw;
    } else {
      // Ports and banks, words spread evenly over the banks (conflicts are the cycle model's).
      c = node.port_cycles(reads / inst, writes / inst).busiest();
    }
    if (li.noc_bw > 0 && i > 0)
      // Each network into the level carries its words down and the updates up.
      c = std::max(c, std::max(out.net_down[i], out.net_up[i]) / static_cast<double>(out.instances_used[i - 1]) /
                          li.noc_bw);
    out.level_cycles[i] = c;
    if (c > cycles) {
      cycles = c;
      out.bound_level = i;
    }
  }
  out.cycles = whole_cycles(cycles, m_arch.loc);
  for (int i = 0; i < n; ++i) energy += leak_energy(i, out);
  out.energy_pj = energy;
}

// Words level i sends up of tensor t (one it updates): the updates of the
// nearest keeper above, as sim::words_sent_up counts them for a path. They
// leave through its read port as the compute's reads do (Timeloop's counts put
// them at the parent only).
double NestModel::sent_up(const Nest& nest, const NestResult& r, int i, int t) const {
  if (!(nest.levels[static_cast<size_t>(i)].keep & (1u << t)) || r.counts[i][t].updates <= 0) return 0;
  for (int j = i; j-- > 0;)
    if (nest.levels[static_cast<size_t>(j)].keep & (1u << t)) return r.counts[j][t].updates;
  return 0;
}

double NestModel::leak_energy(int level, const NestResult& r) const {
  const arch::Node& node = m_arch.nodes[static_cast<size_t>(m_levels[static_cast<size_t>(level)].node)];
  return node.leak_pj * static_cast<double>(r.cycles) *
         static_cast<double>(std::max<int64_t>(1, r.instances_used[static_cast<size_t>(level)]));
}

Stats evaluate_mapping(const arch::Architecture& arch, const workloads::Cascade& cascade, const mapping::Mapping& m) {
  if (arch.is_pim(m.compute))
    return pim_einsum_stats(arch, cascade, m.einsum, pim_layout_named(m.pim_layout).value_or(PimLayout::kRounds),
                            m.loc);
  NestModel model(arch, cascade, m.einsum, m.compute);
  Nest nest = model.nest_of(m);
  NestResult r;
  model.evaluate(nest, r);
  return model.to_stats(nest, r);
}

}  // namespace einflow::sim::analytical
