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

// The unit's op that performs `hw_op`: the op of that name, else a MAC for
// "mul" and "add" (a MAC multiplies by one operand and adds the other); null
// when the unit cannot perform it.
const arch::OpSpec* unit_op_for(const arch::Node& unit, const std::string& hw_op);

// Cycles the unit is busy per iteration point (sum over the needs).
double issue_cycles_per_point(const arch::Node& unit, const std::vector<OpNeed>& needs);

}  // namespace einflow::mapping
