#include "sim/analytical/peak_bound.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "mappers/mapping/unit_ops.h"
#include "workloads/analysis.h"

namespace einflow::sim::analytical {

namespace {

double tensor_bytes(const workloads::Tensor& t) {
  double elems = 1;
  for (int64_t e : t.extents) elems *= static_cast<double>(e);
  return elems * static_cast<double>(workloads::dtype_bytes(t.dtype));
}

// Whether `read` and the writer's `written` index a tensor with the same plain
// variables, dimension by dimension (the writer's mask then holds, over the
// reader's iteration space, where it held over the writer's).
bool same_plain_index(const workloads::Access& read, const workloads::Access& written) {
  if (read.index.size() != written.index.size()) return false;
  for (size_t k = 0; k < read.index.size(); ++k)
    if (!read.index[k].is_plain_var() || !written.index[k].is_plain_var() ||
        read.index[k].terms[0].rank != written.index[k].terms[0].rank)
      return false;
  return true;
}

// What a tensor holds outside a mask (causal attention: QK is -inf where a
// query may not see a key, so exp(QK - GM) and SN / SD are 0 there).
enum class Outside : uint8_t { kAny, kZero, kNegInf };
struct Masked {
  Outside outside = Outside::kAny;
  std::vector<workloads::Comparison> mask;
};

// The value outside the mask of expression node `n` of a map Einsum (no
// reduction), from its operands' (read with the same plain index as written);
// operands not known are taken as finite.
Masked outside_of(const workloads::Einsum& e, int n, const std::vector<Masked>& tensors,
                  const std::vector<workloads::Access>& writes) {
  const workloads::ExprNode& x = e.expr[static_cast<size_t>(n)];
  using workloads::Op;
  if (x.kind == workloads::ExprNode::Kind::kAccess) {
    const workloads::Access& read = e.inputs[static_cast<size_t>(x.access)];
    const Masked& m = tensors[static_cast<size_t>(read.tensor)];
    return m.outside != Outside::kAny && same_plain_index(read, writes[static_cast<size_t>(read.tensor)]) ? m
                                                                                                       : Masked{};
  }
  if (x.kind == workloads::ExprNode::Kind::kUnary) {
    Masked a = outside_of(e, x.lhs, tensors, writes);
    if (x.op == Op::kExp && a.outside == Outside::kNegInf) a.outside = Outside::kZero;
    else if (x.op != Op::kNeg || a.outside != Outside::kZero) a.outside = Outside::kAny;
    return a;
  }
  if (x.kind != workloads::ExprNode::Kind::kBinary) return {};
  const Masked l = outside_of(e, x.lhs, tensors, writes), r = outside_of(e, x.rhs, tensors, writes);
  if ((x.op == Op::kAdd || x.op == Op::kSub) && l.outside == Outside::kNegInf && r.outside == Outside::kAny) return l;
  if (x.op == Op::kMul && (l.outside == Outside::kZero || r.outside == Outside::kZero))
    return l.outside == Outside::kZero ? l : r;
  if (x.op == Op::kDiv && l.outside == Outside::kZero && r.outside == Outside::kAny) return l;
  return {};
}

// Whether the Einsum's mask compares output ranks only (it selects output points).
bool masks_outputs_only(const workloads::Einsum& e) {
  for (const auto& cmp : e.mask)
    for (const workloads::IndexExpr* side : {&cmp.lhs, &cmp.rhs})
      for (const auto& t : side->terms)
        if (std::find(e.output_ranks.begin(), e.output_ranks.end(), t.rank) == e.output_ranks.end()) return false;
  return true;
}

// Per tensor, what it holds outside a mask, through the cascade's map Einsums,
// and (in `writes`) how its one writer indexes it.
std::vector<Masked> masked_values(const workloads::Cascade& c, std::vector<workloads::Access>& writes) {
  std::vector<Masked> out(c.tensors.size());
  writes.assign(c.tensors.size(), workloads::Access{});
  for (int i : c.topo_order) {
    const workloads::Einsum& e = c.einsums[static_cast<size_t>(i)];
    const workloads::Tensor& t = c.tensors[static_cast<size_t>(e.output.tensor)];
    if (t.writers.size() != 1) continue;
    writes[static_cast<size_t>(e.output.tensor)] = e.output;
    Masked m;
    if (!e.mask.empty() && e.fill && masks_outputs_only(e)) {  // the fill, outside the mask
      m.mask = e.mask;
      m.outside = *e.fill == 0 ? Outside::kZero : (std::isinf(*e.fill) && *e.fill < 0 ? Outside::kNegInf : Outside::kAny);
    } else if (e.mask.empty() && e.reduce == workloads::Reduce::kNone) {
      m = outside_of(e, static_cast<int>(e.expr.size()) - 1, out, writes);
    }
    out[static_cast<size_t>(e.output.tensor)] = m;
  }
  return out;
}

// The points of an Einsum that need computing: where its expression is known
// outside a mask (0 or -inf: causal attention's scores and probabilities), a
// map Einsum's result there is known, and a sum of zeros or a max of -inf adds
// nothing; the Einsum is narrowed to that mask (FlashAttention skips those
// blocks: QK, its softmax and AV over the keys a query sees). The Einsum's
// own count otherwise.
int64_t useful_points(const workloads::Cascade& c, const workloads::Einsum& e, int64_t points,
                      const std::vector<Masked>& values, const std::vector<workloads::Access>& writes) {
  const Masked v = outside_of(e, static_cast<int>(e.expr.size()) - 1, values, writes);
  const bool known = (e.reduce == workloads::Reduce::kNone && v.outside != Outside::kAny) ||
                     (e.reduce == workloads::Reduce::kSum && v.outside == Outside::kZero) ||
                     (e.reduce == workloads::Reduce::kMax && v.outside == Outside::kNegInf);
  if (!known) return points;
  workloads::Einsum narrowed = e;
  narrowed.mask.insert(narrowed.mask.end(), v.mask.begin(), v.mask.end());
  return std::min(points, workloads::masked_points(c, narrowed));
}

}  // namespace

CascadeBound peak_bound(const arch::Architecture& a, const workloads::Cascade& c) {
  const arch::Node& dram = a.nodes.front();  // the root
  const double bandwidth =
      a.dram_words_per_cycle() * static_cast<double>(dram.word_bits) / 8.0 * a.clock_mhz * 1e6;  // bytes per second
  if (!(bandwidth > 0))
    throw UserError(dram.loc, "bandwidth_gbps", "the peak bound needs the DRAM's bandwidth");
  CascadeBound out;
  std::map<std::string, double> busy;  // unit -> seconds of work
  std::vector<workloads::Access> writes;
  const std::vector<Masked> values = masked_values(c, writes);
  for (int e : c.topo_order) {
    const workloads::Einsum& es = c.einsums[static_cast<size_t>(e)];
    EinsumBound b;
    b.name = es.name;
    workloads::EinsumOps ops = workloads::einsum_ops(c, e);
    const int64_t useful = useful_points(c, es, ops.points, values, writes);
    if (useful < ops.points && ops.points > 0) {  // scale the per-point counts to the useful points
      ops.macs = ops.macs / ops.points * useful;
      for (int64_t& n : ops.ops) n = n / ops.points * useful;
      ops.points = useful;
    }
    b.matmul_flops = 2 * ops.macs;
    b.other_flops = ops.flops() - b.matmul_flops;
    std::vector<int> operands{es.output.tensor};
    for (const auto& in : es.inputs)
      if (std::find(operands.begin(), operands.end(), in.tensor) == operands.end()) operands.push_back(in.tensor);
    for (int t : operands) b.bytes += tensor_bytes(c.tensors[static_cast<size_t>(t)]);
    b.memory_seconds = b.bytes / bandwidth;
    b.compute_seconds = -1;
    for (int u : a.host_units()) {
      const arch::Node& unit = a.nodes[static_cast<size_t>(u)];
      const mapping::OpCover cover = mapping::cover_einsum(unit, c, e);
      if (!cover.ok) continue;
      const double s = static_cast<double>(ops.points) * cover.issue_cycles / static_cast<double>(unit.instances) /
                       (a.clock_mhz * 1e6);
      if (b.compute_seconds < 0 || s < b.compute_seconds) {
        b.compute_seconds = s;
        b.unit = unit.name;
      }
    }
    if (b.compute_seconds < 0)
      throw UserError(es.loc, "no compute unit of '" + a.name + "' can run Einsum " + es.name);
    busy[b.unit] += b.compute_seconds;
    out.matmul_flops += b.matmul_flops;
    out.other_flops += b.other_flops;
    out.einsums.push_back(std::move(b));
  }
  for (const auto& t : c.tensors)
    if (t.kind == workloads::TensorKind::kInput || t.kind == workloads::TensorKind::kOutput)
      out.bytes += tensor_bytes(t);
  out.memory_seconds = out.bytes / bandwidth;
  for (const auto& [unit, s] : busy) out.compute_seconds = std::max(out.compute_seconds, s);
  return out;
}

}  // namespace einflow::sim::analytical
