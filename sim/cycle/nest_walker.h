// Internal to sim/cycle: the walker of a mapped nest (see nest_sim.h). It
// moves values and counts accesses (nest_walker.cpp); nest_sim.cpp schedules
// its steps and reports.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "mappers/mapping/mapping.h"
#include "sim/cycle/nest_sim.h"
#include "sim/cycle/schedule_state.h"
#include "sim/cycle/sort_unique.h"
#include "sim/cycle/word_set.h"
#include "workloads/scalar_ops.h"

namespace einflow::sim::cycle::detail {

using workloads::Cascade;
using workloads::Einsum;

struct LoopInfo {
  int level = 0;
  bool spatial = false;
  int rank = 0;  // local rank
  int64_t factor = 1;
  int64_t stride = 1;
};

// Element offset of an access: base + sum over local ranks of coef[r] * x[r].
struct Affine {
  int64_t base = 0;
  std::vector<int64_t> coef;
  int64_t at(const int64_t* x) const {
    int64_t o = base;
    for (size_t r = 0; r < coef.size(); ++r) o += coef[r] * x[r];
    return o;
  }
};

struct Cell {
  double v = 0;
  bool written = false;  // holds a value computed here or below (functional runs)
  bool dirty = false;    // some iteration point updated it (timing-only runs too)
};
using Store = std::unordered_map<int64_t, Cell>;

struct Counts {
  int64_t reads = 0, fills = 0, updates = 0;
};

// One tensor the Einsum touches.
struct TensorInfo {
  int tensor = -1;  // cascade index
  bool output = false;
  bool self_read = false;        // the output is also an input (a recurrence: RM[m1+1] from RM[m1])
  std::vector<Affine> accesses;  // every access of it (inputs may repeat a tensor)
  std::vector<int> keepers;      // levels that keep it, root first
};

// Where one execution of a mapped tile runs: the cascade whose tensors it
// reads and writes (global coordinates), the tile cascade whose rank sizes
// bound its loops (the same cascade for a whole Einsum), and the offset of
// the tile along each rank of the cascade (a fused group's shared loops).
struct TilePlace {
  const Cascade* tile = nullptr;  // null: the cascade itself
  std::vector<int64_t> offset;    // per cascade rank; empty: zeros
  bool ideal_dram = false;        // the DRAM's link costs no time (a group schedules the DRAM itself)
};

// Where a root link finds the cascade's tensors: one after another in the
// DRAM, each row-major from a 4 KiB boundary (per tensor, its first byte).
inline std::vector<uint64_t> dram_layout(const Cascade& c, int word_bytes) {
  std::vector<uint64_t> base;
  uint64_t at = 0;
  for (const auto& t : c.tensors) {
    base.push_back(at);
    at += (static_cast<uint64_t>(t.elements()) * static_cast<uint64_t>(word_bytes) + 4095) / 4096 *
          4096;
  }
  return base;
}

class Walker {
 public:
  // `root` holds every tensor the Einsum touches at cascade extents, the
  // output's written entries already initialized (functional runs; unused otherwise).
  Walker(const arch::Architecture& a, const Cascade& c, const mapping::Mapping& m,
         golden::TensorSet<double>& root, const SimOptions& o, const TilePlace& place = {});

  // Without `report`, the run only moves values in the root (and fills
  // out.steps and out.activity): a cascade's executions need no Stats.
  void run(SimResult& out, bool report = true);

 private:
  int64_t word_of(const TensorInfo& ti, const int64_t* x) const {
    return ti.accesses.front().at(x);
  }

  // The keeper of tensor ti at or above level k (k itself when it keeps it).
  int keeper_at_or_above(const TensorInfo& ti, int k) const {
    int best = 0;
    for (int q : ti.keepers)
      if (q <= k) best = q;
    return best;
  }
  // The instance of level `p` above instance `inst` of level k.
  int64_t ancestor(int64_t inst, int k, int p) const {
    int64_t div = 1;
    for (int i : m_spatial)
      if (m_loops[static_cast<size_t>(i)].level >= p && m_loops[static_cast<size_t>(i)].level < k)
        div *= m_loops[static_cast<size_t>(i)].factor;
    return inst / div;
  }
  bool multicast_between(int p, int k) const {
    for (int i = p; i < k; ++i)
      if (!level_node(i).multicast) return false;
    return true;
  }

  // Spatial loop indices of instance `inst` of level k (the first m_spatial_above[k] spatial loops).
  void spatial_of(int64_t inst, int k, std::vector<int64_t>& sidx) const {
    int cnt = m_spatial_above[static_cast<size_t>(k)];
    for (int j = cnt; j-- > 0;) {
      int64_t f = m_loops[static_cast<size_t>(m_spatial[static_cast<size_t>(j)])].factor;
      sidx[static_cast<size_t>(j)] = inst % f;
      inst /= f;
    }
  }

  // The first iteration point of level k's tile (the loops above k at their
  // current indices, spatial ones at sidx) and its extent per rank; at k = n
  // the point a compute instance runs this step.
  void tile_box(int k, const std::vector<int64_t>& sidx, std::vector<int64_t>& base,
                std::vector<int64_t>& span) const {
    base.assign(static_cast<size_t>(m_ranks), 0);
    span.assign(static_cast<size_t>(m_ranks), 1);
    size_t sj = 0;
    for (size_t i = 0; i < m_loops.size(); ++i) {
      const LoopInfo& l = m_loops[i];
      if (l.level < k) {
        int64_t idx = l.spatial ? sidx[sj] : m_temporal_index[static_cast<size_t>(m_temporal_pos[i])];
        base[static_cast<size_t>(l.rank)] += idx * l.stride;
      } else {
        span[static_cast<size_t>(l.rank)] *= l.factor;
      }
      if (l.spatial) ++sj;
    }
  }

  // The elements of tensor ti in the tile of level k for spatial prefix sidx.
  // With `written_only`, the elements of the output's own access (what the tile writes).
  void tile_of(const TensorInfo& ti, int k, const std::vector<int64_t>& sidx,
               std::vector<int64_t>& words, bool written_only = false) {
    std::vector<int64_t> base, span;
    tile_box(k, sidx, base, span);
    words.clear();
    std::vector<int64_t> x(base), hi(static_cast<size_t>(m_ranks));
    for (int r = 0; r < m_ranks; ++r) {
      hi[static_cast<size_t>(r)] =
          std::min(base[static_cast<size_t>(r)] + span[static_cast<size_t>(r)],
                   m_rank_size[static_cast<size_t>(r)]);
      if (base[static_cast<size_t>(r)] >= hi[static_cast<size_t>(r)]) return;
    }
    for (;;) {
      for (const Affine& f : ti.accesses) {
        words.push_back(f.at(x.data()));
        if (written_only) break;
      }
      int r = m_ranks;
      while (r-- > 0) {
        if (++x[static_cast<size_t>(r)] < hi[static_cast<size_t>(r)]) break;
        x[static_cast<size_t>(r)] = base[static_cast<size_t>(r)];
      }
      if (r < 0) break;
    }
    sort_unique(words);
  }

  double& root_value(const TensorInfo& ti, int64_t w) {
    EINFLOW_ASSERT(
        w >= 0 && w < static_cast<int64_t>(
                          m_root.at(m_cascade.tensors[static_cast<size_t>(ti.tensor)].name).data.size()),
        "cycle model: an element outside its tensor");
    return m_root[m_cascade.tensors[static_cast<size_t>(ti.tensor)].name].data[static_cast<size_t>(w)];
  }
  double value_at(int ti, int level, int64_t inst, int64_t w) {
    if (level == 0) return root_value(m_tensors[static_cast<size_t>(ti)], w);
    auto& st =
        m_store[static_cast<size_t>(level)][static_cast<size_t>(ti)][static_cast<size_t>(inst)];
    auto it = st.find(w);
    EINFLOW_ASSERT(it != st.end(), "cycle model: a word is missing from its buffer");
    return it->second.v;
  }
  void combine_into(int ti, int level, int64_t inst, int64_t w, double v) {
    if (!m_opts.functional) return;
    if (level == 0) {
      workloads::reduce_into(m_einsum.reduce, m_out_dtype,
                             root_value(m_tensors[static_cast<size_t>(ti)], w), v);
      return;
    }
    Cell& c =
        m_store[static_cast<size_t>(level)][static_cast<size_t>(ti)][static_cast<size_t>(inst)][w];
    if (!c.written) {
      c.v = workloads::to_dtype(m_out_dtype, v);
      c.written = true;
    } else {
      workloads::reduce_into(m_einsum.reduce, m_out_dtype, c.v, v);
    }
  }

  bool mask_holds(const int64_t* x);
  double evaluate(const int64_t* x, int64_t cinst);
  // Cycles each level's ports are busy for one transfer (0: not used).
  struct PortTimes {
    std::vector<double> read, write;  // cycles at the port's whole rate
    std::vector<double> read_words, write_words;
    // Per level and bank (bank_write: banks with separate write ports).
    // bank: the cycles with all the bank's ports; bank_words: its accesses.
    std::vector<std::vector<double>> bank, bank_write, bank_words, bank_write_words;
    // Whole cycles (a link's words) or a share of one (a compute step's stream).
    bool whole = true;
    // `banks`: per level, its timed banks (0: not timed).
    void reset(const std::vector<int64_t>& banks, bool whole_cycles) {
      whole = whole_cycles;
      for (auto* v : {&read, &write, &read_words, &write_words}) v->assign(banks.size(), 0);
      for (auto* v : {&bank, &bank_write, &bank_words, &bank_write_words}) {
        v->resize(banks.size());
        for (size_t l = 0; l < banks.size(); ++l) (*v)[l].assign(static_cast<size_t>(banks[l]), 0);
      }
    }
    // The longest any bank of level l is held.
    double most_bank(size_t l) const {
      double m = 0;
      for (double x : bank[l]) m = std::max(m, x);
      for (double x : bank_write[l]) m = std::max(m, x);
      return m;
    }
  };
  std::vector<int64_t> m_timed_banks;  // per level: its banks when timed, else 0
  std::vector<PortShape> m_port_shape;  // per level: its ports, for the ScheduleState
  std::vector<int> m_clock_groups;      // ScheduleState::clock_groups(), for fast-forward
  // Per-arrival traffic of one level, for the schedule.
  struct Traffic {
    int64_t child_in = 0, child_out = 0;  // max over the level's instances
    std::map<int, std::map<int64_t, int64_t>> parent_read,
        parent_write;  // parent level -> instance -> words
    // Levels whose banks are timed: (level, instance) -> accesses per bank.
    std::map<std::pair<int, int64_t>, std::vector<int64_t>> banks;
    // With a root link: byte addresses of the DRAM words read and written.
    std::vector<uint64_t> dram_reads, dram_writes;
    // Words each network into the level carries (keyed by the instance of the
    // level right above it), down and up, every tensor's added.
    std::map<int64_t, int64_t> noc_down, noc_up;
    // Output words it sends up (partial sums), and when the latest of the
    // partial sums it brings back down had reached the parent.
    std::vector<int64_t> evicted;
    double refill_ready = 0;
  };
  // Per level: when each partial sum it sent up reached its parent (until it comes back).
  std::vector<std::unordered_map<int64_t, double>> m_evict_landed;
  // The architecture node of level k.
  // What one load sends down from each parent instance: by_parent, the words
  // of the tile that arrive; fetched, a recurrence's earlier entries among
  // them (real reads of the parent); unicast, without multicast, the words
  // read per parent instance (a copy per child).
  struct Arrivals {
    std::map<int64_t, std::vector<int64_t>> by_parent, fetched;
    std::map<int64_t, int64_t> unicast;
    // Per network into the level: the words it carries (multicast), or its copies (unicast).
    std::map<int64_t, std::vector<int64_t>> by_net;
    std::map<int64_t, int64_t> net_copies;
  };
  void arrive(int k, size_t t, int p, bool mc, Traffic& tr, std::vector<int64_t>& sidx,
              std::vector<int64_t>& in_words, Arrivals& arr);
  void tally_parent_reads(int k, size_t t, int p, bool mc, Traffic& tr, Arrivals& arr);
  // The constructor's parts (nest_walker.cpp).
  void build_loops();
  void build_tensors();
  void build_stores();
  // The position of cascade rank `rank` among the Einsum's iteration ranks, or -1.
  int local_rank(int rank) const;
  const arch::Node& level_node(int k) const {
    return m_arch.nodes[static_cast<size_t>(m_mapping.levels[static_cast<size_t>(k)].node)];
  }
  // Counts an access of word w (of a tensor) in a bank of level's instance, when its banks are
  // timed.
  void bank_access(Traffic& tr, int level, int64_t inst, int t, int64_t w, bool write) const {
    const int64_t ports = m_bank_ports[static_cast<size_t>(level)];
    if (ports <= 0) return;
    std::vector<int64_t>& h = tr.banks[{level, bank_side(level, inst, write)}];
    if (h.empty()) h.assign(static_cast<size_t>(level_node(level).banks), 0);
    ++h[static_cast<size_t>(bank_of(level, t, w))];
  }
  // Banks with separate write ports count writes apart: (instance, side) as one key.
  int64_t bank_side(int level, int64_t inst, bool write) const {
    return 2 * inst + (write && m_bank_write_ports[static_cast<size_t>(level)] > 0 ? 1 : 0);
  }
  // The bank of word w of walker tensor t at level: the mapping's first bank
  // for the tensor there (default 0) plus w, modulo the banks.
  int64_t bank_of(int level, int t, int64_t w) const {
    return (w + m_first_bank[static_cast<size_t>(level)][static_cast<size_t>(t)]) % level_node(level).banks;
  }
  std::vector<std::vector<int64_t>> m_first_bank;  // [level][walker tensor]
  // An access of the parent level on a transfer: the DRAM's words go to the
  // root link (when there is one), a banked buffer's to its banks. `t`: the
  // walker's tensor.
  void parent_access(Traffic& tr, int level, int64_t inst, int t, int64_t w, bool write) const {
    if (level == m_dram_level && m_opts.root_link) {
      const uint64_t a =
          m_dram_base[static_cast<size_t>(m_tensors[static_cast<size_t>(t)].tensor)] +
          static_cast<uint64_t>(w) * static_cast<uint64_t>(m_opts.root_link->word_bytes());
      (write ? tr.dram_writes : tr.dram_reads).push_back(a);
      return;
    }
    bank_access(tr, level, inst, t, w, write);
  }
  void evict(int k, Traffic& tr, bool all);
  // The schedule of run(), a function per stage (nest_sim.cpp).
  struct UnitTiming {
    double step_cycles = 0;    // issue interval of one step
    double point_latency = 0;  // from a point's issue to its result (its ops one after another)
    double acc_latency = 0;    // the accumulating op's latency
    std::string acc_op;        // that op ("" when the Einsum reduces nothing)
  };
  UnitTiming unit_timing() const;
  // Fast-forward: the loop it extrapolates (-1: none), the snapshots taken at
  // the start of its last iterations, and the stages that use them.
  struct Snapshot {
    std::vector<std::vector<Counts>> counts;
    std::vector<double> clocks;
    int64_t steps = 0;
  };
  int fast_forward_loop() const;
  bool has_halo(int local_rank) const;
  void fast_forward(ScheduleState& st, SimResult& out);
  bool same_change(const Snapshot& a, const Snapshot& b, const Snapshot& c) const;
  void extrapolate(int64_t skip, ScheduleState& st, SimResult& out);
  int m_ff_loop = -1;
  std::vector<Snapshot> m_snapshots;
  // One step: the levels below `top` get new tiles; their links are timed;
  // the compute step runs when the last tile has arrived.
  // `traffic`: each level's new tile coming down; `up`: its results going up.
  void new_tiles(int64_t step, int top, std::vector<Traffic>& traffic, std::vector<Traffic>& up);
  void time_evictions(int top, const std::vector<Traffic>& up, ScheduleState& st, SimResult& out);
  double slot_free(int k, const ScheduleState& st) const;
  double start_transfer(const Traffic& tr, const PortTimes& pt, double earliest, double& dur, double& dram_part,
                        ScheduleState& st);
  double time_arrivals(int64_t step, int top, const std::vector<Traffic>& traffic, const std::vector<Traffic>& up,
                       ScheduleState& st,
                       SimResult& out, int& late);
  void time_compute(double data_ready, int late, const UnitTiming& u, ScheduleState& st, SimResult& out);
  // The odometer over the temporal loops, innermost last: false after the last
  // step, else the outermost loop that moved.
  bool next_step(int& changed);
  // The last results leave the pipeline and every level returns its outputs; the end time.
  double drain(const UnitTiming& u, ScheduleState& st);
  // With a root link: whether a level's traffic reaches it, and its timed transfer.
  bool reaches_link(const Traffic& tr) const;
  double dram_transfer(double start, const Traffic& tr, double& extra, ScheduleState& st);
  // The Stats, in the analytical model's form, and the stalls.
  void report(double end, const UnitTiming& u, const ScheduleState& st, SimResult& out);

  // Cycles from level k's link finishing to its words having arrived when the
  // traffic moves any word (else 0): the network's latency and the access
  // latency of the buffer read.
  double transfer_latency(int k, const Traffic& tr) const;
  void load(int k, Traffic& tr);
  void compute_step(bool& any);
  // The output word the first active instance updated in the last compute step
  // (-1 when none): equal in two consecutive steps, the second one accumulates
  // into the first one's result.
  int64_t m_step_word = -1;
  // `dram`: the part of it the DRAM's port is busy (0 when the link does not
  // reach the DRAM); `conflict`: the part added by bank conflicts, in the
  // banks of level `conflict_at`.
  // `pt`: the cycles each level's ports are busy for it.
  double link_cycles(int k, const Traffic& tr, double* dram, double* conflict, int* conflict_at,
                     PortTimes& pt) const;
  // When a transfer needing `pt` for `dur` may start at the earliest (no
  // earlier than `from`), and the ports' servers it takes from then;
  // take_ports returns how long they hold it (over `dur` when it took fewer
  // servers of a port than the port has, the others busy).
  static double ports_ready(const PortTimes& pt, const ScheduleState& st, double from, double dur);
  static double take_ports(const PortTimes& pt, ScheduleState& st, double start, double dur);
  // The compute step's operand reads and result writes at the levels it
  // reads and writes (compute_step fills it; empty when none is timed).
  PortTimes m_step_ports;
  PortTimes m_link_ports;  // link_cycles' scratch, reused (no allocation per transfer)
  std::vector<double> m_step_conflict;  // per level: bank cycles the step adds over an even spread
  std::vector<std::vector<int64_t>> m_step_reads, m_step_writes;  // [level][instance] words this step
  // [level] (instance, side) -> accesses per bank (bank_side: writes apart with separate write ports)
  std::vector<std::map<int64_t, std::vector<int64_t>>> m_step_banks;
  void step_port_times();
  // The output's type: integer sums saturate at every step, in the mapping's order.
  workloads::DType m_out_dtype = workloads::DType::kFp32;
  std::vector<uint64_t> m_dram_base;  // with a root link: per cascade tensor, its first byte
  // A systolic innermost level: cycles from the near corner of the array to
  // the far one, (X - 1) + (Y - 1) over the used mesh (0 otherwise).
  double m_skew = 0;
  double m_point_latency = 0;  // from a point's issue to its result (unit_timing)
  std::vector<int64_t> m_bank_ports;  // per level: (read) ports per bank, 0 when its banks are not timed
  std::vector<int64_t> m_bank_write_ports;  // per level: separate write ports per bank, 0 when shared

  const arch::Architecture& m_arch;
  const Cascade& m_cascade;       // tensors, extents and expressions
  const Cascade& m_tile_cascade;  // rank sizes of the tile
  const mapping::Mapping& m_mapping;
  const Einsum& m_einsum;         // the mapping's Einsum (in m_cascade)
  SimOptions m_opts;
  TilePlace m_place;
  std::vector<int64_t> m_offset;  // per local rank: the tile's offset
  int m_levels = 0;  // storage levels of the mapping (the compute level is m_levels)
  int m_ranks = 0;   // the Einsum's iteration ranks (local ranks)
  int m_output = 0;  // the output's index in m_tensors
  int m_dram_level = -1;  // the DRAM's position among the mapping's levels; -1 without one
  std::vector<int64_t> m_rank_size;  // per local rank: its size in the tile cascade
  std::vector<LoopInfo> m_loops;     // the nest, outermost first
  std::vector<int> m_spatial, m_temporal;  // indices into m_loops of the spatial and the temporal loops
  std::vector<int> m_temporal_pos;      // loop index -> position in m_temporal (temporal loops)
  std::vector<int64_t> m_temporal_index;  // current temporal indices
  std::vector<int64_t> m_instances;  // per level (and the compute level): instances the mapping uses
  std::vector<int> m_spatial_above;  // per level: spatial loops above it
  std::vector<TensorInfo> m_tensors;
  // Einsum::inputs[i] reads m_tensors[m_operand[i].tensor] through its access m_operand[i].access.
  struct Operand {
    int tensor = 0, access = 0;
  };
  std::vector<Operand> m_operand;
  golden::TensorSet<double>& m_root;
  std::vector<std::vector<std::vector<Store>>> m_store;  // [level][tensor][instance]
  std::vector<std::vector<std::vector<WordSet>>> m_sent;  // output words ever sent down
  std::vector<std::vector<Counts>> m_counts;         // [level][tensor]: accesses so far
  std::vector<std::vector<int64_t>> m_tile_words;    // [level][tensor]: words of its tile per instance
  std::vector<WordSet> m_compute_seen;  // per innermost output keeper instance
  std::vector<std::vector<int64_t>> m_new_tile;             // scratch
  std::vector<double> m_eval_stack;     // evaluate()'s operand stack
  std::vector<int64_t> m_global_point;  // a point in cascade coordinates (the tile's offset added)
  // Fast-forward: what the current iteration of the extrapolated loop added to
  // the output's first-touch and ever-sent sets and dirty flags (level,
  // instance, word), replayed shifted for every skipped iteration.
  bool m_log_on = false;
  // Evictions at an iteration's first step return the previous iteration's
  // words, so m_log_evicted is one iteration behind the others.
  using Log = std::vector<std::tuple<int, int64_t, int64_t>>;
  Log m_log_first, m_log_seen, m_log_dirty, m_log_evicted;
  void replay_log(int64_t shift, int up_to_level, bool evicted_only);
  void clear_log() {
    for (Log* l : {&m_log_first, &m_log_seen, &m_log_dirty, &m_log_evicted}) l->clear();
  }
  // Marks output word w of instance `inst` of `level` as updated (noted in `log`).
  void mark_dirty(int level, int64_t inst, int64_t w, Log& log) {
    Cell& cell = m_store[static_cast<size_t>(level)][static_cast<size_t>(m_output)]
                        [static_cast<size_t>(inst)][w];
    if (m_log_on && !cell.dirty) log.emplace_back(level, inst, w);
    cell.dirty = true;
  }
  // compute_step's scratch: (keeper instance, word) pairs touched this step, per tensor.
  std::vector<std::vector<std::pair<int64_t, int64_t>>> m_touched;
};

}  // namespace einflow::sim::cycle::detail
