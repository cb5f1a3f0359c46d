// COSMA's integer linear program, solved by COIN-OR CBC (mappers/README.md,
// "Memory scheduling (COSMA)"). Per operator and step a binary x (the
// operator runs then); per tensor and step binaries P (kept from the step
// before), R (loaded before the step), S (written to DRAM during the step)
// and an address L; per pair of tensors that may share a step, binaries u
// and d (one above the other). Sizes and the budget are in units of the
// greatest common divisor of the tensors' sizes (exact: any placement packs
// down to multiples of it), which keeps the big-M constants small.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>

#include "mappers/cosma/cosma.h"
#include "mappers/cosma/cbc_model.h"
#include "mappers/cosma/placement.h"

namespace einflow::cosma {

namespace {

class Ilp {
 public:
  // Without addresses: capacity only (a relaxation of the program: its
  // optimum bounds COSMA's from below, and is COSMA's when its stays can be placed).
  Ilp(const OpGraph& g, const CosmaOptions& o, bool addresses)
      : g_(g), o_(o), n_(static_cast<int>(g.ops.size())), addresses_(addresses), before_(g.predecessors()) {
    unit_ = 0;
    for (const OpTensor& v : g.tensors) unit_ = std::gcd(unit_, v.bytes);
    unit_ = std::max<int64_t>(unit_, 1);
    cap_ = static_cast<double>(o.budget / unit_);
    windows();
  }

  CosmaResult solve(double seconds) {
    const auto t0 = std::chrono::steady_clock::now();
    build();
    CosmaResult r;
    r.columns = mdl_.cols;
    r.rows = mdl_.rows;
    r.integers = mdl_.integers;
    // CBC keeps one start (a second replaces the first): the one of least
    // traffic among those that are points of this program.
    const MemorySchedule* pick = nullptr;
    int64_t least = 0;
    for (const MemorySchedule& s : o_.starts) {
      if (!fits(s)) continue;
      const ScheduleCheck c = check_schedule(g_, s, o_.budget);
      if (c.ok && (!pick || c.traffic.noncompulsory() < least)) pick = &s, least = c.traffic.noncompulsory();
    }
    if (pick) start(*pick);
    Cbc_setLogLevel(mdl_.m, 0);
    Cbc_setParameter(mdl_.m, "preprocess", "off");  // CBC 2.10.8 crashes in CglPreProcess::postProcess after a start
    if (seconds > 0) Cbc_setMaximumSeconds(mdl_.m, seconds);
    Cbc_solve(mdl_.m);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.optimal = Cbc_isProvenOptimal(mdl_.m) != 0;
    r.infeasible = Cbc_isProvenInfeasible(mdl_.m) != 0;
    r.time_limit = Cbc_isSecondsLimitReached(mdl_.m) != 0;
    r.lower_bound = std::max(0.0, Cbc_getBestPossibleObjValue(mdl_.m) * static_cast<double>(unit_) - first_loads_);
    const double* sol = Cbc_bestSolution(mdl_.m);
    if (sol && !r.infeasible) {
      r.schedule = extract(sol);
      r.found = true;
      if (!addresses_) {  // no addresses yet: no traffic counted; its optimum is the bound
        if (r.optimal) r.lower_bound = std::max(0.0, std::round(Cbc_getObjValue(mdl_.m) * static_cast<double>(unit_) - first_loads_));
        return r;
      }
      // The solver's tolerances on big budgets can let stays touch: such a
      // schedule is dropped (the phases' other schedules stand), never used.
      const ScheduleCheck c = check_schedule(g_, r.schedule, o_.budget);
      r.found = c.ok;
      r.traffic = c.traffic;
      if (r.optimal && c.ok) r.lower_bound = static_cast<double>(r.traffic.noncompulsory());
    }
    return r;
  }

 private:
  // Steps an operator can run at (ancestors before, descendants after) and
  // the steps a tensor can be resident at (its creation or first use to its last use).
  void windows() {
    std::vector<std::vector<int>> succ(static_cast<size_t>(n_));
    for (int o = 0; o < n_; ++o)
      for (int p : before_[static_cast<size_t>(o)]) succ[static_cast<size_t>(p)].push_back(o);
    lo_.assign(static_cast<size_t>(n_), 0);
    hi_.assign(static_cast<size_t>(n_), n_ - 1);
    if (!o_.fixed_order.empty()) {
      for (int t = 0; t < n_; ++t) lo_[static_cast<size_t>(o_.fixed_order[static_cast<size_t>(t)])] = t;
      hi_ = lo_;
    } else {
      for (int o = 0; o < n_; ++o) {  // descendants of o
        std::vector<bool> seen(static_cast<size_t>(n_), false);
        std::vector<int> stack = {o};
        int count = 0;
        while (!stack.empty()) {
          const int x = stack.back();
          stack.pop_back();
          for (int y : succ[static_cast<size_t>(x)])
            if (!seen[static_cast<size_t>(y)]) seen[static_cast<size_t>(y)] = true, ++count, stack.push_back(y), ++lo_[static_cast<size_t>(y)];
        }
        hi_[static_cast<size_t>(o)] = n_ - 1 - count;
      }
    }
    const size_t nt = g_.tensors.size();
    vlo_.assign(nt, n_);
    vhi_.assign(nt, -1);
    for (size_t v = 0; v < nt; ++v) {
      const OpTensor& t = g_.tensors[v];
      if (t.producer >= 0) vlo_[v] = lo_[static_cast<size_t>(t.producer)], vhi_[v] = hi_[static_cast<size_t>(t.producer)];
      for (int c : t.consumers)
        vlo_[v] = std::min(vlo_[v], lo_[static_cast<size_t>(c)]), vhi_[v] = std::max(vhi_[v], hi_[static_cast<size_t>(c)]);
    }
  }

  bool in(size_t v, int t) const { return t >= vlo_[v] && t <= vhi_[v]; }
  double size(size_t v) const { return static_cast<double>(g_.tensors[v].bytes / unit_); }
  int X(int o, int t) const {
    return t >= lo_[static_cast<size_t>(o)] && t <= hi_[static_cast<size_t>(o)] ? x_[static_cast<size_t>(o)][static_cast<size_t>(t - lo_[static_cast<size_t>(o)])] : -1;
  }
  int C(size_t v, int t) const { return g_.tensors[v].producer >= 0 ? X(g_.tensors[v].producer, t) : -1; }
  int at(const std::vector<std::vector<int>>& a, size_t v, int t) const { return in(v, t) ? a[v][static_cast<size_t>(t - vlo_[v])] : -1; }

  void build() {
    for (int o = 0; o < n_; ++o) {
      std::vector<int> xs;
      for (int t = lo_[static_cast<size_t>(o)]; t <= hi_[static_cast<size_t>(o)]; ++t) xs.push_back(mdl_.col(0, 1, 0, true));
      x_.push_back(xs);
    }
    for (int o = 0; o < n_; ++o) {  // each operator once, each step one operator
      std::vector<std::pair<int, double>> once;
      for (int t = lo_[static_cast<size_t>(o)]; t <= hi_[static_cast<size_t>(o)]; ++t) once.emplace_back(X(o, t), 1);
      mdl_.row(once, 'E', 1);
    }
    for (int t = 0; t < n_; ++t) {
      std::vector<std::pair<int, double>> one;
      for (int o = 0; o < n_; ++o) one.emplace_back(X(o, t), 1);
      mdl_.row(one, 'E', 1);
    }
    for (int o = 0; o < n_; ++o)  // after what it depends on
      for (int p : before_[static_cast<size_t>(o)]) {
        std::vector<std::pair<int, double>> row;
        for (int k = lo_[static_cast<size_t>(o)]; k <= hi_[static_cast<size_t>(o)]; ++k) row.emplace_back(X(o, k), k);
        for (int k = lo_[static_cast<size_t>(p)]; k <= hi_[static_cast<size_t>(p)]; ++k) row.emplace_back(X(p, k), -k);
        mdl_.row(row, 'G', 1);
      }
    const size_t nt = g_.tensors.size();
    P_.resize(nt), R_.resize(nt), S_.resize(nt), L_.resize(nt);
    for (size_t v = 0; v < nt; ++v) tensor_vars(v);
    for (size_t v = 0; v < nt; ++v) tensor_rows(v);
    for (int t = 0; t < n_; ++t) step_rows(t);
  }

  void tensor_vars(size_t v) {
    const OpTensor& t = g_.tensors[v];
    const double s = size(v);
    // An input one operator reads (a weight) is loaded for that step and
    // gone after it: holding it longer never helps. Its residency is the
    // operator's x; its one load is compulsory, outside the objective.
    if (t.role == TensorRole::kInput && t.consumers.size() == 1) {
      for (int k = vlo_[v]; k <= vhi_[v]; ++k) {
        P_[v].push_back(-1);
        R_[v].push_back(X(t.consumers[0], k));
        S_[v].push_back(-1);
        L_[v].push_back(addresses_ ? mdl_.col(0, std::max(0.0, cap_ - s), 0, false) : -1);
      }
      return;
    }
    if (t.role == TensorRole::kInput && !t.consumers.empty()) first_loads_ += static_cast<double>(t.bytes);
    for (int k = vlo_[v]; k <= vhi_[v]; ++k) {
      P_[v].push_back(k > vlo_[v] ? mdl_.col(0, 1, 0, true) : -1);
      const bool loadable = t.role == TensorRole::kInput || (t.producer >= 0 && k > lo_[static_cast<size_t>(t.producer)]);
      R_[v].push_back(loadable ? mdl_.col(0, 1, s, true) : -1);
      S_[v].push_back(t.role != TensorRole::kInput ? mdl_.col(0, 1, t.role == TensorRole::kOutput ? 0 : s, true) : -1);
      L_[v].push_back(addresses_ ? mdl_.col(0, std::max(0.0, cap_ - s), 0, false) : -1);
    }
  }

  void tensor_rows(size_t v) {
    const OpTensor& t = g_.tensors[v];
    std::vector<std::pair<int, double>> spills;
    for (int k = vlo_[v]; k <= vhi_[v]; ++k) {
      const int c = C(v, k), p = at(P_, v, k), r = at(R_, v, k), s = at(S_, v, k), l = at(L_, v, k);
      mdl_.row({{c, 1}, {p, 1}, {r, 1}}, 'L', 1);                                   // resident once
      if (p >= 0) {
        mdl_.row({{p, 1}, {C(v, k - 1), -1}, {at(P_, v, k - 1), -1}, {at(R_, v, k - 1), -1}}, 'L', 0);  // kept: was resident
        if (addresses_) {
          mdl_.row({{l, 1}, {at(L_, v, k - 1), -1}, {p, cap_}}, 'L', cap_);         // kept: same address
          mdl_.row({{at(L_, v, k - 1), 1}, {l, -1}, {p, cap_}}, 'L', cap_);
        }
      }
      if (s >= 0) {
        mdl_.row({{s, 1}, {c, -1}, {p, -1}, {r, -1}}, 'L', 0);                      // written while resident
        spills.emplace_back(s, 1);
      }
      if (r >= 0 && t.role != TensorRole::kInput) {                                  // loaded after a write
        std::vector<std::pair<int, double>> row = {{r, 1}};
        for (int j = vlo_[v]; j < k; ++j) row.emplace_back(at(S_, v, j), -1);
        mdl_.row(row, 'L', 0);
      }
    }
    if (t.role != TensorRole::kInput) mdl_.row(spills, t.role == TensorRole::kOutput ? 'E' : 'L', 1);
    for (int o : t.consumers)  // resident when a consumer runs
      for (int k = lo_[static_cast<size_t>(o)]; k <= hi_[static_cast<size_t>(o)]; ++k)
        mdl_.row({{X(o, k), 1}, {at(P_, v, k), -1}, {at(R_, v, k), -1}}, 'L', 0);
    if (!t.updaters.empty())  // written only once complete: not before its last updater runs
      for (int k = vlo_[v]; k <= vhi_[v]; ++k) {
        std::vector<std::pair<int, double>> row = {{at(S_, v, k), 1}};
        const int last = t.updaters.back();
        for (int j = lo_[static_cast<size_t>(last)]; j <= std::min(k, hi_[static_cast<size_t>(last)]); ++j) row.emplace_back(X(last, j), -1);
        mdl_.row(row, 'L', 0);
      }
  }

  // The step's capacity and, per pair resident at it, one above the other.
  void step_rows(int t) {
    std::vector<size_t> here;
    std::vector<std::pair<int, double>> cap;
    for (size_t v = 0; v < g_.tensors.size(); ++v)
      if (in(v, t)) {
        here.push_back(v);
        for (int c : {C(v, t), at(P_, v, t), at(R_, v, t)}) cap.emplace_back(c, size(v));
      }
    mdl_.row(cap, 'L', cap_);
    if (!addresses_) return;
    for (size_t i = 0; i < here.size(); ++i)
      for (size_t j = i + 1; j < here.size(); ++j) {
        const size_t a = here[i], b = here[j];
        const std::vector<std::pair<int, double>> both = {{C(a, t), 1}, {at(P_, a, t), 1}, {at(R_, a, t), 1},
                                                          {C(b, t), 1}, {at(P_, b, t), 1}, {at(R_, b, t), 1}};
        if (size(a) + size(b) > cap_) {
          mdl_.row(both, 'L', 1);
          continue;
        }
        const int u = mdl_.col(0, 1, 0, true), d = mdl_.col(0, 1, 0, true);
        pairs_[{t, a, b}] = {u, d};
        mdl_.row({{at(L_, a, t), 1}, {at(L_, b, t), -1}, {u, -cap_}}, 'G', size(b) - cap_);  // a above b
        mdl_.row({{at(L_, b, t), 1}, {at(L_, a, t), -1}, {d, -cap_}}, 'G', size(a) - cap_);  // b above a
        std::vector<std::pair<int, double>> pick = {{u, 1}, {d, 1}};
        for (const auto& [c, w] : both) pick.emplace_back(c, -w);
        mdl_.row(pick, 'G', -1);
        mdl_.row({{u, 1}, {d, 1}}, 'L', 1);
      }
  }

  // Whether a schedule is a point of this program: every operator and stay inside its window.
  bool fits(const MemorySchedule& s) const {
    if (s.order.size() != static_cast<size_t>(n_)) return false;
    for (int t = 0; t < n_; ++t) {
      const int o = s.order[static_cast<size_t>(t)];
      if (o < 0 || o >= n_ || t < lo_[static_cast<size_t>(o)] || t > hi_[static_cast<size_t>(o)]) return false;
    }
    for (const Stay& y : s.stays)
      if (y.first < vlo_[static_cast<size_t>(y.tensor)] || y.last > vhi_[static_cast<size_t>(y.tensor)]) return false;
    return true;
  }

  // A feasible schedule as the solver's starting incumbent.
  void start(const MemorySchedule& s) {
    std::vector<double> val(static_cast<size_t>(mdl_.cols), 0.0);
    auto set = [&](int c, double x) {
      if (c >= 0) val[static_cast<size_t>(c)] = x;
    };
    for (int t = 0; t < n_; ++t) set(X(s.order[static_cast<size_t>(t)], t), 1);
    std::map<std::pair<int, size_t>, double> addr;  // (step, tensor) -> address in units
    for (const Stay& y : s.stays) {
      const size_t v = static_cast<size_t>(y.tensor);
      for (int k = y.first; k <= y.last; ++k) {
        set(k == y.first ? (y.loaded ? at(R_, v, k) : -1) : at(P_, v, k), 1);
        if (addresses_) set(at(L_, v, k), static_cast<double>(y.address / unit_));
        addr[{k, v}] = static_cast<double>(y.address / unit_);
      }
    }
    for (size_t v = 0; v < g_.tensors.size(); ++v)
      if (s.spill_step[v] >= 0) set(at(S_, v, s.spill_step[v]), 1);
    for (const auto& [key, ud] : pairs_) {
      const auto& [t, a, b] = key;
      const auto ia = addr.find({t, a}), ib = addr.find({t, b});
      if (ia == addr.end() || ib == addr.end()) continue;
      set(ia->second >= ib->second ? ud.first : ud.second, 1);
    }
    std::vector<int> idx(val.size());
    std::iota(idx.begin(), idx.end(), 0);
    Cbc_setMIPStartI(mdl_.m, static_cast<int>(idx.size()), idx.data(), val.data());
  }

  MemorySchedule extract(const double* sol) const {
    auto on = [&](int c) { return c >= 0 && sol[c] > 0.5; };
    MemorySchedule s;
    s.order.assign(static_cast<size_t>(n_), -1);
    for (int o = 0; o < n_; ++o)
      for (int t = lo_[static_cast<size_t>(o)]; t <= hi_[static_cast<size_t>(o)]; ++t)
        if (on(X(o, t))) s.order[static_cast<size_t>(t)] = o;
    s.spill_step.assign(g_.tensors.size(), -1);
    std::vector<double> where;  // the solver's address of each stay, to order them
    for (size_t v = 0; v < g_.tensors.size(); ++v)
      for (int k = vlo_[v]; k <= vhi_[v]; ++k) {
        if (on(at(S_, v, k))) s.spill_step[v] = k;
        const bool created = on(C(v, k)), loaded = on(at(R_, v, k)), kept = on(at(P_, v, k));
        if (created || loaded) {
          s.stays.push_back({static_cast<int>(v), k, k, 0, loaded});
          where.push_back(addresses_ ? sol[at(L_, v, k)] : 0.0);
        } else if (kept) {
          s.stays.back().last = k;
        }
      }
    if (addresses_) pack_stays(g_, s, where, o_.budget);  // the checker then judges the result
    return s;
  }

  const OpGraph& g_;
  const CosmaOptions& o_;
  const int n_;
  const bool addresses_;
  const std::vector<std::vector<int>> before_;  // per operator, those it depends on
  int64_t unit_ = 1;
  double cap_ = 0;
  double first_loads_ = 0;  // bytes of the inputs' compulsory loads, inside the objective
  std::vector<int> lo_, hi_, vlo_, vhi_;
  std::vector<std::vector<int>> x_, P_, R_, S_, L_;
  std::map<std::tuple<int, size_t, size_t>, std::pair<int, int>> pairs_;
  Model mdl_;
};

}  // namespace

CosmaResult solve_cosma(const OpGraph& g, const CosmaOptions& opts) {
  CosmaResult r;
  if (opts.budget < tightest_budget(g)) {
    r.infeasible = true;  // some operator's inputs and outputs do not fit at once
    return r;
  }
  if (g.ops.empty()) {
    r.found = r.optimal = true;
    r.schedule.spill_step.assign(g.tensors.size(), -1);
    return r;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&]() { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  auto left = [&]() { return opts.max_seconds <= 0 ? 0.0 : std::max(1.0, opts.max_seconds - elapsed()); };
  auto out_of_time = [&]() { return opts.max_seconds > 0 && elapsed() >= opts.max_seconds - 0.5; };
  CosmaResult best;  // the best checked schedule of any phase
  auto keep = [&](const MemorySchedule& s, const Traffic& t) {
    if (best.found && best.traffic.noncompulsory() <= t.noncompulsory()) return;
    best.found = true;
    best.schedule = s;
    best.traffic = t;
  };
  // The result: the last phase's, or the best schedule of an earlier one.
  CosmaResult sizes;  // the columns, rows and integers of the last program solved
  auto finish = [&](CosmaResult r, double bound, bool limit) {
    if (r.columns == 0) r.columns = sizes.columns, r.rows = sizes.rows, r.integers = sizes.integers;
    r.lower_bound = std::max(r.lower_bound, bound);
    if (best.found && (!r.found || best.traffic.noncompulsory() < r.traffic.noncompulsory())) {
      r.found = true;
      r.schedule = best.schedule;
      r.traffic = best.traffic;
    }
    r.optimal = r.found && static_cast<double>(r.traffic.noncompulsory()) <= r.lower_bound;
    r.time_limit = limit && !r.optimal;
    r.seconds = elapsed();
    return r;
  };
  for (const MemorySchedule& s : opts.starts)  // the schedules offered stand as results too
    if (opts.fixed_order.empty() || s.order == opts.fixed_order) {
      const ScheduleCheck c = check_schedule(g, s, opts.budget);
      if (c.ok) keep(s, c.traffic);
    }
  CosmaOptions start = opts;
  if (opts.fixed_order.empty()) {
    // The fixed-order programs of the given order and the hinted ones (a
    // quarter of the time each at most) are quick, and their optima are
    // incumbents for the free one.
    std::vector<std::vector<int>> orders = {g.given_order};
    for (const auto& o : opts.hint_orders)
      if (std::find(orders.begin(), orders.end(), o) == orders.end()) orders.push_back(o);
    for (const auto& o : orders) {
      if (out_of_time()) break;
      CosmaOptions fixed = opts;
      fixed.fixed_order = o;
      fixed.hint_orders.clear();
      if (opts.max_seconds > 0) fixed.max_seconds = std::max(1.0, std::min(left(), opts.max_seconds / 4));
      const CosmaResult f = solve_cosma(g, fixed);
      if (!f.found) continue;
      start.starts.push_back(f.schedule);
      keep(f.schedule, f.traffic);
    }
  }
  if (out_of_time()) return finish(CosmaResult{}, 0, true);
  // Then without addresses: its optimum bounds COSMA's from below.
  CosmaResult relaxed = Ilp(g, start, false).solve(left());
  sizes.columns = relaxed.columns, sizes.rows = relaxed.rows, sizes.integers = relaxed.integers;
  if (relaxed.infeasible) {
    relaxed.seconds = elapsed();
    return relaxed;
  }
  const double bound = relaxed.lower_bound;
  CosmaOptions full = start;
  if (relaxed.found && place_stays(g, relaxed.schedule, opts.budget, left())) {
    // Its stays placed: optimal when the relaxation was solved to optimality.
    const ScheduleCheck c = check_schedule(g, relaxed.schedule, opts.budget);
    if (c.ok) {
      keep(relaxed.schedule, c.traffic);
      if (relaxed.optimal) return finish(CosmaResult{}, bound, false);
      full.starts.push_back(relaxed.schedule);
    }
  }
  if (out_of_time()) return finish(CosmaResult{}, bound, true);
  // Then with addresses, from the best schedules known.
  CosmaResult last = Ilp(g, full, true).solve(left());
  const bool limit = last.time_limit || relaxed.time_limit;
  return finish(std::move(last), bound, limit);
}

}  // namespace einflow::cosma
