// The reference interpreter: evaluates any cascade on dense tensors, point by
// point over each Einsum's iteration space, in the cascade's execution order
// (recurrences as loops over their iterative rank). Simple and obviously right;
// it is the oracle for every faster or mapped execution.
#pragma once

#include <cstdint>
#include <functional>

#include "workloads/cascade.h"
#include "workloads/golden/tensor.h"

namespace einflow::golden {

// Seeded values for every input of the cascade, in [-init_scale, init_scale).
template <class T>
TensorSet<T> seeded_inputs(const workloads::Cascade& cascade, uint64_t seed);

// Sets every entry Einsum `einsum` writes to its reduction's identity, or to
// its fill where its mask excludes the entry, as the interpreter does before
// running it; creates the output in `tensors` (zeros) when absent. The
// Einsum's inputs must be in `tensors`. A mapped execution starts from this.
template <class T>
void initialise_output(const workloads::Cascade& cascade, int einsum, TensorSet<T>& tensors);

// Runs the cascade; returns every tensor it writes (intermediates and outputs).
// Throws UserError if an input is missing or has the wrong shape.
template <class T>
TensorSet<T> interpret(const workloads::Cascade& cascade, const TensorSet<T>& inputs);

// Runs Einsum `einsum` (outside a recurrence) alone: its output in `tensors`
// initialised and computed from `tensors` and `inputs`, as interpret does.
template <class T>
void run_einsum(const workloads::Cascade& cascade, int einsum, TensorSet<T>& tensors, const TensorSet<T>& inputs);

// The same, letting `replace` compute any Einsum outside a recurrence (a PIM
// unit's arithmetic): called with the Einsum's index, the tensors written so
// far and the inputs; when it returns true it has written the Einsum's output
// into the tensors, otherwise the interpreter runs the Einsum.
template <class T>
using ReplaceFn = std::function<bool(int einsum, TensorSet<T>& tensors, const TensorSet<T>& inputs)>;
template <class T>
TensorSet<T> interpret(const workloads::Cascade& cascade, const TensorSet<T>& inputs, const ReplaceFn<T>& replace);

}  // namespace einflow::golden
