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
  m_bank_write_ports.assign(static_cast<size_t>(m_levels), 0);
  m_timed_banks.assign(static_cast<size_t>(m_levels), 0);
  for (int k = 0; k < m_levels; ++k) {
    const arch::Node& n = level_node(k);
    m_bank_ports[static_cast<size_t>(k)] = n.separate_bank_ports() ? n.read_ports_per_bank : n.ports_per_bank;
    m_bank_write_ports[static_cast<size_t>(k)] = n.separate_bank_ports() ? n.write_ports_per_bank : 0;
    if (m_bank_ports[static_cast<size_t>(k)] > 0) m_timed_banks[static_cast<size_t>(k)] = n.banks;
    const bool dram = n.cls == arch::NodeClass::kDram;  // its one port is timed apart (dram_free)
    m_port_shape.push_back({dram ? 0.0 : n.read_bandwidth, dram ? 0.0 : n.write_bandwidth,
                            m_timed_banks[static_cast<size_t>(k)], m_bank_ports[static_cast<size_t>(k)],
                            m_bank_write_ports[static_cast<size_t>(k)]});
  }
  build_tensors();
  if (m_opts.functional)
    for (const auto& ti : m_tensors) {
      const auto& T = c.tensors[static_cast<size_t>(ti.tensor)];
      if (!m_root.count(T.name)) throw UserError(m_einsum.loc, "no values for tensor " + T.name);
    }
  build_stores();
  // Each tensor's first bank at each level (the mapping's layout).
  m_first_bank.assign(static_cast<size_t>(m_levels), std::vector<int64_t>(m_tensors.size(), 0));
  for (int k = 0; k < m_levels; ++k)
    for (const auto& [tensor, bank] : m_mapping.levels[static_cast<size_t>(k)].first_bank)
      for (size_t t = 0; t < m_tensors.size(); ++t)
        if (m_tensors[t].tensor == tensor) m_first_bank[static_cast<size_t>(k)][t] = bank;
  // Levels whose ports the compute's operand reads and result writes are timed at.
  m_step_reads.assign(static_cast<size_t>(m_levels), {});
  m_step_writes.assign(static_cast<size_t>(m_levels), {});
  m_step_banks.assign(static_cast<size_t>(m_levels), {});
  for (int k = 0; k < m_levels; ++k) {
    const arch::Node& n = level_node(k);
    if (n.cls == arch::NodeClass::kDram) continue;
    if (n.read_bandwidth > 0 || n.write_bandwidth > 0 || m_bank_ports[static_cast<size_t>(k)] > 0) {
      m_step_reads[static_cast<size_t>(k)].assign(static_cast<size_t>(m_instances[static_cast<size_t>(k)]), 0);
      m_step_writes[static_cast<size_t>(k)].assign(static_cast<size_t>(m_instances[static_cast<size_t>(k)]), 0);
    }
  }
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

}  // namespace einflow::sim::cycle::detail
