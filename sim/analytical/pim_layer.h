// A cascade (a model's layer, a decode step) on an architecture whose DRAM
// has PIM units: every Einsum placed on the PIM units or on the host's units
// (the ASIC, the arrays) by which finishes it sooner, the data between them
// costed. An Einsum can run on PIM when it is a vector-matrix product over an
// operand that lies in the DRAM (weights, the KV cache): its reduced ranks
// and its output ranks of that operand give each GEMV's columns and rows, the
// ranks it shares with the other operand give independent GEMVs (heads), the
// ranks only the other operand has give vectors run one after another
// (prefill's queries). On PIM it costs the PIM model's GEMV (pim_model.h:
// the input broadcast into the buffers, the row activations, the column
// commands, the results read by the host) in the cheaper layout the device
// allows; on the host, its roofline: its work on the unit that does it
// fastest at that unit's peak, or its operands read once and its result
// written once at the DRAM's bandwidth (peak_bound.h), whichever is longer,
// as an unfused framework runs it. The Einsums run one after another. The KV
// cache is read where it lies (the copies that build K and V from it cost
// nothing; the new token's append is a write).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "sim/analytical/pim_model.h"
#include "sim/stats/stats.h"
#include "workloads/analysis.h"
#include "workloads/cascade.h"

namespace einflow::sim::analytical {

enum class PimPolicy { kBest, kHostOnly };

struct PimPlacement {
  std::string einsum;
  std::string where;        // "pim", "host", or "in place" (a cache copy that costs nothing)
  bool vmm = false;         // a vector-matrix product over a DRAM-resident operand
  PimGemv shape;            // for a vmm: independent GEMVs of rows x cols
  int matrix_input = -1;    // for a vmm: which of the Einsum's inputs is the resident matrix
  int64_t vectors = 1;      // for a vmm: GEMVs one after another per matrix
  PimLayout layout = PimLayout::kRounds;
  double host_seconds = 0;  // on the host (its roofline)
  double host_compute_seconds = 0;  // of which its host unit computes at its peak
  double pim_macs = 0;      // on PIM: the lanes' MACs
  double pim_seconds = 0;   // on PIM (0: cannot run there)
  double seconds = 0;       // where it runs
  double energy_pj = 0;
  double offchip_bytes = 0;  // bytes over the DRAM's interface
  std::string host_unit;     // the host unit it would run on
};

struct PimCascade {
  std::vector<PimPlacement> einsums;  // in execution order
  double seconds = 0;
  double energy_pj = 0;
  double offchip_bytes = 0;
  double vmm_seconds = 0;      // the vector-matrix products' share of `seconds`
  double pim_activations = 0, pim_column_commands = 0;
  double row_hit_rate() const { return pim_column_commands > 0 ? 1 - pim_activations / pim_column_commands : 0; }
  double non_vmm_share() const { return seconds > 0 ? 1 - vmm_seconds / seconds : 0; }
};

// A vector-matrix product (workloads::vector_matrix) on the PIM units in a
// layout: its `vectors` GEMVs one after another, at the PIM model's figures.
struct PimVmmCost {
  double seconds = 0, energy_pj = 0, offchip_bytes = 0, inbank_bytes = 0, unit_ops = 0;
  double activations = 0, column_commands = 0;
};
PimGemv pim_gemv_of(const workloads::VectorMatrix& v);
// Whether the device runs `v` in `layout` (row-stream on AiM-style devices
// only) with its weights inside the rows the banks have.
bool pim_layout_fits(const arch::DramStandard& s, const workloads::VectorMatrix& v, PimLayout layout);
// UserError at `where` when it does not.
void require_pim_layout_fits(const arch::DramStandard& s, const workloads::Einsum& e, const workloads::VectorMatrix& v,
                             PimLayout layout, const SourceLoc& where);
PimVmmCost pim_vmm_cost(const arch::DramStandard& s, const workloads::VectorMatrix& v, PimLayout layout);
// The fastest layout that fits; nothing when none does.
std::optional<PimLayout> best_pim_layout(const arch::DramStandard& s, const workloads::VectorMatrix& v);

// The fastest layout of Einsum `einsum` on the architecture's PIM unit:
// nothing when it has none, the Einsum is no vector-matrix product over an
// operand in the DRAM, or no layout fits.
std::optional<PimLayout> pim_layout_for(const arch::Architecture& a, const workloads::Cascade& c, int einsum);

// One Einsum bound to the DRAM's PIM unit (a mapping whose compute is the
// PIM unit: arch::Node::pim), costed by the PIM model in the mapping's
// layout: its cycles (the architecture's clock), energy (in-bank accesses,
// the lanes' MACs, the vector in and the results out over the channels),
// off-chip bytes, and the PIM unit's utilization (MACs over its peak).
// UserError at the mapping when the layout does not fit the banks' rows.
Stats pim_einsum_stats(const arch::Architecture& a, const workloads::Cascade& c, int einsum, PimLayout layout,
                       const SourceLoc& where);

// The Stats of a vector-matrix product that cost `cost` on the PIM unit (the
// PIM model's figures, or the command-level model's), and of the KV cache's
// copies (read in place: nothing; the new token appended: its values read and
// written once at the DRAM's bandwidth).
Stats pim_vmm_stats(const arch::Architecture& a, const workloads::Einsum& e, const PimVmmCost& cost,
                    const SourceLoc& where);
Stats cache_copy_stats(const arch::Architecture& a, const workloads::Cascade& c, const workloads::Einsum& e,
                       const SourceLoc& where);

// UserError (at the architecture) when its DRAM has no PIM units and the policy needs them.
PimCascade pim_cascade(const arch::Architecture& arch, const workloads::Cascade& cascade, PimPolicy policy);

Stats pim_cascade_stats(const arch::Architecture& arch, const PimCascade& r);

}  // namespace einflow::sim::analytical
