#include "arch/params.h"

namespace einflow::arch {

const std::vector<Param>& arch_params() {
  static const std::vector<Param> p = {
      {"name", "string", "", "required", kAllBits, "name of the design"},
      {"clock_mhz", "number", "MHz", "1000", kAllBits, "clock of every unit"},
      {"technology", "string", "", "45nm", kAllBits, "energy/area table: 45nm or 7nm"},
      {"word_bits", "int", "bits", "16", kAllBits, "default word width of every node"},
      {"tree", "map", "", "required", kAllBits, "the root node (class dram)"},
      {"host_link_gbps", "number", "GB/s", "0 (none)", kAllBits,
       "the link to the host's memory (PCIe): what moving a KV cache in or out costs (einflow bound)"},
      {"pipeline_fill_drain", "bool", "", "true", kAllBits,
       "analytical model: charge a pipelined group's fill and drain (false: the units overlap perfectly, "
       "the FuseMax paper's assumption)"},
      {"reuse_model", "string", "", "einflow", kAllBits,
       "analytical model's reuse: einflow (halos kept across loop wraps, overlapping tiles multicast) or "
       "timeloop (Timeloop's deltas: a change of stride refetches the tile; only identical tiles multicast)"},
  };
  return p;
}

const std::vector<Param>& node_params() {
  static const std::vector<Param> p = {
      {"name", "string", "", "required", kAllBits, "unique node name"},
      {"class", "string", "", "required", kAllBits, "dram, sram, regfile or compute"},
      {"mesh", "map", "", "{x: 1, y: 1}", kAllBits,
       "instances per parent instance, as an X x Y mesh"},
      {"children", "list", "", "[]", kStorageBits, "nodes below this one"},
      {"size_words", "int", "words", "required (or size_bytes)", kSramBit | kRegfileBit,
       "capacity per instance"},
      {"size_bytes", "int", "bytes", "", kStorageBits, "capacity per instance, in bytes"},
      {"word_bits", "int", "bits", "architecture.word_bits", kAllBits, "word width"},
      {"banks", "int", "", "1", kStorageBits, "banks (energy is that of one bank)"},
      {"ports_per_bank", "int", "words/cycle", "0 (banks not timed)", kSramBit | kRegfileBit,
       "ports per bank, a word each per cycle; words interleave over banks"},
      {"read_ports_per_bank", "int", "words/cycle", "0 (the shared ports_per_bank)", kSramBit | kRegfileBit,
       "read ports per bank, separate from its write ports"},
      {"write_ports_per_bank", "int", "words/cycle", "0 (the shared ports_per_bank)", kSramBit | kRegfileBit,
       "write ports per bank, separate from its read ports"},
      {"access_latency_cycles", "int", "cycles", "0", kSramBit | kRegfileBit,
       "cycles from a read request to its data (cycle model)"},
      {"read_bandwidth", "number", "words/cycle", "0 (unlimited)", kSramBit | kRegfileBit,
       "read words per cycle per instance"},
      {"write_bandwidth", "number", "words/cycle", "0 (unlimited)", kSramBit | kRegfileBit,
       "write words per cycle per instance"},
      {"noc_latency_cycles", "int", "cycles", "0", kSramBit | kRegfileBit,
       "latency of the network from the parent into these instances (cycle model)"},
      {"noc_bandwidth", "number", "words/cycle", "0 (unlimited)", kSramBit | kRegfileBit,
       "words per cycle, each direction, of the network from one parent instance"},
      {"systolic", "bool", "", "false", kSramBit | kRegfileBit,
       "PE registers over compute units pass data neighbour to neighbour (cycle model)"},
      {"multicast", "bool", "", "true", kStorageBits,
       "the fan-out below sends one word to many children"},
      {"spatial_reduction", "bool", "", "true", kStorageBits,
       "the fan-out below adds the children's partial sums"},
      {"keep", "list", "", "[] (any tensor)", kStorageBits, "tensors this level may hold"},
      {"bypass", "list", "", "[]", kStorageBits, "tensors this level never holds"},
      {"read_pj", "number", "pJ/access", "from the technology table", kStorageBits,
       "energy of a read (of a word, or of a block of block_words)"},
      {"write_pj", "number", "pJ/access", "from the technology table", kStorageBits,
       "energy of a write (a fill)"},
      {"update_pj", "number", "pJ/access", "write_pj", kStorageBits,
       "energy of a partial-sum write-back (an update)"},
      {"block_words", "int", "words", "1", kStorageBits,
       "words one access of an instance moves (Timeloop's block size): energy per whole block"},
      {"cluster", "int", "instances", "1", kSramBit | kRegfileBit,
       "instances sharing one access of a wide memory (Timeloop's cluster-size)"},
      {"leak_pj", "number", "pJ/cycle", "0", kStorageBits,
       "leakage per cycle per instance in use (at least one)"},
      {"area_um2", "number", "um^2", "from the technology table", kAllBits, "area per instance"},
      {"standard", "string", "", "none", kDramBit,
       "DRAM standard with full timing: a built-in name (a file of configs/dram/) or the path of a "
       "standard's file, relative to the architecture's"},
      {"channels", "int", "channels", "the standard's", kDramBit,
       "channels of the standard (its bandwidth and PIM units scale with them); needs 'standard'"},
      {"bandwidth_gbps", "number", "GB/s", "from the standard", kDramBit,
       "DRAM bandwidth, 1e9 bytes/s; 0 = unlimited"},
      {"pj_per_bit", "number", "pJ/bit", "from the standard", kDramBit, "DRAM access energy"},
      {"ops", "map", "", "required", kComputeBit, "operations the unit performs, by name"},
      {"datatype", "string", "", "from word_bits", kComputeBit, "int8, int16, fp16, bf16 or fp32"},
      {"contractions_only", "bool", "", "false", kComputeBit,
       "a matrix unit (tensor cores): runs contractions only; its mac stands in for no element-wise mul or add"},
  };
  return p;
}

const std::vector<Param>& op_params() {
  static const std::vector<Param> p = {
      {"latency", "int", "cycles", "1", kComputeBit, "cycles from operands to result"},
      {"per_cycle", "number", "ops/cycle", "1", kComputeBit, "operations started per cycle"},
      {"sequence", "map", "", "none", kComputeBit, "composed of other ops of the unit: {mac: 6, add: 1}"},
      {"energy_pj", "number", "pJ", "from the technology table", kComputeBit, "energy per operation"},
      {"functional_unit", "string", "", "the unit's shared datapath", kComputeBit,
       "ops on different functional units issue concurrently"},
      {"pattern", "string", "", "the op of its name", kComputeBit,
       "a fused op: the expression it performs at once, e.g. 'exp(a - b)'"},
  };
  return p;
}

std::vector<std::string> keys_for(const std::vector<Param>& table, unsigned class_bit) {
  std::vector<std::string> keys;
  for (const auto& p : table)
    if (p.classes & class_bit) keys.push_back(p.key);
  return keys;
}

}  // namespace einflow::arch
