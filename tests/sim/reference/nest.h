// Internal to the reference simulator: one mapped Einsum's tile as a program
// of transfers and compute steps (nest.cpp), with the words it moves counted.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tests/sim/reference/engine.h"
#include "tests/sim/reference/reference.h"

namespace einflow::reference::detail {

// What links one run of a nest to the ops around it (a group's executions).
struct Context {
  int unit = 0;
  int prev_step = -1;              // out: the run's last step
  std::vector<int> first_needs;    // steps whose results the run's first step waits for
  std::vector<int> transfer_needs; // steps whose tiles must be released before any transfer
  std::map<std::string, int> last_transfer;  // per level name: its link's latest transfer (in and out)
  // Tensors (cascade index) whose words never cross the link into the given
  // level: they are already there (an intermediate its writer left).
  std::map<int, int> resident_at;  // tensor -> level index
};

// The program's cycles (run_best), its fixed rules' and the winning rule, into r.
void time_program(const Program& p, int64_t search_to, Result& r);

class Nest {
 public:
  // `size`: per cascade rank, the extent the nest covers; `offset`: where it starts.
  Nest(const arch::Architecture& a, const workloads::Cascade& c, const mapping::Mapping& m,
       std::vector<int64_t> size, std::vector<int64_t> offset, Program& p, Result& r, Context& ctx);
  void build();

 private:
  struct Loop {
    int level = 0;
    bool spatial = false;
    int rank = 0;  // local
    int64_t factor = 1, stride = 1;
  };
  struct Tensor {
    int index = 0;  // cascade tensor
    bool output = false;
    std::vector<const workloads::Access*> accesses;
    std::vector<int> keepers;  // levels, root first
  };
  // Per level, tensor, instance: the words present and whether a step (or a
  // child's eviction) updated them.
  using Store = std::map<int64_t, bool>;

  const arch::Node& node(int k) const { return a_.nodes[static_cast<size_t>(m_.levels[static_cast<size_t>(k)].node)]; }
  int64_t word(const Tensor& t, const workloads::Access& acc, const std::vector<int64_t>& x) const;
  int64_t ancestor(int64_t inst, int k, int p) const;
  std::vector<int64_t> spatial_index(int64_t inst, int k) const;
  std::set<int64_t> tile(const Tensor& t, int k, int64_t inst) const;
  std::vector<int64_t> point(int64_t inst) const;
  bool multicast(int p, int k) const;
  int keeper_above(const Tensor& t, int k) const;

  void access(std::vector<int>& res, int level, int64_t inst, const Tensor& t, int64_t w, bool write);
  int net(int k, int64_t inst, bool up);
  Counts& count(int level, const Tensor& t);

  void evict(int k, bool all, Op& op, int op_index);
  void load(int k, Op& op);
  void step(Op& op);
  std::vector<MoveRef> writes_of(int level, int64_t inst, const Tensor& t, int64_t w) const;

  const arch::Architecture& a_;
  const workloads::Cascade& c_;
  const mapping::Mapping& m_;
  const workloads::Einsum& e_;
  std::vector<int64_t> size_, offset_;  // per cascade rank
  Program& p_;
  Result& r_;
  Context& ctx_;
  int n_ = 0;  // storage levels; the compute is level n_
  std::vector<Loop> loops_;
  std::vector<int> temporal_;   // indices into loops_
  std::vector<int64_t> index_;  // per temporal loop: its current index
  std::vector<int64_t> instances_;  // per level (and the compute)
  std::vector<Tensor> tensors_;
  std::vector<std::vector<std::vector<Store>>> store_;        // [level][tensor][instance]
  std::vector<std::vector<std::vector<std::set<int64_t>>>> sent_;  // output words ever sent down, per parent instance
  std::vector<std::set<int64_t>> seen_;  // per innermost output keeper instance: words the compute updated
  // The move that last wrote (level, instance, tensor, word): a child's eviction into it.
  std::map<std::tuple<int, int64_t, int, int64_t>, MoveRef> last_write_;
  std::vector<int> tile_op_;          // per level: the transfer of its current tile
  std::vector<std::vector<int>> tile_steps_;  // per level: the steps that used its current tile
  std::vector<int> last_of_previous_;  // per level: the last step of its previous tile (-1)
  std::vector<int> last_of_before_;    // per level: of the tile before that
  int64_t step_cycles_ = 1, point_latency_ = 1, acc_latency_ = 0;
};

}  // namespace einflow::reference::detail
