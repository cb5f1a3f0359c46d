// The reference's nest: tiles enumerated from the mapping's loops, the words
// each level lacks moved in from its keeper above, partial sums moved back up,
// one transfer per level and new tile and one op per compute step, in program
// order (reference.h).
#include "tests/sim/reference/nest.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "mappers/mapping/unit_ops.h"

namespace einflow::reference::detail {

Nest::Nest(const arch::Architecture& a, const workloads::Cascade& c, const mapping::Mapping& m,
           std::vector<int64_t> size, std::vector<int64_t> offset, Program& p, Result& r, Context& ctx)
    : a_(a), c_(c), m_(m), e_(c.einsums[static_cast<size_t>(m.einsum)]), size_(std::move(size)),
      offset_(std::move(offset)), p_(p), r_(r), ctx_(ctx) {
  n_ = static_cast<int>(m.levels.size());
  auto local = [&](int rank) {
    for (size_t i = 0; i < e_.iteration_ranks.size(); ++i)
      if (e_.iteration_ranks[i] == rank) return static_cast<int>(i);
    throw std::runtime_error("reference: a loop over a rank the Einsum does not iterate");
  };
  for (int k = 0; k < n_; ++k) {
    for (const auto& l : m.levels[static_cast<size_t>(k)].temporal) loops_.push_back({k, false, local(l.rank), l.factor, 1});
    for (const auto& l : m.levels[static_cast<size_t>(k)].spatial) loops_.push_back({k, true, local(l.rank), l.factor, 1});
  }
  // Strides: the product of the factors inside, per rank; the factors must
  // cover each rank exactly (perfect tiles).
  std::vector<int64_t> inner(e_.iteration_ranks.size(), 1);
  for (size_t i = loops_.size(); i-- > 0;) {
    loops_[i].stride = inner[static_cast<size_t>(loops_[i].rank)];
    inner[static_cast<size_t>(loops_[i].rank)] *= loops_[i].factor;
  }
  for (size_t r = 0; r < inner.size(); ++r)
    if (inner[r] != size_[static_cast<size_t>(e_.iteration_ranks[r])])
      throw std::runtime_error("reference: factors must multiply to each rank's size");
  instances_.assign(static_cast<size_t>(n_ + 1), 1);
  for (int k = 0; k <= n_; ++k)
    for (const Loop& l : loops_)
      if (l.spatial && l.level < k) instances_[static_cast<size_t>(k)] *= l.factor;
  for (size_t i = 0; i < loops_.size(); ++i)
    if (!loops_[i].spatial) temporal_.push_back(static_cast<int>(i));
  index_.assign(temporal_.size(), 0);
  for (int t : mapping::einsum_tensors(e_)) {
    Tensor ti;
    ti.index = t;
    ti.output = t == e_.output.tensor;
    if (ti.output) ti.accesses.push_back(&e_.output);
    for (const auto& in : e_.inputs)
      if (in.tensor == t) {
        if (ti.output) throw std::runtime_error("reference: recurrences are not modelled");
        ti.accesses.push_back(&in);
      }
    for (int k = 0; k < n_; ++k)
      if (mapping::level_keeps(m, a, c, k, t)) ti.keepers.push_back(k);
    tensors_.push_back(ti);
  }
  store_.assign(static_cast<size_t>(n_), std::vector<std::vector<Store>>(tensors_.size()));
  sent_.assign(static_cast<size_t>(n_), std::vector<std::vector<std::set<int64_t>>>(tensors_.size()));
  for (int k = 0; k < n_; ++k)
    for (size_t t = 0; t < tensors_.size(); ++t) {
      store_[static_cast<size_t>(k)][t].resize(static_cast<size_t>(instances_[static_cast<size_t>(k)]));
      sent_[static_cast<size_t>(k)][t].resize(static_cast<size_t>(instances_[static_cast<size_t>(k)]));
    }
  seen_.resize(static_cast<size_t>(instances_[static_cast<size_t>(n_)]));
  tile_op_.assign(static_cast<size_t>(n_), -1);
  tile_steps_.assign(static_cast<size_t>(n_), {});
  last_of_previous_.assign(static_cast<size_t>(n_), -1);
  last_of_before_.assign(static_cast<size_t>(n_), -1);
  // The unit: a step every issue interval; a point's result after its ops one
  // after another; the op folding into the output after its latency.
  const arch::Node& unit = a.nodes[static_cast<size_t>(m.compute)];
  const mapping::OpCover cover = mapping::cover_einsum(unit, c, m.einsum);
  step_cycles_ = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(cover.issue_cycles)));
  point_latency_ = std::max<int64_t>(step_cycles_, static_cast<int64_t>(std::ceil(cover.latency_cycles)));
  const arch::OpSpec* acc = cover.acc_op.empty() ? nullptr : unit.find_op(cover.acc_op);
  acc_latency_ = acc ? acc->latency_cycles : 0;
}

// Row-major element index of the access at local point x (the offset added).
int64_t Nest::word(const Tensor& t, const workloads::Access& acc, const std::vector<int64_t>& x) const {
  const auto& T = c_.tensors[static_cast<size_t>(t.index)];
  std::vector<int64_t> global(c_.ranks.size(), 0);
  for (size_t r = 0; r < e_.iteration_ranks.size(); ++r) {
    const size_t g = static_cast<size_t>(e_.iteration_ranks[r]);
    global[g] = x[r] + offset_[g];
  }
  int64_t w = 0;
  for (size_t d = 0; d < acc.index.size(); ++d) {
    int64_t v = acc.index[d].constant;
    for (const auto& term : acc.index[d].terms) v += term.coef * global[static_cast<size_t>(term.rank)];
    w = w * T.extents[d] + v;
  }
  return w;
}

// The spatial indices that name instance `inst` of level k (spatial loops above k, outermost first).
std::vector<int64_t> Nest::spatial_index(int64_t inst, int k) const {
  std::vector<int64_t> idx;
  for (size_t i = loops_.size(); i-- > 0;)
    if (loops_[i].spatial && loops_[i].level < k) {
      idx.insert(idx.begin(), inst % loops_[i].factor);
      inst /= loops_[i].factor;
    }
  return idx;
}

int64_t Nest::ancestor(int64_t inst, int k, int p) const {
  for (const Loop& l : loops_)
    if (l.spatial && l.level >= p && l.level < k) inst /= l.factor;
  return inst;
}

bool Nest::multicast(int p, int k) const {
  for (int i = p; i < k; ++i)
    if (!node(i).multicast) return false;
  return true;
}

int Nest::keeper_above(const Tensor& t, int k) const {
  int best = 0;
  for (int q : t.keepers)
    if (q < k) best = q;
  return best;
}

// Every point of level k's tile for instance `inst`: the loops above k fixed
// (temporal at their current index, spatial at the instance's), those at k
// and below ranging; the words the tensor's accesses touch.
std::set<int64_t> Nest::tile(const Tensor& t, int k, int64_t inst) const {
  const size_t R = e_.iteration_ranks.size();
  std::vector<int64_t> base(R, 0), span(R, 1);
  const std::vector<int64_t> sidx = spatial_index(inst, k);
  size_t s = 0, tj = 0;
  for (const Loop& l : loops_) {
    const int64_t i = l.spatial ? (l.level < k ? sidx[s] : 0) : index_[tj];
    if (l.level < k) base[static_cast<size_t>(l.rank)] += i * l.stride;
    else span[static_cast<size_t>(l.rank)] *= l.factor;
    if (l.spatial && l.level < k) ++s;
    if (!l.spatial) ++tj;
  }
  std::set<int64_t> words;
  std::vector<int64_t> x(base);
  for (;;) {
    for (const auto* acc : t.accesses) words.insert(word(t, *acc, x));
    size_t r = R;
    while (r-- > 0) {
      if (++x[r] < base[r] + span[r]) break;
      x[r] = base[r];
    }
    if (r == static_cast<size_t>(-1)) break;
  }
  return words;
}

// The point compute instance `inst` runs at the current step.
std::vector<int64_t> Nest::point(int64_t inst) const {
  std::vector<int64_t> x(e_.iteration_ranks.size(), 0);
  const std::vector<int64_t> sidx = spatial_index(inst, n_);
  size_t s = 0, tj = 0;
  for (const Loop& l : loops_) {
    x[static_cast<size_t>(l.rank)] += (l.spatial ? sidx[s++] : index_[tj++]) * l.stride;
  }
  return x;
}

Counts& Nest::count(int level, const Tensor& t) {
  return r_.counts[{node(level).name, c_.tensors[static_cast<size_t>(t.index)].name}];
}

// The resources one access of word w at (level, instance) passes: the DRAM's
// one port, or the instance's read or write port and the word's bank.
void Nest::access(std::vector<int>& res, int level, int64_t inst, const Tensor& t, int64_t w, bool write) {
  const arch::Node& nd = node(level);
  const std::string at = nd.name + "[" + std::to_string(inst) + "]";
  if (nd.cls == arch::NodeClass::kDram) {
    const double rate = a_.dram_words_per_cycle(nd);
    if (rate > 0) res.push_back(p_.dram = p_.resource(nd.name, rate));
    return;
  }
  const double bw = write ? nd.write_bandwidth : nd.read_bandwidth;
  if (bw > 0) res.push_back(p_.resource(at + (write ? " write port" : " read port"), bw));
  if (!nd.banks_timed()) return;
  int64_t first = 0;
  for (const auto& [tensor, bank] : m_.levels[static_cast<size_t>(level)].first_bank)
    if (tensor == t.index) first = bank;
  const int64_t bank = (w + first) % nd.banks;
  const bool separate = nd.separate_bank_ports();
  const int64_t ports = separate ? (write ? nd.write_ports_per_bank : nd.read_ports_per_bank) : nd.ports_per_bank;
  res.push_back(p_.resource(at + " bank " + std::to_string(bank) + (separate ? (write ? " write" : " read") : ""),
                            static_cast<double>(ports)));
}

// The network into level k under instance `inst` of level k - 1, one direction (-1: unlimited).
int Nest::net(int k, int64_t inst, bool up) {
  const arch::Node& nd = node(k);
  if (nd.noc_bandwidth <= 0) return -1;
  return p_.resource("net into " + nd.name + " under [" + std::to_string(ancestor(inst, k, k - 1)) + "]" +
                         (up ? " up" : " down"),
                     nd.noc_bandwidth);
}

std::vector<MoveRef> Nest::writes_of(int level, int64_t inst, const Tensor& t, int64_t w) const {
  auto it = last_write_.find({level, inst, t.index, w});
  if (it == last_write_.end()) return {};
  return {it->second};
}

// Level k's results outside its next tile (all of them at the end) go to the
// keeper above; children holding the same word reduce on the way (one update).
void Nest::evict(int k, bool all, Op& op, int op_index) {
  Tensor& t = tensors_.back();
  if (std::find(t.keepers.begin(), t.keepers.end(), k) == t.keepers.end()) return;
  auto resident = ctx_.resident_at.find(t.index);
  if (resident != ctx_.resident_at.end() && resident->second == k) return;  // it stays (a retained intermediate)
  const size_t ti = tensors_.size() - 1;
  const int p = keeper_above(t, k);
  std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> up;  // (parent instance, word) -> children
  for (int64_t i = 0; i < instances_[static_cast<size_t>(k)]; ++i) {
    Store& st = store_[static_cast<size_t>(k)][ti][static_cast<size_t>(i)];
    const std::set<int64_t> keep = all ? std::set<int64_t>{} : tile(t, k, i);
    for (auto it = st.begin(); it != st.end();) {
      if (keep.count(it->first)) {
        ++it;
        continue;
      }
      if (it->second) up[{ancestor(i, k, p), it->first}].push_back(i);
      it = st.erase(it);
    }
  }
  for (const auto& [key, children] : up) {
    const auto [pi, w] = key;
    Move mv;
    std::set<int> nets;
    for (int64_t i : children) {
      access(mv.res, k, i, t, w, false);
      for (const MoveRef& r : writes_of(k, i, t, w)) mv.after.push_back(r);
      const int n = net(k, i, true);
      if (n >= 0) nets.insert(n);
    }
    mv.res.insert(mv.res.end(), nets.begin(), nets.end());
    access(mv.res, p, pi, t, w, true);
    mv.latency = node(k).noc_latency_cycles + node(k).access_latency_cycles;
    ++count(p, t).updates;
    if (p > 0) store_[static_cast<size_t>(p)][ti][static_cast<size_t>(pi)][w] = true;
    last_write_[{p, pi, t.index, w}] = {op_index, static_cast<int>(op.evicts.size()), true};
    op.evicts.push_back(mv);
  }
}

// Level k's new tile: each instance's words it lacks, from the keeper above.
// Inputs: with multicast one read per parent instance and word, else one per
// child. Outputs: a word's first arrival only initialises it; later ones
// refill a partial sum (one read and one fill per parent instance and word).
void Nest::load(int k, Op& into) {
  // Each tensor's words are a stream; the link serves its streams in turn
  // (round robin), so one tensor's words do not hold up another's when they
  // come from elsewhere (one from the DRAM, one from the buffer).
  std::vector<Op> streams(tensors_.size());
  for (size_t ti = 0; ti < tensors_.size(); ++ti) {
    Op& op = streams[ti];
    Tensor& t = tensors_[ti];
    if (std::find(t.keepers.begin(), t.keepers.end(), k) == t.keepers.end()) continue;
    auto resident = ctx_.resident_at.find(t.index);
    const bool there = resident != ctx_.resident_at.end() && resident->second == k;
    const int p = keeper_above(t, k);
    const bool mc = multicast(p, k);
    std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> from;  // (parent instance, word) -> children
    for (int64_t i = 0; i < instances_[static_cast<size_t>(k)]; ++i) {
      Store& st = store_[static_cast<size_t>(k)][ti][static_cast<size_t>(i)];
      const std::set<int64_t> words = tile(t, k, i);
      for (int64_t w : words)
        if (!st.count(w)) from[{ancestor(i, k, p), w}].push_back(i);
      if (!t.output)
        for (auto it = st.begin(); it != st.end();) it = words.count(it->first) ? std::next(it) : st.erase(it);
      for (int64_t w : words) st.emplace(w, false);
    }
    if (there) continue;  // already in place: nothing crosses the link
    const int64_t latency = node(k).noc_latency_cycles + node(p).access_latency_cycles;
    for (const auto& [key, children] : from) {
      const auto [pi, w] = key;
      if (t.output) {
        auto& sent = sent_[static_cast<size_t>(k)][ti][static_cast<size_t>(pi)];
        if (sent.insert(w).second) continue;  // first arrival: initialised in place
        Move mv;
        access(mv.res, p, pi, t, w, false);
        mv.after = writes_of(p, pi, t, w);
        access(mv.res, k, children.front(), t, w, true);
        const int n = net(k, children.front(), false);
        if (n >= 0) mv.res.push_back(n);
        mv.latency = latency;
        ++count(p, t).reads;
        ++count(k, t).fills;
        op.loads.push_back(mv);
        continue;
      }
      // Inputs: one move per parent word with multicast (to every child), else per child.
      std::vector<std::vector<int64_t>> groups;
      if (mc) groups.push_back(children);
      else
        for (int64_t i : children) groups.push_back({i});
      for (const auto& g : groups) {
        Move mv;
        access(mv.res, p, pi, t, w, false);
        std::set<int> nets;
        for (int64_t i : g) {
          access(mv.res, k, i, t, w, true);
          const int n = net(k, i, false);
          if (n >= 0) nets.insert(n);
        }
        mv.res.insert(mv.res.end(), nets.begin(), nets.end());
        mv.latency = latency;
        ++count(p, t).reads;
        count(k, t).fills += static_cast<int64_t>(g.size());
        op.loads.push_back(mv);
      }
    }
  }
  for (size_t i = 0;; ++i) {
    bool any = false;
    for (Op& s : streams)
      if (i < s.loads.size()) {
        into.loads.push_back(std::move(s.loads[i]));
        any = true;
      }
    if (!any) break;
  }
}

// One compute step: every instance reads its operands at their innermost
// keepers (one read per keeper instance and word where the fan-out below
// multicasts) and updates its output word there (children of one keeper
// instance reduce: one update; a word's first update reads nothing).
void Nest::step(Op& op) {
  std::set<std::tuple<size_t, int64_t, int64_t>> shared;  // (tensor, keeper instance, word)
  const int64_t units = instances_[static_cast<size_t>(n_)];
  for (int64_t ci = 0; ci < units; ++ci) {
    const std::vector<int64_t> x = point(ci);
    for (size_t ti = 0; ti < tensors_.size(); ++ti) {
      Tensor& t = tensors_[ti];
      const int q = t.keepers.back();
      const int64_t qi = ancestor(ci, n_, q);
      for (const auto* acc : t.accesses) {
        const int64_t w = word(t, *acc, x);
        if (t.output || multicast(q, n_)) {
          shared.insert({ti, qi, w});
          continue;
        }
        Move mv;
        access(mv.res, q, qi, t, w, false);
        ++count(q, t).reads;
        op.loads.push_back(mv);
      }
    }
  }
  for (const auto& [ti, qi, w] : shared) {
    Tensor& t = tensors_[ti];
    const int q = t.keepers.back();
    Move rd;
    if (!t.output || !seen_[static_cast<size_t>(qi)].insert(w).second) {
      access(rd.res, q, qi, t, w, false);
      ++count(q, t).reads;
      op.loads.push_back(rd);
    }
    if (!t.output) continue;
    Move wr;
    access(wr.res, q, qi, t, w, true);
    ++count(q, t).updates;
    op.loads.push_back(wr);
    if (q > 0) store_[static_cast<size_t>(q)][ti][static_cast<size_t>(qi)][w] = true;
    // The accumulation hazard is per word of one tensor (another tensor's word at
    // the same place is another accumulator).
    op.out_words.push_back((static_cast<int64_t>(ctx_.unit) << 56) ^ (static_cast<int64_t>(t.index) << 48) ^ (qi << 32) ^ w);
  }
}

void Nest::build() {
  int changed = 0;
  for (int64_t s = 0;; ++s) {
    const int top = s == 0 ? 0 : loops_[static_cast<size_t>(temporal_[static_cast<size_t>(changed)])].level;
    // Levels below `top` take new tiles: results go up deepest first, then words come down top first.
    // Program order of a step: the new tiles come down (top first), then the
    // old tiles' results go up (deepest first), then the unit computes.
    const int loads = n_ - 1 - top;
    const int base = static_cast<int>(p_.ops.size());
    auto write_back_op = [&](int k) { return base + loads + (n_ - 1 - k); };
    std::vector<Op> down(static_cast<size_t>(n_)), up(static_cast<size_t>(n_));
    for (int k = n_ - 1; k > top; --k)
      if (s > 0) evict(k, false, up[static_cast<size_t>(k)], write_back_op(k));
    for (int k = top + 1; k < n_; ++k) load(k, down[static_cast<size_t>(k)]);
    for (int k = top + 1; k < n_; ++k) {
      const size_t K = static_cast<size_t>(k);
      Op& op = down[K];
      op.unit = ctx_.unit;
      const std::string& name = node(k).name;
      if (ctx_.last_transfer.count(name)) op.need_moved.push_back(ctx_.last_transfer[name]);
      op.link = p_.link(ctx_.unit, name);
      if (k > 1 && tile_op_[K - 1] >= 0) op.need_landed.push_back(tile_op_[K - 1]);
      // A buffer slot: with room for two tiles, the one before the previous
      // must be done; else the previous one.
      last_of_before_[K] = last_of_previous_[K];
      last_of_previous_[K] = tile_steps_[K].empty() ? -1 : tile_steps_[K].back();
      int64_t words = 0;
      for (size_t ti = 0; ti < tensors_.size(); ++ti)
        if (std::find(tensors_[ti].keepers.begin(), tensors_[ti].keepers.end(), k) != tensors_[ti].keepers.end())
          words += static_cast<int64_t>(tile(tensors_[ti], k, 0).size());
      const bool two = node(k).size_words == 0 || 2 * words <= node(k).size_words;
      const int slot = two ? last_of_before_[K] : last_of_previous_[K];
      if (slot >= 0) op.need_released.push_back(slot);
      for (int x : ctx_.transfer_needs) op.need_released.push_back(x);
      // Its old tile's results go up once the unit has produced them.
      if (last_of_previous_[K] >= 0) up[K].evict_need.push_back(last_of_previous_[K]);
      tile_steps_[K].clear();
      tile_op_[K] = static_cast<int>(p_.ops.size());
      ctx_.last_transfer[name] = tile_op_[K];
      p_.ops.push_back(std::move(op));
    }
    for (int k = n_ - 1; k > top; --k) {
      up[static_cast<size_t>(k)].unit = ctx_.unit;
      p_.ops.push_back(std::move(up[static_cast<size_t>(k)]));
    }
    Op st;
    st.step = true;
    st.unit = ctx_.unit;
    step(st);
    st.step_cycles = step_cycles_;
    st.point_latency = point_latency_;
    st.acc_latency = acc_latency_;
    st.prev_step = s == 0 ? -1 : ctx_.prev_step;
    st.first_of_run = s == 0;
    if (s == 0) st.need_results = ctx_.first_needs;
    for (int k = 1; k < n_; ++k)
      if (tile_op_[static_cast<size_t>(k)] >= 0) st.need_landed.push_back(tile_op_[static_cast<size_t>(k)]);
    const int x = static_cast<int>(p_.ops.size());
    for (int k = 1; k < n_; ++k) tile_steps_[static_cast<size_t>(k)].push_back(x);
    ctx_.prev_step = x;
    p_.ops.push_back(std::move(st));
    // The odometer over the temporal loops, innermost last.
    int j = static_cast<int>(temporal_.size());
    while (j-- > 0) {
      if (++index_[static_cast<size_t>(j)] < loops_[static_cast<size_t>(temporal_[static_cast<size_t>(j)])].factor) break;
      index_[static_cast<size_t>(j)] = 0;
    }
    if (j < 0) {
      p_.ops[static_cast<size_t>(x)].last_of_run = true;
      break;
    }
    changed = j;
  }
  // The drain: every level's results go up, deepest first, once the last results are out.
  for (int k = n_ - 1; k > 0; --k) {
    Op op;
    op.unit = ctx_.unit;
    const int x = static_cast<int>(p_.ops.size());
    evict(k, true, op, x);
    if (op.evicts.empty()) continue;
    op.evict_need.push_back(ctx_.prev_step);
    const std::string& name = node(k).name;
    if (ctx_.last_transfer.count(name)) op.need_moved.push_back(ctx_.last_transfer[name]);
    op.link = p_.link(ctx_.unit, name);
    ctx_.last_transfer[name] = x;
    p_.ops.push_back(std::move(op));
  }
}

void time_program(const Program& p, int64_t search_to, Result& r) {
  const Best best = run_best(p, search_to);
  r.cycles = best.cycles;
  r.fixed_cycles = best.fixed_cycles;
  r.arbitration = policy_name(best.policy, best.seed, best.words);
}

}  // namespace einflow::reference::detail

namespace einflow::reference {

Result simulate_nest(const arch::Architecture& a, const workloads::Cascade& c, const mapping::Mapping& m,
                     int64_t search_to) {
  detail::Program p;
  Result r;
  detail::Context ctx;
  std::vector<int64_t> size;
  for (const auto& rk : c.ranks) size.push_back(rk.size);
  detail::Nest nest(a, c, m, size, std::vector<int64_t>(c.ranks.size(), 0), p, r, ctx);
  nest.build();
  detail::time_program(p, search_to, r);
  return r;
}

}  // namespace einflow::reference
