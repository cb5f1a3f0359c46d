#include <algorithm>

#include "workloads/analysis.h"

namespace einflow::workloads {

namespace {

bool has_family(const Cascade& c, const Tensor& t, int rank) {
  for (int r : t.ranks)
    if (c.in_family(r, rank)) return true;
  return false;
}

bool traverses(const Cascade& c, const Einsum& e, const std::vector<int>& leaves, int rank) {
  const auto& it = e.iteration_ranks;
  if (std::find(it.begin(), it.end(), rank) != it.end()) return true;
  for (int l : leaves)
    if (std::find(it.begin(), it.end(), l) == it.end()) return false;
  return !c.ranks[rank].parts.empty();
}

}  // namespace

RankPasses passes_over(const Cascade& c, int rank) {
  RankPasses out;
  out.rank = rank;
  out.pass_of_einsum.assign(c.einsums.size(), 0);
  std::vector<int> leaves = c.leaves_of(rank);
  // s: the pass during which a tensor's entries stream by (0: any time);
  // done: the last pass whose completion the tensor needs (0: none).
  std::vector<int> s(c.tensors.size(), 0), done(c.tensors.size(), 0);
  // Carried edges may feed values forward, so iterate to a fixed point.
  for (size_t round = 0; round <= c.einsums.size() + 1; ++round) {
    bool changed = false;
    for (int ei : c.topo_order) {
      const Einsum& e = c.einsums[ei];
      int in_s = 0, in_done = 0;
      for (const auto& a : e.inputs) {
        const Tensor& t = c.tensors[a.tensor];
        if (has_family(c, t, rank)) in_s = std::max(in_s, s[a.tensor]);
        in_done = std::max(in_done, done[a.tensor]);
      }
      bool full = traverses(c, e, leaves, rank);
      int pass = full ? std::max({1, in_s, in_done + 1}) : 0;
      int out_t = e.output.tensor;
      int new_s, new_done;
      if (has_family(c, c.tensors[out_t], rank)) {
        new_s = full ? pass : in_s;
        new_done = in_done;
      } else {
        new_s = 0;
        new_done = full ? pass : std::max(in_done, in_s);
      }
      if (new_s > s[out_t] || new_done > done[out_t]) {
        s[out_t] = std::max(s[out_t], new_s);
        done[out_t] = std::max(done[out_t], new_done);
        changed = true;
      }
      if (pass > out.pass_of_einsum[ei]) {
        out.pass_of_einsum[ei] = pass;
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (int p : out.pass_of_einsum) out.passes = std::max(out.passes, p);
  return out;
}

std::vector<RankPasses> pass_counts(const Cascade& c) {
  std::vector<RankPasses> out;
  for (int r : c.top_ranks()) out.push_back(passes_over(c, r));
  return out;
}

std::vector<RecurrentState> recurrent_states(const Cascade& c) {
  std::vector<RecurrentState> out;
  for (const auto& g : c.exec_groups) {
    if (g.loop_rank < 0) continue;
    std::vector<int> seen;
    for (int e : g.einsums) {
      const int t = c.einsums[static_cast<size_t>(e)].output.tensor;
      const Tensor& T = c.tensors[static_cast<size_t>(t)];
      const auto at = std::find(T.ranks.begin(), T.ranks.end(), g.loop_rank);
      // Carried: it holds an entry more than the rank's size along it (S[m1+1]).
      if (at == T.ranks.end() || std::find(seen.begin(), seen.end(), t) != seen.end() ||
          T.extents[static_cast<size_t>(at - T.ranks.begin())] <= c.ranks[static_cast<size_t>(g.loop_rank)].size)
        continue;
      seen.push_back(t);
      RecurrentState s;
      s.rank = g.loop_rank;
      s.tensor = t;
      s.elements = s.per_head = 1;
      for (size_t d = 0; d < T.ranks.size(); ++d) {
        if (T.ranks[d] == g.loop_rank) continue;
        s.ranks.push_back(T.ranks[d]);
        s.elements *= T.extents[d];
        const std::string& n = c.ranks[static_cast<size_t>(T.ranks[d])].name;
        if (n != "B" && n != "H" && n != "G" && n != "J") s.per_head *= T.extents[d];
      }
      out.push_back(s);
    }
  }
  return out;
}

}  // namespace einflow::workloads
