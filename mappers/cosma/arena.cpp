// The baseline COSMA is measured against: a linear arena with Belady replacement.
#include <algorithm>
#include <limits>
#include <map>
#include <string>

#include "mappers/cosma/cosma.h"
#include "mappers/cosma/placement.h"

namespace einflow::cosma {

namespace {

constexpr int kNever = std::numeric_limits<int>::max();

class Arena {
 public:
  Arena(const OpGraph& g, const std::vector<int>& order, int64_t budget) : g_(g), budget_(budget) {
    s_.order = order;
    s_.spill_step.assign(g.tensors.size(), -1);
    uses_.resize(g.tensors.size());
    step_.assign(g.ops.size(), 0);
    for (size_t t = 0; t < order.size(); ++t) step_[static_cast<size_t>(order[t])] = static_cast<int>(t);
    for (size_t v = 0; v < g.tensors.size(); ++v) {
      for (int o : g.tensors[v].consumers) uses_[v].push_back(step_[static_cast<size_t>(o)]);
      std::sort(uses_[v].begin(), uses_[v].end());
    }
    open_.assign(g.tensors.size(), -1);
  }

  // Why the baseline has no schedule ("" when it has one).
  const std::string& failed() const { return failed_; }

  MemorySchedule run() {
    const int n = static_cast<int>(s_.order.size());
    for (int t = 0; t < n; ++t) {
      const Operator& op = g_.ops[static_cast<size_t>(s_.order[static_cast<size_t>(t)])];
      pinned_ = op.inputs;  // this step's tensors, none of them a victim
      pinned_.insert(pinned_.end(), op.outputs.begin(), op.outputs.end());
      bool placed = true;
      for (int v : op.inputs)
        if (open_[static_cast<size_t>(v)] < 0) placed = placed && place(v, t, true);
      for (int v : op.outputs) placed = placed && place(v, t, false);
      if (!placed) reset(op, t);
      if (!failed_.empty()) break;
      // An output goes to DRAM once complete: at its producer's step, or its last updater's.
      const int self = s_.order[static_cast<size_t>(t)];
      for (const std::vector<int>* vs : {&op.inputs, &op.outputs})
        for (int v : *vs) {
          const OpTensor& x = g_.tensors[static_cast<size_t>(v)];
          if (x.role == TensorRole::kOutput && (x.updaters.empty() ? x.producer : x.updaters.back()) == self) write(v, t);
        }
      // Free what no later step uses (an output is in DRAM by now; an intermediate is dead).
      for (size_t v = 0; v < g_.tensors.size(); ++v)
        if (open_[v] >= 0 && next_use(static_cast<int>(v), t) == kNever) close(static_cast<int>(v), t);
    }
    return std::move(s_);
  }

 private:
  int next_use(int v, int t) const {
    const auto& u = uses_[static_cast<size_t>(v)];
    const auto it = std::upper_bound(u.begin(), u.end(), t);
    return it == u.end() ? kNever : *it;
  }
  int64_t bytes(int v) const { return g_.tensors[static_cast<size_t>(v)].bytes; }
  // Whether an updater of `v` runs after step t (it stays until then: a
  // written copy would go stale).
  bool incomplete(int v, int t) const {
    for (int u : g_.tensors[static_cast<size_t>(v)].updaters)
      if (step_[static_cast<size_t>(u)] > t) return true;
    return false;
  }

  void write(int v, int t) { s_.spill_step[static_cast<size_t>(v)] = t; }
  bool in_dram(int v) const {
    return g_.tensors[static_cast<size_t>(v)].role == TensorRole::kInput || s_.spill_step[static_cast<size_t>(v)] >= 0;
  }
  void close(int v, int last) {
    s_.stays[static_cast<size_t>(open_[static_cast<size_t>(v)])].last = last;
    by_address_.erase(s_.stays[static_cast<size_t>(open_[static_cast<size_t>(v)])].address);
    open_[static_cast<size_t>(v)] = -1;
  }
  void open(int v, int t, int64_t address, bool loaded) {
    open_[static_cast<size_t>(v)] = static_cast<int>(s_.stays.size());
    s_.stays.push_back({v, t, t, address, loaded});
    by_address_[address] = v;
  }

  // Where `size` bytes go now (placement.h's best_fit over the resident tensors).
  int64_t free_at(int64_t size) const {
    std::vector<std::pair<int64_t, int64_t>> taken;
    for (const auto& [address, v] : by_address_) taken.emplace_back(address, address + bytes(v));
    return best_fit(taken, size, budget_);
  }

  // Places `v` at step t, evicting by Belady until it fits; false when only
  // this step's own tensors are left and it still does not fit.
  bool place(int v, int t, bool loaded) {
    for (;;) {
      const int64_t a = free_at(bytes(v));
      if (a >= 0) {
        open(v, t, a, loaded);
        return true;
      }
      int victim = -1, victim_use = -1;
      for (const auto& [address, u] : by_address_) {
        if (std::find(pinned_.begin(), pinned_.end(), u) != pinned_.end() || incomplete(u, t)) continue;
        const int use = next_use(u, t - 1);
        if (use > victim_use || (use == victim_use && bytes(u) > bytes(victim))) victim = u, victim_use = use;
      }
      if (victim < 0) return false;
      evict(victim, t);
    }
  }

  // Out of the scratchpad before step t, written first when DRAM has no copy.
  void evict(int v, int t) {
    if (!in_dram(v)) write(v, t - 1);
    close(v, t - 1);
  }

  // Fragmentation left no gap among this step's own tensors: every one of
  // them leaves (the inputs to be loaded again) but those an updater still
  // needs, and they are placed again, largest first. Fails (the baseline
  // has no schedule) only when what must stay leaves no gap.
  void reset(const Operator& op, int t) {
    for (int v : pinned_) {
      const int k = open_[static_cast<size_t>(v)];
      if (k < 0 || incomplete(v, t - 1)) continue;
      if (s_.stays[static_cast<size_t>(k)].first < t) {
        evict(v, t);
      } else {  // opened at this step: undone
        by_address_.erase(s_.stays[static_cast<size_t>(k)].address);
        s_.stays.erase(s_.stays.begin() + k);
        open_[static_cast<size_t>(v)] = -1;
        for (int& o : open_)
          if (o > k) --o;
      }
    }
    std::vector<int> left;
    for (int v : pinned_)
      if (open_[static_cast<size_t>(v)] < 0) left.push_back(v);
    std::stable_sort(left.begin(), left.end(), [&](int a, int b) { return bytes(a) > bytes(b); });
    for (int v : left) {
      const int64_t a = free_at(bytes(v));
      if (a < 0) {
        failed_ = "no gap for " + g_.tensors[static_cast<size_t>(v)].name + " at step " + std::to_string(t) +
                  " around the tensors waiting for their updaters";
        return;
      }
      const bool out = std::find(op.outputs.begin(), op.outputs.end(), v) != op.outputs.end();
      open(v, t, a, !out);
    }
  }

  const OpGraph& g_;
  const int64_t budget_;
  MemorySchedule s_;
  std::vector<std::vector<int>> uses_;  // per tensor: the steps of its consumers, ascending
  std::vector<int> step_;
  std::vector<int> open_;               // per tensor: its open stay, -1 when not resident
  std::map<int64_t, int> by_address_;   // resident tensors by address
  std::vector<int> pinned_;             // this step's inputs and outputs
  std::string failed_;
};

}  // namespace

ArenaResult arena_belady(const OpGraph& g, const std::vector<int>& order, int64_t budget) {
  ArenaResult r;
  const int64_t need = tightest_budget(g);
  if (budget < need) {
    r.reason = "the budget of " + std::to_string(budget) + " bytes is below the largest operator's inputs and outputs (" +
               std::to_string(need) + " bytes)";
    return r;
  }
  Arena arena(g, order, budget);
  r.schedule = arena.run();
  r.ok = arena.failed().empty();
  r.reason = arena.failed();
  return r;
}

}  // namespace einflow::cosma
