// The schedule checker and the minimum-peak-footprint order.
#include <algorithm>
#include <limits>
#include <unordered_map>

#include "mappers/cosma/cosma.h"

namespace einflow::cosma {

namespace {

ScheduleCheck fail(std::string why) {
  ScheduleCheck c;
  c.reason = std::move(why);
  return c;
}

// Whether every operator runs once and after the operators it depends on.
std::string check_order(const OpGraph& g, const std::vector<int>& order, std::vector<int>& step) {
  if (order.size() != g.ops.size()) return "the order has " + std::to_string(order.size()) + " steps for " +
                                           std::to_string(g.ops.size()) + " operators";
  step.assign(g.ops.size(), -1);
  for (size_t t = 0; t < order.size(); ++t) {
    const int o = order[t];
    if (o < 0 || o >= static_cast<int>(g.ops.size()) || step[static_cast<size_t>(o)] >= 0)
      return "step " + std::to_string(t) + " runs no operator or one already run";
    step[static_cast<size_t>(o)] = static_cast<int>(t);
  }
  const std::vector<std::vector<int>> before = g.predecessors();
  for (size_t o = 0; o < g.ops.size(); ++o)
    for (int p : before[o])
      if (step[static_cast<size_t>(p)] >= step[o])
        return "operator " + g.ops[o].name + " runs before " + g.ops[static_cast<size_t>(p)].name + ", which it depends on";
  return "";
}

}  // namespace

ScheduleCheck check_schedule(const OpGraph& g, const MemorySchedule& s, int64_t budget) {
  std::vector<int> step;
  if (std::string why = check_order(g, s.order, step); !why.empty()) return fail(why);
  const int n = static_cast<int>(s.order.size());
  if (s.spill_step.size() != g.tensors.size()) return fail("spill_step has no entry per tensor");
  std::vector<std::vector<const Stay*>> by_tensor(g.tensors.size());
  for (const Stay& y : s.stays) {
    if (y.tensor < 0 || y.tensor >= static_cast<int>(g.tensors.size())) return fail("a stay of no tensor");
    const OpTensor& v = g.tensors[static_cast<size_t>(y.tensor)];
    if (y.first < 0 || y.last < y.first || y.last >= n) return fail("a stay of " + v.name + " outside the steps");
    if (y.address < 0 || y.address > budget - v.bytes)
      return fail(v.name + " at address " + std::to_string(y.address) + " does not fit in " + std::to_string(budget) + " bytes");
    by_tensor[static_cast<size_t>(y.tensor)].push_back(&y);
  }
  ScheduleCheck c;
  for (size_t ti = 0; ti < g.tensors.size(); ++ti) {
    const OpTensor& v = g.tensors[ti];
    auto& ys = by_tensor[ti];
    std::sort(ys.begin(), ys.end(), [](const Stay* a, const Stay* b) { return a->first < b->first; });
    for (size_t k = 1; k < ys.size(); ++k)
      if (ys[k]->first <= ys[k - 1]->last) return fail(v.name + " has two stays at step " + std::to_string(ys[k]->first));
    const int sp = s.spill_step[ti];
    const int born = v.producer >= 0 ? step[static_cast<size_t>(v.producer)] : -1;
    int created = 0, loads = 0;
    bool resident_at_spill = false;
    for (const Stay* y : ys) {
      if (!y->loaded) {
        ++created;
        if (y->first != born) return fail(v.name + " is created at step " + std::to_string(y->first) + ", not where its producer runs");
      } else {
        if (v.role != TensorRole::kInput && (sp < 0 || sp >= y->first))
          return fail(v.name + " is loaded at step " + std::to_string(y->first) + " before DRAM holds it");
        ++loads;
      }
      if (sp >= y->first && sp <= y->last) resident_at_spill = true;
    }
    if (v.producer >= 0 && created != 1) return fail(v.name + " is created " + std::to_string(created) + " times");
    if (v.role == TensorRole::kInput && sp >= 0) return fail("input " + v.name + " is written to DRAM");
    if (v.role == TensorRole::kOutput && sp < 0) return fail("output " + v.name + " is never written to DRAM");
    for (int u : v.updaters)
      if (sp >= 0 && sp < step[static_cast<size_t>(u)])
        return fail(v.name + " is written out before " + g.ops[static_cast<size_t>(u)].name + " completes it");
    if (sp >= 0 && !resident_at_spill) return fail(v.name + " is written out at step " + std::to_string(sp) + " where it is not resident");
    for (int o : v.consumers) {
      const int t = step[static_cast<size_t>(o)];
      const bool there = std::any_of(ys.begin(), ys.end(), [&](const Stay* y) { return y->first <= t && t <= y->last; });
      if (!there) return fail(v.name + " is not resident when " + g.ops[static_cast<size_t>(o)].name + " runs (step " + std::to_string(t) + ")");
    }
    // Traffic: an input's first load and an output's write are compulsory.
    if (v.role == TensorRole::kInput) {
      if (loads > 0) c.traffic.compulsory += v.bytes;
      c.traffic.retrieved += std::max(loads - 1, 0) * v.bytes;
    } else {
      c.traffic.retrieved += loads * v.bytes;
      if (sp >= 0) (v.role == TensorRole::kOutput ? c.traffic.compulsory : c.traffic.spilled) += v.bytes;
    }
  }
  // Capacity and addresses, step by step.
  std::vector<std::vector<const Stay*>> at(static_cast<size_t>(n));
  for (const Stay& y : s.stays)
    for (int t = y.first; t <= y.last; ++t) at[static_cast<size_t>(t)].push_back(&y);
  for (int t = 0; t < n; ++t) {
    auto& ys = at[static_cast<size_t>(t)];
    std::sort(ys.begin(), ys.end(), [](const Stay* a, const Stay* b) { return a->address < b->address; });
    int64_t bytes = 0;
    for (size_t k = 0; k < ys.size(); ++k) {
      const OpTensor& v = g.tensors[static_cast<size_t>(ys[k]->tensor)];
      bytes += v.bytes;
      if (k + 1 < ys.size() && ys[k]->address + v.bytes > ys[k + 1]->address)
        return fail(v.name + " and " + g.tensors[static_cast<size_t>(ys[k + 1]->tensor)].name + " overlap at step " + std::to_string(t));
    }
    c.peak_bytes = std::max(c.peak_bytes, bytes);
  }
  c.ok = true;
  return c;
}

namespace {

using Set = std::vector<uint64_t>;

struct SetHash {
  size_t operator()(const Set& s) const {
    size_t h = 1469598103934665603ull;
    for (uint64_t w : s) h = (h ^ w) * 1099511628211ull;
    return h;
  }
};

bool has(const Set& s, int i) { return (s[static_cast<size_t>(i) / 64] >> (i % 64)) & 1u; }
void put(Set& s, int i) { s[static_cast<size_t>(i) / 64] |= uint64_t{1} << (i % 64); }

// Bytes resident between steps once the operators of `done` have run with
// no traffic beyond the compulsory: what they opened and others still use.
int64_t live_bytes(const OpGraph& g, const Set& done) {
  int64_t b = 0;
  for (const OpTensor& v : g.tensors) {
    bool open = v.producer >= 0 && has(done, v.producer), pending = false;
    for (int o : v.consumers) (has(done, o) ? open : pending) = true;
    if (open && pending) b += v.bytes;
  }
  return b;
}

bool ready(const std::vector<std::vector<int>>& before, const Set& done, int o) {
  if (has(done, o)) return false;
  for (int p : before[static_cast<size_t>(o)])
    if (!has(done, p)) return false;
  return true;
}

// The footprint of running `o` next: what is live, o's inputs not yet open, o's outputs.
int64_t step_bytes(const OpGraph& g, const Set& done, int64_t live, int o) {
  int64_t b = live + g.op_bytes(o);
  for (int v : g.ops[static_cast<size_t>(o)].inputs) {
    const OpTensor& t = g.tensors[static_cast<size_t>(v)];
    bool open = t.producer >= 0;  // o is ready: its producer has run
    for (int c : t.consumers) open = open || has(done, c);
    if (open) b -= t.bytes;  // counted in `live` already (o is a consumer not yet run)
  }
  return b;
}

// Each step the ready operator of least footprint (ties: the given order).
std::vector<int> greedy_order(const OpGraph& g) {
  const size_t n = g.ops.size();
  const std::vector<std::vector<int>> before = g.predecessors();
  Set done((n + 63) / 64, 0);
  std::vector<int> order;
  for (size_t k = 0; k < n; ++k) {
    const int64_t live = live_bytes(g, done);
    int best = -1;
    int64_t best_bytes = 0;
    for (int o : g.given_order)
      if (ready(before, done, o)) {
        const int64_t b = step_bytes(g, done, live, o);
        if (best < 0 || b < best_bytes) best = o, best_bytes = b;
      }
    order.push_back(best);
    put(done, best);
  }
  return order;
}

}  // namespace

PeakOrder min_peak_order(const OpGraph& g, int64_t max_states) {
  const size_t n = g.ops.size();
  struct Entry {
    int64_t peak;
    int op;  // the last operator run (the parent is the set without it)
  };
  std::vector<std::unordered_map<Set, Entry, SetHash>> layer(n + 1);
  layer[0].emplace(Set((n + 63) / 64, 0), Entry{0, -1});
  PeakOrder r;
  const std::vector<std::vector<int>> before = g.predecessors();
  for (size_t k = 0; k < n; ++k) {
    for (const auto& [done, e] : layer[k]) {
      const int64_t live = live_bytes(g, done);
      for (int o : g.given_order) {
        if (!ready(before, done, o)) continue;
        const int64_t peak = std::max(e.peak, step_bytes(g, done, live, o));
        Set next = done;
        put(next, o);
        auto [it, fresh] = layer[k + 1].try_emplace(next, Entry{peak, o});
        if (!fresh && peak < it->second.peak) it->second = Entry{peak, o};
      }
      if (r.states + static_cast<int64_t>(layer[k + 1].size()) > max_states) break;
    }
    r.states += static_cast<int64_t>(layer[k + 1].size());
    if (r.states > max_states) {
      // Too many downsets: the better of the given order and the greedy one.
      const std::vector<int> greedy = greedy_order(g);
      const int64_t pg = order_peak(g, g.given_order), pr = order_peak(g, greedy);
      r.order = pr < pg ? greedy : g.given_order;
      r.peak = std::min(pg, pr);
      r.exact = false;
      return r;
    }
  }
  // Back from the set of all operators, each set's last operator.
  Set done((n + 63) / 64, 0);
  for (size_t o = 0; o < n; ++o) put(done, static_cast<int>(o));
  r.peak = n ? layer[n].at(done).peak : 0;
  r.order.assign(n, -1);
  for (size_t k = n; k > 0; --k) {
    const int o = layer[k].at(done).op;
    r.order[k - 1] = o;
    done[static_cast<size_t>(o) / 64] &= ~(uint64_t{1} << (o % 64));
  }
  r.exact = true;
  return r;
}

}  // namespace einflow::cosma
