#include "sim/cycle/nest_sim.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "mappers/mapping/unit_ops.h"
#include "sim/analytical/nest_model.h"
#include "workloads/scalar_ops.h"

namespace einflow::sim::cycle {
namespace {

using workloads::Cascade;
using workloads::Einsum;

struct LoopInfo {
  int level = 0;
  bool spatial = false;
  int rank = 0;  // local rank
  int64_t factor = 1;
  int64_t stride = 1;
};

// Element offset of an access: base + sum over local ranks of coef[r] * x[r].
struct Affine {
  int64_t base = 0;
  std::vector<int64_t> coef;
  int64_t at(const int64_t* x) const {
    int64_t o = base;
    for (size_t r = 0; r < coef.size(); ++r) o += coef[r] * x[r];
    return o;
  }
};

struct Cell {
  double v = 0;
  bool written = false;
};
using Store = std::unordered_map<int64_t, Cell>;

struct Counts {
  int64_t reads = 0, fills = 0, updates = 0;
};

// One tensor the Einsum touches.
struct TensorInfo {
  int tensor = -1;          // cascade index
  bool output = false;
  std::vector<Affine> accesses;  // every access of it (inputs may repeat a tensor)
  std::vector<int> input_slots;  // Einsum::inputs indices that read it
  std::vector<int> keepers;      // levels that keep it, root first
};

class Walker {
 public:
  Walker(const arch::Architecture& a, const Cascade& c, const mapping::Mapping& m,
         const golden::TensorSet<double>& inputs, const SimOptions& o)
      : m_arch(a), m_c(c), m_m(m), m_e(c.einsums[static_cast<size_t>(m.einsum)]), m_opts(o) {
    m_n = static_cast<int>(m.levels.size());
    m_R = static_cast<int>(m_e.iteration_ranks.size());
    for (int r : m_e.iteration_ranks) m_size.push_back(c.ranks[static_cast<size_t>(r)].size);
    auto local = [&](int rank) {
      for (int r = 0; r < m_R; ++r)
        if (m_e.iteration_ranks[static_cast<size_t>(r)] == rank) return r;
      return -1;
    };
    for (int k = 0; k < m_n; ++k) {
      const auto& lm = m.levels[static_cast<size_t>(k)];
      for (const auto& l : lm.temporal) m_loops.push_back({k, false, local(l.rank), l.factor, 1});
      for (const auto& l : lm.spatial) m_loops.push_back({k, true, local(l.rank), l.factor, 1});
    }
    std::vector<int64_t> inner(static_cast<size_t>(m_R), 1);
    for (size_t i = m_loops.size(); i-- > 0;) {
      m_loops[i].stride = inner[static_cast<size_t>(m_loops[i].rank)];
      inner[static_cast<size_t>(m_loops[i].rank)] *= m_loops[i].factor;
    }
    for (size_t i = 0; i < m_loops.size(); ++i) (m_loops[i].spatial ? m_sp : m_tp).push_back(static_cast<int>(i));
    // Instances of each level (and of the compute unit, index n): spatial loops above it.
    m_inst.assign(static_cast<size_t>(m_n + 1), 1);
    m_sp_above.assign(static_cast<size_t>(m_n + 1), 0);
    for (int k = 0; k <= m_n; ++k)
      for (int i : m_sp)
        if (m_loops[static_cast<size_t>(i)].level < k) {
          m_inst[static_cast<size_t>(k)] *= m_loops[static_cast<size_t>(i)].factor;
          ++m_sp_above[static_cast<size_t>(k)];
        }
    // Tensors, their accesses and keepers.
    for (int t : mapping::einsum_tensors(m_e)) {
      TensorInfo ti;
      ti.tensor = t;
      ti.output = t == m_e.output.tensor;
      const auto& T = c.tensors[static_cast<size_t>(t)];
      std::vector<int64_t> strides(T.extents.size(), 1);
      for (size_t d = T.extents.size(); d-- > 1;) strides[d - 1] = strides[d] * T.extents[d];
      auto affine = [&](const workloads::Access& acc) {
        Affine f;
        f.coef.assign(static_cast<size_t>(m_R), 0);
        for (size_t d = 0; d < acc.index.size(); ++d) {
          f.base += strides[d] * acc.index[d].constant;
          for (const auto& term : acc.index[d].terms) f.coef[static_cast<size_t>(local(term.rank))] += strides[d] * term.coef;
        }
        return f;
      };
      if (ti.output) ti.accesses.push_back(affine(m_e.output));
      for (size_t a = 0; a < m_e.inputs.size(); ++a)
        if (m_e.inputs[a].tensor == t) {
          ti.accesses.push_back(affine(m_e.inputs[a]));
          ti.input_slots.push_back(static_cast<int>(a));
        }
      for (int k = 0; k < m_n; ++k)
        if (mapping::level_keeps(m, a, c, k, t)) ti.keepers.push_back(k);
      m_tensors.push_back(ti);
    }
    m_out_t = static_cast<int>(m_tensors.size()) - 1;
    // Root values: inputs as given, the output at the reduction identity (or the
    // fill where a mask on output ranks excludes the entry).
    if (m_opts.functional) {
      for (const auto& ti : m_tensors) {
        const auto& T = c.tensors[static_cast<size_t>(ti.tensor)];
        if (ti.output) {
          m_root[T.name] = golden::DenseTensor<double>(T.extents, workloads::reduce_identity(m_e.reduce));
        } else {
          auto it = inputs.find(T.name);
          if (it == inputs.end()) throw UserError(m_e.loc, "no values for input " + T.name);
          m_root[T.name] = it->second;
        }
      }
      if (m_e.fill) init_fill();
    }
    // Per-level stores and counters.
    m_store.resize(static_cast<size_t>(m_n));
    m_seen.resize(static_cast<size_t>(m_n));
    for (int k = 0; k < m_n; ++k) {
      m_store[static_cast<size_t>(k)].assign(m_tensors.size(), std::vector<Store>(static_cast<size_t>(m_inst[static_cast<size_t>(k)])));
      m_seen[static_cast<size_t>(k)].assign(m_tensors.size(),
                                            std::vector<std::unordered_set<int64_t>>(static_cast<size_t>(m_inst[static_cast<size_t>(k)])));
    }
    m_counts.assign(static_cast<size_t>(m_n), std::vector<Counts>(m_tensors.size()));
    m_tile_words.assign(static_cast<size_t>(m_n), std::vector<int64_t>(m_tensors.size(), 0));
    m_compute_seen.assign(static_cast<size_t>(m_inst[static_cast<size_t>(m_n)]), {});
    m_stack.resize(m_e.expr.size());
    m_global_x.assign(c.ranks.size(), 0);
  }

  void run(SimResult& out);

 private:
  int64_t word_of(const TensorInfo& ti, const int64_t* x) const { return ti.accesses.front().at(x); }

  // The keeper of tensor ti at or above level k (k itself when it keeps it).
  int keeper_at_or_above(const TensorInfo& ti, int k) const {
    int best = 0;
    for (int q : ti.keepers)
      if (q <= k) best = q;
    return best;
  }
  // The instance of level `p` above instance `inst` of level k.
  int64_t ancestor(int64_t inst, int k, int p) const {
    int64_t div = 1;
    for (int i : m_sp)
      if (m_loops[static_cast<size_t>(i)].level >= p && m_loops[static_cast<size_t>(i)].level < k)
        div *= m_loops[static_cast<size_t>(i)].factor;
    return inst / div;
  }
  bool multicast_between(int p, int k) const {
    for (int i = p; i < k; ++i)
      if (!m_arch.nodes[static_cast<size_t>(m_m.levels[static_cast<size_t>(i)].node)].multicast) return false;
    return true;
  }

  // Spatial loop indices of instance `inst` of level k (the first m_sp_above[k] spatial loops).
  void spatial_of(int64_t inst, int k, std::vector<int64_t>& sidx) const {
    int cnt = m_sp_above[static_cast<size_t>(k)];
    for (int j = cnt; j-- > 0;) {
      int64_t f = m_loops[static_cast<size_t>(m_sp[static_cast<size_t>(j)])].factor;
      sidx[static_cast<size_t>(j)] = inst % f;
      inst /= f;
    }
  }

  // The elements of tensor ti in the tile of level k for spatial prefix sidx.
  void tile_of(const TensorInfo& ti, int k, const std::vector<int64_t>& sidx, std::vector<int64_t>& words) {
    std::vector<int64_t> base(static_cast<size_t>(m_R), 0), span(static_cast<size_t>(m_R), 1);
    size_t sj = 0;
    for (size_t i = 0; i < m_loops.size(); ++i) {
      const LoopInfo& l = m_loops[i];
      if (l.level < k) {
        int64_t idx = l.spatial ? sidx[sj] : m_tidx[static_cast<size_t>(m_tpos[i])];
        base[static_cast<size_t>(l.rank)] += idx * l.stride;
      } else {
        span[static_cast<size_t>(l.rank)] *= l.factor;
      }
      if (l.spatial) ++sj;
    }
    words.clear();
    std::vector<int64_t> x(base), hi(static_cast<size_t>(m_R));
    for (int r = 0; r < m_R; ++r) {
      hi[static_cast<size_t>(r)] = std::min(base[static_cast<size_t>(r)] + span[static_cast<size_t>(r)], m_size[static_cast<size_t>(r)]);
      if (base[static_cast<size_t>(r)] >= hi[static_cast<size_t>(r)]) return;
    }
    for (;;) {
      for (const Affine& f : ti.accesses) words.push_back(f.at(x.data()));
      int r = m_R;
      while (r-- > 0) {
        if (++x[static_cast<size_t>(r)] < hi[static_cast<size_t>(r)]) break;
        x[static_cast<size_t>(r)] = base[static_cast<size_t>(r)];
      }
      if (r < 0) break;
    }
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
  }

  double& root_value(const TensorInfo& ti, int64_t w) {
    return m_root[m_c.tensors[static_cast<size_t>(ti.tensor)].name].data[static_cast<size_t>(w)];
  }
  double value_at(int ti, int level, int64_t inst, int64_t w) {
    if (level == 0) return root_value(m_tensors[static_cast<size_t>(ti)], w);
    auto& st = m_store[static_cast<size_t>(level)][static_cast<size_t>(ti)][static_cast<size_t>(inst)];
    auto it = st.find(w);
    EINFLOW_ASSERT(it != st.end(), "cycle model: a word is missing from its buffer");
    return it->second.v;
  }
  void combine_into(int ti, int level, int64_t inst, int64_t w, double v) {
    if (!m_opts.functional) return;
    if (level == 0) {
      workloads::apply_reduce(m_e.reduce, root_value(m_tensors[static_cast<size_t>(ti)], w), v);
      return;
    }
    Cell& c = m_store[static_cast<size_t>(level)][static_cast<size_t>(ti)][static_cast<size_t>(inst)][w];
    if (!c.written) {
      c.v = v;
      c.written = true;
    } else {
      workloads::apply_reduce(m_e.reduce, c.v, v);
    }
  }

  void init_fill();
  bool mask_holds(const int64_t* x);
  double evaluate(const int64_t* x, int64_t cinst);
  // Per-arrival traffic of one level, for the schedule.
  struct Traffic {
    int64_t child_in = 0, child_out = 0;    // max over the level's instances
    std::map<int, std::map<int64_t, int64_t>> parent_read, parent_write;  // parent level -> instance -> words
  };
  void evict(int k, Traffic& tr, bool all);
  void load(int k, Traffic& tr);
  void compute_step(bool& any);
  double link_cycles(int k, const Traffic& tr) const;

  const arch::Architecture& m_arch;
  const Cascade& m_c;
  const mapping::Mapping& m_m;
  const Einsum& m_e;
  SimOptions m_opts;
  int m_n = 0, m_R = 0, m_out_t = 0;
  std::vector<int64_t> m_size;
  std::vector<LoopInfo> m_loops;
  std::vector<int> m_sp, m_tp;
  std::vector<int> m_tpos;           // loop index -> position in m_tp (temporal loops)
  std::vector<int64_t> m_tidx;       // current temporal indices
  std::vector<int64_t> m_inst;
  std::vector<int> m_sp_above;
  std::vector<TensorInfo> m_tensors;
  golden::TensorSet<double> m_root;
  std::vector<std::vector<std::vector<Store>>> m_store;  // [level][tensor][instance]
  std::vector<std::vector<std::vector<std::unordered_set<int64_t>>>> m_seen;  // output words ever sent down
  std::vector<std::vector<Counts>> m_counts;
  std::vector<std::vector<int64_t>> m_tile_words;
  std::vector<std::unordered_set<int64_t>> m_compute_seen;  // per innermost output keeper instance
  std::vector<std::vector<int64_t>> m_new_tile;  // scratch
  std::vector<double> m_stack;
  std::vector<int64_t> m_global_x;
};

void Walker::init_fill() {
  // Masks of map Einsums with a fill use output ranks only (validated by the cascade builder).
  auto& out = m_root[m_c.tensors[static_cast<size_t>(m_e.output.tensor)].name];
  const TensorInfo& ti = m_tensors[static_cast<size_t>(m_out_t)];
  std::vector<int64_t> x(static_cast<size_t>(m_R), 0);
  if (m_R == 0) return;
  for (;;) {
    if (!mask_holds(x.data())) out.data[static_cast<size_t>(word_of(ti, x.data()))] = *m_e.fill;
    int r = m_R;
    while (r-- > 0) {
      if (++x[static_cast<size_t>(r)] < m_size[static_cast<size_t>(r)]) break;
      x[static_cast<size_t>(r)] = 0;
    }
    if (r < 0) break;
  }
}

bool Walker::mask_holds(const int64_t* x) {
  for (int r = 0; r < m_R; ++r) m_global_x[static_cast<size_t>(m_e.iteration_ranks[static_cast<size_t>(r)])] = x[r];
  auto val = [&](const workloads::IndexExpr& ix) {
    int64_t v = ix.constant;
    for (const auto& t : ix.terms) v += t.coef * m_global_x[static_cast<size_t>(t.rank)];
    return v;
  };
  for (const auto& cmp : m_e.mask) {
    int64_t l = val(cmp.lhs), r = val(cmp.rhs);
    bool ok = true;
    switch (cmp.cmp) {
      case workloads::Cmp::kLe: ok = l <= r; break;
      case workloads::Cmp::kLt: ok = l < r; break;
      case workloads::Cmp::kGe: ok = l >= r; break;
      case workloads::Cmp::kGt: ok = l > r; break;
      case workloads::Cmp::kEq: ok = l == r; break;
      case workloads::Cmp::kNe: ok = l != r; break;
    }
    if (!ok) return false;
  }
  return true;
}

double Walker::evaluate(const int64_t* x, int64_t cinst) {
  const auto& nodes = m_e.expr;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const workloads::ExprNode& nd = nodes[i];
    switch (nd.kind) {
      case workloads::ExprNode::Kind::kConst: m_stack[i] = nd.value; break;
      case workloads::ExprNode::Kind::kAccess: {
        int tensor = m_e.inputs[static_cast<size_t>(nd.access)].tensor;
        for (size_t t = 0; t < m_tensors.size(); ++t) {
          const TensorInfo& ti = m_tensors[t];
          if (ti.tensor != tensor) continue;
          size_t slot = 0;
          while (ti.input_slots[slot] != nd.access) ++slot;
          const Affine& f = ti.accesses[ti.output ? slot + 1 : slot];
          int q = ti.keepers.back();
          m_stack[i] = value_at(static_cast<int>(t), q, ancestor(cinst, m_n, q), f.at(x));
          break;
        }
        break;
      }
      case workloads::ExprNode::Kind::kUnary: m_stack[i] = workloads::apply_unary(nd.op, m_stack[static_cast<size_t>(nd.lhs)]); break;
      case workloads::ExprNode::Kind::kBinary:
        m_stack[i] = workloads::apply_binary(nd.op, m_stack[static_cast<size_t>(nd.lhs)], m_stack[static_cast<size_t>(nd.rhs)]);
        break;
    }
  }
  return m_stack.back();
}

// Level k's output words not in its next tile go to the keeper above (all of
// them when `all`, at the end). Children of one parent instance reduce in the
// fan-out: the parent is updated once per word.
void Walker::evict(int k, Traffic& tr, bool all) {
  const TensorInfo& ti = m_tensors[static_cast<size_t>(m_out_t)];
  if (std::find(ti.keepers.begin(), ti.keepers.end(), k) == ti.keepers.end()) return;
  const int p = keeper_at_or_above(ti, k - 1);
  auto& stores = m_store[static_cast<size_t>(k)][static_cast<size_t>(m_out_t)];
  std::map<int64_t, std::vector<int64_t>> by_parent;
  for (int64_t i = 0; i < m_inst[static_cast<size_t>(k)]; ++i) {
    Store& st = stores[static_cast<size_t>(i)];
    const std::vector<int64_t>* keep = all ? nullptr : &m_new_tile[static_cast<size_t>(i)];
    int64_t n = 0;
    for (auto it = st.begin(); it != st.end();) {
      if (keep && std::binary_search(keep->begin(), keep->end(), it->first)) {
        ++it;
        continue;
      }
      if (it->second.written) combine_into(m_out_t, p, ancestor(i, k, p), it->first, it->second.v);
      by_parent[ancestor(i, k, p)].push_back(it->first);
      ++n;
      it = st.erase(it);
    }
    tr.child_out = std::max(tr.child_out, n);
  }
  for (auto& [pi, ws] : by_parent) {
    std::sort(ws.begin(), ws.end());
    int64_t u = std::unique(ws.begin(), ws.end()) - ws.begin();
    m_counts[static_cast<size_t>(p)][static_cast<size_t>(m_out_t)].updates += u;
    m_counts[static_cast<size_t>(k)][static_cast<size_t>(m_out_t)].reads += 0;
    tr.parent_write[p][pi] += u;
  }
}

void Walker::load(int k, Traffic& tr) {
  std::vector<int64_t> sidx(m_sp.size());
  std::vector<int64_t> in_words(static_cast<size_t>(m_inst[static_cast<size_t>(k)]), 0);
  for (size_t t = 0; t < m_tensors.size(); ++t) {
    const TensorInfo& ti = m_tensors[t];
    if (std::find(ti.keepers.begin(), ti.keepers.end(), k) == ti.keepers.end()) continue;
    const int p = keeper_at_or_above(ti, k - 1);
    const bool mc = multicast_between(p, k);
    std::map<int64_t, std::vector<int64_t>> by_parent;
    auto& stores = m_store[static_cast<size_t>(k)][t];
    for (int64_t i = 0; i < m_inst[static_cast<size_t>(k)]; ++i) {
      spatial_of(i, k, sidx);
      std::vector<int64_t> tile;
      tile_of(ti, k, sidx, tile);
      m_tile_words[static_cast<size_t>(k)][t] = std::max<int64_t>(m_tile_words[static_cast<size_t>(k)][t], static_cast<int64_t>(tile.size()));
      Store& st = stores[static_cast<size_t>(i)];
      const int64_t pi = ancestor(i, k, p);
      int64_t fresh = 0;
      for (int64_t w : tile) {
        if (st.count(w)) continue;
        ++fresh;
        by_parent[pi].push_back(w);
        Cell c;
        if (!ti.output) {
          if (m_opts.functional) c.v = value_at(static_cast<int>(t), p, pi, w);
        } else {
          c.v = workloads::reduce_identity(m_e.reduce);
        }
        st.emplace(w, c);
      }
      if (!ti.output) {
        // Inputs: words outside the new tile are dropped.
        for (auto it = st.begin(); it != st.end();)
          it = std::binary_search(tile.begin(), tile.end(), it->first) ? std::next(it) : st.erase(it);
        m_counts[static_cast<size_t>(k)][t].fills += fresh;
        if (!mc) m_counts[static_cast<size_t>(p)][t].reads += fresh;
      }
      in_words[static_cast<size_t>(i)] += fresh;
    }
    for (auto& [pi, ws] : by_parent) {
      std::sort(ws.begin(), ws.end());
      ws.erase(std::unique(ws.begin(), ws.end()), ws.end());
      int64_t words = static_cast<int64_t>(ws.size());
      if (ti.output) {
        // The first arrival of a word initializes it; later ones refill a partial sum.
        auto& seen = m_seen[static_cast<size_t>(k)][t][static_cast<size_t>(pi)];
        words = 0;
        for (int64_t w : ws)
          if (!seen.insert(w).second) ++words;
        m_counts[static_cast<size_t>(k)][t].fills += words;
        m_counts[static_cast<size_t>(p)][t].reads += words;
      } else if (mc) {
        m_counts[static_cast<size_t>(p)][t].reads += words;
      }
      tr.parent_read[p][pi] += words;
    }
  }
  for (int64_t w : in_words) tr.child_in = std::max(tr.child_in, w);
}

void Walker::compute_step(bool& any) {
  const int64_t ninst = m_inst[static_cast<size_t>(m_n)];
  std::vector<int64_t> sidx(m_sp.size()), x(static_cast<size_t>(m_R));
  // (keeper instance, word) pairs read or updated this step, per tensor.
  std::vector<std::vector<std::pair<int64_t, int64_t>>> touched(m_tensors.size());
  for (int64_t c = 0; c < ninst; ++c) {
    spatial_of(c, m_n, sidx);
    std::fill(x.begin(), x.end(), 0);
    size_t sj = 0;
    for (size_t i = 0; i < m_loops.size(); ++i) {
      const LoopInfo& l = m_loops[i];
      int64_t idx = l.spatial ? sidx[sj++] : m_tidx[static_cast<size_t>(m_tpos[i])];
      x[static_cast<size_t>(l.rank)] += idx * l.stride;
    }
    bool inside = true;
    for (int r = 0; r < m_R; ++r) inside = inside && x[static_cast<size_t>(r)] < m_size[static_cast<size_t>(r)];
    if (!inside) continue;
    any = true;
    for (size_t t = 0; t < m_tensors.size(); ++t) {
      const TensorInfo& ti = m_tensors[t];
      const int q = ti.keepers.back();
      const int64_t qi = ancestor(c, m_n, q);
      const bool mc = ti.output || multicast_between(q, m_n);
      for (size_t a = 0; a < ti.accesses.size(); ++a) {
        if (ti.output && a > 0) break;  // the output's own access
        int64_t w = ti.accesses[a].at(x.data());
        if (mc)
          touched[t].push_back({qi, w});
        else
          ++m_counts[static_cast<size_t>(q)][t].reads;
      }
    }
    if (m_opts.functional && mask_holds(x.data())) {
      double v = evaluate(x.data(), c);
      const TensorInfo& to = m_tensors[static_cast<size_t>(m_out_t)];
      const int q = to.keepers.back();
      combine_into(m_out_t, q, ancestor(c, m_n, q), to.accesses.front().at(x.data()), v);
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
      auto& seen = m_compute_seen[static_cast<size_t>(qi)];
      if (!seen.insert(w).second) ++m_counts[static_cast<size_t>(q)][t].reads;
    }
  }
}

// Cycles one arrival occupies level k's link: words over the bandwidth of each end.
double Walker::link_cycles(int k, const Traffic& tr) const {
  auto bw = [&](int level, bool read) {
    const arch::Node& nd = m_arch.nodes[static_cast<size_t>(m_m.levels[static_cast<size_t>(level)].node)];
    if (nd.cls == arch::NodeClass::kDram) return nd.bandwidth_gbps > 0 ? m_arch.dram_words_per_cycle(nd) : 0.0;
    return read ? nd.read_bandwidth : nd.write_bandwidth;
  };
  auto time = [](double words, double b) { return b > 0 ? std::ceil(words / b) : 0.0; };
  double c = std::max(time(static_cast<double>(tr.child_in), bw(k, false)), time(static_cast<double>(tr.child_out), bw(k, true)));
  for (const auto* side : {&tr.parent_read, &tr.parent_write})
    for (const auto& [p, per] : *side) {
      const arch::Node& nd = m_arch.nodes[static_cast<size_t>(m_m.levels[static_cast<size_t>(p)].node)];
      double words = 0;
      for (const auto& [pi, w] : per)
        words = nd.cls == arch::NodeClass::kDram ? words + static_cast<double>(w) : std::max(words, static_cast<double>(w));
      if (nd.cls == arch::NodeClass::kDram) {
        // DRAM reads and writes share one bandwidth.
        double both = 0;
        for (const auto* s2 : {&tr.parent_read, &tr.parent_write}) {
          auto it = s2->find(p);
          if (it != s2->end())
            for (const auto& [pi, w] : it->second) both += static_cast<double>(w);
        }
        words = both;
      }
      c = std::max(c, time(words, bw(p, side == &tr.parent_read)));
    }
  return c;
}

void Walker::run(SimResult& out) {
  m_tpos.assign(m_loops.size(), -1);
  for (size_t j = 0; j < m_tp.size(); ++j) m_tpos[static_cast<size_t>(m_tp[j])] = static_cast<int>(j);
  m_tidx.assign(m_tp.size(), 0);
  const arch::Node& unit = m_arch.nodes[static_cast<size_t>(m_m.compute)];
  const double step_cycles = mapping::issue_cycles_per_point(unit, mapping::einsum_hw_ops(m_c, m_m.einsum));

  // The schedule.
  std::vector<double> port_free(static_cast<size_t>(m_n), 0), arrival_done(static_cast<size_t>(m_n), 0);
  std::vector<double> last1(static_cast<size_t>(m_n), 0), last2(static_cast<size_t>(m_n), 0), busy(static_cast<size_t>(m_n), 0);
  double compute_free = 0;
  int64_t steps_run = 0;
  std::vector<int64_t> sidx(m_sp.size());

  int changed = 0;  // outermost temporal loop that moved (0 at the start: everything arrives)
  for (int64_t s = 0;; ++s) {
    const int top = s == 0 ? 0 : m_loops[static_cast<size_t>(m_tp[static_cast<size_t>(changed)])].level;
    // Levels below `top` get new tiles: evict deepest first, then load top first.
    std::vector<Traffic> traffic(static_cast<size_t>(m_n));
    for (int k = m_n - 1; k > top; --k) {
      m_new_tile.assign(static_cast<size_t>(m_inst[static_cast<size_t>(k)]), {});
      const TensorInfo& to = m_tensors[static_cast<size_t>(m_out_t)];
      if (s > 0 && std::find(to.keepers.begin(), to.keepers.end(), k) != to.keepers.end()) {
        for (int64_t i = 0; i < m_inst[static_cast<size_t>(k)]; ++i) {
          spatial_of(i, k, sidx);
          tile_of(to, k, sidx, m_new_tile[static_cast<size_t>(i)]);
        }
        evict(k, traffic[static_cast<size_t>(k)], false);
      }
    }
    for (int k = top + 1; k < m_n; ++k) load(k, traffic[static_cast<size_t>(k)]);
    // Timing of the arrivals, parents first.
    double data_ready = 0;
    int late = -1;
    for (int k = top + 1; k < m_n; ++k) {
      const double dur = link_cycles(k, traffic[static_cast<size_t>(k)]);
      if (s > 0) {
        last2[static_cast<size_t>(k)] = last1[static_cast<size_t>(k)];
        last1[static_cast<size_t>(k)] = compute_free;
      }
      int64_t words = 0;
      for (size_t t = 0; t < m_tensors.size(); ++t) words += m_tile_words[static_cast<size_t>(k)][t];
      const arch::Node& nd = m_arch.nodes[static_cast<size_t>(m_m.levels[static_cast<size_t>(k)].node)];
      const bool two = nd.size_words == 0 || 2 * words <= nd.size_words;
      const double slot = two ? last2[static_cast<size_t>(k)] : last1[static_cast<size_t>(k)];
      const double parent_ready = k > 1 ? arrival_done[static_cast<size_t>(k - 1)] : 0.0;
      const double start = std::max({port_free[static_cast<size_t>(k)], slot, parent_ready});
      arrival_done[static_cast<size_t>(k)] = start + dur;
      port_free[static_cast<size_t>(k)] = start + dur;
      busy[static_cast<size_t>(k)] += dur;
      if (start + dur > data_ready) {
        data_ready = start + dur;
        late = k;
      }
    }
    bool any = false;
    compute_step(any);
    if (any) {
      const double start = std::max(compute_free, data_ready);
      if (start > compute_free && late >= 0)
        out.stalls["fill " + m_arch.nodes[static_cast<size_t>(m_m.levels[static_cast<size_t>(late)].node)].name] +=
            static_cast<int64_t>(start - compute_free);
      compute_free = start + step_cycles;
      ++steps_run;
    }
    // Next step: the odometer over the temporal loops, innermost last.
    int j = static_cast<int>(m_tp.size());
    while (j-- > 0) {
      if (++m_tidx[static_cast<size_t>(j)] < m_loops[static_cast<size_t>(m_tp[static_cast<size_t>(j)])].factor) break;
      m_tidx[static_cast<size_t>(j)] = 0;
    }
    if (j < 0) break;
    changed = j;
  }
  // Drain: every level returns its outputs, deepest first.
  double end = compute_free;
  for (int k = m_n - 1; k > 0; --k) {
    Traffic tr;
    evict(k, tr, true);
    const double dur = link_cycles(k, tr);
    end = std::max(end, std::max(port_free[static_cast<size_t>(k)], end) + dur);
    busy[static_cast<size_t>(k)] += dur;
  }

  // The report, in the analytical model's form.
  analytical::NestModel model(m_arch, m_c, m_m.einsum, m_m.compute);
  analytical::Nest nest = model.nest_of(m_m);
  analytical::NestResult r;
  for (int k = 0; k < m_n; ++k)
    for (size_t t = 0; t < m_tensors.size(); ++t) {
      const Counts& c = m_counts[static_cast<size_t>(k)][t];
      r.counts[static_cast<size_t>(k)][t] = {static_cast<double>(c.reads), static_cast<double>(c.fills), static_cast<double>(c.updates)};
      r.tile_words[static_cast<size_t>(k)][t] =
          k == 0 ? m_c.tensors[static_cast<size_t>(m_tensors[t].tensor)].elements() : m_tile_words[static_cast<size_t>(k)][t];
    }
  for (int k = 0; k <= m_n; ++k) r.instances_used[static_cast<size_t>(k)] = m_inst[static_cast<size_t>(k)];
  for (int k = 0; k < m_n; ++k) r.level_cycles[static_cast<size_t>(k)] = busy[static_cast<size_t>(k)];
  r.steps = steps_run;
  r.compute_instances = m_inst[static_cast<size_t>(m_n)];
  r.compute_cycles = static_cast<double>(steps_run) * step_cycles;
  r.cycles = static_cast<int64_t>(std::ceil(end));
  int64_t worst = 0;
  r.bound_level = -1;
  for (const auto& [cause, cyc] : out.stalls)
    if (cyc > worst && 2 * cyc > r.cycles) worst = cyc;
  if (worst > 0)
    for (int k = 1; k < m_n; ++k)
      if (out.stalls["fill " + m_arch.nodes[static_cast<size_t>(m_m.levels[static_cast<size_t>(k)].node)].name] == worst) r.bound_level = k;
  out.stats = model.to_stats(nest, r);
  double energy = 0;
  for (const auto& en : out.stats.energy) energy += en.energy_pj;
  out.stats.energy_pj = energy;
  for (auto& es : out.stats.per_einsum) es.energy_pj = energy;
  out.steps = steps_run;
  if (m_opts.functional) {
    const std::string& name = m_c.tensors[static_cast<size_t>(m_e.output.tensor)].name;
    out.outputs[name] = m_root[name];
  }
  for (auto it = out.stalls.begin(); it != out.stalls.end();) it = it->second == 0 ? out.stalls.erase(it) : std::next(it);
}

}  // namespace

SimResult simulate_mapping(const arch::Architecture& arch, const Cascade& cascade, const mapping::Mapping& m,
                           const golden::TensorSet<double>& inputs, const SimOptions& opts) {
  Walker w(arch, cascade, m, inputs, opts);
  SimResult r;
  w.run(r);
  return r;
}

Mismatch compare_tensors(const golden::TensorSet<double>& got, const golden::TensorSet<double>& want, double tol) {
  Mismatch mm;
  for (const auto& [name, g] : got) {
    auto it = want.find(name);
    if (it == want.end()) continue;
    const auto& w = it->second;
    for (size_t i = 0; i < g.data.size(); ++i) {
      const double err = std::abs(g.data[i] - w.data[i]);
      const bool bad = !(err <= tol * std::max(1.0, std::abs(w.data[i])));
      mm.max_abs_error = std::max(mm.max_abs_error, std::isfinite(err) ? err : mm.max_abs_error);
      if (bad && mm.ok) {
        mm.ok = false;
        mm.tensor = name;
        mm.got = g.data[i];
        mm.want = w.data[i];
        int64_t rest = static_cast<int64_t>(i);
        mm.index.assign(g.extents.size(), 0);
        for (size_t d = g.extents.size(); d-- > 0;) {
          mm.index[d] = rest % g.extents[d];
          rest /= g.extents[d];
        }
      }
    }
  }
  return mm;
}

}  // namespace einflow::sim::cycle
