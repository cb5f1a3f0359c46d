// Micro-kernels on processing-in-memory DRAM, run command by command as the
// vendors' simulators run them (Samsung's PIMSimulator for HBM-PIM, SK hynix's
// AiM simulator for GDDR6-AiM), and the same kernel without PIM: the host
// reading the operands and writing the result through the same DRAM on the
// ordinary command-level model (sim/cycle/dram/). Cycles are the DRAM's tCK.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "arch/dram_standard.h"
#include "sim/analytical/pim_layout.h"

namespace einflow::sim::pim {

enum class KernelKind { kGemv, kAdd, kMul, kRelu };
const char* kernel_name(KernelKind k);

// GEMV: y[rows] = W[rows x cols] x[cols]; element-wise: `elements` values.
struct Kernel {
  KernelKind kind = KernelKind::kGemv;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t elements = 0;
  int64_t matrices = 1;                    // GEMV: independent GEMVs, each with its own input
  PimLayout layout = PimLayout::kRounds;   // GEMV on AiM-style devices
  // Parses "gemv" with "ROWSxCOLS", or "add|mul|relu" with "N"; throws
  // UserError (located at `where`) for an unknown kernel or a bad shape.
  static Kernel parse(const std::string& kind, const std::string& shape);
  // Operand bytes at `word_bytes` per value: read (weights and input, or both inputs) and written.
  uint64_t read_bytes(int word_bytes) const;
  uint64_t written_bytes(int word_bytes) const;
  uint64_t macs() const;  // multiply-accumulates (GEMV) or element operations
};

// The host baseline's address mapping: channel, then bank, then bank group,
// then column (PIMSimulator's Scheme8 order), the host's best case for a
// stream: consecutive accesses spread over every channel and bank.
inline constexpr const char* kHostAddressMapping = "ro-ra-co-bg-ba-ch";

struct RunOptions {
  bool refresh = true;
  std::string host_mapping = kHostAddressMapping;
};

// What one run did, summed over the channels; cycles are the slowest channel's.
struct PimRun {
  uint64_t cycles = 0;
  std::map<std::string, uint64_t> commands;  // per command name, all channels
  uint64_t column_commands = 0;
  uint64_t row_hits = 0;            // column commands whose row was already open
  uint64_t inbank_bytes = 0;        // bank accesses that stay in the DRAM
  uint64_t offchip_bytes = 0;       // bytes over the channels' data buses
  uint64_t unit_ops = 0;            // lane operations the PIM units execute (MACs, adds, ...), padding included
  double energy_pj = 0;
  // Adds `times` channels that ran `one` (counts only; cycles and energy stay).
  void add_channels(const PimRun& one, uint64_t times) {
    for (const auto& [name, n] : one.commands) commands[name] += n * times;
    column_commands += one.column_commands * times;
    row_hits += one.row_hits * times;
    inbank_bytes += one.inbank_bytes * times;
    offchip_bytes += one.offchip_bytes * times;
    unit_ops += one.unit_ops * times;
  }
  double row_hit_rate() const {
    return column_commands ? static_cast<double>(row_hits) / static_cast<double>(column_commands) : 0.0;
  }
};

// The kernel on the standard's PIM units; throws UserError when the standard
// has none, or its command set has no such kernel (AiM runs GEMV only: its
// element-wise commands work on MAC results, not on operands in the banks), or
// the layout needs more partial sums per bank than the units hold.
PimRun run_pim(const arch::DramStandard& s, const Kernel& k, const RunOptions& o);
// The same kernel on the host: the operands read and the result written,
// streamed through the standard's channels by the ordinary controller.
PimRun run_host(const arch::DramStandard& s, const Kernel& k, const RunOptions& o);

// A vector-matrix product (workloads::vector_matrix: `vectors` x `matrices`
// GEMVs of rows x cols) on the PIM units in a layout, command by command:
// AiM-style devices run the matrices together in the row-stream layout, every
// other case one GEMV after another. Cycles and counts add up over the runs.
PimRun run_pim_vmm(const arch::DramStandard& s, int64_t rows, int64_t cols, int64_t matrices, int64_t vectors,
                   PimLayout layout);

// Operand bytes per value of the standard's PIM datatype (2 for fp16 / bf16).
int pim_word_bytes(const arch::DramStandard& s);

// The layout a device runs a GEMV in unless told: row-stream where its units
// hold several partial sums (PIM-GPT), rounds otherwise (AiM, HBM-PIM's own).
PimLayout default_layout(const arch::DramStandard& s);

}  // namespace einflow::sim::pim
