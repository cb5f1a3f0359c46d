#include "sim/cycle/nest_sim.h"

#include <algorithm>
#include <cmath>

#include "common/progress.h"
#include "mappers/mapping/unit_ops.h"
#include "sim/cycle/nest_walker.h"
#include "sim/cycle/pim_group.h"
#include "workloads/golden/interpreter.h"

namespace einflow::sim::cycle {

using workloads::Cascade;

namespace detail {

namespace {

// Appends an interval, merged with the last one of the same unit and name when they touch.
void note(std::vector<Activity>& acts, const std::string& unit, const std::string& name,
          double start, double end) {
  for (auto it = acts.rbegin(); it != acts.rend(); ++it)
    if (it->unit == unit) {
      if (it->name == name && it->end >= start) {
        it->end = std::max(it->end, end);
        return;
      }
      break;
    }
  acts.push_back({unit, name, 0, start, end});
}

}  // namespace

Walker::UnitTiming Walker::unit_timing() const {
  const arch::Node& unit = m_arch.nodes[static_cast<size_t>(m_mapping.compute)];
  const mapping::OpCover cover = mapping::cover_einsum(unit, m_tile_cascade, m_mapping.einsum);
  UnitTiming u;
  u.step_cycles = cover.issue_cycles;
  // The unit's pipelines: a point's result appears `point_latency` cycles after
  // it issues (its ops one after another); a step accumulating into the word
  // the previous step wrote waits for the folding op's result.
  u.point_latency = std::max(cover.latency_cycles, u.step_cycles);
  u.acc_op = cover.acc_op;
  const arch::OpSpec* acc = u.acc_op.empty() ? nullptr : unit.find_op(u.acc_op);
  u.acc_latency = acc ? static_cast<double>(acc->latency_cycles) : 0;
  return u;
}

void Walker::run(SimResult& out, bool report) {
  m_temporal_pos.assign(m_loops.size(), -1);
  for (size_t j = 0; j < m_temporal.size(); ++j)
    m_temporal_pos[static_cast<size_t>(m_temporal[j])] = static_cast<int>(j);
  m_temporal_index.assign(m_temporal.size(), 0);
  const UnitTiming unit = unit_timing();
  m_point_latency = unit.point_latency;
  m_evict_landed.assign(static_cast<size_t>(m_levels), {});
  ScheduleState st(m_port_shape);
  // The steps whose results a step may still wait for: those within the
  // accumulating op's latency.
  if (unit.acc_latency > unit.step_cycles) {
    const size_t n = static_cast<size_t>(std::ceil(unit.acc_latency / std::max(1.0, unit.step_cycles)));
    st.recent_word.assign(n, -1);
    st.recent_issue.assign(n, 0.0);
  }
  m_clock_groups = st.clock_groups();  // once every clock is there (recent_issue too)
  std::vector<Traffic> traffic(static_cast<size_t>(m_levels)), up(static_cast<size_t>(m_levels));
  m_ff_loop = fast_forward_loop();
  m_log_on = m_ff_loop >= 0;
  int changed = 0;  // outermost temporal loop that moved (0 at the start: everything arrives)
  for (int64_t s = 0;; ++s) {
    if ((s & 4095) == 0) progress::tick("simulate: steps", static_cast<double>(s), 0);
    if (m_ff_loop >= 0 && (s == 0 || changed <= m_ff_loop)) {
      if (s == 0 || changed < m_ff_loop) m_snapshots.clear();  // a new pass over the loop
      fast_forward(st, out);
    }
    const int top = s == 0 ? 0 : m_loops[static_cast<size_t>(m_temporal[static_cast<size_t>(changed)])].level;
    new_tiles(s, top, traffic, up);
    int late = -1;
    const double data_ready = time_arrivals(s, top, traffic, up, st, out, late);
    time_compute(data_ready, late, unit, st, out);
    if (!next_step(changed)) break;
  }
  const double end = drain(unit, st);
  out.steps = st.steps;
  if (report) this->report(end, unit, st, out);
}

// Steady-state fast-forward (timing-only runs): the temporal loop with the
// most iterations (at least 8) whose rank has no remainder at its level
// repeats the same work on other data (output words shifted by a constant).
// Within each pass over it, once two consecutive iterations changed the
// counts and every clock of the schedule by the same amounts, all but its last
// two iterations are extrapolated and the last two simulated (so the next
// pass, or the drain, starts from real buffer contents).
int Walker::fast_forward_loop() const {
  int ff = -1;
  if (m_opts.functional || !m_opts.fast_forward || m_opts.root_link) return ff;
  for (size_t j = 0; j < m_temporal.size(); ++j) {
    const LoopInfo& l = m_loops[static_cast<size_t>(m_temporal[j])];
    const bool exact = m_rank_size[static_cast<size_t>(l.rank)] % (l.factor * l.stride) == 0;
    if (exact && !m_tensors[static_cast<size_t>(m_output)].self_read && l.factor >= 8 && !has_halo(l.rank) &&
        (ff < 0 || l.factor > m_loops[static_cast<size_t>(m_temporal[static_cast<size_t>(ff)])].factor))
      ff = static_cast<int>(j);
  }
  return ff;
}

// Whether an input's index along some dimension adds rank r to another (a
// sliding window, I[p + r]): consecutive tiles along r then share a halo, and
// the skipped iterations' buffer contents, which fast-forward does not move,
// would decide what the next simulated one fetches (found by the differential
// suite: a conv1d's input fills counted 20 for 18).
bool Walker::has_halo(int local) const {
  const int rank = m_einsum.iteration_ranks[static_cast<size_t>(local)];
  for (const auto& in : m_einsum.inputs)
    for (const auto& ix : in.index)
      if (ix.terms.size() >= 2)
        for (const auto& t : ix.terms)
          if (t.rank == rank) return true;
  return false;
}

// Two iterations changed every clock and count alike, and every port's
// servers alike (else advance() would extrapolate one server past another
// that frees later, found in review: a write-back held one bank port while
// the steps advanced the other).
bool Walker::same_change(const Snapshot& a, const Snapshot& b, const Snapshot& c) const {
  if (c.steps - b.steps != b.steps - a.steps) return false;
  EINFLOW_ASSERT(m_clock_groups.size() == a.clocks.size(), "a clock without its port group");
  for (size_t i = 0; i < a.clocks.size(); ++i) {
    if (std::abs((c.clocks[i] - b.clocks[i]) - (b.clocks[i] - a.clocks[i])) > 1e-6) return false;
    if (i > 0 && m_clock_groups[i] != 0 && m_clock_groups[i] == m_clock_groups[i - 1] &&
        std::abs((c.clocks[i] - b.clocks[i]) - (c.clocks[i - 1] - b.clocks[i - 1])) > 1e-6)
      return false;
  }
  for (size_t k = 0; k < a.counts.size(); ++k)
    for (size_t t = 0; t < a.counts[k].size(); ++t) {
      const Counts &x = a.counts[k][t], &y = b.counts[k][t], &z = c.counts[k][t];
      if (z.reads - y.reads != y.reads - x.reads || z.fills - y.fills != y.fills - x.fills ||
          z.updates - y.updates != y.updates - x.updates)
        return false;
    }
  return true;
}

// Extrapolates `skip` iterations of the loop at the rate of the last one.
void Walker::extrapolate(int64_t skip, ScheduleState& st, SimResult& out) {
  // The output words of iteration idx - 1 + d are those of idx - 1 shifted.
  const LoopInfo& fl = m_loops[static_cast<size_t>(m_temporal[static_cast<size_t>(m_ff_loop)])];
  const int64_t step_words =
      fl.stride * m_tensors[static_cast<size_t>(m_output)].accesses.front().coef[static_cast<size_t>(fl.rank)];
  for (int64_t d = 1; d <= skip + 1; ++d) replay_log(d * step_words, fl.level, d > skip);
  const Snapshot &b = m_snapshots[1], &c = m_snapshots[2];
  for (size_t k = 0; k < m_counts.size(); ++k)
    for (size_t t = 0; t < m_counts[k].size(); ++t) {
      Counts& x = m_counts[k][t];
      x.reads += skip * (c.counts[k][t].reads - b.counts[k][t].reads);
      x.fills += skip * (c.counts[k][t].fills - b.counts[k][t].fills);
      x.updates += skip * (c.counts[k][t].updates - b.counts[k][t].updates);
    }
  st.advance(b.clocks, c.clocks, static_cast<double>(skip));
  for (int64_t& w : st.recent_word)
    if (w >= 0) w += skip * step_words;
  st.steps += skip * (c.steps - b.steps);
  m_temporal_index[static_cast<size_t>(m_ff_loop)] += skip;
  out.fast_forwarded = true;
}

// At the start of each iteration of the fast-forward loop.
void Walker::fast_forward(ScheduleState& st, SimResult& out) {
  const int64_t factor = m_loops[static_cast<size_t>(m_temporal[static_cast<size_t>(m_ff_loop)])].factor;
  m_snapshots.push_back({m_counts, st.clocks(), st.steps});
  if (m_snapshots.size() > 3) m_snapshots.erase(m_snapshots.begin());
  const int64_t skip = factor - 2 - m_temporal_index[static_cast<size_t>(m_ff_loop)];
  if (m_snapshots.size() == 3 && skip >= 1 && same_change(m_snapshots[0], m_snapshots[1], m_snapshots[2]))
    extrapolate(skip, st, out);
  clear_log();
}

// Levels below `top` get new tiles: evict deepest first, then load top first.
void Walker::new_tiles(int64_t step, int top, std::vector<Traffic>& traffic, std::vector<Traffic>& up) {
  std::vector<int64_t> sidx(m_spatial.size());
  for (Traffic& tr : traffic) tr = Traffic{};
  for (Traffic& tr : up) tr = Traffic{};
  for (int k = m_levels - 1; k > top; --k) {
    m_new_tile.assign(static_cast<size_t>(m_instances[static_cast<size_t>(k)]), {});
    const TensorInfo& to = m_tensors[static_cast<size_t>(m_output)];
    if (step > 0 && std::find(to.keepers.begin(), to.keepers.end(), k) != to.keepers.end()) {
      for (int64_t i = 0; i < m_instances[static_cast<size_t>(k)]; ++i) {
        spatial_of(i, k, sidx);
        tile_of(to, k, sidx, m_new_tile[static_cast<size_t>(i)]);
      }
      evict(k, up[static_cast<size_t>(k)], false);
    }
  }
  for (int k = top + 1; k < m_levels; ++k) load(k, traffic[static_cast<size_t>(k)]);
}

bool Walker::reaches_link(const Traffic& tr) const {
  return m_opts.root_link && (!tr.dram_reads.empty() || !tr.dram_writes.empty());
}

double Walker::dram_transfer(double start, const Traffic& tr, double& extra, ScheduleState& st) {
  const RootLink::Timed timed = m_opts.root_link->timed_transfer(start, tr.dram_reads, tr.dram_writes);
  extra = timed.over_peak;
  st.timing_total += extra;
  return timed.cycles;
}

// The results each level sends up at this step, deepest first: a partial sum
// leaves once the unit has produced it and, when it came from a level below
// at this step, once it is there (found by the differential suite: sums sent
// up before they existed). It takes the ports of both ends, the network up
// and the DRAM's port, shared with everything else; the level's write-backs
// go one after another, beside its fills.
void Walker::time_evictions(int top, const std::vector<Traffic>& up, ScheduleState& st, SimResult& out) {
  for (int k = m_levels - 1; k > top; --k) {
    const size_t K = static_cast<size_t>(k);
    const Traffic& tr = up[K];
    if (tr.evicted.empty()) continue;
    double dram_part = 0, clash = 0, chain = 0;
    int clash_at = k;
    PortTimes& pt = m_link_ports;
    double dur = link_cycles(k, tr, &dram_part, &clash, &clash_at, pt);
    st.conflict[static_cast<size_t>(clash_at)] += clash;
    for (int64_t w : tr.evicted)
      for (int j = k + 1; j < m_levels; ++j) {
        auto it = m_evict_landed[static_cast<size_t>(j)].find(w);
        if (it != m_evict_landed[static_cast<size_t>(j)].end()) chain = std::max(chain, it->second);
      }
    const double start =
        start_transfer(tr, pt, std::max({st.evict_free[K], std::ceil(st.results_done[K]), chain}), dur, dram_part, st);
    if (m_opts.record_activity && dur > 0) note(out.activity, level_node(k).name, "write-back", start, start + dur);
    const double landed = start + dur + transfer_latency(k, tr);
    for (int64_t w : tr.evicted) {
      double& at = m_evict_landed[K][w];
      at = std::max(at, landed);
    }
    st.evict_free[K] = start + dur;
    st.busy[K] += dur;
  }
}

// Timing of the arrivals, parents first; returns when the last one is done,
// and which level that is in `late`.
// Starts a transfer that takes the ports `pt` (and the DRAM's when `dram_part`
// > 0 or it reaches the root link) no earlier than `earliest`, at a cycle's
// beginning (a step's share of a port may end within one); takes them. With a
// root link, `dur` and `dram_part` grow to what the DRAM's timing took.
double Walker::start_transfer(const Traffic& tr, const PortTimes& pt, double earliest, double& dur, double& dram_part,
                              ScheduleState& st) {
  const bool via_link = reaches_link(tr);
  if (dram_part > 0 || via_link) earliest = std::max(earliest, st.dram_free);
  const double start = std::ceil(ports_ready(pt, st, earliest, dur));
  dur = std::max(dur, take_ports(pt, st, start, dur));
  if (via_link) {
    double extra = 0;
    dram_part = dram_transfer(start, tr, extra, st);
    dur = std::max(dur, dram_part);
  }
  if (dram_part > 0) st.dram_free = start + dram_part;
  return start;
}

// When level k's buffer has room for its new tile: with room for two tiles,
// once the unit is done with the one before the previous; else with the previous.
double Walker::slot_free(int k, const ScheduleState& st) const {
  const size_t K = static_cast<size_t>(k);
  int64_t words = 0;
  for (size_t t = 0; t < m_tensors.size(); ++t) words += m_tile_words[K][t];
  const arch::Node& nd = level_node(k);
  const bool two = nd.size_words == 0 || 2 * words <= nd.size_words;
  return two ? st.before_previous_done[K] : st.previous_done[K];
}

double Walker::time_arrivals(int64_t step, int top, const std::vector<Traffic>& traffic, const std::vector<Traffic>& up,
                             ScheduleState& st, SimResult& out, int& late) {
  if (step > 0)
    for (int k = top + 1; k < m_levels; ++k) {
      const size_t K = static_cast<size_t>(k);
      st.before_previous_done[K] = st.previous_done[K];
      st.previous_done[K] = st.compute_free;
      // The old tile's last results leave the unit's pipeline then, and not
      // before the step's operand reads and result writes have been served
      // (`last_accessed`; found by the differential
      // suite: a step reading two words through a 1-word port sent its
      // results up a cycle before its second read).
      st.results_done[K] = st.steps > 0 ? std::max(st.last_issue + m_point_latency, st.last_accessed) : 0.0;
    }
  // The old tiles' results go up first, unless the new tiles could come
  // before the unit has produced them (a double-buffered level refilled while
  // its last results are in the pipeline): then the new tiles go first.
  bool results_first = true;
  for (int k = top + 1; k < m_levels; ++k) {
    const size_t K = static_cast<size_t>(k);
    if (up[K].evicted.empty()) continue;
    const double slot = std::ceil(slot_free(k, st));
    if (std::max(st.port_free[K], slot) < std::ceil(st.results_done[K])) results_first = false;
  }
  if (results_first) time_evictions(top, up, st, out);
  double data_ready = 0;
  late = -1;
  for (int k = top + 1; k < m_levels; ++k) {
    const size_t K = static_cast<size_t>(k);
    const Traffic& tr = traffic[K];
    double dram_part = 0, clash = 0;
    int clash_at = k;
    PortTimes& pt = m_link_ports;
    double dur = link_cycles(k, tr, &dram_part, &clash, &clash_at, pt);
    st.conflict[static_cast<size_t>(clash_at)] += clash;
    const arch::Node& nd = level_node(k);
    // A slot frees at the end of the cycle its tile's last read took (a
    // step's share of a port may end within a cycle).
    const double slot = std::ceil(slot_free(k, st));
    const double parent_ready = k > 1 ? st.arrival_done[K - 1] : 0.0;
    // Links of several levels to the DRAM share its one port.
    const bool via_link = reaches_link(tr);
    // The link waits for its own network, a buffer slot, the partial sums it
    // brings back having gone up, the DRAM's port and every port of its ends,
    // which other links and the compute share.
    const double own_link =
        std::max({st.port_free[K], slot, tr.refill_ready, dram_part > 0 || via_link ? st.dram_free : 0.0});
    const double own = ports_ready(pt, st, own_link, dur);
    // Words move in whole cycles: a transfer starts at a cycle's beginning
    // (found by the differential suite: a tile's fill fitted into the half
    // cycle a step left of the buffer's write port).
    const double start = std::ceil(std::max(own, parent_ready));
    dur = std::max(dur, take_ports(pt, st, start, dur));
    // The link waited for its parent's tile (or for a port its parent's own
    // transfer held until the tile was there): waits on it are the parent's up to then.
    st.gate[K] = parent_ready > own_link && parent_ready >= own ? parent_ready : -1.0;
    st.timing_extra[K] = 0;
    if (via_link) {
      double extra = 0;
      dram_part = dram_transfer(start, tr, extra, st);
      st.timing_extra[K] = extra;
      dur = std::max(dur, dram_part);
    }
    if (dram_part > 0) st.dram_free = start + dram_part;
    if (m_opts.record_activity && dur > 0) note(out.activity, nd.name, "fill", start, start + dur);
    st.arrival_done[K] = start + dur + transfer_latency(k, tr);
    st.port_free[K] = start + dur;
    st.busy[K] += dur;
    if (st.arrival_done[K] > data_ready) {
      data_ready = st.arrival_done[K];
      late = k;
    }
  }
  if (!results_first) time_evictions(top, up, st, out);
  return data_ready;
}

void Walker::time_compute(double data_ready, int late, const UnitTiming& u, ScheduleState& st, SimResult& out) {
  bool any = false;
  compute_step(any);
  if (!any) return;
  // Operand reads and result writes at the levels the units read and write
  // take those levels' ports, shared with the links.
  step_port_times();
  double start = std::max(st.compute_free, data_ready);
  double port_cycles = 0;
  for (size_t l = 0; l < m_step_ports.read.size(); ++l)
    port_cycles = std::max({port_cycles, m_step_ports.read[l], m_step_ports.write[l], m_step_ports.most_bank(l)});
  // The wait goes to the level whose tile came last, except the part before
  // its link could start because its parent's tile had not come: that part
  // goes up the chain the same way. Waiting on a transfer the DRAM's timing
  // stretched: that part is the timing's.
  double until = start;
  for (int l = late; l >= 1 && until > st.compute_free; --l) {
    const double g = st.gate[static_cast<size_t>(l)];
    const double from = l > 1 && g > st.compute_free ? std::min(g, until) : st.compute_free;
    const double wait = until - from;
    const double timing = std::min(wait, st.timing_extra[static_cast<size_t>(l)]);
    st.dram_timing_stall += timing;
    st.stall[static_cast<size_t>(l)] += wait - timing;
    until = from;
  }
  // Waiting for a port that a link or the previous steps hold.
  const double port_ready = ports_ready(m_step_ports, st, start, port_cycles);
  st.port_stall += port_ready - start;
  start = port_ready;
  // A step accumulating into a word one of the last steps wrote waits for
  // that step's result (found by the differential suite: two words
  // alternating under a 3-cycle adder were not waited for).
  if (m_step_word >= 0)
    for (size_t i = 0; i < st.recent_word.size(); ++i)
      if (st.recent_word[i] == m_step_word && st.recent_issue[i] + u.acc_latency > start) {
        st.pipe_stall += st.recent_issue[i] + u.acc_latency - start;
        start = st.recent_issue[i] + u.acc_latency;
      }
  if (!st.recent_word.empty()) {
    std::rotate(st.recent_word.rbegin(), st.recent_word.rbegin() + 1, st.recent_word.rend());
    std::rotate(st.recent_issue.rbegin(), st.recent_issue.rbegin() + 1, st.recent_issue.rend());
    st.recent_word.front() = m_step_word;
    st.recent_issue.front() = start;
  }
  // A port's servers may hold the step longer than its accesses over all of
  // them (it took fewer, the others busy): the step lasts that long.
  const double held = take_ports(m_step_ports, st, start, port_cycles);
  // Bank conflicts: what the busiest bank added to the step over an even spread.
  for (size_t l = 0; l < m_step_conflict.size(); ++l) {
    const double even = m_step_ports.most_bank(l) - m_step_conflict[l];
    st.conflict[l] += std::min(m_step_conflict[l], std::max(0.0, port_cycles - std::max(u.step_cycles, even)));
  }
  // What the ports' hold adds to the step is a wait for ports too.
  st.port_stall += std::max(0.0, held - std::max(u.step_cycles, port_cycles));
  st.last_issue = start;
  st.last_accessed = start + std::max(port_cycles, held);
  st.compute_free = start + std::max({u.step_cycles, port_cycles, held});
  if (m_opts.record_activity)
    note(out.activity, m_arch.nodes[static_cast<size_t>(m_mapping.compute)].name, m_einsum.name, start, st.compute_free);
  ++st.steps;
}

bool Walker::next_step(int& changed) {
  int j = static_cast<int>(m_temporal.size());
  while (j-- > 0) {
    if (++m_temporal_index[static_cast<size_t>(j)] < m_loops[static_cast<size_t>(m_temporal[static_cast<size_t>(j)])].factor) break;
    m_temporal_index[static_cast<size_t>(j)] = 0;
  }
  if (j < 0) return false;
  changed = j;
  return true;
}

double Walker::drain(const UnitTiming& u, ScheduleState& st) {
  // The last point's result leaves the unit's pipeline, then every level
  // returns its outputs, deepest first.
  double end = std::ceil(st.steps > 0 ? std::max(st.last_issue + u.point_latency, st.compute_free) : st.compute_free);
  // A systolic array's far corner computes its last point m_skew later, and
  // its results leave the array last. (During the run the skew costs nothing:
  // operands reach each PE as late as it computes, and results leave one
  // after another while the next tile streams in.)
  if (st.steps > 0) end += m_skew;
  for (int k = m_levels - 1; k > 0; --k) {
    const size_t K = static_cast<size_t>(k);
    Traffic tr;
    evict(k, tr, true);
    double dram_part = 0, clash = 0;
    int clash_at = k;
    PortTimes& pt = m_link_ports;
    double dur = link_cycles(k, tr, &dram_part, &clash, &clash_at, pt);
    st.conflict[static_cast<size_t>(clash_at)] += clash;
    const double start = start_transfer(tr, pt, std::max({st.port_free[K], st.evict_free[K], end}), dur, dram_part, st);
    end = std::max(end, start + dur + transfer_latency(k, tr));
    st.busy[K] += dur;
  }
  return end;
}

}  // namespace detail

SimResult simulate_mapping(const arch::Architecture& arch, const Cascade& cascade,
                           const mapping::Mapping& m, const golden::TensorSet<double>& inputs,
                           const SimOptions& opts) {
  if (arch.is_pim(m.compute)) return simulate_pim_mapping(arch, cascade, m, inputs, opts);
  golden::TensorSet<double> root;
  if (opts.functional) {
    const workloads::Einsum& e = cascade.einsums[static_cast<size_t>(m.einsum)];
    for (int t : mapping::einsum_tensors(e)) {
      const std::string& name = cascade.tensors[static_cast<size_t>(t)].name;
      if (t == e.output.tensor) continue;
      auto it = inputs.find(name);
      if (it == inputs.end()) throw UserError(e.loc, "no values for input " + name);
      root[name] = it->second;
    }
    golden::initialise_output(cascade, m.einsum, root);
  }
  detail::Walker w(arch, cascade, m, root, opts);
  SimResult r;
  w.run(r);
  return r;
}

}  // namespace einflow::sim::cycle
