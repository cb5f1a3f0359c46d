// The values of a cascade whose vector-matrix products run on PIM units: the
// golden interpreter for every other Einsum, the device's arithmetic for the
// PIM ones, in the order its commands compute them. SK hynix AiM (and
// PIM-GPT's AiM-style device): BF16 operands, each MAC16's 16 products summed
// by an adder tree into an FP32 accumulator, a chunk's sum (one DRAM row, the
// global buffer) read out as BF16, the host adding the chunks in FP32.
// Samsung HBM-PIM: FP16 operands, each of 16 lanes accumulating its own
// columns in FP16 (GRF_B), the host reading the 16 lane sums and adding them
// in FP32. Each PIM Einsum is checked against the exact product of the same
// operand values within the forward error bound of that arithmetic (Higham's
// gamma_k over the roundings of the longest path, times sum |m x|, plus the
// subnormals' absolute errors), and that exact product against the golden
// interpreter's evaluation of the Einsum on the same tensors (the operands
// gathered, masked and scaled as the Einsum says). A NaN fails.
#pragma once

#include <string>
#include <vector>

#include "arch/dram_standard.h"
#include "workloads/cascade.h"
#include "workloads/golden/tensor.h"

namespace einflow::sim::cycle {

// An Einsum to run on the PIM units, and which of its inputs is the matrix.
struct PimEinsum {
  int einsum = -1;
  int matrix_input = 0;
};

struct PimCheck {
  std::string einsum;
  int64_t elements = 0;
  double max_abs_error = 0;  // against the exact product of the same operands
  double worst_ratio = 0;    // the largest error over its element's bound (ok when <= 1)
  double gamma = 0;          // the bound's relative factor
  bool ok() const { return worst_ratio <= 1.0; }  // false for NaN or infinity too
};

struct PimValues {
  golden::TensorSet<double> tensors;  // every tensor the cascade writes
  std::vector<PimCheck> checks;       // one per PIM Einsum, in execution order
};

PimValues run_with_pim(const workloads::Cascade& c, const golden::TensorSet<double>& inputs,
                       const std::vector<PimEinsum>& on_pim, const arch::DramStandard& s);

// One Einsum on the PIM units: its output written into `tensors` (which hold
// every tensor it reads) by the device's arithmetic; checked as run_with_pim checks.
PimCheck run_pim_einsum(const workloads::Cascade& c, int einsum, int matrix_input, golden::TensorSet<double>& tensors,
                        const arch::DramStandard& s);

// `v` rounded to a floating-point format of `significand` bits (11 for FP16,
// 8 for BF16, 24 for FP32) whose normal numbers start at 2^min_exponent, to
// nearest, ties to even; overflow gives infinity.
double round_to_format(double v, int significand, int min_exponent, double max);
double round_fp16(double v);
double round_bf16(double v);
double round_fp32(double v);

}  // namespace einflow::sim::cycle
