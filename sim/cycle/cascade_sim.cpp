#include "sim/cycle/cascade_sim.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "common/progress.h"
#include "sim/analytical/group_model.h"
#include "sim/cycle/execution_counts.h"
#include "sim/analytical/group_schedule.h"
#include "sim/analytical/list_scheduler.h"
#include "sim/cycle/nest_walker.h"
#include "sim/cycle/pim_group.h"
#include "workloads/golden/interpreter.h"

namespace einflow::sim::cycle {
namespace {

using workloads::Cascade;

// Why a task could not start earlier: the edge whose source finished last.
using Why = analytical::Dep;

// What the group knows of each scheduled task (ListScheduler holds the rest).
struct TaskInfo {
  int tile = 0;  // index in the group
  bool dram = false;  // a transfer: on the DRAM's port, or (port) on an on-chip level's
  bool port = false;
  bool fed_by_dram = false;  // a computation waiting for its DRAM reads
  bool writes = false;       // a DRAM task of the execution's results (after it)
  // With a root link: a transfer's time beyond the peak bandwidth's; for a
  // computation, that of the transfer it waits for.
  double extra = 0;
};

// With a root link: where each tensor's next words to move are. A group's
// DRAM traffic per execution is a count per tensor; the executions take the
// tensor's words in order, a contiguous run each (wrapping around), as tiles
// along the outer ranks of row-major tensors do.
struct LinkCursor {
  std::vector<uint64_t> base;
  std::vector<int64_t> read_at, write_at;
};

struct GroupRun {
  const arch::Architecture& a;
  const Cascade& c;
  const mapping::FusionGroup& g;
  const SimOptions& o;
  int index;
  golden::TensorSet<double>& root;
  CascadeSimResult& out;
  LinkCursor& cursor;

  analytical::GroupStats run(double t0);

  // The run's state, filled by its stages in order.
  Cascade tc{};
  int n_e = 0;
  size_t L = 0;
  std::unique_ptr<analytical::ExecutionPlan> order{};  // when each tile runs (group_schedule.h)
  std::vector<int64_t> stride{};
  std::vector<SimResult> tile{};                   // each tile once, timing only
  std::vector<analytical::TileFigures> figures{};  // their counts, index-keyed
  analytical::Residency residency{};               // what stays where (decided once, both models)
  std::unique_ptr<detail::ExecutionCounter> counter{};  // the group's accesses, execution by execution
  analytical::GroupStats gs{};
  double rate = 0;  // DRAM words per cycle
  std::string dram_name{};
  std::vector<double> dram_read_words{}, dram_write_words{};  // per tile execution
  std::vector<std::vector<std::pair<double, double>>>
      dram_rw{};  // per tile, per tensor: read, written
  std::vector<int> resource_of{};
  std::vector<std::string> resources{};  // the compute units of the tiles, the DRAM, then on-chip ports
  int dram_res = 0;
  // Per tile: the on-chip ports (resource, cycles) one execution holds: its
  // accesses at each timed level over the port's rate, shared in time with
  // every other execution, of any unit, that uses the level.
  std::vector<std::vector<std::pair<int, double>>> port_use{};
  void port_traffic();
  std::unique_ptr<ListScheduler> sched{};  // the executions and transfers (list_scheduler.h)
  std::vector<TaskInfo> tasks{};
  bool pipelined = false;
  double end = 0;

  void plan();
  std::vector<int64_t> offsets(const std::vector<int64_t>& it) const;
  // Calls f(k, it) for every execution of tile k at shared iteration it, in program order.
  void for_each_execution(const std::function<void(int, const std::vector<int64_t>&)>& f) const;
  void time_tiles();
  void count_executions();
  void dram_traffic();
  double link_transfer(int k, bool writes, double start, double& extra);
  void assign_resources();
  void build_tasks();
  void schedule(double t0);
  void started(int x, double idle_since, double t0);
  analytical::GroupStats report();
};

analytical::GroupStats GroupRun::run(double t0) {
  tc = mapping::tile_cascade(c, g.shared);
  n_e = static_cast<int>(g.einsums.size());
  L = g.shared.size();
  plan();
  time_tiles();
  count_executions();
  dram_traffic();
  assign_resources();
  build_tasks();
  schedule(t0);
  return report();
}

// When each tile runs, and the strides of the shared loops.
void GroupRun::plan() {
  order = std::make_unique<analytical::ExecutionPlan>(c, g);
  // Offset of the tile along each rank at shared iteration `it`.
  stride.assign(L, 0);
  {
    std::vector<int64_t> inner(c.ranks.size(), 0);
    for (size_t r = 0; r < c.ranks.size(); ++r) inner[r] = tc.ranks[r].size;
    for (size_t l = L; l-- > 0;) {
      const size_t r = static_cast<size_t>(g.shared[l].rank);
      stride[l] = inner[r];
      inner[r] *= g.shared[l].factor;
    }
  }
}

// Offset of the tile along each rank at shared iteration `it`.
std::vector<int64_t> GroupRun::offsets(const std::vector<int64_t>& it) const {
  std::vector<int64_t> off(c.ranks.size(), 0);
  for (size_t l = 0; l < L; ++l) off[static_cast<size_t>(g.shared[l].rank)] += it[l] * stride[l];
  return off;
}

void GroupRun::time_tiles() {
  // Each tile once, timing only, with an ideal root link: the time of every
  // execution (executions differ only in where they are: shared factors divide
  // their ranks, so every tile has the same shape).
  tile.assign(static_cast<size_t>(n_e), SimResult{});
  SimOptions timing = o;
  timing.functional = false;
  timing.root_link = nullptr;  // a tile's walk has an ideal root; the group times its DRAM
  golden::TensorSet<double> none;
  for (int k = 0; k < n_e; ++k) {
    detail::TilePlace place{&tc, {}, true};
    detail::Walker w(a, c, g.tiles[static_cast<size_t>(k)], none, timing, place);
    w.run(tile[static_cast<size_t>(k)]);
    figures.push_back(analytical::tile_figures(a, c, g, k, tile[static_cast<size_t>(k)].stats));
    out.fast_forwarded = out.fast_forwarded || tile[static_cast<size_t>(k)].fast_forwarded;
  }
  residency = analytical::decide_residency(a, c, g, figures);
  if (o.adjust_residency) o.adjust_residency(index, residency);
}

void GroupRun::for_each_execution(const std::function<void(int, const std::vector<int64_t>&)>& f) const {
  order->for_each(f);
}

// The group's accesses, counted execution by execution (execution_counts.h).
void GroupRun::count_executions() {
  counter = std::make_unique<detail::ExecutionCounter>(a, c, g, figures, residency);
  for_each_execution([&](int k, const std::vector<int64_t>& it) { counter->execution(k, offsets(it)); });
  gs = counter->finish();
}

void GroupRun::dram_traffic() {
  // DRAM words per execution of each tile: its root traffic, scaled per tensor
  // to what the group moves (retained intermediates never, inputs kept across
  // shared loops less often).
  rate = a.dram_words_per_cycle();
  dram_name = a.dram() >= 0 ? a.node(a.dram()).name : std::string("DRAM");
  dram_read_words.assign(static_cast<size_t>(n_e), 0);
  dram_write_words.assign(static_cast<size_t>(n_e), 0);
  // Per tile, per tensor: words read from and written to the DRAM per execution.
  dram_rw.assign(static_cast<size_t>(n_e),
                 std::vector<std::pair<double, double>>(c.tensors.size()));
  auto root_access = [&](const Stats& s, const std::string& tensor) {
    for (const auto& l : s.per_level)
      if (l.name == dram_name)
        for (const auto& ta : l.tensors)
          if (ta.tensor == tensor) return ta.accesses;
    return Accesses{};
  };
  auto root_words = [&](const Stats& s, const std::string& tensor) {
    const Accesses ac = root_access(s, tensor);
    return static_cast<double>(ac.reads + ac.fills + ac.updates);
  };
  for (size_t t = 0; t < c.tensors.size(); ++t) {
    const std::string& name = c.tensors[t].name;
    double per_tiles = 0;
    for (int k = 0; k < n_e; ++k)
      per_tiles += root_words(tile[static_cast<size_t>(k)].stats, name) *
                   static_cast<double>(counter->executions(k));
    if (per_tiles <= 0) continue;
    const double f = root_words(gs.stats, name) / per_tiles;
    for (int k = 0; k < n_e; ++k) {
      const Accesses ac = root_access(tile[static_cast<size_t>(k)].stats, name);
      dram_rw[static_cast<size_t>(k)][t] = {f * static_cast<double>(ac.reads + ac.fills),
                                            f * static_cast<double>(ac.updates)};
      if (rate <= 0) continue;  // an unlimited DRAM: no transfers to time
      dram_read_words[static_cast<size_t>(k)] += dram_rw[static_cast<size_t>(k)][t].first;
      dram_write_words[static_cast<size_t>(k)] += dram_rw[static_cast<size_t>(k)][t].second;
    }
  }
}

// A DRAM task on the root link: the words of its execution from each
// tensor's cursor; returns the time, its excess over the peak in `extra`.
double GroupRun::link_transfer(int k, bool writes_only, double start, double& extra) {
  RootLink& link = *o.root_link;
  const uint64_t wb = static_cast<uint64_t>(link.word_bytes());
  std::vector<uint64_t> reads, writes;
  for (size_t t = 0; t < c.tensors.size(); ++t) {
    const int64_t n = c.tensors[t].elements();
    auto take = [&](double words, int64_t& at, std::vector<uint64_t>& to) {
      for (int64_t i = 0, m = std::llround(words); i < m; ++i) {
        to.push_back(cursor.base[t] + static_cast<uint64_t>(at) * wb);
        at = (at + 1) % n;
      }
    };
    if (writes_only) take(dram_rw[static_cast<size_t>(k)][t].second, cursor.write_at[t], writes);
    else take(dram_rw[static_cast<size_t>(k)][t].first, cursor.read_at[t], reads);
  }
  const RootLink::Timed timed = link.timed_transfer(start, reads, writes);
  const double dur = timed.cycles;
  extra = timed.over_peak;
  out.dram_timing_cycles += static_cast<int64_t>(std::llround(extra));
  return dur;
}

void GroupRun::assign_resources() {
  // Resources: the compute units of the tiles, then the DRAM.
  resource_of.assign(static_cast<size_t>(n_e), 0);
  for (int k = 0; k < n_e; ++k) {
    const std::string& u =
        a.nodes[static_cast<size_t>(g.tiles[static_cast<size_t>(k)].compute)].name;
    auto it = std::find(resources.begin(), resources.end(), u);
    resource_of[static_cast<size_t>(k)] = static_cast<int>(it - resources.begin());
    if (it == resources.end()) resources.push_back(u);
  }
  dram_res = static_cast<int>(resources.size());
  resources.push_back(dram_name);
  port_traffic();
}

void GroupRun::port_traffic() {
  port_use.assign(static_cast<size_t>(n_e), {});
  auto resource = [&](const std::string& name) {
    auto it = std::find(resources.begin(), resources.end(), name);
    if (it != resources.end()) return static_cast<int>(it - resources.begin());
    resources.push_back(name);
    return static_cast<int>(resources.size()) - 1;
  };
  for (int k = 0; k < n_e; ++k) {
    const std::vector<LevelStats>& levels = tile[static_cast<size_t>(k)].stats.per_level;
    for (size_t l = 0; l < levels.size(); ++l) {
      const LevelStats& ls = levels[l];
      const int i = a.find(ls.name);
      if (i < 0 || a.is_offchip(i)) continue;
      const arch::Node& n = a.node(i);
      const double inst = static_cast<double>(std::max<int64_t>(1, ls.instances_used));
      // Its read port also sends its results up (found by the differential
      // suite: a drain timed on no port); to the DRAM, what the group writes
      // there (a retained intermediate: nothing).
      const double up = words_sent_up(levels, l, [&](const LevelStats& at, const TensorAccesses& t) {
        if (at.name != dram_name) return static_cast<double>(t.accesses.updates);
        const int ti = c.find_tensor(t.tensor);
        return ti < 0 ? 0.0 : dram_rw[static_cast<size_t>(k)][static_cast<size_t>(ti)].second;
      });
      const double reads = (static_cast<double>(ls.total.reads) + up) / inst,
                   writes = static_cast<double>(ls.total.fills + ls.total.updates) / inst;
      auto use = [&](const std::string& port, double cycles) {
        if (cycles > 0) port_use[static_cast<size_t>(k)].push_back({resource(n.name + " " + port), cycles});
      };
      const arch::Node::PortCycles p = n.port_cycles(reads, writes);
      use("read port", p.read);
      use("write port", p.write);
      use("banks", p.banks);
      use("bank read ports", p.bank_read);
      use("bank write ports", p.bank_write);
    }
  }
}

// Program order: the executions and their dependencies, values computed as we go.
void GroupRun::build_tasks() {
  if (o.functional)
    for (int e : g.einsums) golden::initialise_output(c, e, root);

  sched = std::make_unique<ListScheduler>(static_cast<int>(resources.size()));
  // A transfer streams into the computation it feeds; every other dependency is finish-to-start.
  auto edge = [&](int from, int to, Why why) {
    sched->depend(from, to, static_cast<uint8_t>(why), why == Why::kDram);
  };
  pipelined = g.pipeline_rank >= 0;
  analytical::Dependencies deps(c, g);  // order, data and double buffering, as the analytical model has them
  int previous = -1;
  int64_t executions = 0;
  for_each_execution([&](int k, const std::vector<int64_t>& it) {
      progress::tick("simulate: tile executions", static_cast<double>(++executions), 0);
      if (o.functional) {
        detail::TilePlace place{&tc, offsets(it), true};
        SimOptions values = o;
        values.root_link = nullptr;
        detail::Walker w(a, c, g.tiles[static_cast<size_t>(k)], root, values, place);
        SimResult values_only;
        w.run(values_only, false);
      }
      const std::vector<int>& hist = deps.history(k);
      // Its DRAM reads fill its tiles before it computes (at most two
      // executions ahead: double buffering); its results go out after it.
      int d = -1;
      if (dram_read_words[static_cast<size_t>(k)] > 0) {
        d = sched->add(dram_res, std::ceil(dram_read_words[static_cast<size_t>(k)] / rate));
        tasks.push_back({k, true, false, false, false, 0});
        if (hist.size() >= 2) edge(hist[hist.size() - 2], d, Why::kBuffer);
      }
      // Its on-chip ports: their use streams with its computation, once its
      // DRAM reads are in, at most two executions ahead, like the DRAM's.
      std::vector<int> ports;
      for (const auto& [res, cycles] : port_use[static_cast<size_t>(k)]) {
        const int p = sched->add(res, cycles);
        tasks.push_back({k, true, true, false, false, 0});
        if (hist.size() >= 2) edge(hist[hist.size() - 2], p, Why::kBuffer);
        // The accesses are of the tiles its DRAM reads bring (found by the
        // differential suite: a buffer's reads timed before their data came).
        sched->depend(d, p, static_cast<uint8_t>(Why::kDram), false);
        ports.push_back(p);
      }
      const int x = sched->add(resource_of[static_cast<size_t>(k)],
                               static_cast<double>(tile[static_cast<size_t>(k)].stats.cycles));
      tasks.push_back({k, false, false, d >= 0, false, 0});
      sched->depend(d, x, static_cast<uint8_t>(Why::kDram), false);
      for (int p : ports) edge(p, x, Why::kDram);
      if (dram_write_words[static_cast<size_t>(k)] > 0) {
        const int w = sched->add(dram_res, std::ceil(dram_write_words[static_cast<size_t>(k)] / rate));
        tasks.push_back({k, true, false, false, true, 0});
        sched->depend(x, w, static_cast<uint8_t>(Why::kData), false);
      }
      deps.execution(x, k, [&](int from, Why why) { edge(from, x, why); }, pipelined ? -1 : previous);
      previous = x;
      ++out.executions;
  });
}

// After task x started: the computation a transfer feeds inherits its
// excess over the peak, an idle compute unit's wait goes to its cause, and
// the interval is recorded.
void GroupRun::started(int x, double idle_since, double t0) {
  const ListScheduler::Task& t = sched->task(x);
  const TaskInfo& info = tasks[static_cast<size_t>(x)];
  const double now = t.start;
  if (!info.dram && t.min_end > now + t.duration) {
    // Waiting for a transfer to end: as far as the DRAM's timing stretched it, that is the
    // cause.
    const double wait = t.min_end - now - t.duration, timing = std::min(wait, info.extra);
    if (timing > 0) out.stalls["dram timing"] += static_cast<int64_t>(std::llround(timing));
    if (wait > timing)
      out.stalls[info.fed_by_dram ? "dram" : "ports"] += static_cast<int64_t>(std::llround(wait - timing));
  }
  if (info.dram)
    for (const auto& e : t.succ)
      if (e.stream || static_cast<Why>(e.why) == Why::kDram) {
        double& extra = tasks[static_cast<size_t>(e.to)].extra;
        extra = std::max(extra, info.extra);
      }
  // A compute unit idle since its last task waited for this one's last input.
  // (Its first task: idle from the group's start, when it waited for the DRAM.)
  const double gap = now - std::max(idle_since, 0.0);
  const bool first_wait = idle_since < 0 && static_cast<Why>(t.why) == Why::kDram;
  if (!info.dram && (idle_since >= 0 || first_wait) && gap > 0 && t.from >= 0) {
    std::string cause;
    switch (static_cast<Why>(t.why)) {
      case Why::kData:  // without pipelining a unit idles while the others run, by design
        if (pipelined) cause = "data from " + resources[static_cast<size_t>(sched->task(t.from).resource)];
        break;
      case Why::kDram: {
        // As far as the DRAM's timing stretched the reads it waited for, that is the cause.
        const double timing = std::min(gap, info.extra);
        if (timing > 0) out.stalls["dram timing"] += static_cast<int64_t>(std::llround(timing));
        if (gap > timing) out.stalls["dram"] += static_cast<int64_t>(std::llround(gap - timing));
        break;
      }
      case Why::kBuffer:
        cause = "double buffer";
        break;
      default:
        break;
    }
    if (!cause.empty()) out.stalls[cause] += static_cast<int64_t>(std::llround(gap));
  }
  if (o.record_activity) {
    const int e = g.einsums[static_cast<size_t>(info.tile)];
    out.activity.push_back({resources[static_cast<size_t>(t.resource)], c.einsums[static_cast<size_t>(e)].name, index,
                            t0 + t.start, t0 + t.end});
  }
}

// List scheduling: each resource runs its lowest-numbered ready task; a DRAM
// task's time comes from the root link when there is one.
void GroupRun::schedule(double t0) {
  ListScheduler::Hooks hooks;
  hooks.duration = [&](int x, double now) {
    TaskInfo& info = tasks[static_cast<size_t>(x)];
    if (info.dram && !info.port && o.root_link) return link_transfer(info.tile, info.writes, t0 + now, info.extra);
    return sched->task(x).duration;
  };
  hooks.started = [&](int x, double idle_since) { started(x, idle_since, t0); };
  end = sched->run(hooks);
}

analytical::GroupStats GroupRun::report() {
  // The group's report: counts and energy from its executions, time from the schedule.
  Stats& s = gs.stats;
  for (int k = 0; k < n_e; ++k) {
    const double n = static_cast<double>(counter->executions(k));
    for (const auto& [cause, cycles] : tile[static_cast<size_t>(k)].stalls)
      out.stalls[cause] += static_cast<int64_t>(std::llround(static_cast<double>(cycles) * n));
    for (const auto& [node, cycles] : tile[static_cast<size_t>(k)].bank_conflicts)
      out.bank_conflicts[node] +=
          static_cast<int64_t>(std::llround(static_cast<double>(cycles) * n));
  }
  std::map<std::string, double> unit_work;
  for (int k = 0; k < n_e; ++k) {
    const Stats& ts = tile[static_cast<size_t>(k)].stats;
    const std::string& u = resources[static_cast<size_t>(resource_of[static_cast<size_t>(k)])];
    unit_work[u] += ts.utilization.at(u) * static_cast<double>(ts.cycles) * static_cast<double>(counter->executions(k));
  }
  double busiest = 0;
  for (int r = 0; r < dram_res; ++r) busiest = std::max(busiest, sched->work(r));
  s.cycles = whole_cycles(end, a.loc);
  analytical::add_leakage(s, a);
  s.compute_cycles = static_cast<int64_t>(std::llround(busiest));
  s.bound_by = sched->work(dram_res) > busiest ? dram_name : "compute";
  double most = std::max(busiest, sched->work(dram_res));
  for (int r = dram_res + 1; r < static_cast<int>(resources.size()); ++r)
    if (sched->work(r) > most) {
      most = sched->work(r);
      s.bound_by = resources[static_cast<size_t>(r)];
    }
  s.seconds = a.seconds(static_cast<double>(s.cycles));
  analytical::set_utilization(s, a, unit_work);
  return gs;
}

}  // namespace

CascadeSimResult simulate_cascade(const arch::Architecture& arch, const Cascade& cascade,
                                  const mapping::CascadeMapping& m,
                                  const golden::TensorSet<double>& inputs, const SimOptions& opts) {
  CascadeSimResult out;
  golden::TensorSet<double> root;
  if (opts.functional)
    for (const auto& t : cascade.tensors) {
      if (t.kind != workloads::TensorKind::kInput) continue;
      auto it = inputs.find(t.name);
      if (it == inputs.end()) throw UserError(cascade.loc, "no values for input " + t.name);
      root[t.name] = it->second;
    }
  std::vector<analytical::GroupStats> groups;
  LinkCursor cursor;
  if (opts.root_link) {
    cursor.base = detail::dram_layout(cascade, opts.root_link->word_bytes());
    cursor.read_at.assign(cascade.tensors.size(), 0);
    cursor.write_at.assign(cascade.tensors.size(), 0);
  }
  double t0 = 0;
  for (size_t gi = 0; gi < m.groups.size(); ++gi) {
    const mapping::FusionGroup& g = m.groups[gi];
    if (g.einsums.size() == 1 && arch.is_pim(g.tiles.at(0).compute)) {
      groups.push_back(simulate_pim_group(arch, cascade, g, opts, root, out.pim_checks));
      ++out.executions;
      if (opts.record_activity)  // the PIM unit busy for the whole group
        out.activity.push_back({arch.node(g.tiles[0].compute).name, cascade.einsums[static_cast<size_t>(g.einsums[0])].name,
                                static_cast<int>(gi), t0, t0 + static_cast<double>(groups.back().stats.cycles)});
    } else {
      GroupRun run{arch, cascade, g, opts, static_cast<int>(gi), root, out, cursor};
      groups.push_back(run.run(t0));
    }
    t0 += static_cast<double>(groups.back().stats.cycles);
    for (const auto& r : groups.back().retained) out.retained.push_back(r);
    for (const auto& r : groups.back().spilled) out.spilled.push_back(r);
  }
  out.stats = analytical::combine_groups(arch, std::move(groups)).stats;
  if (opts.functional)
    for (const auto& t : cascade.tensors)
      if (t.kind != workloads::TensorKind::kInput && root.count(t.name))
        out.tensors[t.name] = root[t.name];
  return out;
}

}  // namespace einflow::sim::cycle
