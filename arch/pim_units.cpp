// The PIM part of a DRAM as nodes of the tree, so that binding, the cascade
// search and the reports see the PIM units beside the host's (DESIGN §3).
#include "arch/pim_units.h"

#include <string>

namespace einflow::arch {

void attach_pim_units(Architecture& arch, Diagnostics& diags) {
  const int dram = arch.dram();
  if (dram < 0 || !arch.nodes[static_cast<size_t>(dram)].dram_standard) return;
  const DramStandard s = *arch.nodes[static_cast<size_t>(dram)].dram_standard;
  if (!s.pim.enabled()) return;
  const SourceLoc loc = arch.nodes[static_cast<size_t>(dram)].loc;
  for (const char* name : {kPimBankNode, kPimUnitNode})
    if (arch.find(name) >= 0)
      diags.error(arch.nodes[static_cast<size_t>(arch.find(name))].loc, name,
                  std::string("'") + name + "' names the PIM nodes that DRAM standard " + s.name +
                      " adds below the DRAM: rename this node");
  if (!diags.empty()) return;
  const std::string source = "DRAM standard " + s.name + " (pim)";
  // Operands per clock cycle of the architecture: each lane takes one per PIM clock.
  const double per_cycle = s.pim.lanes * s.pim.clock_mhz / arch.clock_mhz;
  const int word_bits = s.pim.datatype == "fp32" ? 32 : 16;

  Node bank;
  bank.name = kPimBankNode;
  bank.cls = NodeClass::kRegfile;
  bank.pim = true;
  bank.parent = dram;
  bank.loc = loc;
  bank.mesh = {s.channels, s.pim.units_per_channel(s.org.banks())};
  bank.instances = bank.mesh.size();
  bank.word_bits = word_bits;
  bank.size_words = static_cast<int64_t>(s.pim.banks_per_unit) * s.org.rows * s.org.columns * s.access_bytes * 8 /
                    word_bits;
  bank.banks = s.pim.banks_per_unit;
  bank.read_bandwidth = per_cycle;  // a column access feeds every lane
  bank.read_pj = bank.write_pj = bank.update_pj = s.pim.inbank_pj_per_bit * word_bits;
  bank.multicast = true;            // the global buffer broadcasts the vector
  bank.spatial_reduction = false;   // partial sums leave through the host
  bank.energy_source = source;
  bank.area_source = "in the DRAM's banks (not counted)";

  Node unit;
  unit.name = kPimUnitNode;
  unit.cls = NodeClass::kCompute;
  unit.pim = true;
  unit.loc = loc;
  unit.word_bits = word_bits;
  unit.datatype = s.pim.datatype;
  unit.contractions_only = true;  // its lanes run the vector-matrix products
  OpSpec mac;
  mac.name = "mac";
  mac.per_cycle = per_cycle;
  mac.issue_cycles = 1 / per_cycle;
  mac.busy = {{"", mac.issue_cycles}};
  mac.actions = {{"mac", 1}};
  mac.energy_pj = s.pim.pj_per_mac;
  mac.energy_source = source;
  unit.ops.push_back(mac);
  unit.area_um2 = s.pim.unit_area_mm2 * 1e6;
  unit.area_source = s.pim.unit_area_mm2 > 0 ? source : "no cited figure";

  const int b = static_cast<int>(arch.nodes.size());
  arch.nodes[static_cast<size_t>(dram)].children.push_back(b);
  arch.nodes.push_back(bank);
  unit.parent = b;
  unit.instances = bank.instances;
  arch.nodes[static_cast<size_t>(b)].children.push_back(b + 1);
  arch.nodes.push_back(unit);
}

}  // namespace einflow::arch
