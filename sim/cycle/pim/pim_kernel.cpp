#include "sim/cycle/pim/pim_kernel.h"

#include <limits>

#include "common/error.h"
#include "common/yaml_node.h"
#include "sim/cycle/dram/address.h"
#include "sim/cycle/dram/traffic.h"
#include "sim/cycle/pim/aim_kernels.h"
#include "sim/cycle/pim/hbm_pim.h"

namespace einflow::sim::pim {

const char* kernel_name(KernelKind k) {
  switch (k) {
    case KernelKind::kGemv:
      return "gemv";
    case KernelKind::kAdd:
      return "add";
    case KernelKind::kMul:
      return "mul";
    case KernelKind::kRelu:
      return "relu";
  }
  return "?";
}

namespace {

// Sizes stay far below what 64-bit byte and command counts can hold.
constexpr int64_t kMaxExtent = int64_t{1} << 31;

int64_t extent(const std::string& text, const std::string& shape) {
  auto v = parse_int_with_suffix(text);
  if (!v || *v < 1 || *v > kMaxExtent)
    throw UserError(SourceLoc{"--shape", 0, 0}, "shape",
                    "expected a whole number from 1 to 2^31 (K, M and G suffixes allowed), got '" + text +
                        "' in '" + shape + "'");
  return *v;
}

}  // namespace

Kernel Kernel::parse(const std::string& kind, const std::string& shape) {
  Kernel k;
  if (kind == "gemv") {
    k.kind = KernelKind::kGemv;
    const size_t x = shape.find('x');
    if (x == std::string::npos)
      throw UserError(SourceLoc{"--shape", 0, 0}, "shape", "gemv needs ROWSxCOLS (4096x4096), got '" + shape + "'");
    k.rows = extent(shape.substr(0, x), shape);
    k.cols = extent(shape.substr(x + 1), shape);
    return k;
  }
  if (kind == "add" || kind == "mul" || kind == "relu") {
    k.kind = kind == "add" ? KernelKind::kAdd : kind == "mul" ? KernelKind::kMul : KernelKind::kRelu;
    k.elements = extent(shape, shape);
    return k;
  }
  throw UserError(SourceLoc{"--kernel", 0, 0}, "kernel",
                  "unknown kernel '" + kind + "'; known: gemv, add, mul, relu");
}

uint64_t Kernel::read_bytes(int word_bytes) const {
  const uint64_t w = static_cast<uint64_t>(word_bytes);
  if (kind == KernelKind::kGemv) return w * static_cast<uint64_t>(matrices * (rows * cols + cols));
  return w * static_cast<uint64_t>(elements) * (kind == KernelKind::kRelu ? 1 : 2);
}

uint64_t Kernel::written_bytes(int word_bytes) const {
  return static_cast<uint64_t>(word_bytes) * static_cast<uint64_t>(kind == KernelKind::kGemv ? matrices * rows : elements);
}

uint64_t Kernel::macs() const {
  return kind == KernelKind::kGemv ? static_cast<uint64_t>(matrices * rows * cols) : static_cast<uint64_t>(elements);
}

int pim_word_bytes(const arch::DramStandard& s) { return s.pim.datatype == "fp32" ? 4 : 2; }

PimLayout default_layout(const arch::DramStandard& s) {
  return s.pim.command_set == arch::PimCommandSet::kAim && s.pim.result_latches > 1 ? PimLayout::kRowStream
                                                                                    : PimLayout::kRounds;
}

PimRun run_pim(const arch::DramStandard& s, const Kernel& k, const RunOptions& o) {
  PimRun r;
  switch (s.pim.command_set) {
    case arch::PimCommandSet::kHbmPim:
      r = run_hbm_pim(s, k, o);
      break;
    case arch::PimCommandSet::kAim:
      r = run_aim(s, k, o);
      break;
    case arch::PimCommandSet::kNone:
      throw UserError(SourceLoc{"--device", 0, 0}, "device",
                      "DRAM standard '" + s.name + "' has no PIM units (no `pim` section in " + s.file + ")");
  }
  // Per-bit energies include the row activations, as the off-chip figure does.
  r.energy_pj = 8.0 * static_cast<double>(r.inbank_bytes) * s.pim.inbank_pj_per_bit +
                8.0 * static_cast<double>(r.offchip_bytes) * s.pj_per_bit +
                static_cast<double>(r.unit_ops) * s.pim.pj_per_mac;
  return r;
}

PimRun run_pim_vmm(const arch::DramStandard& s, int64_t rows, int64_t cols, int64_t matrices, int64_t vectors,
                   PimLayout layout) {
  Kernel k;
  k.kind = KernelKind::kGemv;
  k.rows = rows;
  k.cols = cols;
  k.layout = layout;
  uint64_t runs = static_cast<uint64_t>(vectors);
  if (s.pim.command_set == arch::PimCommandSet::kAim && layout == PimLayout::kRowStream)
    k.matrices = matrices;
  else
    runs *= static_cast<uint64_t>(matrices);
  const PimRun one = run_pim(s, k, RunOptions{});
  PimRun all;
  all.add_channels(one, runs);  // the counts of `runs` runs
  all.cycles = one.cycles * runs;
  all.energy_pj = one.energy_pj * static_cast<double>(runs);
  return all;
}

namespace {

void add_phase(PimRun& run, const arch::DramStandard& s, uint64_t bytes, bool write, const RunOptions& o) {
  if (bytes == 0) return;
  dram::TrafficConfig cfg;
  cfg.pattern = dram::Pattern::kStream;
  cfg.requests = (bytes + static_cast<uint64_t>(s.access_bytes) - 1) / static_cast<uint64_t>(s.access_bytes);
  cfg.controller.refresh = o.refresh;
  // The host keeps every channel's queue full.
  cfg.outstanding = s.channels * cfg.controller.queue_depth;
  cfg.write_fraction = write ? 1.0 : 0.0;
  cfg.address_mapping = o.host_mapping;
  const dram::TrafficResult t = dram::run_traffic(s, cfg);
  run.cycles += t.cycles;
  for (int c = 0; c < static_cast<int>(dram::Command::kCount); ++c)
    if (t.stats.commands[static_cast<size_t>(c)] > 0)
      run.commands[dram::command_name(static_cast<dram::Command>(c))] += t.stats.commands[static_cast<size_t>(c)];
  run.column_commands += t.stats.reads + t.stats.writes;
  run.row_hits += t.stats.row_hits;
  run.offchip_bytes += cfg.requests * static_cast<uint64_t>(s.access_bytes);
  run.energy_pj += t.energy_pj;
}

}  // namespace

PimRun run_host(const arch::DramStandard& s, const Kernel& k, const RunOptions& o) {
  std::string error;
  if (!dram::AddressMap::parse(o.host_mapping, s, error)) throw UserError(SourceLoc{"--host-mapping", 0, 0}, error);
  PimRun run;
  const int w = pim_word_bytes(s);
  add_phase(run, s, k.read_bytes(w), false, o);
  add_phase(run, s, k.written_bytes(w), true, o);
  return run;
}

}  // namespace einflow::sim::pim
