#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/checked.h"
#include "common/text.h"
#include "workloads/build_context.h"
#include "workloads/scalar_ops.h"

namespace einflow::workloads::detail {

namespace {

class EinsumResolver {
 public:
  EinsumResolver(BuildContext& ctx, const RawEinsum& raw) : m_ctx(ctx), m_c(ctx.cascade), m_raw(raw) {
    for (const auto& r : m_c.ranks) {
      m_var_names.push_back(r.var);
      m_rank_names.push_back(r.name);
    }
    for (const auto& t : m_c.tensors) m_tensor_names.push_back(t.name);
  }

  // Returns false (with diagnostics recorded) when the Einsum cannot be resolved.
  bool resolve(Einsum& e) {
    e.text = m_raw.text;
    e.loc = m_raw.loc;
    e.output = access(m_raw.output, /*is_output=*/true);
    for (const auto& idx : e.output.index) note_vars(idx, m_out_vars);
    for (const auto& a : m_raw.inputs) {
      e.inputs.push_back(access(a, false));
      for (const auto& idx : e.inputs.back().index) note_vars(idx, m_in_vars);
    }
    for (const auto& rc : m_raw.mask) {
      Comparison cmp;
      cmp.lhs = index(rc.lhs);
      cmp.cmp = rc.cmp;
      cmp.rhs = index(rc.rhs);
      std::vector<int> vars;
      note_vars(cmp.lhs, vars);
      note_vars(cmp.rhs, vars);
      for (int v : vars)
        if (!contains(m_out_vars, v) && !contains(m_in_vars, v))
          error(rc.loc, "mask variable '" + m_c.ranks[v].var +
                            "' is not an index of any tensor in this Einsum");
      e.mask.push_back(cmp);
    }
    e.output_ranks = m_out_vars;
    for (int v : m_in_vars)
      if (!contains(m_out_vars, v)) e.reduced_ranks.push_back(v);
    e.iteration_ranks = e.output_ranks;
    e.iteration_ranks.insert(e.iteration_ranks.end(), e.reduced_ranks.begin(), e.reduced_ranks.end());
    resolve_reduction(e);
    convert_expr(e);
    if (m_raw.fill) {
      // 'else' fills output entries the mask excludes; with a reduction each entry
      // must be wholly in or out, so the mask may use output ranks only.
      if (e.mask.empty()) error(m_raw.loc, "'else' needs a 'where' mask");
      for (const auto& cmp : e.mask)
        for (const IndexExpr* side : {&cmp.lhs, &cmp.rhs})
          for (const auto& t : side->terms)
            if (!contains(m_out_vars, t.rank))
              error(m_raw.loc, "'else' fills masked output entries, so the mask may only use output "
                               "ranks, but it uses '" + m_c.ranks[t.rank].var + "', which is reduced");
      e.fill = m_raw.fill;
    }
    return m_ok;
  }

 private:
  static bool contains(const std::vector<int>& v, int x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }

  void error(const SourceLoc& loc, const std::string& msg) {
    m_ctx.diags.error(loc, msg);
    m_ok = false;
  }

  void note_vars(const IndexExpr& idx, std::vector<int>& into) {
    for (const auto& t : idx.terms)
      if (!contains(into, t.rank)) into.push_back(t.rank);
  }

  IndexExpr index(const RawIndex& raw) {
    IndexExpr out;
    out.loc = raw.loc;
    for (const auto& term : raw.terms) {
      int64_t coef = term.coef;
      int var = -1;
      for (const auto& n : term.names) {
        bool is_var = std::islower(static_cast<unsigned char>(n.text[0]));
        if (is_var) {
          int r = -1;
          for (size_t i = 0; i < m_c.ranks.size(); ++i)
            if (m_c.ranks[i].var == n.text) r = static_cast<int>(i);
          if (r < 0) {
            error(n.loc, "unknown index variable '" + n.text + "' (no rank named '" +
                             std::string(1, static_cast<char>(std::toupper(n.text[0]))) +
                             n.text.substr(1) + "')" + did_you_mean(n.text, m_var_names));
            continue;
          }
          if (var >= 0) {
            error(n.loc, "index expressions must be affine: a term may hold one index variable");
            continue;
          }
          var = r;
        } else {
          int r = m_c.find_rank(n.text);
          if (r < 0) {
            error(n.loc, "unknown rank size '" + n.text + "'" + did_you_mean(n.text, m_rank_names));
            continue;
          }
          auto p = checked_mul(coef, m_c.ranks[r].size);
          if (!p) {
            error(n.loc, "index coefficient overflows 64 bits");
            continue;
          }
          coef = *p;
        }
      }
      if (var < 0) {
        out.constant += coef;
        continue;
      }
      bool merged = false;
      for (auto& t : out.terms)
        if (t.rank == var) {
          t.coef += coef;
          merged = true;
        }
      if (!merged) out.terms.push_back(IndexTerm{var, coef});
    }
    out.terms.erase(std::remove_if(out.terms.begin(), out.terms.end(),
                                   [](const IndexTerm& t) { return t.coef == 0; }),
                    out.terms.end());
    return out;
  }

  Access access(const RawAccess& raw, bool is_output) {
    Access a;
    a.loc = raw.loc;
    a.tensor = m_c.find_tensor(raw.tensor.text);
    if (a.tensor < 0) {
      error(raw.tensor.loc, "undefined tensor '" + raw.tensor.text +
                                "': neither an input nor written by any Einsum" +
                                did_you_mean(raw.tensor.text, m_tensor_names));
    } else if (is_output && m_c.tensors[a.tensor].kind == TensorKind::kInput) {
      error(raw.tensor.loc, "Einsum writes '" + raw.tensor.text + "', which is an input");
    }
    for (const auto& idx : raw.index) a.index.push_back(index(idx));
    return a;
  }

  void resolve_reduction(Einsum& e) {
    if (m_raw.reduce == Reduce::kNone) {
      e.reduce = e.reduced_ranks.empty() ? Reduce::kNone : Reduce::kSum;
      return;
    }
    e.reduce = m_raw.reduce;
    std::vector<int> named;
    for (const auto& n : m_raw.reduce_vars) {
      int r = -1;
      for (size_t i = 0; i < m_c.ranks.size(); ++i)
        if (m_c.ranks[i].var == n.text) r = static_cast<int>(i);
      if (r < 0) {
        error(n.loc, "unknown index variable '" + n.text + "'" + did_you_mean(n.text, m_var_names));
        continue;
      }
      if (contains(m_out_vars, r)) {
        error(n.loc, "'" + n.text + "' indexes the output, so it cannot be reduced");
        continue;
      }
      if (!contains(e.reduced_ranks, r)) {
        error(n.loc, "'" + n.text + "' is not an index of the right-hand side, so there is "
                     "nothing to reduce over it");
        continue;
      }
      named.push_back(r);
    }
    for (int r : e.reduced_ranks)
      if (!contains(named, r))
        error(m_raw.reduce_loc, std::string("'") + m_c.ranks[r].var +
                                    "' is absent from the output and must be reduced too: list it in " +
                                    reduce_name(e.reduce) + "(...)");
  }

  static double fold(Op op, double a, double b);

  void convert_expr(Einsum& e) {
    // RawEinsum nodes are in post-order; convert them keeping that order, folding constants.
    std::vector<int> map(m_raw.nodes.size(), -1);
    for (size_t i = 0; i < m_raw.nodes.size(); ++i) {
      const RawNode& rn = m_raw.nodes[i];
      ExprNode n;
      switch (rn.kind) {
        case RawNode::Kind::kConst:
          n.kind = ExprNode::Kind::kConst;
          n.value = rn.value;
          break;
        case RawNode::Kind::kRankSize: {
          int r = m_c.find_rank(rn.name);
          if (r < 0) error(rn.loc, "unknown rank size '" + rn.name + "'" + did_you_mean(rn.name, m_rank_names));
          n.kind = ExprNode::Kind::kConst;
          n.value = r < 0 ? 0.0 : static_cast<double>(m_c.ranks[r].size);
          break;
        }
        case RawNode::Kind::kAccess:
          n.kind = ExprNode::Kind::kAccess;
          n.access = rn.access;
          break;
        case RawNode::Kind::kUnary: {
          const ExprNode& a = e.expr[map[rn.lhs]];
          if (a.kind == ExprNode::Kind::kConst) {
            double v = fold(rn.op, a.value, 0.0);
            e.expr.pop_back();
            n.kind = ExprNode::Kind::kConst;
            n.value = v;
          } else {
            n.kind = ExprNode::Kind::kUnary;
            n.op = rn.op;
            n.lhs = map[rn.lhs];
          }
          break;
        }
        case RawNode::Kind::kBinary: {
          const ExprNode& a = e.expr[map[rn.lhs]];
          const ExprNode& b = e.expr[map[rn.rhs]];
          if (a.kind == ExprNode::Kind::kConst && b.kind == ExprNode::Kind::kConst) {
            double v = fold(rn.op, a.value, b.value);
            // Both children are the two most recent nodes; drop them.
            e.expr.pop_back();
            e.expr.pop_back();
            n.kind = ExprNode::Kind::kConst;
            n.value = v;
          } else {
            n.kind = ExprNode::Kind::kBinary;
            n.op = rn.op;
            n.lhs = map[rn.lhs];
            n.rhs = map[rn.rhs];
          }
          break;
        }
      }
      e.expr.push_back(n);
      map[i] = static_cast<int>(e.expr.size()) - 1;
    }
  }

  BuildContext& m_ctx;
  Cascade& m_c;
  const RawEinsum& m_raw;
  std::vector<std::string> m_var_names, m_rank_names, m_tensor_names;
  std::vector<int> m_out_vars, m_in_vars;
  bool m_ok = true;
};

}  // namespace

double EinsumResolver::fold(Op op, double a, double b) {
  return is_binary(op) ? apply_binary(op, a, b) : apply_unary(op, a);
}

void resolve_einsums(BuildContext& ctx) {
  Cascade& c = ctx.cascade;
  // Every written tensor exists before any Einsum is resolved, so reads find it.
  for (const auto& raw : ctx.spec.einsums) {
    if (c.find_tensor(raw.output.tensor.text) >= 0) continue;
    Tensor t;
    t.name = raw.output.tensor.text;
    t.loc = raw.output.tensor.loc;
    t.dtype = ctx.spec.dtype;
    t.kind = TensorKind::kIntermediate;
    c.tensors.push_back(t);
  }
  ctx.einsum_ok.assign(ctx.spec.einsums.size(), false);
  for (size_t i = 0; i < ctx.spec.einsums.size(); ++i) {
    Einsum e;
    EinsumResolver res(ctx, ctx.spec.einsums[i]);
    ctx.einsum_ok[i] = res.resolve(e);
    c.einsums.push_back(std::move(e));
  }
}

}  // namespace einflow::workloads::detail
