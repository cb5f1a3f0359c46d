// Direct implementations of what the Transformer builders compute, written with
// the fast kernels and none of the cascade machinery: the independent answer
// that `einflow check` compares every cascade variant with.
#pragma once

#include "workloads/golden/tensor.h"
#include "workloads/transformer.h"

namespace einflow::golden {

// The outputs of the model workload's scope (same names and layouts as the
// cascade's outputs), computed from `inputs` (the cascade's input tensors).
template <class T>
TensorSet<T> reference_outputs(const workloads::ModelSpec& model, const workloads::InstanceSpec& inst,
                               const TensorSet<T>& inputs, int threads = 0);

// The attention alone: AV[b,h,f,p] from Q[b,h,e,p], K[b,g,e,m], V[b,g,f,m].
template <class T>
DenseTensor<T> reference_attention(const workloads::AttentionShape& shape, const DenseTensor<T>& q,
                                   const DenseTensor<T>& k, const DenseTensor<T>& v, int threads = 0);

// Linear attention or GLA (shape.mixer) by its recurrence, step by step;
// `gate`: GLA's GX[b,g,e,m] (null for linear attention).
template <class T>
DenseTensor<T> reference_linear_attention(const workloads::AttentionShape& shape, const DenseTensor<T>& q,
                                          const DenseTensor<T>& k, const DenseTensor<T>& v,
                                          const DenseTensor<T>* gate);

// Mamba's selective scan by its recipe (inputs as mamba_spec names them); Y.
template <class T>
DenseTensor<T> reference_mamba_scan(const workloads::MambaShape& shape, const TensorSet<T>& inputs);

}  // namespace einflow::golden
