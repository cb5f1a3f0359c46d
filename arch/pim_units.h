// Internal to arch/: the PIM part of a DRAM as tree nodes (pim_units.cpp).
#pragma once

#include "arch/arch.h"
#include "common/error.h"

namespace einflow::arch {

// Names of the nodes a PIM DRAM gains.
inline constexpr const char* kPimBankNode = "PIMBank";
inline constexpr const char* kPimUnitNode = "PIM";

// When the DRAM's standard has a `pim` section, appends below the DRAM a
// storage node for the banks each PIM unit serves (mesh: channels x units
// per channel) and the unit below it, from the standard's figures. Runs after
// the tree is resolved; reports a node of the tree already using their names.
void attach_pim_units(Architecture& arch, Diagnostics& diags);

}  // namespace einflow::arch
