// A cascade at operator granularity (OpGraph) and COSMA's budgets.
#include <algorithm>
#include <map>
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
  // Per cascade tensor: the groups that write it, in execution order; one
  // OpTensor per write (a version), and one for an input's DRAM value.
  std::vector<std::vector<int>> writer_groups(c.tensors.size());
  std::vector<std::vector<int>> version(c.tensors.size());  // OpTensor index per writer group (inputs: [0] the input)
  for (size_t ti = 0; ti < c.tensors.size(); ++ti) {
    const workloads::Tensor& t = c.tensors[ti];
    std::set<int> groups;
    for (int e : t.writers) groups.insert(group_of[static_cast<size_t>(e)]);
    writer_groups[ti].assign(groups.begin(), groups.end());
    const int64_t bytes = tensor_bytes(t, c.loc);
    if (t.kind == workloads::TensorKind::kInput) {
      version[ti].push_back(static_cast<int>(g.tensors.size()));
      g.tensors.push_back({t.name, bytes, TensorRole::kInput, -1, {}});
      continue;
    }
    const size_t n = writer_groups[ti].size();
    for (size_t k = 0; k < n; ++k) {
      OpTensor v;
      v.name = n > 1 ? t.name + "@" + std::to_string(k + 1) : t.name;
      v.bytes = bytes;
      v.role = (t.kind == workloads::TensorKind::kOutput && k + 1 == n) ? TensorRole::kOutput : TensorRole::kIntermediate;
      v.producer = writer_groups[ti][k];
      version[ti].push_back(static_cast<int>(g.tensors.size()));
      g.ops[static_cast<size_t>(v.producer)].outputs.push_back(static_cast<int>(g.tensors.size()));
      g.tensors.push_back(std::move(v));
    }
  }
  // What each group reads: the version written last by an earlier group (a
  // group that writes the tensor again reads the previous version; a group
  // reading what it wrote itself first reads nothing from outside).
  for (size_t gi = 0; gi < g.ops.size(); ++gi) {
    std::set<int> ins;
    for (int e : c.exec_groups[gi].einsums)
      for (const workloads::Access& a : c.einsums[static_cast<size_t>(e)].inputs) {
        const size_t ti = static_cast<size_t>(a.tensor);
        if (c.tensors[ti].kind == workloads::TensorKind::kInput) {
          ins.insert(version[ti][0]);
          continue;
        }
        const std::vector<int>& wg = writer_groups[ti];
        const auto it = std::lower_bound(wg.begin(), wg.end(), static_cast<int>(gi));  // first writer at or after gi
        if (it == wg.begin()) continue;  // written first by this group: internal to it
        ins.insert(version[ti][static_cast<size_t>(it - wg.begin() - 1)]);
      }
    g.ops[gi].inputs.assign(ins.begin(), ins.end());
    for (int v : ins) g.tensors[static_cast<size_t>(v)].consumers.push_back(static_cast<int>(gi));
  }
  return g;
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

int64_t named_budget(const OpGraph& g, const std::string& name) {
  if (name == "tightest") return tightest_budget(g);
  if (name == "min-peak") return min_peak_order(g).peak;
  if (name == "mean") return (tightest_budget(g) + min_peak_order(g).peak) / 2;
  return -1;
}

}  // namespace einflow::cosma
