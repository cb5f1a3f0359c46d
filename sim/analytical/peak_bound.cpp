#include "sim/analytical/peak_bound.h"

#include <algorithm>
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

}  // namespace

CascadeBound peak_bound(const arch::Architecture& a, const workloads::Cascade& c) {
  const arch::Node& dram = a.nodes.front();  // the root
  const double bandwidth =
      a.dram_words_per_cycle() * static_cast<double>(dram.word_bits) / 8.0 * a.clock_mhz * 1e6;  // bytes per second
  if (!(bandwidth > 0))
    throw UserError(dram.loc, "bandwidth_gbps", "the peak bound needs the DRAM's bandwidth");
  CascadeBound out;
  std::map<std::string, double> busy;  // unit -> seconds of work
  for (int e : c.topo_order) {
    const workloads::Einsum& es = c.einsums[static_cast<size_t>(e)];
    EinsumBound b;
    b.name = es.name;
    const workloads::EinsumOps ops = workloads::einsum_ops(c, e);
    b.matmul_flops = 2 * ops.macs;
    b.other_flops = ops.flops() - b.matmul_flops;
    std::vector<int> operands{es.output.tensor};
    for (const auto& in : es.inputs)
      if (std::find(operands.begin(), operands.end(), in.tensor) == operands.end()) operands.push_back(in.tensor);
    for (int t : operands) b.bytes += tensor_bytes(c.tensors[static_cast<size_t>(t)]);
    b.memory_seconds = b.bytes / bandwidth;
    b.compute_seconds = -1;
    for (int u : a.compute_units()) {
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
