#include "sim/cycle/cascade_sim.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>

#include "sim/analytical/group_model.h"
#include "sim/cycle/nest_walker.h"
#include "workloads/golden/interpreter.h"

namespace einflow::sim::cycle {
namespace {

using workloads::Cascade;

// Why a task could not start earlier: the edge whose source finished last.
enum class Why : uint8_t { kNone, kOrder, kData, kDram, kBuffer };

struct Task {
  int tile = 0;      // index in the group
  int resource = 0;  // a compute unit, or the DRAM
  bool dram = false;
  double dur = 0;
  std::vector<std::pair<int, Why>> succ;
  int pending = 0;
  double ready = 0;
  Why why = Why::kNone;
  int from = -1;       // the predecessor that finished last
  double min_end = 0;  // a compute task ends no earlier than its DRAM transfer
  double start = 0, end = 0;
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

// The shared-loop iteration at which tile k runs: the loops down to its
// innermost one over a rank it iterates run it every time; inside those, it
// runs once, at the first iteration when an Einsum inside them reads what it
// writes (RD[0] = 0 before the loop over M1), else at the last (AV after it).
struct RunsAt {
  int innermost = -1;
  bool first = false;
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
  std::vector<RunsAt> at{};
  std::vector<int64_t> stride{};
  std::vector<SimResult> tile{};    // each tile once, timing only
  std::vector<Stats> tile_stats{};  // their Stats, for the group's accounting
  analytical::GroupStats gs{};
  double rate = 0;  // DRAM words per cycle
  std::string dram_name{};
  std::vector<double> dram_words{};  // per tile execution
  std::vector<std::vector<std::pair<double, double>>>
      dram_rw{};  // per tile, per tensor: read, written
  std::vector<int> resource_of{};
  std::vector<std::string> resources{};  // the compute units of the tiles, then the DRAM
  int dram_res = 0;
  std::vector<Task> tasks{};
  bool pipelined = false;
  std::vector<double> work{};  // per resource
  double end = 0;

  void plan();
  bool runs(int k, const std::vector<int64_t>& it) const;
  std::vector<int64_t> offsets(const std::vector<int64_t>& it) const;
  void time_tiles();
  void dram_traffic();
  double link_transfer(int k, double start, double& extra);
  void assign_resources();
  void build_tasks();
  void schedule(double t0);
  void start(int x, size_t r, double now, double t0);
  // The list scheduler's state: finish events, each resource's ready tasks
  // (lowest-numbered first), whether it is busy and when its last task ended.
  using Event = std::pair<double, int>;  // finish time, task
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events{};
  std::vector<std::priority_queue<int, std::vector<int>, std::greater<int>>> ready{};
  std::vector<bool> busy{};
  std::vector<double> last_end{};
  analytical::GroupStats report();
};

analytical::GroupStats GroupRun::run(double t0) {
  tc = mapping::tile_cascade(c, g.shared);
  n_e = static_cast<int>(g.einsums.size());
  L = g.shared.size();
  plan();
  time_tiles();
  dram_traffic();
  assign_resources();
  build_tasks();
  schedule(t0);
  return report();
}

// When each tile runs, and the strides of the shared loops.
void GroupRun::plan() {
  // When each tile runs.
  at.assign(static_cast<size_t>(n_e), RunsAt{});
  for (int k = 0; k < n_e; ++k) {
    const int e = g.einsums[static_cast<size_t>(k)];
    at[static_cast<size_t>(k)].innermost = g.innermost(c, e);
    const int out_t = c.einsums[static_cast<size_t>(e)].output.tensor;
    for (int j : g.einsums)
      if (j != e && c.einsums[static_cast<size_t>(j)].reads(out_t) &&
          g.innermost(c, j) > at[static_cast<size_t>(k)].innermost)
        at[static_cast<size_t>(k)].first = true;
  }
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

bool GroupRun::runs(int k, const std::vector<int64_t>& it) const {
  for (size_t l = static_cast<size_t>(at[static_cast<size_t>(k)].innermost + 1); l < L; ++l)
    if (it[l] != (at[static_cast<size_t>(k)].first ? 0 : g.shared[l].factor - 1)) return false;
  return true;
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
    tile_stats.push_back(tile[static_cast<size_t>(k)].stats);
    out.fast_forwarded = out.fast_forwarded || tile[static_cast<size_t>(k)].fast_forwarded;
  }
  // The group's accounting on the cycle model's tile counts.
  gs = analytical::evaluate_group(a, c, g, &tile_stats);
}

void GroupRun::dram_traffic() {
  // DRAM words per execution of each tile: its root traffic, scaled per tensor
  // to what the group moves (retained intermediates never, inputs kept across
  // shared loops less often).
  rate = a.dram_words_per_cycle();
  dram_name = a.dram() >= 0 ? a.node(a.dram()).name : std::string("DRAM");
  dram_words.assign(static_cast<size_t>(n_e), 0);
  // Per tile, per tensor: words read from and written to the DRAM per execution.
  dram_rw.assign(static_cast<size_t>(n_e),
                 std::vector<std::pair<double, double>>(c.tensors.size()));
  if (rate > 0) {
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
        per_tiles += root_words(tile_stats[static_cast<size_t>(k)], name) *
                     static_cast<double>(g.executions(c, g.einsums[static_cast<size_t>(k)]));
      if (per_tiles <= 0) continue;
      const double f = root_words(gs.stats, name) / per_tiles;
      for (int k = 0; k < n_e; ++k) {
        dram_words[static_cast<size_t>(k)] +=
            f * root_words(tile_stats[static_cast<size_t>(k)], name);
        const Accesses ac = root_access(tile_stats[static_cast<size_t>(k)], name);
        dram_rw[static_cast<size_t>(k)][t] = {f * static_cast<double>(ac.reads + ac.fills),
                                              f * static_cast<double>(ac.updates)};
      }
    }
  }
}

// A DRAM task on the root link: the words of its execution from each
// tensor's cursor; returns the time, its excess over the peak in `extra`.
double GroupRun::link_transfer(int k, double start, double& extra) {
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
    take(dram_rw[static_cast<size_t>(k)][t].first, cursor.read_at[t], reads);
    take(dram_rw[static_cast<size_t>(k)][t].second, cursor.write_at[t], writes);
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
}

// Program order: the executions and their dependencies, values computed as we go.
void GroupRun::build_tasks() {
  if (o.functional)
    for (int e : g.einsums) golden::initialise_output(c, e, root);

  auto edge = [&](int from, int to, Why why) {
    if (from < 0 || from == to) return;
    tasks[static_cast<size_t>(from)].succ.push_back({to, why});
    ++tasks[static_cast<size_t>(to)].pending;
  };
  pipelined = g.pipeline_rank >= 0;
  std::vector<std::vector<int>> history(static_cast<size_t>(n_e));  // compute tasks of each tile
  std::vector<std::map<int, int>> last_writer(c.tensors.size());    // tile -> its last task
  std::vector<int64_t> generation(c.tensors.size(), 0);
  std::vector<std::map<int64_t, std::vector<int>>> readers(
      c.tensors.size());  // generation -> tasks
  int previous = -1;
  std::vector<int64_t> it(L, 0);
  for (;;) {
    for (int k = 0; k < n_e; ++k) {
      if (!runs(k, it)) continue;
      const int e = g.einsums[static_cast<size_t>(k)];
      const workloads::Einsum& es = c.einsums[static_cast<size_t>(e)];
      if (o.functional) {
        detail::TilePlace place{&tc, offsets(it), true};
        SimOptions values = o;
        values.root_link = nullptr;
        detail::Walker w(a, c, g.tiles[static_cast<size_t>(k)], root, values, place);
        SimResult values_only;
        w.run(values_only, false);
      }
      auto& hist = history[static_cast<size_t>(k)];
      int d = -1;
      if (dram_words[static_cast<size_t>(k)] > 0) {
        Task t;
        t.tile = k;
        t.resource = dram_res;
        t.dram = true;
        t.dur = std::ceil(dram_words[static_cast<size_t>(k)] / rate);
        tasks.push_back(t);
        d = static_cast<int>(tasks.size()) - 1;
        if (hist.size() >= 2) edge(hist[hist.size() - 2], d, Why::kBuffer);
      }
      Task t;
      t.tile = k;
      t.resource = resource_of[static_cast<size_t>(k)];
      t.dur = static_cast<double>(tile[static_cast<size_t>(k)].stats.cycles);
      tasks.push_back(t);
      const int x = static_cast<int>(tasks.size()) - 1;
      edge(d, x, Why::kDram);
      if (!hist.empty()) edge(hist.back(), x, Why::kOrder);
      if (!pipelined) edge(previous, x, Why::kOrder);
      previous = x;
      for (int in : mapping::einsum_tensors(es)) {
        if (!es.reads(in)) continue;
        for (const auto& [j, task] : last_writer[static_cast<size_t>(in)])
          edge(task, x, Why::kData);
        readers[static_cast<size_t>(in)][generation[static_cast<size_t>(in)]].push_back(x);
      }
      const size_t ot = static_cast<size_t>(es.output.tensor);
      const int64_t gen = ++generation[ot];
      auto old = readers[ot].find(gen - 2);
      if (old != readers[ot].end()) {
        for (int r : old->second) edge(r, x, Why::kBuffer);
        readers[ot].erase(old);
      }
      last_writer[ot][k] = x;
      hist.push_back(x);
      ++out.executions;
    }
    size_t l = L;
    while (l-- > 0) {
      if (++it[l] < g.shared[l].factor) break;
      it[l] = 0;
    }
    if (l == static_cast<size_t>(-1)) break;
  }
}

// Starts task x on resource r at `now`: its time (a DRAM task's from the root
// link), the computations a transfer releases, and the stall that an idle
// compute unit waited for this task's last input.
void GroupRun::start(int x, size_t r, double now, double t0) {
  Task& t = tasks[static_cast<size_t>(x)];
  t.start = now;
  if (t.dram && o.root_link) t.dur = link_transfer(t.tile, t0 + now, t.extra);
  t.end = std::max(now + t.dur, t.min_end);
  busy[r] = true;
  work[r] += t.dur;
  events.push({t.end, x});
  if (!t.dram && t.min_end > now + t.dur) {
    // Waiting for a transfer to end: as far as the DRAM's timing stretched it, that is the
    // cause.
    const double wait = t.min_end - now - t.dur, timing = std::min(wait, t.extra);
    if (timing > 0) out.stalls["dram timing"] += static_cast<int64_t>(std::llround(timing));
    if (wait > timing) out.stalls["dram"] += static_cast<int64_t>(std::llround(wait - timing));
  }
  // A transfer and the computation it feeds overlap: the computation may
  // start with it (its tiles stream in) and ends no earlier.
  if (t.dram)
    for (const auto& [sx, why] : t.succ) {
      Task& u = tasks[static_cast<size_t>(sx)];
      if (why != Why::kDram) continue;
      u.min_end = std::max(u.min_end, t.end);
      u.extra = std::max(u.extra, t.extra);
      if (now >= u.ready) {
        u.ready = now;
        u.why = why;
        u.from = x;
      }
      if (--u.pending == 0) ready[static_cast<size_t>(u.resource)].push(sx);
    }
  // A compute unit idle since its last task waited for this one's last input.
  const double gap = now - std::max(last_end[r], 0.0);
  if (!t.dram && last_end[r] >= 0 && gap > 0 && t.from >= 0) {
    std::string cause;
    switch (t.why) {
      case Why::kData:  // without pipelining a unit idles while the others run, by design
        if (pipelined)
          cause = "data from " +
                  resources[static_cast<size_t>(tasks[static_cast<size_t>(t.from)].resource)];
        break;
      case Why::kDram:
        cause = "dram";
        break;
      case Why::kBuffer:
        cause = "double buffer";
        break;
      default:
        break;
    }
    if (!cause.empty()) out.stalls[cause] += static_cast<int64_t>(std::llround(gap));
  }
  if (o.record_activity) {
    const int e = g.einsums[static_cast<size_t>(t.tile)];
    out.activity.push_back(
        {resources[r], c.einsums[static_cast<size_t>(e)].name, index, t0 + t.start, t0 + t.end});
  }
}

void GroupRun::schedule(double t0) {
  // List scheduling: each resource runs its lowest-numbered ready task.
  ready.assign(resources.size(), {});
  busy.assign(resources.size(), false);
  last_end.assign(resources.size(), -1);
  work.assign(resources.size(), 0);
  for (size_t i = 0; i < tasks.size(); ++i)
    if (tasks[i].pending == 0)
      ready[static_cast<size_t>(tasks[i].resource)].push(static_cast<int>(i));
  double now = 0;
  end = 0;
  for (;;) {
    // Dispatch until nothing more can start now (a transfer that starts releases its computation).
    for (bool more = true; more;) {
      more = false;
      for (size_t r = 0; r < resources.size(); ++r) {
        if (busy[r] || ready[r].empty()) continue;
        more = true;
        const int x = ready[r].top();
        ready[r].pop();
        start(x, r, now, t0);
      }
    }
    if (events.empty()) break;
    now = events.top().first;
    while (!events.empty() && events.top().first == now) {
      const int x = events.top().second;
      events.pop();
      Task& t = tasks[static_cast<size_t>(x)];
      busy[static_cast<size_t>(t.resource)] = false;
      last_end[static_cast<size_t>(t.resource)] = t.end;
      end = std::max(end, t.end);
      for (const auto& [s, why] : t.succ) {
        if (t.dram && why == Why::kDram) continue;  // released when the transfer started
        Task& u = tasks[static_cast<size_t>(s)];
        if (t.end >= u.ready) {
          u.ready = t.end;
          u.why = why;
          u.from = x;
        }
        if (--u.pending == 0) ready[static_cast<size_t>(u.resource)].push(s);
      }
    }
  }
  for (const Task& t : tasks)
    EINFLOW_ASSERT(t.pending == 0, "cycle model: a dependency cycle among a group's executions");
}

analytical::GroupStats GroupRun::report() {
  // The group's report: counts and energy from the accounting, time from the schedule.
  Stats& s = gs.stats;
  for (int k = 0; k < n_e; ++k) {
    const double n = static_cast<double>(g.executions(c, g.einsums[static_cast<size_t>(k)]));
    for (const auto& [cause, cycles] : tile[static_cast<size_t>(k)].stalls)
      out.stalls[cause] += static_cast<int64_t>(std::llround(static_cast<double>(cycles) * n));
    for (const auto& [node, cycles] : tile[static_cast<size_t>(k)].bank_conflicts)
      out.bank_conflicts[node] +=
          static_cast<int64_t>(std::llround(static_cast<double>(cycles) * n));
    s.per_einsum[static_cast<size_t>(k)].cycles = static_cast<int64_t>(
        std::llround(static_cast<double>(tile[static_cast<size_t>(k)].stats.cycles) * n));
  }
  std::map<std::string, double> unit_work;
  for (int k = 0; k < n_e; ++k) {
    const Stats& ts = tile_stats[static_cast<size_t>(k)];
    const std::string& u = resources[static_cast<size_t>(resource_of[static_cast<size_t>(k)])];
    unit_work[u] += ts.utilization.at(u) * static_cast<double>(ts.cycles) *
                    static_cast<double>(g.executions(c, g.einsums[static_cast<size_t>(k)]));
  }
  double busiest = 0;
  for (size_t r = 0; r + 1 < resources.size(); ++r) busiest = std::max(busiest, work[r]);
  s.cycles = whole_cycles(end, a.loc);
  s.compute_cycles = static_cast<int64_t>(std::llround(busiest));
  s.bound_by = work[static_cast<size_t>(dram_res)] > busiest ? dram_name : "compute";
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
    GroupRun run{arch, cascade, m.groups[gi], opts, static_cast<int>(gi), root, out, cursor};
    groups.push_back(run.run(t0));
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
