#include "workloads/dependency_graph.h"

#include <algorithm>
#include <map>
#include <queue>

#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/strong_components.hpp>

#include "common/text.h"
#include "workloads/build_context.h"

namespace einflow::workloads {

namespace {

// The iterative rank over which `read` refers to an earlier iteration than `write`, or -1.
int carried_rank(const Cascade& c, const Access& write, const Access& read) {
  if (write.index.size() != read.index.size()) return -1;
  for (size_t d = 0; d < write.index.size(); ++d) {
    const IndexExpr& w = write.index[d];
    const IndexExpr& r = read.index[d];
    if (w.terms.size() != 1 || r.terms.size() != 1) continue;
    if (w.terms[0].coef != 1 || r.terms[0].coef != 1 || w.terms[0].rank != r.terms[0].rank) continue;
    if (!c.ranks[w.terms[0].rank].iterative) continue;
    if (r.constant < w.constant) return w.terms[0].rank;
  }
  return -1;
}

}  // namespace

DependencyGraph dependency_graph(const Cascade& c) {
  DependencyGraph g(c.einsums.size());
  for (size_t ri = 0; ri < c.einsums.size(); ++ri) {
    for (const auto& a : c.einsums[ri].inputs) {
      if (a.tensor < 0) continue;
      for (int wi : c.tensors[a.tensor].writers) {
        DependencyEdge e;
        e.tensor = a.tensor;
        e.loop_rank = carried_rank(c, c.einsums[wi].output, a);
        e.carried = e.loop_rank >= 0;
        boost::add_edge(static_cast<size_t>(wi), ri, e, g);
      }
    }
  }
  return g;
}

namespace detail {

namespace {

struct NotCarried {
  const DependencyGraph* g = nullptr;
  bool operator()(const DependencyGraph::edge_descriptor& e) const { return !(*g)[e].carried; }
};

// Kahn's algorithm over `members`, smallest index first among the ready ones.
std::vector<int> ordered(const DependencyGraph& g, const std::vector<int>& members,
                         const std::vector<int>& component, bool only_uncarried) {
  std::map<int, int> indegree;
  for (int v : members) indegree[v] = 0;
  for (int v : members)
    for (auto [it, end] = boost::in_edges(v, g); it != end; ++it) {
      int u = static_cast<int>(boost::source(*it, g));
      if (only_uncarried && g[*it].carried) continue;
      if (indegree.count(u) && component[u] == component[v] && u != v) ++indegree[v];
    }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (auto [v, d] : indegree)
    if (d == 0) ready.push(v);
  std::vector<int> out;
  while (!ready.empty()) {
    int v = ready.top();
    ready.pop();
    out.push_back(v);
    for (auto [it, end] = boost::out_edges(v, g); it != end; ++it) {
      int w = static_cast<int>(boost::target(*it, g));
      if (only_uncarried && g[*it].carried) continue;
      if (!indegree.count(w) || w == v || component[w] != component[v]) continue;
      if (--indegree[w] == 0) ready.push(w);
    }
  }
  return out;
}

}  // namespace

void order_einsums(BuildContext& ctx) {
  Cascade& c = ctx.cascade;
  DependencyGraph g = dependency_graph(c);
  size_t n = c.einsums.size();

  // Cycles made of uncarried edges are errors: nothing orders them.
  NotCarried pred{&g};
  boost::filtered_graph<DependencyGraph, NotCarried> dag(g, pred);
  std::vector<int> dag_comp(n);
  size_t n_dag = boost::strong_components(
      dag, boost::make_iterator_property_map(dag_comp.begin(), boost::get(boost::vertex_index, dag)));
  std::vector<std::vector<int>> dag_members(n_dag);
  for (size_t v = 0; v < n; ++v) dag_members[dag_comp[v]].push_back(static_cast<int>(v));
  for (size_t v = 0; v < n; ++v) {
    bool self = false;
    for (auto [it, end] = boost::out_edges(v, g); it != end; ++it)
      self = self || (boost::target(*it, g) == v && !g[*it].carried);
    auto& m = dag_members[dag_comp[v]];
    if ((m.size() > 1 && m.front() == static_cast<int>(v)) || self) {
      std::vector<std::string> names;
      for (int e : m) names.push_back(c.einsums[e].name);
      ctx.diags.error(c.einsums[v].loc, "cycle outside iterative ranks: " + join(names, " -> ") +
                                            " -> " + names.front() +
                                            " (a recurrence must read an earlier iteration, "
                                            "e.g. X[m1,p] while writing X[m1+1,p])");
    }
  }
  if (!ctx.diags.empty()) return;

  // Strongly connected sets of the whole graph are recurrences: they run as loops.
  std::vector<int> comp(n);
  size_t n_comp = boost::strong_components(
      g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g)));
  std::vector<std::vector<int>> members(n_comp);
  for (size_t v = 0; v < n; ++v) members[comp[v]].push_back(static_cast<int>(v));

  // Order the components (Kahn, smallest first Einsum first).
  std::vector<int> indeg(n_comp, 0);
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    int a = comp[boost::source(*it, g)], b = comp[boost::target(*it, g)];
    if (a != b) ++indeg[b];
  }
  using Item = std::pair<int, int>;  // (first einsum index, component)
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> ready;
  for (size_t k = 0; k < n_comp; ++k)
    if (indeg[k] == 0) ready.push({members[k].front(), static_cast<int>(k)});
  while (!ready.empty()) {
    int k = ready.top().second;
    ready.pop();
    ExecGroup grp;
    grp.einsums = ordered(g, members[k], comp, /*only_uncarried=*/true);
    for (int v : members[k])
      for (auto [it, end] = boost::out_edges(v, g); it != end; ++it)
        if (comp[boost::target(*it, g)] == k && g[*it].carried) {
          int r = g[*it].loop_rank;
          if (grp.loop_rank >= 0 && grp.loop_rank != r)
            ctx.diags.error(c.einsums[v].loc, "a recurrence runs over two iterative ranks (" +
                                                  c.ranks[grp.loop_rank].name + " and " +
                                                  c.ranks[r].name + ")");
          grp.loop_rank = r;
        }
    if (grp.loop_rank >= 0)
      for (int v : grp.einsums) {
        const auto& it_ranks = c.einsums[v].iteration_ranks;
        if (std::find(it_ranks.begin(), it_ranks.end(), grp.loop_rank) == it_ranks.end())
          ctx.diags.error(c.einsums[v].loc, "'" + c.einsums[v].name + "' is part of a recurrence over " +
                                                c.ranks[grp.loop_rank].name + " but does not iterate '" +
                                                c.ranks[grp.loop_rank].var + "'");
      }
    for (int v : grp.einsums) c.topo_order.push_back(v);
    c.exec_groups.push_back(grp);
    for (int v : members[k])
      for (auto [it, end] = boost::out_edges(v, g); it != end; ++it) {
        int b = comp[boost::target(*it, g)];
        if (b != k && --indeg[b] == 0) ready.push({members[b].front(), b});
      }
  }
}

}  // namespace detail

}  // namespace einflow::workloads
