// The meaning of each scalar operator, shared by constant folding, the golden
// interpreter and the fast kernels so that all of them compute the same thing.
#pragma once

#include <algorithm>
#include <cmath>

#include "workloads/cascade.h"

namespace einflow::workloads {

template <class T>
inline T gelu(T x) {
  return T(0.5) * x * (T(1) + std::erf(x / std::sqrt(T(2))));
}

template <class T>
inline T silu(T x) {
  return x / (T(1) + std::exp(-x));
}

template <class T>
inline T apply_unary(Op op, T a) {
  switch (op) {
    case Op::kNeg: return -a;
    case Op::kExp: return std::exp(a);
    case Op::kSqrt: return std::sqrt(a);
    case Op::kRsqrt: return T(1) / std::sqrt(a);
    case Op::kRecip: return T(1) / a;
    case Op::kGelu: return gelu(a);
    case Op::kSilu: return silu(a);
    case Op::kRelu: return a > T(0) ? a : T(0);
    case Op::kTanh: return std::tanh(a);
    case Op::kSigmoid: return T(1) / (T(1) + std::exp(-a));
    case Op::kLog: return std::log(a);
    case Op::kAbs: return std::fabs(a);
    default: return a;
  }
}

template <class T>
inline T apply_binary(Op op, T a, T b) {
  switch (op) {
    case Op::kAdd: return a + b;
    case Op::kSub: return a - b;
    case Op::kMul: return a * b;
    case Op::kDiv: return a / b;
    case Op::kMax: return std::max(a, b);
    case Op::kMin: return std::min(a, b);
    default: return a;
  }
}

// Whether `lhs cmp rhs` holds (a mask's comparison).
inline bool compare(Cmp c, int64_t lhs, int64_t rhs) {
  switch (c) {
    case Cmp::kLe: return lhs <= rhs;
    case Cmp::kLt: return lhs < rhs;
    case Cmp::kGe: return lhs >= rhs;
    case Cmp::kGt: return lhs > rhs;
    case Cmp::kEq: return lhs == rhs;
    case Cmp::kNe: return lhs != rhs;
  }
  return false;
}

template <class T>
inline void apply_reduce(Reduce r, T& acc, T v) {
  switch (r) {
    case Reduce::kSum: acc += v; break;
    case Reduce::kMax: acc = std::max(acc, v); break;
    case Reduce::kMin: acc = std::min(acc, v); break;
    case Reduce::kProd: acc *= v; break;
    case Reduce::kNone: acc = v; break;
  }
}

// A value stored in a tensor of type t. Integer types saturate: the value is
// rounded to the nearest integer (halves away from zero) and clamped to the
// type's range, as fixed-point accelerators' saturating accumulators do, so
// the order in which a sum is accumulated can change it. Floating-point types
// keep the value (their rounding is not modelled).
template <class T>
inline T to_dtype(DType t, T v) {
  double lo = 0, hi = 0;
  switch (t) {
    case DType::kInt8:
      lo = -128, hi = 127;
      break;
    case DType::kInt16:
      lo = -32768, hi = 32767;
      break;
    case DType::kInt32:
      lo = -2147483648.0, hi = 2147483647.0;
      break;
    default:
      return v;
  }
  const double r = std::round(static_cast<double>(v));
  return static_cast<T>(r < lo ? lo : r > hi ? hi : r);  // NaN stays NaN
}

// Folds v into acc by the reduction, in a tensor of type t.
template <class T>
inline void reduce_into(Reduce r, DType t, T& acc, T v) {
  apply_reduce(r, acc, v);
  acc = to_dtype(t, acc);
}

}  // namespace einflow::workloads
