#include "sim/analytical/group_schedule.h"

#include <algorithm>

#include "mappers/mapping/mapping.h"
#include "sim/analytical/list_scheduler.h"

namespace einflow::sim::analytical {

ExecutionPlan::ExecutionPlan(const workloads::Cascade& c, const mapping::FusionGroup& g) : m_group(g) {
  m_at.assign(g.einsums.size(), RunsAt{});
  const std::vector<bool> first = g.runs_first(c);
  for (size_t k = 0; k < g.einsums.size(); ++k) {
    m_at[k].innermost = g.innermost(c, g.einsums[k]);
    m_at[k].first = first[k];
  }
}

bool ExecutionPlan::runs(int k, const std::vector<int64_t>& it, const std::vector<int64_t>& factors) const {
  const RunsAt& at = m_at[static_cast<size_t>(k)];
  for (size_t l = static_cast<size_t>(at.innermost + 1); l < it.size(); ++l)
    if (it[l] != (at.first ? 0 : factors[l] - 1)) return false;
  return true;
}

void ExecutionPlan::for_each(const std::function<void(int, const std::vector<int64_t>&)>& f,
                             std::vector<int64_t> factors) const {
  const size_t L = m_group.shared.size();
  if (factors.empty())
    for (const auto& loop : m_group.shared) factors.push_back(loop.factor);
  const int n_e = static_cast<int>(m_at.size());
  std::vector<int64_t> it(L, 0);
  for (;;) {
    for (int k = 0; k < n_e; ++k)
      if (runs(k, it, factors)) f(k, it);
    size_t l = L;
    while (l-- > 0) {
      if (++it[l] < factors[l]) break;
      it[l] = 0;
    }
    if (l == static_cast<size_t>(-1)) break;
  }
}

Dependencies::Dependencies(const workloads::Cascade& c, const mapping::FusionGroup& g)
    : m_cascade(c), m_group(g), m_history(g.einsums.size()), m_last_writer(c.tensors.size()),
      m_generation(c.tensors.size(), 0), m_readers(c.tensors.size()) {
  for (int e : g.einsums) {
    const workloads::Einsum& es = c.einsums[static_cast<size_t>(e)];
    std::vector<int> reads;
    for (int in : mapping::einsum_tensors(es))
      if (es.reads(in)) reads.push_back(in);
    m_reads.push_back(std::move(reads));
  }
}

void Dependencies::execution(int x, int k, const std::function<void(int, Dep)>& edge, int previous) {
  const workloads::Einsum& es = m_cascade.einsums[static_cast<size_t>(m_group.einsums[static_cast<size_t>(k)])];
  std::vector<int>& hist = m_history[static_cast<size_t>(k)];
  if (!hist.empty()) edge(hist.back(), Dep::kOrder);
  if (previous >= 0) edge(previous, Dep::kOrder);
  for (int in : m_reads[static_cast<size_t>(k)]) {
    for (const auto& [j, task] : m_last_writer[static_cast<size_t>(in)]) edge(task, Dep::kData);
    m_readers[static_cast<size_t>(in)][m_generation[static_cast<size_t>(in)]].push_back(x);
  }
  const size_t ot = static_cast<size_t>(es.output.tensor);
  const int64_t gen = ++m_generation[ot];
  auto old = m_readers[ot].find(gen - 2);
  if (old != m_readers[ot].end()) {
    for (int r : old->second) edge(r, Dep::kBuffer);
    m_readers[ot].erase(old);
  }
  m_last_writer[ot][k] = x;
  hist.push_back(x);
}

namespace {

// Executions of the group with shared-loop factors `f` (tile k runs once per
// iteration of the loops down to its innermost), counted up to just past `limit`.
int64_t executions(const ExecutionPlan& plan, const std::vector<int64_t>& f, int64_t limit) {
  int64_t n = 0;
  for (const RunsAt& at : plan.at()) {
    int64_t x = 1;
    for (int l = 0; l <= at.innermost; ++l) {
      x *= f[static_cast<size_t>(l)];
      if (x > limit) return limit + 1;
    }
    n += x;
    if (n > limit) return n;
  }
  return n;
}

}  // namespace

double schedule_makespan(const workloads::Cascade& c, const mapping::FusionGroup& g,
                         const std::vector<double>& durations, const std::vector<int>& resource_of,
                         int64_t exact_limit) {
  const ExecutionPlan plan(c, g);
  const int resources = resource_of.empty() ? 1 : *std::max_element(resource_of.begin(), resource_of.end()) + 1;
  auto simulate = [&](const std::vector<int64_t>& f) {
    ListScheduler s(resources);
    Dependencies deps(c, g);
    plan.for_each(
        [&](int k, const std::vector<int64_t>&) {
          const int x = s.add(resource_of[static_cast<size_t>(k)], durations[static_cast<size_t>(k)]);
          deps.execution(x, k, [&](int from, Dep why) { s.depend(from, x, static_cast<uint8_t>(why)); });
        },
        f);
    return s.run();
  };
  std::vector<int64_t> f;
  for (const auto& loop : g.shared) f.push_back(loop.factor);
  if (executions(plan, f, exact_limit) <= exact_limit) return simulate(f);

  // Extended from a few iterations: the innermost loop (N iterations) and the
  // loops outside it taken as one (R iterations); every tile must run inside
  // those two (or once for the whole group), so that collapsing the outer
  // loops leaves each tile's executions in the same order. The makespan is
  // linear in N and R (and their product) once the schedule is periodic; two
  // points two apart in each find the slopes even for a period of two.
  const int L = static_cast<int>(f.size());
  for (const RunsAt& at : plan.at())
    if (at.innermost >= 0 && at.innermost < L - 2) return -1;
  const int inner = L - 1, outer = L - 2;
  const double N = static_cast<double>(f[static_cast<size_t>(inner)]);
  double R = 1;
  for (int l = 0; l <= outer; ++l) R *= static_cast<double>(f[static_cast<size_t>(l)]);
  const int64_t n1 = N <= 8 ? f[static_cast<size_t>(inner)] : 6, n2 = N <= 8 ? n1 : 8;
  const int64_t r1 = R <= 3 ? static_cast<int64_t>(R) : 2, r2 = R <= 3 ? r1 : 3;
  auto at = [&](int64_t r, int64_t n) {
    std::vector<int64_t> x = f;
    for (int l = 0; l < outer; ++l) x[static_cast<size_t>(l)] = 1;
    if (outer >= 0) x[static_cast<size_t>(outer)] = r;
    x[static_cast<size_t>(inner)] = n;
    return x;
  };
  // The small schedules themselves must stay small.
  const int64_t small_limit = std::max<int64_t>(exact_limit, 100000);
  if (executions(plan, at(r2, n2), small_limit) > small_limit) return -1;
  const double t11 = simulate(at(r1, n1));
  const double t12 = n2 != n1 ? simulate(at(r1, n2)) : t11;
  const double t21 = r2 != r1 ? simulate(at(r2, n1)) : t11;
  const double t22 = r2 != r1 && n2 != n1 ? simulate(at(r2, n2)) : (r2 != r1 ? t21 : t12);
  const double dn = n2 != n1 ? (N - static_cast<double>(n1)) / static_cast<double>(n2 - n1) : 0;
  const double dr = r2 != r1 ? (R - static_cast<double>(r1)) / static_cast<double>(r2 - r1) : 0;
  const double extended = t11 + dn * (t12 - t11) + dr * (t21 - t11) + dn * dr * (t22 - t21 - t12 + t11);
  // Never below the busiest resource's work (a schedule that had not settled
  // by the small counts could extend below it).
  std::vector<double> work(static_cast<size_t>(resources), 0.0);
  for (size_t k = 0; k < plan.at().size(); ++k) {
    double n = 1;
    for (int l = 0; l <= plan.at()[k].innermost; ++l) n *= static_cast<double>(f[static_cast<size_t>(l)]);
    work[static_cast<size_t>(resource_of[k])] += n * durations[k];
  }
  return std::max(extended, *std::max_element(work.begin(), work.end()));
}

}  // namespace einflow::sim::analytical
