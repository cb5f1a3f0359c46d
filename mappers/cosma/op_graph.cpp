// A cascade at operator granularity (OpGraph) and COSMA's budgets.
#include <algorithm>
#include <set>

#include "common/error.h"
#include "mappers/cosma/cosma.h"
#include "workloads/cascade.h"

namespace einflow::cosma {

namespace {

// Overflow-checked bytes of a whole tensor.
int64_t tensor_bytes(const workloads::Tensor& t, const SourceLoc& loc) {
  const int64_t e = t.elements();
  const int64_t b = workloads::dtype_bytes(t.dtype);
  if (e > INT64_MAX / std::max<int64_t>(b, 1))
    throw UserError(t.loc.line ? t.loc : loc, "tensor " + t.name + " has more bytes than a 64-bit count holds");
  return e * b;
}

}  // namespace

OpGraph op_graph(const workloads::Cascade& c) {
  OpGraph g;
  g.name = c.name;
  std::vector<int> group_of(c.einsums.size(), -1);
  for (size_t gi = 0; gi < c.exec_groups.size(); ++gi) {
    const workloads::ExecGroup& eg = c.exec_groups[gi];
    Operator op;
    for (size_t k = 0; k < eg.einsums.size(); ++k) {
      group_of[static_cast<size_t>(eg.einsums[k])] = static_cast<int>(gi);
      op.name += (k ? "+" : "") + c.einsums[static_cast<size_t>(eg.einsums[k])].name;
    }
    g.ops.push_back(std::move(op));
    g.given_order.push_back(static_cast<int>(gi));
  }
  // Per cascade tensor: the groups that write it, in execution order. The
  // writers of one tensor write disjoint parts of it (the KV cache's copy
  // and the new token's append): one tensor, created whole by the first,
  // completed in place by the others (its updaters), read after the last.
  std::vector<std::vector<int>> completes(g.ops.size());  // per group: the tensors it updates
  for (size_t ti = 0; ti < c.tensors.size(); ++ti) {
    const workloads::Tensor& t = c.tensors[ti];
    std::set<int> groups;
    for (int e : t.writers) groups.insert(group_of[static_cast<size_t>(e)]);
    OpTensor v;
    v.name = t.name;
    v.bytes = tensor_bytes(t, c.loc);
    v.role = t.kind == workloads::TensorKind::kInput    ? TensorRole::kInput
             : t.kind == workloads::TensorKind::kOutput ? TensorRole::kOutput
                                                        : TensorRole::kIntermediate;
    if (!groups.empty()) {
      v.producer = *groups.begin();
      v.updaters.assign(std::next(groups.begin()), groups.end());
      g.ops[static_cast<size_t>(v.producer)].outputs.push_back(static_cast<int>(ti));
      for (int u : v.updaters) completes[static_cast<size_t>(u)].push_back(static_cast<int>(ti));
    }
    g.tensors.push_back(std::move(v));
  }
  // What each group needs resident: what it reads, except what it creates
  // itself, and what it completes.
  for (size_t gi = 0; gi < g.ops.size(); ++gi) {
    std::set<int> ins;
    for (int e : c.exec_groups[gi].einsums)
      for (const workloads::Access& a : c.einsums[static_cast<size_t>(e)].inputs)
        if (g.tensors[static_cast<size_t>(a.tensor)].producer != static_cast<int>(gi)) ins.insert(a.tensor);
    ins.insert(completes[gi].begin(), completes[gi].end());
    g.ops[gi].inputs.assign(ins.begin(), ins.end());
    for (int v : ins) g.tensors[static_cast<size_t>(v)].consumers.push_back(static_cast<int>(gi));
  }
  // Every sum of tensors' bytes (footprints, budgets, traffic) stays below
  // the whole cascade's, which must leave room to add two of them.
  int64_t total = 0;
  for (const OpTensor& v : g.tensors) {
    if (v.bytes > INT64_MAX / 4 - total)
      throw UserError(c.loc, "cascade " + c.name + ": its tensors hold more bytes than a schedule can count (2^61)");
    total += v.bytes;
  }
  return g;
}

std::vector<std::vector<int>> OpGraph::predecessors() const {
  std::vector<std::set<int>> before(ops.size());
  for (const OpTensor& v : tensors)
    for (int c : v.consumers) {
      std::set<int>& b = before[static_cast<size_t>(c)];
      if (v.producer >= 0) b.insert(v.producer);
      const auto me = std::find(v.updaters.begin(), v.updaters.end(), c);
      b.insert(v.updaters.begin(), me);  // a reader after every updater; an updater after the earlier ones
    }
  std::vector<std::vector<int>> r;
  for (const auto& b : before) r.emplace_back(b.begin(), b.end());
  return r;
}

int64_t OpGraph::compulsory_bytes() const {
  int64_t b = 0;
  for (const OpTensor& t : tensors)
    if (t.role != TensorRole::kIntermediate && (t.role == TensorRole::kOutput || !t.consumers.empty())) b += t.bytes;
  return b;
}

int64_t OpGraph::op_bytes(int op) const {
  int64_t b = 0;
  for (int v : ops[static_cast<size_t>(op)].inputs) b += tensors[static_cast<size_t>(v)].bytes;
  for (int v : ops[static_cast<size_t>(op)].outputs) b += tensors[static_cast<size_t>(v)].bytes;
  return b;
}

int64_t tightest_budget(const OpGraph& g) {
  int64_t most = 0;
  for (size_t o = 0; o < g.ops.size(); ++o) most = std::max(most, g.op_bytes(static_cast<int>(o)));
  return most;
}

int64_t order_peak(const OpGraph& g, const std::vector<int>& order) {
  const size_t n = order.size();
  std::vector<int> step(g.ops.size(), 0);
  for (size_t t = 0; t < n; ++t) step[static_cast<size_t>(order[t])] = static_cast<int>(t);
  std::vector<int64_t> bytes(n + 1, 0);  // difference array over steps
  for (const OpTensor& v : g.tensors) {
    if (v.producer < 0 && v.consumers.empty()) continue;
    int first = v.producer >= 0 ? step[static_cast<size_t>(v.producer)] : static_cast<int>(n);
    int last = v.producer >= 0 ? first : -1;
    for (int o : v.consumers) {
      first = std::min(first, step[static_cast<size_t>(o)]);
      last = std::max(last, step[static_cast<size_t>(o)]);
    }
    bytes[static_cast<size_t>(first)] += v.bytes;
    bytes[static_cast<size_t>(last) + 1] -= v.bytes;
  }
  int64_t now = 0, peak = 0;
  for (size_t t = 0; t < n; ++t) peak = std::max(peak, now += bytes[t]);
  return peak;
}

int64_t named_budget(const OpGraph& g, const std::string& name, const PeakOrder& peak) {
  if (name == "tightest") return tightest_budget(g);
  if (name == "min-peak") return peak.peak;
  if (name == "mean") {
    const int64_t a = tightest_budget(g), b = peak.peak;
    return a / 2 + b / 2 + (a % 2 + b % 2) / 2;  // (a + b) / 2 without overflow
  }
  return -1;
}

}  // namespace einflow::cosma
