#include "sim/cycle/nest_walker.h"

#include <algorithm>

#include "common/error.h"

namespace einflow::sim::cycle::detail {

Walker::Walker(const arch::Architecture& a, const Cascade& c, const mapping::Mapping& m,
               golden::TensorSet<double>& root, const SimOptions& o, const TilePlace& place)
    : m_arch(a),
      m_cascade(c),
      m_tile_cascade(place.tile ? *place.tile : c),
      m_mapping(m),
      m_einsum(c.einsums[static_cast<size_t>(m.einsum)]),
      m_opts(o),
      m_place(place),
      m_root(root) {
  m_levels = static_cast<int>(m.levels.size());
  m_dram_level = a.level_of(m.compute, a.dram());
  m_ranks = static_cast<int>(m_einsum.iteration_ranks.size());
  for (int r : m_einsum.iteration_ranks) {
    m_rank_size.push_back(m_tile_cascade.ranks[static_cast<size_t>(r)].size);
    m_offset.push_back(place.offset.empty() ? 0 : place.offset[static_cast<size_t>(r)]);
  }
  build_loops();
  m_out_dtype = c.tensors[static_cast<size_t>(m_einsum.output.tensor)].dtype;
  if (m_opts.root_link) m_dram_base = dram_layout(c, m_opts.root_link->word_bytes());
  if (m_levels >= 2 && level_node(m_levels - 1).systolic) {
    // The spatial loops of the level above spread the PEs over its mesh.
    int64_t x = 1, y = 1;
    for (const auto& l : m_mapping.levels[static_cast<size_t>(m_levels - 2)].spatial)
      (l.axis == mapping::Axis::kX ? x : y) *= l.factor;
    m_skew = static_cast<double>((x - 1) + (y - 1));
  }
  m_bank_ports.assign(static_cast<size_t>(m_levels), 0);
  for (int k = 0; k < m_levels; ++k) m_bank_ports[static_cast<size_t>(k)] = level_node(k).ports_per_bank;
  build_tensors();
  if (m_opts.functional)
    for (const auto& ti : m_tensors) {
      const auto& T = c.tensors[static_cast<size_t>(ti.tensor)];
      if (!m_root.count(T.name)) throw UserError(m_einsum.loc, "no values for tensor " + T.name);
    }
  build_stores();
}

int Walker::local_rank(int rank) const {
  for (int r = 0; r < m_ranks; ++r)
    if (m_einsum.iteration_ranks[static_cast<size_t>(r)] == rank) return r;
  return -1;
}

// The loop nest, outermost first, with each loop's stride in its rank, split
// into temporal and spatial loops; the instances of each level.
void Walker::build_loops() {
  const mapping::Mapping& m = m_mapping;
  for (int k = 0; k < m_levels; ++k) {
    const auto& lm = m.levels[static_cast<size_t>(k)];
    for (const auto& l : lm.temporal) m_loops.push_back({k, false, local_rank(l.rank), l.factor, 1});
    for (const auto& l : lm.spatial) m_loops.push_back({k, true, local_rank(l.rank), l.factor, 1});
  }
  std::vector<int64_t> inner(static_cast<size_t>(m_ranks), 1);
  for (size_t i = m_loops.size(); i-- > 0;) {
    m_loops[i].stride = inner[static_cast<size_t>(m_loops[i].rank)];
    inner[static_cast<size_t>(m_loops[i].rank)] *= m_loops[i].factor;
  }
  for (size_t i = 0; i < m_loops.size(); ++i)
    (m_loops[i].spatial ? m_spatial : m_temporal).push_back(static_cast<int>(i));
  // Instances of each level (and of the compute unit, index n): spatial loops above it.
  m_instances.assign(static_cast<size_t>(m_levels + 1), 1);
  m_spatial_above.assign(static_cast<size_t>(m_levels + 1), 0);
  for (int k = 0; k <= m_levels; ++k)
    for (int i : m_spatial)
      if (m_loops[static_cast<size_t>(i)].level < k) {
        m_instances[static_cast<size_t>(k)] *= m_loops[static_cast<size_t>(i)].factor;
        ++m_spatial_above[static_cast<size_t>(k)];
      }
}

// The Einsum's tensors: their accesses as affine maps of the tile's local
// coordinates, the operands' positions, and the levels that keep each.
void Walker::build_tensors() {
  const mapping::Mapping& m = m_mapping;
  const arch::Architecture& a = m_arch;
  const Cascade& c = m_cascade;
  m_operand.resize(m_einsum.inputs.size());
  for (int t : mapping::einsum_tensors(m_einsum)) {
    TensorInfo ti;
    ti.tensor = t;
    ti.output = t == m_einsum.output.tensor;
    const auto& T = c.tensors[static_cast<size_t>(t)];
    std::vector<int64_t> strides(T.extents.size(), 1);
    for (size_t d = T.extents.size(); d-- > 1;) strides[d - 1] = strides[d] * T.extents[d];
    auto affine = [&](const workloads::Access& acc) {
      Affine f;
      f.coef.assign(static_cast<size_t>(m_ranks), 0);
      for (size_t d = 0; d < acc.index.size(); ++d) {
        f.base += strides[d] * acc.index[d].constant;
        for (const auto& term : acc.index[d].terms)
          f.coef[static_cast<size_t>(local_rank(term.rank))] += strides[d] * term.coef;
      }
      // Local coordinates of the tile: the offset folds into the base.
      for (int r = 0; r < m_ranks; ++r)
        f.base += f.coef[static_cast<size_t>(r)] * m_offset[static_cast<size_t>(r)];
      return f;
    };
    if (ti.output) ti.accesses.push_back(affine(m_einsum.output));
    for (size_t a = 0; a < m_einsum.inputs.size(); ++a)
      if (m_einsum.inputs[a].tensor == t) {
        m_operand[a] = {static_cast<int>(m_tensors.size()), static_cast<int>(ti.accesses.size())};
        ti.accesses.push_back(affine(m_einsum.inputs[a]));
        ti.self_read = ti.self_read || ti.output;
      }
    for (int k = 0; k < m_levels; ++k)
      if (mapping::level_keeps(m, a, c, k, t)) ti.keepers.push_back(k);
    m_tensors.push_back(ti);
  }
  m_output = static_cast<int>(m_tensors.size()) - 1;
}

// Per-level stores and counters, sized by the instances.
void Walker::build_stores() {
  const Cascade& c = m_cascade;
  m_store.resize(static_cast<size_t>(m_levels));
  m_sent.resize(static_cast<size_t>(m_levels));
  for (int k = 0; k < m_levels; ++k) {
    m_store[static_cast<size_t>(k)].assign(
        m_tensors.size(), std::vector<Store>(static_cast<size_t>(m_instances[static_cast<size_t>(k)])));
    m_sent[static_cast<size_t>(k)].assign(m_tensors.size(),
                                          std::vector<WordSet>(
                                              static_cast<size_t>(m_instances[static_cast<size_t>(k)])));
  }
  m_counts.assign(static_cast<size_t>(m_levels), std::vector<Counts>(m_tensors.size()));
  m_tile_words.assign(static_cast<size_t>(m_levels), std::vector<int64_t>(m_tensors.size(), 0));
  m_compute_seen.assign(static_cast<size_t>(m_instances[static_cast<size_t>(m_levels)]), {});
  m_eval_stack.resize(m_einsum.expr.size());
  m_global_point.assign(c.ranks.size(), 0);
}

bool Walker::mask_holds(const int64_t* x) {
  for (int r = 0; r < m_ranks; ++r)
    m_global_point[static_cast<size_t>(m_einsum.iteration_ranks[static_cast<size_t>(r)])] =
        x[r] + m_offset[static_cast<size_t>(r)];
  auto val = [&](const workloads::IndexExpr& ix) {
    int64_t v = ix.constant;
    for (const auto& t : ix.terms) v += t.coef * m_global_point[static_cast<size_t>(t.rank)];
    return v;
  };
  for (const auto& cmp : m_einsum.mask)
    if (!workloads::compare(cmp.cmp, val(cmp.lhs), val(cmp.rhs))) return false;
  return true;
}

double Walker::evaluate(const int64_t* x, int64_t cinst) {
  const auto& nodes = m_einsum.expr;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const workloads::ExprNode& nd = nodes[i];
    switch (nd.kind) {
      case workloads::ExprNode::Kind::kConst:
        m_eval_stack[i] = nd.value;
        break;
      case workloads::ExprNode::Kind::kAccess: {
        const Operand& op = m_operand[static_cast<size_t>(nd.access)];
        const TensorInfo& ti = m_tensors[static_cast<size_t>(op.tensor)];
        const int q = ti.keepers.back();
        m_eval_stack[i] = value_at(op.tensor, q, ancestor(cinst, m_levels, q),
                              ti.accesses[static_cast<size_t>(op.access)].at(x));
        break;
      }
      case workloads::ExprNode::Kind::kUnary:
        m_eval_stack[i] = workloads::apply_unary(nd.op, m_eval_stack[static_cast<size_t>(nd.lhs)]);
        break;
      case workloads::ExprNode::Kind::kBinary:
        m_eval_stack[i] = workloads::apply_binary(nd.op, m_eval_stack[static_cast<size_t>(nd.lhs)],
                                             m_eval_stack[static_cast<size_t>(nd.rhs)]);
        break;
    }
  }
  return m_eval_stack.back();
}

// Level k's output words not in its next tile go to the keeper above (all of
// them when `all`, at the end). Children of one parent instance reduce in the
// fan-out: the parent is updated once per word.
void Walker::evict(int k, Traffic& tr, bool all) {
  const TensorInfo& ti = m_tensors[static_cast<size_t>(m_output)];
  if (std::find(ti.keepers.begin(), ti.keepers.end(), k) == ti.keepers.end()) return;
  const int p = keeper_at_or_above(ti, k - 1);
  auto& stores = m_store[static_cast<size_t>(k)][static_cast<size_t>(m_output)];
  std::map<int64_t, std::vector<int64_t>> by_parent;
  for (int64_t i = 0; i < m_instances[static_cast<size_t>(k)]; ++i) {
    Store& st = stores[static_cast<size_t>(i)];
    const std::vector<int64_t>* keep = all ? nullptr : &m_new_tile[static_cast<size_t>(i)];
    int64_t n = 0;
    for (auto it = st.begin(); it != st.end();) {
      if (keep && std::binary_search(keep->begin(), keep->end(), it->first)) {
        ++it;
        continue;
      }
      // Only words some point updated go up; the others (a recurrence's
      // earlier entries, read but not written here) are dropped.
      if (it->second.dirty) {
        const int64_t pi = ancestor(i, k, p);
        bank_access(tr, k, i, it->first);
        if (it->second.written) combine_into(m_output, p, pi, it->first, it->second.v);
        if (p > 0) mark_dirty(p, pi, it->first, m_log_evicted);
        by_parent[pi].push_back(it->first);
        ++n;
      }
      it = st.erase(it);
    }
    tr.child_out = std::max(tr.child_out, n);
  }
  for (auto& [pi, ws] : by_parent) {
    sort_unique(ws);
    const int64_t u = static_cast<int64_t>(ws.size());
    m_counts[static_cast<size_t>(p)][static_cast<size_t>(m_output)].updates += u;
    tr.parent_write[p][pi] += u;
    for (int64_t w : ws) parent_access(tr, p, pi, m_output, w, true);
  }
}

void Walker::load(int k, Traffic& tr) {
  std::vector<int64_t> sidx(m_spatial.size());
  std::vector<int64_t> in_words(static_cast<size_t>(m_instances[static_cast<size_t>(k)]), 0);
  for (size_t t = 0; t < m_tensors.size(); ++t) {
    const TensorInfo& ti = m_tensors[t];
    if (std::find(ti.keepers.begin(), ti.keepers.end(), k) == ti.keepers.end()) continue;
    const int p = keeper_at_or_above(ti, k - 1);
    const bool mc = multicast_between(p, k);
    Arrivals arr;
    arrive(k, t, p, mc, tr, sidx, in_words, arr);
    tally_parent_reads(k, t, p, mc, tr, arr);
  }
  for (int64_t w : in_words) tr.child_in = std::max(tr.child_in, w);
}

// Tensor t's new tile words into every instance of level k from its keeper p
// above: the values, the fills, the child's bank accesses, and what each
// parent instance sends (in `arr`; without multicast, a copy per child).
void Walker::arrive(int k, size_t t, int p, bool mc, Traffic& tr, std::vector<int64_t>& sidx,
                    std::vector<int64_t>& in_words, Arrivals& arr) {
  const TensorInfo& ti = m_tensors[t];
  auto& stores = m_store[static_cast<size_t>(k)][t];
  std::vector<int64_t> written;
  for (int64_t i = 0; i < m_instances[static_cast<size_t>(k)]; ++i) {
    spatial_of(i, k, sidx);
    std::vector<int64_t> tile;
    tile_of(ti, k, sidx, tile);
    if (ti.self_read) tile_of(ti, k, sidx, written, true);
    m_tile_words[static_cast<size_t>(k)][t] = std::max<int64_t>(
        m_tile_words[static_cast<size_t>(k)][t], static_cast<int64_t>(tile.size()));
    Store& st = stores[static_cast<size_t>(i)];
    const int64_t pi = ancestor(i, k, p);
    int64_t fresh = 0;
    for (int64_t w : tile) {
      if (st.count(w)) continue;
      ++fresh;
      if (ti.self_read && !std::binary_search(written.begin(), written.end(), w)) {
        bank_access(tr, k, i, w);
        arr.fetched[pi].push_back(w);
        ++m_counts[static_cast<size_t>(k)][t].fills;
        if (!mc) {
          ++m_counts[static_cast<size_t>(p)][t].reads;
          ++arr.unicast[pi];
          parent_access(tr, p, pi, static_cast<int>(t), w, false);
        }
      } else {
        arr.by_parent[pi].push_back(w);
        // The child's banks take the words that really arrive: not an output
        // word's first arrival, which only initializes it.
        if (!ti.output ||
            (m_bank_ports[static_cast<size_t>(k)] > 0 &&
             m_sent[static_cast<size_t>(k)][t][static_cast<size_t>(pi)].contains(w)))
          bank_access(tr, k, i, w);
        if (!ti.output && !mc) {
          ++arr.unicast[pi];
          parent_access(tr, p, pi, static_cast<int>(t), w, false);
        }
      }
      Cell c;
      if (!ti.output || ti.self_read) {
        // A recurrence reads earlier entries of its own output: they arrive with their values.
        if (m_opts.functional) c.v = value_at(static_cast<int>(t), p, pi, w);
      } else {
        c.v = workloads::reduce_identity(m_einsum.reduce);
      }
      st.emplace(w, c);
    }
    if (!ti.output) {
      // Inputs: words outside the new tile are dropped.
      for (auto it = st.begin(); it != st.end();)
        it = std::binary_search(tile.begin(), tile.end(), it->first) ? std::next(it)
                                                                     : st.erase(it);
      m_counts[static_cast<size_t>(k)][t].fills += fresh;
      if (!mc) m_counts[static_cast<size_t>(p)][t].reads += fresh;
    }
    in_words[static_cast<size_t>(i)] += fresh;
  }
}

// The parent's reads of what arrived: an output word's first arrival only
// initializes it, later ones refill a partial sum; with multicast a word once
// per parent instance.
void Walker::tally_parent_reads(int k, size_t t, int p, bool mc, Traffic& tr, Arrivals& arr) {
  const TensorInfo& ti = m_tensors[t];
  for (auto& [pi, ws] : arr.by_parent) {
    sort_unique(ws);
    int64_t words = static_cast<int64_t>(ws.size());
    if (ti.output) {
      // The first arrival of a word initializes it; later ones refill a partial sum.
      auto& seen = m_sent[static_cast<size_t>(k)][t][static_cast<size_t>(pi)];
      words = 0;
      for (int64_t w : ws)
        if (!seen.insert(w)) {
          ++words;
          parent_access(tr, p, pi, static_cast<int>(t), w, false);
        } else if (m_log_on) {
          m_log_seen.emplace_back(k, pi, w);
        }
      m_counts[static_cast<size_t>(k)][t].fills += words;
      m_counts[static_cast<size_t>(p)][t].reads += words;
    } else if (mc) {
      m_counts[static_cast<size_t>(p)][t].reads += words;
      for (int64_t w : ws) parent_access(tr, p, pi, static_cast<int>(t), w, false);
    } else {
      words = 0;  // counted per child below
    }
    tr.parent_read[p][pi] += words;
  }
  for (auto& [pi, ws] : arr.fetched) {
    if (!mc) continue;  // counted per child below
    sort_unique(ws);
    const int64_t words = static_cast<int64_t>(ws.size());
    m_counts[static_cast<size_t>(p)][t].reads += words;
    tr.parent_read[p][pi] += words;
    for (int64_t w : ws) parent_access(tr, p, pi, static_cast<int>(t), w, false);
  }
  for (const auto& [pi, words] : arr.unicast) tr.parent_read[p][pi] += words;
}

void Walker::compute_step(bool& any) {
  const int64_t ninst = m_instances[static_cast<size_t>(m_levels)];
  std::vector<int64_t> sidx(m_spatial.size()), x, span;
  auto& touched = m_touched;
  touched.resize(m_tensors.size());
  for (auto& v : touched) v.clear();
  m_step_word = -1;
  for (int64_t c = 0; c < ninst; ++c) {
    spatial_of(c, m_levels, sidx);
    tile_box(m_levels, sidx, x, span);
    bool inside = true;
    for (int r = 0; r < m_ranks; ++r)
      inside = inside && x[static_cast<size_t>(r)] < m_rank_size[static_cast<size_t>(r)];
    if (!inside) continue;
    if (!any) m_step_word = m_tensors[static_cast<size_t>(m_output)].accesses.front().at(x.data());
    any = true;
    for (size_t t = 0; t < m_tensors.size(); ++t) {
      const TensorInfo& ti = m_tensors[t];
      const int q = ti.keepers.back();
      const int64_t qi = ancestor(c, m_levels, q);
      const bool mc = ti.output || multicast_between(q, m_levels);
      for (size_t a = 0; a < ti.accesses.size(); ++a) {
        if (ti.output && a > 0) {  // a recurrence's operand: an earlier entry of the output
          ++m_counts[static_cast<size_t>(q)][t].reads;
          continue;
        }
        int64_t w = ti.accesses[a].at(x.data());
        if (mc)
          touched[t].push_back({qi, w});
        else
          ++m_counts[static_cast<size_t>(q)][t].reads;
      }
    }
    if (m_opts.functional && mask_holds(x.data())) {
      double v = evaluate(x.data(), c);
      const TensorInfo& to = m_tensors[static_cast<size_t>(m_output)];
      const int q = to.keepers.back();
      combine_into(m_output, q, ancestor(c, m_levels, q), to.accesses.front().at(x.data()), v);
    }
  }
  for (size_t t = 0; t < m_tensors.size(); ++t) {
    auto& v = touched[t];
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    const int q = m_tensors[t].keepers.back();
    if (!m_tensors[t].output) {
      m_counts[static_cast<size_t>(q)][t].reads += static_cast<int64_t>(v.size());
      continue;
    }
    m_counts[static_cast<size_t>(q)][t].updates += static_cast<int64_t>(v.size());
    for (const auto& [qi, w] : v) {
      if (q > 0) mark_dirty(q, qi, w, m_log_dirty);
      auto& seen = m_compute_seen[static_cast<size_t>(qi)];
      if (!seen.insert(w))
        ++m_counts[static_cast<size_t>(q)][t].reads;
      else if (m_log_on)
        m_log_first.emplace_back(q, qi, w);
    }
  }
}

void Walker::replay_log(int64_t shift, int up_to_level, bool evicted_only) {
  const size_t t = static_cast<size_t>(m_output);
  // Dirty flags only where the words stay across the loop (a level at or
  // above it holds every iteration's words); below it they came and went.
  auto dirty = [&](const Log& log) {
    for (const auto& [k, i, w] : log) {
      if (k > up_to_level) continue;
      auto& st = m_store[static_cast<size_t>(k)][t][static_cast<size_t>(i)];
      auto it = st.find(w + shift);
      if (it != st.end()) it->second.dirty = true;
    }
  };
  dirty(m_log_evicted);
  if (evicted_only) return;
  dirty(m_log_dirty);
  for (const auto& [q, qi, w] : m_log_first)
    m_compute_seen[static_cast<size_t>(qi)].insert(w + shift);
  for (const auto& [k, pi, w] : m_log_seen)
    m_sent[static_cast<size_t>(k)][t][static_cast<size_t>(pi)].insert(w + shift);
}

}  // namespace einflow::sim::cycle::detail
