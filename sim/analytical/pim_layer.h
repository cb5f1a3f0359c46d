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

#include <string>
#include <vector>

#include "arch/arch.h"
#include "sim/analytical/pim_model.h"
#include "sim/stats/stats.h"
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

// UserError (at the architecture) when its DRAM has no PIM units and the policy needs them.
PimCascade pim_cascade(const arch::Architecture& arch, const workloads::Cascade& cascade, PimPolicy policy);

Stats pim_cascade_stats(const arch::Architecture& arch, const PimCascade& r);

}  // namespace einflow::sim::analytical
