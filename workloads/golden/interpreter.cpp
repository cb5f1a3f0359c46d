#include "workloads/golden/interpreter.h"

#include <algorithm>

#include "common/error.h"
#include "workloads/scalar_ops.h"

namespace einflow::golden {

using workloads::Access;
using workloads::Cascade;
using workloads::Cmp;
using workloads::Einsum;
using workloads::ExprNode;
using workloads::IndexExpr;
using workloads::Reduce;

namespace {

// Offset of an access as an affine function of the iteration variables.
struct Affine {
  int64_t base = 0;
  std::vector<int64_t> stride;  // per iteration variable
};

Affine affine_access(const Access& a, const std::vector<int64_t>& strides,
                     const std::vector<int>& vars) {
  Affine f;
  f.stride.assign(vars.size(), 0);
  for (size_t d = 0; d < a.index.size(); ++d) {
    f.base += a.index[d].constant * strides[d];
    for (const auto& t : a.index[d].terms) {
      size_t v = std::find(vars.begin(), vars.end(), t.rank) - vars.begin();
      f.stride[v] += t.coef * strides[d];
    }
  }
  return f;
}

// An index expression's value as an affine function of the iteration variables.
Affine affine_index(const IndexExpr& e, const std::vector<int>& vars) {
  Affine f;
  f.base = e.constant;
  f.stride.assign(vars.size(), 0);
  for (const auto& t : e.terms) {
    size_t v = std::find(vars.begin(), vars.end(), t.rank) - vars.begin();
    f.stride[v] += t.coef;
  }
  return f;
}

bool holds(Cmp c, int64_t x) { return workloads::compare(c, x, 0); }

template <class T>
class EinsumRun {
 public:
  EinsumRun(const Cascade& c, const Einsum& e, TensorSet<T>& tensors, const TensorSet<T>& inputs)
      : m_e(e),
        m_vars(e.iteration_ranks),
        m_dtype(c.tensors[e.output.tensor].dtype),
        m_int(workloads::dtype_is_integer(m_dtype)) {
    // Any order of the iteration variables gives the same result up to rounding;
    // run innermost the one along which the largest input is contiguous. An
    // integer output saturates, so its sums keep the Einsum's own order: the
    // iteration ranks as declared, the last one innermost.
    int64_t largest = -1;
    int inner = -1;
    for (const auto& a : e.inputs) {
      const auto& t = c.tensors[a.tensor];
      if (t.elements() <= largest || a.index.empty()) continue;
      const IndexExpr& last = a.index.back();
      if (last.terms.size() == 1 && last.terms[0].coef == 1) {
        largest = t.elements();
        inner = last.terms[0].rank;
      }
    }
    auto it = std::find(m_vars.begin(), m_vars.end(), inner);
    if (it != m_vars.end() && !m_int) std::rotate(it, it + 1, m_vars.end());
    for (int r : m_vars) m_sizes.push_back(c.ranks[r].size);
    m_out = &tensors.at(c.tensors[e.output.tensor].name);
    m_out_f = affine_access(e.output, m_out->strides, m_vars);
    for (const auto& a : e.inputs) {
      const std::string& name = c.tensors[a.tensor].name;
      auto it = tensors.find(name);
      const DenseTensor<T>* t = it != tensors.end() ? &it->second : &inputs.at(name);
      m_in.push_back(t->data.data());
      m_in_f.push_back(affine_access(a, t->strides, m_vars));
    }
    for (const auto& cmp : e.mask) {
      Affine l = affine_index(cmp.lhs, m_vars), r = affine_index(cmp.rhs, m_vars);
      Affine d;
      d.base = l.base - r.base;
      for (size_t v = 0; v < m_vars.size(); ++v) d.stride.push_back(l.stride[v] - r.stride[v]);
      m_mask.push_back({d, cmp.cmp});
    }
    m_stack.resize(e.expr.size());
    m_mac = e.mask.empty() && e.expr.size() == 3 && e.inputs.size() == 2 && e.expr[0].access == 0 &&
            e.expr[1].access == 1 && e.expr[2].kind == ExprNode::Kind::kBinary && e.expr[2].op == workloads::Op::kMul;
  }

  // Sets every entry this Einsum writes to the reduction identity, or to the
  // fill where the mask excludes the entry (such masks use output ranks only).
  void initialise() {
    T identity = static_cast<T>(workloads::reduce_identity(m_e.reduce));
    T fill = workloads::to_dtype(m_dtype, static_cast<T>(m_e.fill.value_or(0.0)));
    std::vector<int64_t> lo(m_vars.size(), 0), hi(m_sizes);
    // Reduced variables do not move the output: visit them once.
    for (size_t v = 0; v < m_vars.size(); ++v)
      if (std::find(m_e.output_ranks.begin(), m_e.output_ranks.end(), m_vars[v]) == m_e.output_ranks.end()) hi[v] = 1;
    walk(lo, hi, [&](const std::vector<int64_t>& x) {
      bool in = true;
      if (m_e.fill)
        for (const auto& [f, cmp] : m_mask) in = in && holds(cmp, partial(f, x));
      m_out->data[out_offset(x)] = in ? identity : fill;
    });
  }

  // Evaluates the Einsum over its whole space, or the slice where variable of
  // rank `fixed_rank` equals `fixed_value`.
  void run(int fixed_rank = -1, int64_t fixed_value = 0) {
    std::vector<int64_t> lo(m_vars.size(), 0), hi(m_sizes);
    for (size_t v = 0; v < m_vars.size(); ++v)
      if (m_vars[v] == fixed_rank) {
        lo[v] = fixed_value;
        hi[v] = fixed_value + 1;
      }
    if (m_vars.empty()) {  // a scalar Einsum: one point
      lo.push_back(0);
      hi.push_back(1);
    }
    size_t inner = lo.size() - 1;  // the innermost variable runs in a tight loop
    auto stride_of = [&](const Affine& f) { return m_vars.empty() ? 0 : f.stride[inner]; };
    T* out = m_out->data.data();
    const int64_t out_s = stride_of(m_out_f);
    std::vector<int64_t> in_s, in_off(m_in.size()), mask_s, mask_off(m_mask.size());
    for (const auto& f : m_in_f) in_s.push_back(stride_of(f));
    for (const auto& mk : m_mask) mask_s.push_back(stride_of(mk.first));
    std::vector<int64_t> outer_lo(lo.begin(), lo.begin() + inner), outer_hi(hi.begin(), hi.begin() + inner);
    walk(outer_lo, outer_hi, [&](const std::vector<int64_t>& x) {
      int64_t out_off = partial(m_out_f, x);
      for (size_t a = 0; a < m_in.size(); ++a) in_off[a] = partial(m_in_f[a], x);
      for (size_t k = 0; k < m_mask.size(); ++k) mask_off[k] = partial(m_mask[k].first, x);
      if (m_mac) {  // out (+)= a * b, the bulk of every layer
        const T* a = m_in[0] + in_off[0];
        const T* b = m_in[1] + in_off[1];
        const int64_t as = in_s[0], bs = in_s[1];
        T* o = out + out_off;
        if (m_int)
          for (int64_t i = lo[inner]; i < hi[inner]; ++i)
            workloads::reduce_into(m_e.reduce, m_dtype, o[out_s * i], a[as * i] * b[bs * i]);
        else
          for (int64_t i = lo[inner]; i < hi[inner]; ++i)
            workloads::apply_reduce(m_e.reduce, o[out_s * i], a[as * i] * b[bs * i]);
        return;
      }
      for (int64_t i = lo[inner]; i < hi[inner]; ++i) {
        bool skip = false;
        for (size_t k = 0; k < m_mask.size() && !skip; ++k)
          skip = !holds(m_mask[k].second, mask_off[k] + mask_s[k] * i);
        if (skip) continue;
        T value = evaluate(in_off, in_s, i);
        workloads::reduce_into(m_e.reduce, m_dtype, out[out_off + out_s * i], value);
      }
    });
  }

 private:
  // The affine value at the outer variables x (the innermost contributes nothing yet).
  static int64_t partial(const Affine& f, const std::vector<int64_t>& x) {
    int64_t o = f.base;
    for (size_t v = 0; v < x.size(); ++v) o += f.stride[v] * x[v];
    return o;
  }

  int64_t out_offset(const std::vector<int64_t>& x) const {
    int64_t o = m_out_f.base;
    for (size_t v = 0; v < x.size(); ++v) o += m_out_f.stride[v] * x[v];
    return o;
  }

  T evaluate(const std::vector<int64_t>& in_off, const std::vector<int64_t>& in_s, int64_t i) {
    const auto& nodes = m_e.expr;
    for (size_t n_i = 0; n_i < nodes.size(); ++n_i) {
      const ExprNode& n = nodes[n_i];
      switch (n.kind) {
        case ExprNode::Kind::kConst: m_stack[n_i] = static_cast<T>(n.value); break;
        case ExprNode::Kind::kAccess:
          m_stack[n_i] = m_in[n.access][in_off[n.access] + in_s[n.access] * i];
          break;
        case ExprNode::Kind::kUnary: m_stack[n_i] = workloads::apply_unary(n.op, m_stack[n.lhs]); break;
        case ExprNode::Kind::kBinary:
          m_stack[n_i] = workloads::apply_binary(n.op, m_stack[n.lhs], m_stack[n.rhs]);
          break;
      }
    }
    return m_stack.back();
  }

  // Visits every point of the box [lo, hi) in row-major order (once if it has no dimension).
  template <class F>
  static void walk(const std::vector<int64_t>& lo, const std::vector<int64_t>& hi, F&& f) {
    for (size_t v = 0; v < lo.size(); ++v)
      if (lo[v] >= hi[v]) return;
    std::vector<int64_t> x(lo);
    for (;;) {
      f(x);
      size_t v = x.size();
      while (v-- > 0) {
        if (++x[v] < hi[v]) break;
        x[v] = lo[v];
      }
      if (v == static_cast<size_t>(-1)) return;
    }
  }

  const Einsum& m_e;
  std::vector<int> m_vars;
  workloads::DType m_dtype;  // the output's
  bool m_int;                // ... an integer type: values saturate
  std::vector<int64_t> m_sizes;
  DenseTensor<T>* m_out = nullptr;
  Affine m_out_f;
  std::vector<const T*> m_in;
  std::vector<Affine> m_in_f;
  std::vector<std::pair<Affine, Cmp>> m_mask;
  std::vector<T> m_stack;
  bool m_mac = false;  // the expression is input 0 times input 1, unmasked
};

}  // namespace

template <class T>
TensorSet<T> seeded_inputs(const Cascade& c, uint64_t seed) {
  TensorSet<T> out;
  for (int t : c.inputs()) {
    const auto& tensor = c.tensors[t];
    DenseTensor<T>& d = out[tensor.name] =
        seeded_tensor<T>(tensor.extents, tensor_seed(seed, tensor.name), tensor.init_scale);
    // Integer tensors hold integers: rounded and clamped to the type.
    if (workloads::dtype_is_integer(tensor.dtype))
      for (T& v : d.data) v = workloads::to_dtype(tensor.dtype, v);
  }
  return out;
}

template <class T>
TensorSet<T> interpret(const Cascade& c, const TensorSet<T>& inputs) {
  return interpret<T>(c, inputs, nullptr);
}

template <class T>
TensorSet<T> interpret(const Cascade& c, const TensorSet<T>& inputs, const ReplaceFn<T>& replace) {
  for (int t : c.inputs()) {
    const auto& tensor = c.tensors[t];
    auto it = inputs.find(tensor.name);
    if (it == inputs.end()) throw UserError(tensor.loc, "no data for input '" + tensor.name + "'");
    if (it->second.extents != tensor.extents)
      throw UserError(tensor.loc, "input '" + tensor.name + "' has the wrong shape");
  }
  TensorSet<T> tensors;
  for (const auto& t : c.tensors)
    if (t.kind != workloads::TensorKind::kInput) tensors[t.name] = DenseTensor<T>(t.extents);
  for (const auto& group : c.exec_groups) {
    if (group.loop_rank < 0) {
      for (int ei : group.einsums) {
        if (replace && replace(ei, tensors, inputs)) continue;
        EinsumRun<T> run(c, c.einsums[ei], tensors, inputs);
        run.initialise();
        run.run();
      }
      continue;
    }
    std::vector<EinsumRun<T>> runs;
    for (int ei : group.einsums) runs.emplace_back(c, c.einsums[ei], tensors, inputs);
    for (auto& r : runs) r.initialise();
    for (int64_t v = 0; v < c.ranks[group.loop_rank].size; ++v)
      for (auto& r : runs) r.run(group.loop_rank, v);
  }
  return tensors;
}

template <class T>
void run_einsum(const Cascade& c, int einsum, TensorSet<T>& tensors, const TensorSet<T>& inputs) {
  const workloads::Tensor& out = c.tensors[c.einsums[einsum].output.tensor];
  if (!tensors.count(out.name)) tensors[out.name] = DenseTensor<T>(out.extents);
  EinsumRun<T> run(c, c.einsums[einsum], tensors, inputs);
  run.initialise();
  run.run();
}

template <class T>
void initialise_output(const Cascade& c, int einsum, TensorSet<T>& tensors) {
  const workloads::Tensor& out = c.tensors[c.einsums[einsum].output.tensor];
  if (!tensors.count(out.name)) tensors[out.name] = DenseTensor<T>(out.extents);
  EinsumRun<T>(c, c.einsums[einsum], tensors, tensors).initialise();
}

template TensorSet<float> seeded_inputs<float>(const Cascade&, uint64_t);
template TensorSet<double> seeded_inputs<double>(const Cascade&, uint64_t);
template TensorSet<float> interpret<float>(const Cascade&, const TensorSet<float>&);
template TensorSet<double> interpret<double>(const Cascade&, const TensorSet<double>&);
template TensorSet<double> interpret<double>(const Cascade&, const TensorSet<double>&, const ReplaceFn<double>&);
template void initialise_output<double>(const Cascade&, int, TensorSet<double>&);
template void run_einsum<double>(const Cascade&, int, TensorSet<double>&, const TensorSet<double>&);

}  // namespace einflow::golden
