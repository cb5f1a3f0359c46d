#include "mappers/mapping/unit_ops.h"

#include <map>

#include "workloads/analysis.h"

namespace einflow::mapping {

using workloads::Op;

std::string hw_op_name(Op op) {
  switch (op) {
    case Op::kAdd: case Op::kSub: case Op::kNeg: return "add";
    case Op::kMul: return "mul";
    case Op::kDiv: case Op::kRecip: return "div";
    case Op::kMax: case Op::kMin: case Op::kAbs: case Op::kRelu: return "max";
    case Op::kSqrt: case Op::kRsqrt: return "sqrt";
    case Op::kExp: return "exp";
    case Op::kGelu: return "gelu";
    case Op::kSilu: return "silu";
    case Op::kTanh: return "tanh";
    case Op::kSigmoid: return "sigmoid";
    case Op::kLog: return "log";
  }
  return "?";
}

std::vector<OpNeed> einsum_hw_ops(const workloads::Cascade& cascade, int einsum) {
  const workloads::EinsumOps ops = workloads::einsum_ops(cascade, einsum);
  std::map<std::string, int64_t> by_name;
  if (ops.macs > 0) by_name["mac"] += ops.macs;
  for (int i = 0; i < workloads::kNumOps; ++i)
    if (ops.ops[i] > 0) by_name[hw_op_name(static_cast<Op>(i))] += ops.ops[i];
  std::vector<OpNeed> needs;
  for (const auto& [name, count] : by_name) {
    OpNeed n;
    n.op = name;
    n.count = count;
    n.per_point = ops.points > 0 ? static_cast<double>(count) / static_cast<double>(ops.points) : 0.0;
    needs.push_back(n);
  }
  return needs;
}

bool is_contraction(const workloads::Cascade& cascade, int einsum) {
  return workloads::einsum_ops(cascade, einsum).macs > 0;
}

const arch::OpSpec* unit_op_for(const arch::Node& unit, const std::string& hw_op) {
  if (const arch::OpSpec* o = unit.find_op(hw_op)) return o;
  if (hw_op == "mul" || hw_op == "add") return unit.find_op("mac");
  return nullptr;
}

double issue_cycles_per_point(const arch::Node& unit, const std::vector<OpNeed>& needs) {
  double cycles = 0;
  for (const auto& n : needs)
    if (const arch::OpSpec* o = unit_op_for(unit, n.op)) cycles += n.per_point * o->issue_cycles;
  return cycles;
}

}  // namespace einflow::mapping
