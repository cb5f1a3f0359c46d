#include <algorithm>

#include "common/checked.h"
#include "workloads/analysis.h"

namespace einflow::workloads {

int64_t EinsumOps::flops() const {
  int64_t f = 2 * macs;
  for (int64_t n : ops) f += n;
  return f;
}

EinsumOps& EinsumOps::operator+=(const EinsumOps& o) {
  points += o.points;
  macs += o.macs;
  for (int i = 0; i < kNumOps; ++i) ops[i] += o.ops[i];
  return *this;
}

namespace {

// The integers z in [lo, hi] with a*z + k <= 0 narrow [lo, hi]; false if none remain.
bool narrow_le(int64_t a, int64_t k, int64_t& lo, int64_t& hi) {
  if (a == 0) return k <= 0;
  if (a > 0) hi = std::min(hi, floor_div(-k, a));
  else lo = std::max(lo, -floor_div(-k, -a));  // z >= ceil(k / -a)
  return lo <= hi;
}

struct Linear {  // a*z + k for the comparison's lhs - rhs at fixed other variables
  int64_t a = 0;
  int64_t k = 0;
};

}  // namespace

bool is_copy(const Einsum& e) {
  return e.expr.size() == 1 && e.expr[0].kind == ExprNode::Kind::kAccess && e.reduced_ranks.empty();
}

int64_t masked_points(const Cascade& c, const Einsum& e) {
  int64_t total = 1;
  for (int r : e.iteration_ranks) total *= c.ranks[r].size;  // overflow-checked at build
  if (e.mask.empty()) return total;

  std::vector<int> vars;  // ranks that appear in the mask
  for (const auto& cmp : e.mask)
    for (const IndexExpr* side : {&cmp.lhs, &cmp.rhs})
      for (const auto& t : side->terms)
        if (std::find(vars.begin(), vars.end(), t.rank) == vars.end()) vars.push_back(t.rank);
  int64_t other = 1;  // points of the ranks the mask ignores
  for (int r : e.iteration_ranks)
    if (std::find(vars.begin(), vars.end(), r) == vars.end()) other *= c.ranks[r].size;
  // Solve for the largest masked rank in closed form, enumerate the others.
  auto zit = std::max_element(vars.begin(), vars.end(),
                              [&](int a, int b) { return c.ranks[a].size < c.ranks[b].size; });
  int z = *zit;
  vars.erase(zit);
  int64_t combos = 1;
  for (int r : vars) {
    combos *= c.ranks[r].size;
    if (combos > (int64_t{1} << 28))
      throw UserError(e.loc, "the mask spans too many index combinations to count exactly");
  }
  int64_t zsize = c.ranks[z].size;
  std::vector<int64_t> val(vars.size(), 0);
  int64_t count = 0;
  for (int64_t n = 0; n < combos; ++n) {
    int64_t lo = 0, hi = zsize - 1;
    bool ok = true;
    std::vector<Linear> ne;
    for (const auto& cmp : e.mask) {
      Linear l;
      l.k = cmp.lhs.constant - cmp.rhs.constant;
      auto add_terms = [&](const IndexExpr& side, int64_t sign) {
        for (const auto& t : side.terms) {
          if (t.rank == z) {
            l.a += sign * t.coef;
          } else {
            size_t vi = std::find(vars.begin(), vars.end(), t.rank) - vars.begin();
            l.k += sign * t.coef * val[vi];
          }
        }
      };
      add_terms(cmp.lhs, 1);
      add_terms(cmp.rhs, -1);
      switch (cmp.cmp) {
        case Cmp::kLe: ok = ok && narrow_le(l.a, l.k, lo, hi); break;
        case Cmp::kLt: ok = ok && narrow_le(l.a, l.k + 1, lo, hi); break;
        case Cmp::kGe: ok = ok && narrow_le(-l.a, -l.k, lo, hi); break;
        case Cmp::kGt: ok = ok && narrow_le(-l.a, -l.k + 1, lo, hi); break;
        case Cmp::kEq:
          ok = ok && narrow_le(l.a, l.k, lo, hi) && narrow_le(-l.a, -l.k, lo, hi);
          break;
        case Cmp::kNe: ne.push_back(l); break;
      }
    }
    if (ok && lo <= hi) {
      int64_t n_ok = hi - lo + 1;
      if (!ne.empty()) {
        n_ok = 0;
        for (int64_t zv = lo; zv <= hi; ++zv) {
          bool all = true;
          for (const auto& l : ne) all = all && (l.a * zv + l.k != 0);
          n_ok += all ? 1 : 0;
        }
      }
      count += n_ok;
    }
    for (size_t i = vars.size(); i-- > 0;) {  // odometer over the enumerated ranks
      if (++val[i] < c.ranks[vars[i]].size) break;
      val[i] = 0;
    }
  }
  auto result = checked_mul(count, other);
  if (!result) throw UserError(e.loc, "masked point count overflows 64 bits");
  return *result;
}

EinsumOps einsum_ops(const Cascade& c, int index) {
  const Einsum& e = c.einsums[index];
  EinsumOps out;
  out.points = masked_points(c, e);
  std::array<int64_t, kNumOps> per_point{};
  for (const auto& n : e.expr)
    if (n.kind == ExprNode::Kind::kUnary || n.kind == ExprNode::Kind::kBinary)
      ++per_point[static_cast<int>(n.op)];
  int64_t macs_per_point = 0;
  if (e.reduce == Reduce::kSum && e.root().kind == ExprNode::Kind::kBinary && e.root().op == Op::kMul) {
    macs_per_point = 1;
    --per_point[static_cast<int>(Op::kMul)];
  } else if (e.reduce == Reduce::kSum) {
    ++per_point[static_cast<int>(Op::kAdd)];
  } else if (e.reduce == Reduce::kMax) {
    ++per_point[static_cast<int>(Op::kMax)];
  } else if (e.reduce == Reduce::kMin) {
    ++per_point[static_cast<int>(Op::kMin)];
  } else if (e.reduce == Reduce::kProd) {
    ++per_point[static_cast<int>(Op::kMul)];
  }
  out.macs = macs_per_point * out.points;
  for (int i = 0; i < kNumOps; ++i) out.ops[i] = per_point[i] * out.points;
  return out;
}

EinsumOps cascade_ops(const Cascade& c) {
  EinsumOps total;
  for (size_t i = 0; i < c.einsums.size(); ++i) total += einsum_ops(c, static_cast<int>(i));
  return total;
}

}  // namespace einflow::workloads
