// What an Einsum asks of a compute unit: its operations by hardware op name
// ("mac", "add", "max", "exp", ...), and which of the unit's ops serves each.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "workloads/cascade.h"

namespace einflow::mapping {

struct OpNeed {
  std::string op;        // hardware op name
  int64_t count = 0;     // over the Einsum's (masked) iteration space
  double per_point = 0;  // per iteration point
};

// The hardware op that performs a cascade op: + - neg -> add, * -> mul,
// / recip -> div, max min abs relu -> max, sqrt rsqrt -> sqrt, others by name.
std::string hw_op_name(workloads::Op op);

// Operations of an Einsum, MACs (a multiply feeding a sum) counted as "mac".
std::vector<OpNeed> einsum_hw_ops(const workloads::Cascade& cascade, int einsum);
// Whether the Einsum is a contraction (it needs MACs).
bool is_contraction(const workloads::Cascade& cascade, int einsum);

// How a unit performs one point of an Einsum: the expression, and the fold of
// each point into the output (the reduction), covered by the unit's ops at
// least cost. A plain op covers one operator of its kind (hw_op_name); `mac`
// covers a product added to anything (`a * b + c`), and stands in for `mul` and
// `add` when the unit has neither (not on a `contractions_only` unit, which
// covers contractions only); a fused op covers its pattern. Of all the
// covers, the one whose busiest functional unit has the fewest cycles per point
// wins (then the least energy, then the shortest chain).
struct OpUse {
  const arch::OpSpec* op = nullptr;
  double per_point = 0;
};
struct OpCover {
  bool ok = false;
  std::string missing;          // when !ok: the operation no op of the unit performs
  std::vector<OpUse> uses;      // the unit's ops, per point
  std::vector<std::pair<std::string, double>> actions;  // actions performed per point (energy), by op name
  double issue_cycles = 0;      // per point: cycles of the busiest functional unit
  double latency_cycles = 0;    // per point: the ops' latencies one after another
  double energy_pj = 0;         // per point
  std::string acc_op;           // the op that folds a point into the output ("" when nothing reduces)
};
OpCover cover_einsum(const arch::Node& unit, const workloads::Cascade& cascade, int einsum);

}  // namespace einflow::mapping
