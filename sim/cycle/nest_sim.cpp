#include "sim/cycle/nest_sim.h"

#include <algorithm>
#include <cmath>

#include "mappers/mapping/unit_ops.h"
#include "sim/analytical/nest_model.h"
#include "sim/cycle/nest_walker.h"
#include "workloads/golden/interpreter.h"

namespace einflow::sim::cycle {

using workloads::Cascade;

namespace detail {

// Cycles one arrival occupies level k's link: words over the bandwidth of each
// end and of the network between them. On-chip ports are per instance (the
// busiest one sets the time); DRAM is one port whose reads and writes share its
// bandwidth. A level with timed banks moves each bank's words through its
// ports; what that adds over the words spread evenly is `conflict`, charged to
// the level whose banks took longest (`conflict_at`).
double Walker::link_cycles(int k, const Traffic& tr, double* dram, double* conflict,
                           int* conflict_at) const {
  *dram = 0;
  *conflict = 0;
  *conflict_at = k;
  auto time = [](double words, double bw) { return bw > 0 ? std::ceil(words / bw) : 0.0; };
  const arch::Node& child = level_node(k);
  double c = std::max(time(static_cast<double>(tr.child_in), child.write_bandwidth),
                      time(static_cast<double>(tr.child_out), child.read_bandwidth));
  std::map<int, std::pair<double, double>> parents;  // level -> (read words, written words)
  auto gather = [&](const std::map<int, std::map<int64_t, int64_t>>& side, bool read) {
    for (const auto& [p, per] : side) {
      const bool dram = level_node(p).cls == arch::NodeClass::kDram;
      double& words = read ? parents[p].first : parents[p].second;
      for (const auto& [pi, w] : per) {
        words = dram ? words + static_cast<double>(w) : std::max(words, static_cast<double>(w));
        // The network from one parent instance carries each direction at its bandwidth.
        c = std::max(c, time(static_cast<double>(w), child.noc_bandwidth));
      }
    }
  };
  gather(tr.parent_read, true);
  gather(tr.parent_write, false);
  for (const auto& [p, rw] : parents) {
    if (p == m_dram_level && (m_place.ideal_dram || m_opts.root_link)) continue;  // timed elsewhere
    const arch::Node& nd = level_node(p);
    if (nd.cls == arch::NodeClass::kDram) {
      *dram =
          time(rw.first + rw.second, nd.bandwidth_gbps > 0 ? m_arch.dram_words_per_cycle(nd) : 0.0);
      c = std::max(c, *dram);
    } else
      c = std::max({c, time(rw.first, nd.read_bandwidth), time(rw.second, nd.write_bandwidth)});
  }
  double even = c, banked = c;
  for (const auto& [at, per_bank] : tr.banks) {
    const double ports = static_cast<double>(m_bank_ports[static_cast<size_t>(at.first)]);
    int64_t total = 0, most = 0;
    for (int64_t n : per_bank) {
      total += n;
      most = std::max(most, n);
    }
    even = std::max(even,
                    time(static_cast<double>(total), ports * static_cast<double>(per_bank.size())));
    if (time(static_cast<double>(most), ports) > banked) {
      banked = time(static_cast<double>(most), ports);
      *conflict_at = at.first;
    }
  }
  *conflict = std::max(0.0, banked - even);
  return std::max(banked, even);
}

double Walker::transfer_latency(int k, const Traffic& tr) const {
  bool moved = tr.child_in > 0 || tr.child_out > 0;
  int64_t access = tr.child_out > 0 ? level_node(k).access_latency_cycles : 0;
  for (const auto& [p, per] : tr.parent_read)
    for (const auto& [pi, words] : per)
      if (words > 0) {
        moved = true;
        access = std::max(access, level_node(p).access_latency_cycles);
      }
  for (const auto& [p, per] : tr.parent_write)
    for (const auto& [pi, words] : per) moved = moved || words > 0;
  return moved ? static_cast<double>(level_node(k).noc_latency_cycles + access) : 0.0;
}

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

namespace {

// The op that folds a point's value into its output word: the MAC of a
// contraction, else the reduction's own op ("" when the Einsum reduces nothing).
std::string accumulating_op(const std::vector<mapping::OpNeed>& needs, workloads::Reduce reduce) {
  for (const auto& nd : needs)
    if (nd.op == "mac") return "mac";
  switch (reduce) {
    case workloads::Reduce::kSum: return "add";
    case workloads::Reduce::kMax:
    case workloads::Reduce::kMin: return "max";
    case workloads::Reduce::kProd: return "mul";
    case workloads::Reduce::kNone: break;
  }
  return "";
}

}  // namespace

void Walker::run(SimResult& out, bool report) {
  m_tpos.assign(m_loops.size(), -1);
  for (size_t j = 0; j < m_tp.size(); ++j)
    m_tpos[static_cast<size_t>(m_tp[j])] = static_cast<int>(j);
  m_tidx.assign(m_tp.size(), 0);
  const arch::Node& unit = m_arch.nodes[static_cast<size_t>(m_m.compute)];
  const std::vector<mapping::OpNeed> needs = mapping::einsum_hw_ops(m_tc, m_m.einsum);
  const double step_cycles = mapping::issue_cycles_per_point(unit, needs);
  // The unit's pipelines: a point's result appears `point_latency` cycles after
  // it issues (its ops one after another); a step accumulating into the word
  // the previous step wrote waits for the accumulating op's result.
  double point_latency = 0;
  for (const auto& nd : needs)
    if (const arch::OpSpec* op = mapping::unit_op_for(unit, nd.op))
      point_latency += nd.per_point * static_cast<double>(op->latency_cycles);
  point_latency = std::max(point_latency, step_cycles);
  const std::string acc_op = accumulating_op(needs, m_e.reduce);
  const arch::OpSpec* acc = acc_op.empty() ? nullptr : mapping::unit_op_for(unit, acc_op);
  const double acc_latency = acc ? static_cast<double>(acc->latency_cycles) : 0;
  int64_t prev_word = -1;
  std::vector<double> pipe_stall(1, 0);  // compute waiting on its own pipeline

  // The schedule.
  std::vector<double> port_free(static_cast<size_t>(m_n), 0),
      arrival_done(static_cast<size_t>(m_n), 0);
  std::vector<double> last1(static_cast<size_t>(m_n), 0), last2(static_cast<size_t>(m_n), 0),
      busy(static_cast<size_t>(m_n), 0);
  std::vector<double> stall(static_cast<size_t>(m_n),
                            0);  // compute idle, by the level it waited for
  std::vector<Traffic> traffic(static_cast<size_t>(m_n));
  double compute_free = 0;
  std::vector<double> dram_free(1, 0);  // the DRAM's one port, shared by every level's link to it
  std::vector<double> conflict(static_cast<size_t>(m_n), 0);  // link cycles added by bank conflicts
  // With a root link: what the DRAM's timing added to each level's last
  // transfer over its peak bandwidth, in all, and the compute waits it caused.
  std::vector<double> timing_extra(static_cast<size_t>(m_n), 0), dram_timing_stall(1, 0);
  // Per level: when its latest link started for want of its parent's tile (-1: not so).
  std::vector<double> gate(static_cast<size_t>(m_n), -1.0);
  double timing_total = 0;
  auto reaches_link = [&](const Traffic& tr) {
    return m_opts.root_link && (!tr.dram_reads.empty() || !tr.dram_writes.empty());
  };
  auto link_transfer = [&](double start, const Traffic& tr, double& extra) {
    const RootLink::Timed timed = m_opts.root_link->timed_transfer(start, tr.dram_reads, tr.dram_writes);
    const double t = timed.cycles;
    extra = timed.over_peak;
    timing_total += extra;
    return t;
  };
  int64_t steps_run = 0;
  std::vector<int64_t> sidx(m_sp.size());

  // Steady-state fast-forward (timing-only runs): the temporal loop with the
  // most iterations (at least 8) whose rank has no remainder at its level
  // repeats the same work on other data (output words shifted by a constant). Within each pass over
  // it, once two consecutive iterations changed the counts and every clock of the schedule by the
  // same amounts, all but its last two iterations are extrapolated and the last two simulated (so
  // the next pass, or the drain, starts from real buffer contents).
  int ff_loop = -1;
  if (!m_opts.functional && m_opts.fast_forward && !m_opts.root_link)
    for (size_t j = 0; j < m_tp.size(); ++j) {
      const LoopInfo& l = m_loops[static_cast<size_t>(m_tp[j])];
      const bool exact = m_size[static_cast<size_t>(l.rank)] % (l.factor * l.stride) == 0;
      if (exact && !m_tensors[static_cast<size_t>(m_out_t)].self_read && l.factor >= 8 &&
          (ff_loop < 0 ||
           l.factor > m_loops[static_cast<size_t>(m_tp[static_cast<size_t>(ff_loop)])].factor))
        ff_loop = static_cast<int>(j);
    }
  struct Snapshot {
    std::vector<std::vector<Counts>> counts;
    std::vector<double> clocks;
    int64_t steps = 0;
  };
  std::vector<Snapshot> snaps;
  std::vector<std::vector<double>*> clocks = {
      &port_free, &arrival_done, &last1, &last2, &busy, &stall, &dram_free, &pipe_stall, &conflict};
  auto snapshot = [&]() {
    Snapshot sn{m_counts, {compute_free}, steps_run};
    for (const auto* v : clocks) sn.clocks.insert(sn.clocks.end(), v->begin(), v->end());
    return sn;
  };
  auto same_delta = [](const Snapshot& a, const Snapshot& b, const Snapshot& c) {
    if (c.steps - b.steps != b.steps - a.steps) return false;
    for (size_t i = 0; i < a.clocks.size(); ++i)
      if (std::abs((c.clocks[i] - b.clocks[i]) - (b.clocks[i] - a.clocks[i])) > 1e-6) return false;
    for (size_t k = 0; k < a.counts.size(); ++k)
      for (size_t t = 0; t < a.counts[k].size(); ++t) {
        const Counts &x = a.counts[k][t], &y = b.counts[k][t], &z = c.counts[k][t];
        if (z.reads - y.reads != y.reads - x.reads || z.fills - y.fills != y.fills - x.fills ||
            z.updates - y.updates != y.updates - x.updates)
          return false;
      }
    return true;
  };
  // Extrapolates `skip` iterations of the loop at the rate of the last one.
  auto extrapolate = [&](int64_t skip) {
    // The output words of iteration idx - 1 + d are those of idx - 1 shifted.
    const LoopInfo& fl = m_loops[static_cast<size_t>(m_tp[static_cast<size_t>(ff_loop)])];
    const int64_t step_words =
        fl.stride *
        m_tensors[static_cast<size_t>(m_out_t)].accesses.front().coef[static_cast<size_t>(fl.rank)];
    for (int64_t d = 1; d <= skip + 1; ++d) replay_log(d * step_words, fl.level, d > skip);
    const Snapshot &b = snaps[1], &c = snaps[2];
    const double n = static_cast<double>(skip);
    for (size_t k = 0; k < m_counts.size(); ++k)
      for (size_t t = 0; t < m_counts[k].size(); ++t) {
        Counts& x = m_counts[k][t];
        x.reads += skip * (c.counts[k][t].reads - b.counts[k][t].reads);
        x.fills += skip * (c.counts[k][t].fills - b.counts[k][t].fills);
        x.updates += skip * (c.counts[k][t].updates - b.counts[k][t].updates);
      }
    compute_free += n * (c.clocks[0] - b.clocks[0]);
    size_t i = 1;
    for (auto* v : clocks)
      for (double& x : *v) {
        x += n * (c.clocks[i] - b.clocks[i]);
        ++i;
      }
    steps_run += skip * (c.steps - b.steps);
    m_tidx[static_cast<size_t>(ff_loop)] += skip;
    out.fast_forwarded = true;
  };
  // At the start of each iteration of the loop.
  auto fast_forward = [&]() {
    const int64_t factor = m_loops[static_cast<size_t>(m_tp[static_cast<size_t>(ff_loop)])].factor;
    snaps.push_back(snapshot());
    if (snaps.size() > 3) snaps.erase(snaps.begin());
    const int64_t skip = factor - 2 - m_tidx[static_cast<size_t>(ff_loop)];
    if (snaps.size() == 3 && skip >= 1 && same_delta(snaps[0], snaps[1], snaps[2]))
      extrapolate(skip);
    clear_log();
  };

  m_log_on = ff_loop >= 0;
  int changed = 0;  // outermost temporal loop that moved (0 at the start: everything arrives)
  for (int64_t s = 0;; ++s) {
    if (ff_loop >= 0 && (s == 0 || changed <= ff_loop)) {
      if (s == 0 || changed < ff_loop) snaps.clear();  // a new pass over the loop
      fast_forward();
    }
    const int top =
        s == 0 ? 0 : m_loops[static_cast<size_t>(m_tp[static_cast<size_t>(changed)])].level;
    // Levels below `top` get new tiles: evict deepest first, then load top first.
    for (Traffic& tr : traffic) tr = Traffic{};
    for (int k = m_n - 1; k > top; --k) {
      m_new_tile.assign(static_cast<size_t>(m_inst[static_cast<size_t>(k)]), {});
      const TensorInfo& to = m_tensors[static_cast<size_t>(m_out_t)];
      if (s > 0 && std::find(to.keepers.begin(), to.keepers.end(), k) != to.keepers.end()) {
        for (int64_t i = 0; i < m_inst[static_cast<size_t>(k)]; ++i) {
          spatial_of(i, k, sidx);
          tile_of(to, k, sidx, m_new_tile[static_cast<size_t>(i)]);
        }
        evict(k, traffic[static_cast<size_t>(k)], false);
      }
    }
    for (int k = top + 1; k < m_n; ++k) load(k, traffic[static_cast<size_t>(k)]);
    // Timing of the arrivals, parents first.
    double data_ready = 0;
    int late = -1;
    for (int k = top + 1; k < m_n; ++k) {
      double dram_part = 0, clash = 0;
      int clash_at = k;
      double dur = link_cycles(k, traffic[static_cast<size_t>(k)], &dram_part, &clash, &clash_at);
      conflict[static_cast<size_t>(clash_at)] += clash;
      if (s > 0) {
        last2[static_cast<size_t>(k)] = last1[static_cast<size_t>(k)];
        last1[static_cast<size_t>(k)] = compute_free;
      }
      int64_t words = 0;
      for (size_t t = 0; t < m_tensors.size(); ++t)
        words += m_tile_words[static_cast<size_t>(k)][t];
      const arch::Node& nd = level_node(k);
      const bool two = nd.size_words == 0 || 2 * words <= nd.size_words;
      const double slot = two ? last2[static_cast<size_t>(k)] : last1[static_cast<size_t>(k)];
      const double parent_ready = k > 1 ? arrival_done[static_cast<size_t>(k - 1)] : 0.0;
      // Links of several levels to the DRAM share its one port.
      const bool via_link = reaches_link(traffic[static_cast<size_t>(k)]);
      const double own = std::max({port_free[static_cast<size_t>(k)], slot,
                                   dram_part > 0 || via_link ? dram_free[0] : 0.0});
      const double start = std::max(own, parent_ready);
      // The link waited for its parent's tile: waits on it are the parent's up to then.
      gate[static_cast<size_t>(k)] = parent_ready > own ? parent_ready : -1.0;
      timing_extra[static_cast<size_t>(k)] = 0;
      if (via_link) {
        double extra = 0;
        dram_part = link_transfer(start, traffic[static_cast<size_t>(k)], extra);
        timing_extra[static_cast<size_t>(k)] = extra;
        dur = std::max(dur, dram_part);
      }
      if (dram_part > 0) dram_free[0] = start + dram_part;
      if (m_opts.record_activity && dur > 0)
        note(out.activity, level_node(k).name, "fill", start, start + dur);
      arrival_done[static_cast<size_t>(k)] =
          start + dur + transfer_latency(k, traffic[static_cast<size_t>(k)]);
      port_free[static_cast<size_t>(k)] = start + dur;
      busy[static_cast<size_t>(k)] += dur;
      if (arrival_done[static_cast<size_t>(k)] > data_ready) {
        data_ready = arrival_done[static_cast<size_t>(k)];
        late = k;
      }
    }
    bool any = false;
    compute_step(any);
    if (any) {
      double start = std::max(compute_free, data_ready);
      // The wait goes to the level whose tile came last, except the part
      // before its link could start because its parent's tile had not come:
      // that part goes up the chain the same way. Waiting on a transfer the
      // DRAM's timing stretched: that part is the timing's.
      double until = start;
      for (int l = late; l >= 1 && until > compute_free; --l) {
        const double g = gate[static_cast<size_t>(l)];
        const double from = l > 1 && g > compute_free ? std::min(g, until) : compute_free;
        const double wait = until - from;
        const double timing = std::min(wait, timing_extra[static_cast<size_t>(l)]);
        dram_timing_stall[0] += timing;
        stall[static_cast<size_t>(l)] += wait - timing;
        until = from;
      }
      if (acc_latency > step_cycles && m_step_word >= 0 && m_step_word == prev_word) {
        // compute_free - step_cycles is when the previous step issued.
        const double ready = compute_free - step_cycles + acc_latency;
        if (ready > start) {
          pipe_stall[0] += ready - start;
          start = ready;
        }
      }
      prev_word = m_step_word;
      compute_free = start + step_cycles;
      if (m_opts.record_activity) note(out.activity, unit.name, m_e.name, start, compute_free);
      ++steps_run;
    }
    // Next step: the odometer over the temporal loops, innermost last.
    int j = static_cast<int>(m_tp.size());
    while (j-- > 0) {
      if (++m_tidx[static_cast<size_t>(j)] <
          m_loops[static_cast<size_t>(m_tp[static_cast<size_t>(j)])].factor)
        break;
      m_tidx[static_cast<size_t>(j)] = 0;
    }
    if (j < 0) break;
    changed = j;
  }
  // Drain: the last point's result leaves the unit's pipeline, then every
  // level returns its outputs, deepest first.
  double end = steps_run > 0 ? compute_free - step_cycles + point_latency : compute_free;
  // A systolic array's far corner computes its last point m_skew later, and
  // its results leave the array last. (During the run the skew costs nothing:
  // operands reach each PE as late as it computes, and results leave one
  // after another while the next tile streams in.)
  if (steps_run > 0) end += m_skew;
  for (int k = m_n - 1; k > 0; --k) {
    Traffic tr;
    evict(k, tr, true);
    double dram_part = 0, clash = 0;
    int clash_at = k;
    double dur = link_cycles(k, tr, &dram_part, &clash, &clash_at);
    conflict[static_cast<size_t>(clash_at)] += clash;
    const bool via_link = reaches_link(tr);
    const double start = std::max(
        {port_free[static_cast<size_t>(k)], end, dram_part > 0 || via_link ? dram_free[0] : 0.0});
    if (via_link) {
      double extra = 0;
      dram_part = link_transfer(start, tr, extra);
      dur = std::max(dur, dram_part);
    }
    if (dram_part > 0) dram_free[0] = start + dram_part;
    end = std::max(end, start + dur + transfer_latency(k, tr));
    busy[static_cast<size_t>(k)] += dur;
  }

  out.steps = steps_run;
  if (!report) return;

  // The report, in the analytical model's form.
  analytical::NestModel model(m_arch, m_tc, m_m.einsum, m_m.compute);
  analytical::Nest nest = model.nest_of(m_m);
  analytical::NestResult r;
  for (int k = 0; k < m_n; ++k)
    for (size_t t = 0; t < m_tensors.size(); ++t) {
      const Counts& c = m_counts[static_cast<size_t>(k)][t];
      r.counts[static_cast<size_t>(k)][t] = {static_cast<double>(c.reads),
                                             static_cast<double>(c.fills),
                                             static_cast<double>(c.updates)};
      r.tile_words[static_cast<size_t>(k)][t] =
          k == 0 ? m_tc.tensors[static_cast<size_t>(m_tensors[t].tensor)].elements()
                 : m_tile_words[static_cast<size_t>(k)][t];
    }
  for (int k = 0; k <= m_n; ++k)
    r.instances_used[static_cast<size_t>(k)] = m_inst[static_cast<size_t>(k)];
  for (int k = 0; k < m_n; ++k)
    r.level_cycles[static_cast<size_t>(k)] = busy[static_cast<size_t>(k)];
  r.steps = steps_run;
  r.compute_instances = m_inst[static_cast<size_t>(m_n)];
  r.compute_cycles = static_cast<double>(steps_run) * step_cycles;
  r.cycles = whole_cycles(end, m_arch.loc);
  for (int k = 0; k < m_n; ++k)
    if (conflict[static_cast<size_t>(k)] > 0)
      out.bank_conflicts[level_node(k).name] +=
          static_cast<int64_t>(std::llround(conflict[static_cast<size_t>(k)]));
  if (dram_timing_stall[0] > 0)
    out.stalls["dram timing"] = static_cast<int64_t>(std::llround(dram_timing_stall[0]));
  out.dram_timing_cycles = static_cast<int64_t>(std::llround(timing_total));
  if (pipe_stall[0] > 0) out.stalls["pipeline " + acc_op] = static_cast<int64_t>(std::llround(pipe_stall[0]));
  // Bound by a level when waiting for it took more than half the run.
  r.bound_level = -1;
  for (int k = 1; k < m_n; ++k) {
    const double w = stall[static_cast<size_t>(k)];
    // The level right under the DRAM fills from it: its waits are the DRAM's.
    if (w > 0)
      out.stalls[k - 1 == m_dram_level ? std::string("dram") : "fill " + level_node(k).name] =
          static_cast<int64_t>(w);
    if (2 * w > static_cast<double>(r.cycles) &&
        (r.bound_level < 0 || w > stall[static_cast<size_t>(r.bound_level)]))
      r.bound_level = k;
  }
  out.stats = model.to_stats(nest, r);
  double energy = 0;
  for (const auto& en : out.stats.energy) energy += en.energy_pj;
  out.stats.energy_pj = energy;
  for (auto& es : out.stats.per_einsum) es.energy_pj = energy;
  if (m_opts.functional) {
    const std::string& name = m_c.tensors[static_cast<size_t>(m_e.output.tensor)].name;
    out.outputs[name] = m_root[name];
  }
}

}  // namespace detail

SimResult simulate_mapping(const arch::Architecture& arch, const Cascade& cascade,
                           const mapping::Mapping& m, const golden::TensorSet<double>& inputs,
                           const SimOptions& opts) {
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
