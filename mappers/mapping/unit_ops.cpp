#include "mappers/mapping/unit_ops.h"

#include <algorithm>
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

namespace {

// The per-point computation as a tree: the expression's operators, leaves for
// its operands, and a node folding the result into the output.
struct TreeNode {
  bool leaf = true;
  Op op = Op::kAdd;
  int lhs = -1;
  int rhs = -1;
};

bool commutative(Op op) { return op == Op::kAdd || op == Op::kMul || op == Op::kMax || op == Op::kMin; }

std::vector<TreeNode> point_tree(const workloads::Einsum& e, int& fold) {
  std::vector<TreeNode> t;
  for (const auto& n : e.expr) {
    TreeNode x;
    if (n.kind == workloads::ExprNode::Kind::kUnary || n.kind == workloads::ExprNode::Kind::kBinary) {
      x.leaf = false;
      x.op = n.op;
      x.lhs = n.lhs;
      x.rhs = n.kind == workloads::ExprNode::Kind::kBinary ? n.rhs : -1;
    }
    t.push_back(x);
  }
  fold = -1;
  Op op;
  switch (e.reduce) {
    case workloads::Reduce::kSum: op = Op::kAdd; break;
    case workloads::Reduce::kMax: op = Op::kMax; break;
    case workloads::Reduce::kMin: op = Op::kMin; break;
    case workloads::Reduce::kProd: op = Op::kMul; break;
    case workloads::Reduce::kNone: default: return t;
  }
  const int root = static_cast<int>(t.size()) - 1;
  t.push_back(TreeNode{});  // the output's running value
  TreeNode f;
  f.leaf = false;
  f.op = op;
  f.lhs = root;
  f.rhs = static_cast<int>(t.size()) - 1;
  t.push_back(f);
  fold = static_cast<int>(t.size()) - 1;
  return t;
}

// Binds the pattern below pattern node `p` to the tree below node `n`: appends
// the tree nodes the placeholders take to `bound`; every way (commutative
// operators both ways) goes to `out`.
void match(const std::vector<arch::PatternNode>& pat, int p, const std::vector<TreeNode>& t, int n,
           std::vector<int> bound, std::vector<std::vector<int>>& out);

void match_pair(const std::vector<arch::PatternNode>& pat, int pa, int pb, const std::vector<TreeNode>& t, int na,
                int nb, const std::vector<int>& bound, std::vector<std::vector<int>>& out) {
  std::vector<std::vector<int>> first;
  match(pat, pa, t, na, bound, first);
  for (auto& b : first) {
    if (pb < 0) out.push_back(b);
    else match(pat, pb, t, nb, b, out);
  }
}

void match(const std::vector<arch::PatternNode>& pat, int p, const std::vector<TreeNode>& t, int n,
           std::vector<int> bound, std::vector<std::vector<int>>& out) {
  const arch::PatternNode& pn = pat[static_cast<size_t>(p)];
  if (pn.op.empty()) {
    bound.push_back(n);
    out.push_back(std::move(bound));
    return;
  }
  const TreeNode& tn = t[static_cast<size_t>(n)];
  if (tn.leaf || pn.op != workloads::op_name(tn.op)) return;
  match_pair(pat, pn.lhs, pn.rhs, t, tn.lhs, tn.rhs, bound, out);
  if (commutative(tn.op) && pn.rhs >= 0) match_pair(pat, pn.lhs, pn.rhs, t, tn.rhs, tn.lhs, bound, out);
}

const std::vector<arch::PatternNode>& mac_pattern() {
  static const std::vector<arch::PatternNode> p = [] {
    std::string why;
    return arch::parse_op_pattern("a * b + c", why);
  }();
  return p;
}

// One way to compute a subtree.
struct Option {
  std::map<std::string, double> busy;   // by functional unit
  double energy = 0;
  double latency = 0;
  std::map<int, double> uses;           // by the unit's op index
  int fold_op = -1;
  double op_total() const {
    double n = 0;
    for (const auto& u : uses) n += u.second;
    return n;
  }
  double issue() const {
    double m = 0;
    for (const auto& b : busy) m = std::max(m, b.second);
    return m;
  }
  bool dominates(const Option& o) const {
    if (energy > o.energy || latency > o.latency || op_total() > o.op_total()) return false;
    for (const auto& [fu, c] : busy) {
      auto it = o.busy.find(fu);
      if (c > (it == o.busy.end() ? 0.0 : it->second)) return false;
    }
    return true;
  }
};

// Fewest cycles on the busiest unit, then least energy, shortest chain, fewest ops.
bool better(const Option& a, const Option& b) {
  if (a.issue() != b.issue()) return a.issue() < b.issue();
  if (a.energy != b.energy) return a.energy < b.energy;
  if (a.latency != b.latency) return a.latency < b.latency;
  return a.op_total() < b.op_total();
}

void add_option(std::vector<Option>& opts, Option o) {
  for (const auto& x : opts)
    if (x.dominates(o)) return;
  opts.erase(std::remove_if(opts.begin(), opts.end(), [&](const Option& x) { return o.dominates(x); }), opts.end());
  opts.push_back(std::move(o));
  constexpr size_t kMaxOptions = 32;  // expressions are small; a bound keeps odd ones cheap
  if (opts.size() > kMaxOptions) {
    std::sort(opts.begin(), opts.end(), better);
    opts.resize(kMaxOptions);
  }
}

// The ways each unit op can cover tree node `n`, as the subtrees it leaves.
std::vector<std::pair<int, std::vector<int>>> covers_at(const arch::Node& unit, const std::vector<TreeNode>& t,
                                                        int n) {
  std::vector<std::pair<int, std::vector<int>>> out;
  const TreeNode& tn = t[static_cast<size_t>(n)];
  const std::string hw = hw_op_name(tn.op);
  const bool has_mul = unit.find_op("mul"), has_add = unit.find_op("add");
  for (size_t i = 0; i < unit.ops.size(); ++i) {
    const arch::OpSpec& o = unit.ops[i];
    std::vector<std::vector<int>> ways;
    if (!o.pattern.empty()) {
      match(o.pattern, static_cast<int>(o.pattern.size()) - 1, t, n, {}, ways);
    } else {
      if (o.name == "mac") match(mac_pattern(), static_cast<int>(mac_pattern().size()) - 1, t, n, {}, ways);
      const bool stands_in = o.name == "mac" && !unit.contractions_only &&
                             ((hw == "mul" && !has_mul) || (hw == "add" && !has_add));
      if (o.name == hw || stands_in) {
        std::vector<int> kids;
        if (tn.lhs >= 0) kids.push_back(tn.lhs);
        if (tn.rhs >= 0) kids.push_back(tn.rhs);
        ways.push_back(kids);
      }
    }
    for (auto& w : ways) out.emplace_back(static_cast<int>(i), std::move(w));
  }
  return out;
}

}  // namespace

OpCover cover_einsum(const arch::Node& unit, const workloads::Cascade& cascade, int einsum) {
  const workloads::Einsum& e = cascade.einsums[static_cast<size_t>(einsum)];
  OpCover cover;
  if (unit.contractions_only && !is_contraction(cascade, einsum)) {
    cover.missing = "element-wise work (" + unit.name + " runs contractions only)";
    return cover;
  }
  int fold = -1;
  const std::vector<TreeNode> t = point_tree(e, fold);
  std::vector<std::vector<Option>> best(t.size());
  for (size_t n = 0; n < t.size(); ++n) {  // post-order: operands first
    if (t[n].leaf) {
      best[n].push_back(Option{});
      continue;
    }
    for (const auto& [op_index, kids] : covers_at(unit, t, static_cast<int>(n))) {
      const arch::OpSpec& o = unit.ops[static_cast<size_t>(op_index)];
      Option base;
      for (const auto& [fu, c] : o.busy) base.busy[fu] += c;
      base.energy = o.energy_pj;
      base.latency = static_cast<double>(o.latency_cycles);
      base.uses[op_index] += 1;
      if (static_cast<int>(n) == fold) base.fold_op = op_index;
      std::vector<Option> partial = {base};
      for (int k : kids) {
        std::vector<Option> next;
        for (const auto& a : partial)
          for (const auto& b : best[static_cast<size_t>(k)]) {
            Option c = a;
            for (const auto& [fu, cy] : b.busy) c.busy[fu] += cy;
            c.energy += b.energy;
            c.latency += b.latency;
            for (const auto& [u, cnt] : b.uses) c.uses[u] += cnt;
            if (b.fold_op >= 0) c.fold_op = b.fold_op;
            add_option(next, std::move(c));
          }
        partial = std::move(next);
      }
      for (auto& p : partial) add_option(best[n], std::move(p));
    }
    // No op covers this node alone; a fused op may still cover it from above.
    if (best[n].empty() && cover.missing.empty()) cover.missing = hw_op_name(t[n].op);
  }
  if (t.empty() || best.back().empty()) return cover;
  cover.missing.clear();
  const auto& root = best.back();
  const Option& pick = *std::min_element(root.begin(), root.end(), better);
  cover.ok = true;
  cover.issue_cycles = pick.issue();
  cover.energy_pj = pick.energy;
  cover.latency_cycles = pick.latency;
  std::map<std::string, double> actions;
  for (const auto& [i, cnt] : pick.uses) {
    const arch::OpSpec& o = unit.ops[static_cast<size_t>(i)];
    cover.uses.push_back({&o, cnt});
    for (const auto& [a, n] : o.actions) actions[a] += cnt * static_cast<double>(n);
  }
  cover.actions.assign(actions.begin(), actions.end());
  if (pick.fold_op >= 0) cover.acc_op = unit.ops[static_cast<size_t>(pick.fold_op)].name;
  return cover;
}

}  // namespace einflow::mapping
