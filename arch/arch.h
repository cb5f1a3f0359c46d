// The architecture (DESIGN §3): a tree with DRAM at the root, storage levels
// below it, fan-outs as X x Y meshes and compute units at the leaves. Siblings
// may differ (FuseMax: a 2D and a 1D array under one global buffer). Built by
// load_arch(), which validates everything first; immutable afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/dram_standard.h"
#include "common/error.h"

namespace einflow {
class YamlNode;
}

namespace einflow::arch {

enum class NodeClass : uint8_t { kDram, kSram, kRegfile, kCompute };
const char* node_class_name(NodeClass c);  // "dram", "sram", "regfile", "compute"

// Instances of a node per instance of its parent, laid out as a mesh.
struct Mesh {
  int64_t x = 1;
  int64_t y = 1;
  int64_t size() const { return x * y; }
};

// One operation a compute unit performs. An op the unit lacks in hardware may be
// a sequence of ops it has (exp = 6 mac + 1 add on FuseMax's PEs).
//
// A fused op has a `pattern` over an Einsum's expression (`exp(a - b)`, `a * b
// + c`): it performs the whole pattern as one operation, its `sequence` (or its
// own energy) saying which actions that takes. Each op runs on a functional
// unit; ops on different functional units issue concurrently, so an op made of
// steps on several units is busy for the busiest one's share (FLAT's 1D PE:
// subtract on the adder and exp on the exp unit, pipelined, 1 cycle).
struct PatternNode {
  std::string op;     // "" for a placeholder; "+", "-", "*", "/", "neg", "max", "min", "exp", ...
  std::string name;   // a placeholder's name
  int lhs = -1;       // operand nodes (post-order indices), -1 when absent
  int rhs = -1;
};

struct OpSpec {
  std::string name;                   // "mac", "add", "max", "exp", "div", ...
  int64_t latency_cycles = 1;         // from operands in to result out
  double per_cycle = 1;               // operations started per cycle (pipelined throughput)
  std::vector<std::pair<std::string, int64_t>> sequence;  // when composed of other ops
  std::string functional_unit;        // "" = the unit's shared datapath
  std::string pattern_text;           // a fused op's pattern as written ("" = the op of its name)
  std::vector<PatternNode> pattern;   // parsed, post-order, root last
  // Resolved by the loader:
  double issue_cycles = 1;            // cycles per operation on its busiest functional unit
  std::vector<std::pair<std::string, double>> busy;        // cycles per operation, by functional unit
  std::vector<std::pair<std::string, int64_t>> actions;    // actions performed per operation (energy), by op name
  double energy_pj = 0;               // per operation
  std::string energy_source;          // where energy_pj comes from
};

// Parses an op pattern ("exp(a - b)", "a * b + c", "max(a, b)"): placeholders
// are names, operators + - * / and unary -, functions exp sqrt rsqrt recip gelu
// silu relu tanh sigmoid log abs (one operand) and max min (two). Each
// placeholder at most once. Empty result and `error` set when malformed.
std::vector<PatternNode> parse_op_pattern(const std::string& text, std::string& error);
// The function names a pattern may use.
std::vector<std::string> pattern_functions();

struct Node {
  std::string name;
  NodeClass cls = NodeClass::kSram;
  int parent = -1;
  std::vector<int> children;
  Mesh mesh;                    // instances per parent instance
  int64_t instances = 1;        // total: product of the meshes from the root
  SourceLoc loc;

  // Storage (dram, sram, regfile).
  int64_t size_words = 0;       // capacity per instance; 0 = unbounded
  int word_bits = 16;
  int64_t banks = 1;
  // Ports per bank, each moving one word (read or write) per cycle; 0: banks
  // are not modelled for timing (only area and energy). A word's bank is its
  // tensor's row-major element index modulo `banks` (tensors bank-aligned).
  int64_t ports_per_bank = 0;
  // Or separate read and write ports per bank (a read and a write in the same
  // bank in the same cycle); 0: the shared ports above.
  int64_t read_ports_per_bank = 0, write_ports_per_bank = 0;
  bool separate_bank_ports() const { return read_ports_per_bank > 0 || write_ports_per_bank > 0; }
  bool banks_timed() const { return ports_per_bank > 0 || separate_bank_ports(); }
  // Cycles from a read request to its data (cycle model; pipelined).
  int64_t access_latency_cycles = 0;
  double read_bandwidth = 0;    // words per cycle per instance; 0 = unlimited
  double write_bandwidth = 0;   // words per cycle per instance; 0 = unlimited
  // Cycles a word takes across the network from the parent into these
  // instances (and back up); transfers pipeline, so it delays arrivals, not
  // the link's throughput. The analytical model assumes it hidden.
  int64_t noc_latency_cycles = 0;
  // Words per cycle the network from one parent instance into these instances
  // carries in each direction (a multicast word once); 0 = unlimited (cycle model).
  double noc_bandwidth = 0;
  // The instances (a PE array's registers, right above its compute units) pass
  // operands and results to their neighbours, one hop per cycle, instead of a
  // broadcast network: the far corner of the used X x Y array computes and
  // returns (X - 1) + (Y - 1) cycles after the near one (cycle model).
  bool systolic = false;
  bool multicast = true;        // the fan-out below can send one word to many children
  bool spatial_reduction = true;  // the fan-out below can add children's partial sums
  std::vector<std::string> keep;    // tensors it may hold (empty: any)
  std::vector<std::string> bypass;  // tensors it never holds
  // Energies per access. An access of an instance moves a block of
  // `block_words` words (Timeloop's vector access; 1: per word): the models
  // charge ceil(words per instance and tensor / block_words) accesses. The
  // instances of a `cluster` share one row of a wide memory: one access
  // energy serves the cluster (Timeloop's cluster-size).
  double read_pj = 0;
  double write_pj = 0;          // a fill
  double update_pj = 0;         // a partial sum written back (default write_pj)
  int64_t block_words = 1;
  int64_t cluster = 1;
  // Leakage, per cycle per instance in use (at least one: unused instances
  // are power-gated, as Timeloop's default); 0 by default.
  double leak_pj = 0;
  std::string energy_source;

  // A DRAM's processing-in-memory part (pim_units.cpp): the banks that share
  // a PIM unit (storage, one instance per unit) and the unit itself. Made
  // from the DRAM standard's `pim` section, never written in the YAML.
  bool pim = false;

  // DRAM.
  std::optional<DramStandard> dram_standard;
  double bandwidth_gbps = 0;    // 1e9 bytes per second; 0 for on-chip storage
  double pj_per_bit = 0;

  // Compute.
  std::vector<OpSpec> ops;
  std::string datatype = "fp16";  // precision of the energy and area tables
  // A matrix unit (a GPU's tensor cores): it runs contractions only, its mac
  // standing in for no element-wise multiply or add.
  bool contractions_only = false;

  double area_um2 = 0;          // per instance
  std::string area_source;

  bool is_storage() const { return cls != NodeClass::kCompute; }
  const OpSpec* find_op(const std::string& op) const;
  int64_t size_bytes() const { return size_words * word_bits / 8; }
  // Energy of `words` accesses of one kind to one tensor at `pj` per access,
  // summed over `instances` instances in use: per word with blocks of 1, else
  // whole blocks per instance, one per cluster.
  double access_energy(double words, double instances, double pj) const;
  // Cycles an instance's on-chip ports are busy for `reads` and `writes`
  // words (spread evenly over the banks; 0 where a port is unlimited or its
  // banks are not timed). The models' one rule for a level's port bound.
  struct PortCycles {
    double read = 0, write = 0;          // read_bandwidth, write_bandwidth
    double banks = 0;                    // shared ports_per_bank
    double bank_read = 0, bank_write = 0;  // separate bank ports
    double busiest() const;
  };
  PortCycles port_cycles(double reads, double writes) const;
};

// How the analytical model counts reuse (a named modelling choice).
// kEinflow: a buffer keeps whatever part of the next tile it holds, whichever
// loop moved the tile (sliding windows across loop wraps), and a fan-out reads
// the union of its children's tiles once (overlapping halos multicast).
// kTimeloop: Timeloop's nest analysis: a tile keeps its overlap with the
// previous one only while the translation repeats the innermost loop's (after
// a change of stride it is fetched whole), and a fan-out multicasts only to
// children whose tiles are identical.
enum class ReuseModel : uint8_t { kEinflow, kTimeloop };

class Architecture {
 public:
  std::string name;
  std::string file;
  double clock_mhz = 1000;
  std::string technology = "45nm";
  // A modelling assumption of the analytical model: a pipelined group's units
  // fill and drain (true), or overlap perfectly from the first iteration to the
  // last (false; the FuseMax paper's model). The cycle model always schedules.
  bool pipeline_fill_drain = true;
  double host_link_gbps = 0;  // the host link (PCIe), GB/s; 0: none
  ReuseModel reuse_model = ReuseModel::kEinflow;
  std::vector<Node> nodes;  // parents before children; ask root(), dram(), path_to(): no code assumes positions
  SourceLoc loc;

  int find(const std::string& name) const;  // -1 when absent
  const Node& node(int i) const { return nodes.at(i); }
  // The root of the tree (storage with one instance: the DRAM, or an on-chip root).
  int root() const { return 0; }
  // The off-chip memory (the class-dram node), or -1 when the design has none.
  int dram() const;
  // Whether `node` is the off-chip memory.
  bool is_offchip(int node) const { return nodes.at(static_cast<size_t>(node)).cls == NodeClass::kDram; }
  // The position of `node` among the storage levels above `unit` (a mapping's
  // level index, root first), or -1 when it is not one of them (or node < 0).
  int level_of(int unit, int node) const;
  std::vector<int> compute_units() const;
  // The compute units outside the DRAM (every one but the PIM units): what
  // per-Einsum searches, the named designs and the rooflines use.
  std::vector<int> host_units() const;
  bool is_pim(int node) const { return node >= 0 && nodes.at(static_cast<size_t>(node)).pim; }
  // The DRAM's PIM compute unit, or -1 when its standard has none.
  int pim_unit() const;
  // Nodes from the root down to `leaf`, inclusive.
  std::vector<int> path_to(int leaf) const;
  // Storage nodes on the path to `leaf`, root first.
  std::vector<int> storage_path(int leaf) const;
  // Instances of `below` per instance of its ancestor `above` (product of meshes).
  int64_t fanout(int above, int below) const;
  double total_area_um2() const;
  // Seconds of `cycles` clock cycles (the one conversion every model uses).
  double seconds(double cycles) const { return cycles / (clock_mhz * 1e6); }
  // DRAM bandwidth in words of `word_bits` per clock cycle.
  double dram_words_per_cycle(const Node& dram) const;
  // The same of dram(); 0 when there is no DRAM or its bandwidth is unlimited.
  double dram_words_per_cycle() const;
};

// Loads, validates and builds; throws UserError listing every problem.
Architecture load_arch(const std::string& path);
Architecture load_arch_text(const std::string& text, const std::string& name);
// From a parsed document (a sweep's point, with its overrides applied).
Architecture load_arch_node(const YamlNode& doc);

}  // namespace einflow::arch
