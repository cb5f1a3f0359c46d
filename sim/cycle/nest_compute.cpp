// The walker's compute step: the points the compute instances run this step
// (masks, values through the expression), the operands each reads from its
// innermost keeper and the outputs it updates, counted.
#include <algorithm>

#include "common/error.h"
#include "sim/cycle/nest_walker.h"

namespace einflow::sim::cycle::detail {

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

// One compute step: every active instance runs its point (masks, value),
// reading its operands and updating its output word at the innermost keepers.
void Walker::compute_step(bool& any) {
  const int64_t ninst = m_instances[static_cast<size_t>(m_levels)];
  for (size_t l = 0; l < m_step_reads.size(); ++l) {
    std::fill(m_step_reads[l].begin(), m_step_reads[l].end(), 0);
    std::fill(m_step_writes[l].begin(), m_step_writes[l].end(), 0);
    m_step_banks[l].clear();
  }
  // An access of the compute at keeper level q's instance qi, when q's ports are timed.
  auto port_access = [&](int q, int64_t qi, size_t t, int64_t w, bool write) {
    auto& v = (write ? m_step_writes : m_step_reads)[static_cast<size_t>(q)];
    if (v.empty()) return;
    ++v[static_cast<size_t>(qi)];
    const int64_t ports = m_bank_ports[static_cast<size_t>(q)];
    if (ports <= 0) return;
    const int64_t nb = level_node(q).banks;
    std::vector<int64_t>& h = m_step_banks[static_cast<size_t>(q)][bank_side(q, qi, write)];
    if (h.empty()) h.assign(static_cast<size_t>(nb), 0);
    ++h[static_cast<size_t>(bank_of(q, static_cast<int>(t), w))];
  };
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
        int64_t w = ti.accesses[a].at(x.data());
        if (ti.output && a > 0) {  // a recurrence's operand: an earlier entry of the output
          ++m_counts[static_cast<size_t>(q)][t].reads;
          port_access(q, qi, t, w, false);
          continue;
        }
        if (mc) {
          touched[t].push_back({qi, w});
        } else {
          ++m_counts[static_cast<size_t>(q)][t].reads;
          port_access(q, qi, t, w, false);
        }
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
      for (const auto& [qi, w] : v) port_access(q, qi, t, w, false);
      continue;
    }
    m_counts[static_cast<size_t>(q)][t].updates += static_cast<int64_t>(v.size());
    for (const auto& [qi, w] : v) {
      if (q > 0) mark_dirty(q, qi, w, m_log_dirty);
      port_access(q, qi, t, w, true);
      auto& seen = m_compute_seen[static_cast<size_t>(qi)];
      if (!seen.insert(w)) {
        ++m_counts[static_cast<size_t>(q)][t].reads;
        port_access(q, qi, t, w, false);
      } else if (m_log_on) {
        m_log_first.emplace_back(q, qi, w);
      }
    }
  }
}

}  // namespace einflow::sim::cycle::detail

namespace einflow::sim::cycle::detail {

// The ports the last compute step took: at each timed level, the busiest
// instance's reads over its read bandwidth, writes over its write bandwidth,
// and accesses of its busiest bank over the bank's ports (in cycles; a step
// stream shares a port at its rate, so the time is not rounded up).
void Walker::step_port_times() {
  m_step_ports.reset(m_timed_banks, false);
  m_step_conflict.assign(static_cast<size_t>(m_levels), 0);
  for (int l = 0; l < m_levels; ++l) {
    const size_t L = static_cast<size_t>(l);
    if (m_step_reads[L].empty()) continue;
    const arch::Node& n = level_node(l);
    const double reads = static_cast<double>(*std::max_element(m_step_reads[L].begin(), m_step_reads[L].end()));
    const double writes = static_cast<double>(*std::max_element(m_step_writes[L].begin(), m_step_writes[L].end()));
    if (n.read_bandwidth > 0) m_step_ports.read[L] = reads / n.read_bandwidth;
    if (n.write_bandwidth > 0) m_step_ports.write[L] = writes / n.write_bandwidth;
    m_step_ports.read_words[L] = reads;
    m_step_ports.write_words[L] = writes;
    for (const auto& [key, per_bank] : m_step_banks[L]) {
      const bool write_side = key % 2 == 1;
      const double ports = static_cast<double>((write_side ? m_bank_write_ports : m_bank_ports)[L]);
      int64_t total = 0, most = 0;
      for (int64_t b : per_bank) {
        total += b;
        most = std::max(most, b);
      }
      std::vector<double>& b = (write_side ? m_step_ports.bank_write : m_step_ports.bank)[L];
      std::vector<double>& bw = (write_side ? m_step_ports.bank_write_words : m_step_ports.bank_words)[L];
      for (size_t i = 0; i < per_bank.size(); ++i) {
        b[i] = std::max(b[i], static_cast<double>(per_bank[i]) / ports);
        bw[i] = std::max(bw[i], static_cast<double>(per_bank[i]));
      }
      // What the busiest bank adds over the accesses spread evenly: a conflict.
      m_step_conflict[L] = std::max(m_step_conflict[L], static_cast<double>(most) / ports -
                                                            static_cast<double>(total) / (ports * static_cast<double>(per_bank.size())));
    }
  }
}

}  // namespace einflow::sim::cycle::detail
