// A GPU read from an architecture tree (gpu_attention.h says what each field
// comes from).
#include <algorithm>
#include <string>

#include "sim/analytical/gpu_attention.h"

namespace einflow::sim::analytical {

namespace {

// The deepest storage node on the paths to both units.
int common_storage(const arch::Architecture& a, int u1, int u2) {
  const std::vector<int> p1 = a.storage_path(u1), p2 = a.storage_path(u2);
  int common = -1;
  for (size_t i = 0; i < std::min(p1.size(), p2.size()) && p1[i] == p2[i]; ++i) common = p1[i];
  return common;
}

// Per-operation energy of `op` on `unit`, 0 when the unit lacks it.
double op_pj(const arch::Node& unit, const std::string& op) {
  const arch::OpSpec* o = unit.find_op(op);
  return o ? o->energy_pj : 0;
}

}  // namespace

GpuSpec gpu_spec(const arch::Architecture& a) {
  const SourceLoc where = a.loc.file.empty() ? SourceLoc{a.file, 0, 0} : a.loc;
  int tensor = -1, vector = -1;
  for (int u : a.host_units()) {
    const arch::Node& n = a.node(u);
    if (n.contractions_only && n.find_op("mac") && tensor < 0) tensor = u;
    if (!n.contractions_only && n.find_op("exp") && vector < 0) vector = u;
  }
  if (tensor < 0 || vector < 0)
    throw UserError(where, "the GPU attention designs need a GPU: a contractions_only unit with mac (tensor cores) "
                           "and a unit with exp (CUDA cores); " + a.name + " has " +
                               std::string(tensor < 0 ? "no contractions_only unit" : "no unit with exp") +
                               " (configs/arch/a100.yaml is one)");
  const int sm = common_storage(a, tensor, vector);
  const int dram = a.dram();
  if (sm < 0 || a.is_offchip(sm) || dram < 0 || a.node(dram).bandwidth_gbps <= 0)
    throw UserError(where, "the GPU attention designs need the SMs (an on-chip level above both units) under a DRAM "
                           "with a bandwidth; " + a.name + " has " +
                               std::string(dram < 0 || a.node(dram).bandwidth_gbps <= 0 ? "no DRAM bandwidth"
                                                                                        : "no on-chip level above both units"));
  if (!(a.clock_mhz > 0)) throw UserError(where, "clock_mhz", "the GPU attention model needs a positive clock");
  const arch::Node& smn = a.node(sm);
  const arch::Node& tc = a.node(tensor);
  const arch::Node& vu = a.node(vector);
  GpuSpec g;
  g.sm_node = smn.name;
  g.tensor_unit = tc.name;
  g.vector_unit = vu.name;
  g.dram_node = a.node(dram).name;
  g.sms = smn.instances;
  g.clock_hz = a.clock_mhz * 1e6;
  g.word_bytes = smn.word_bits / 8.0;
  g.smem_words = smn.size_words;
  g.fill_words_per_cycle = smn.write_bandwidth;
  g.hbm_bytes_per_second = a.node(dram).bandwidth_gbps * 1e9;
  g.hbm_pj_per_byte = a.node(dram).pj_per_bit * 8;
  const arch::OpSpec* mac = tc.find_op("mac");
  g.macs_per_cycle = static_cast<double>(a.fanout(sm, tensor)) / mac->issue_cycles;
  g.lanes = static_cast<double>(a.fanout(sm, vector));
  const arch::OpSpec* exp = vu.find_op("exp");
  g.sfu_per_cycle = g.lanes / exp->issue_cycles;
  g.sfu_overlaps = !exp->functional_unit.empty();
  g.mac_pj = mac->energy_pj;
  g.lane_op_pj = std::max(op_pj(vu, "mac"), op_pj(vu, "add"));
  g.sfu_op_pj = exp->energy_pj;
  g.smem_read_pj = smn.read_pj;
  g.smem_write_pj = smn.write_pj;
  const int l2 = smn.parent;
  if (l2 >= 0 && !a.is_offchip(l2)) {
    g.l2_node = a.node(l2).name;
    g.l2_pj = a.node(l2).read_pj;
    g.l2_bytes = static_cast<double>(a.node(l2).size_bytes());
  }
  return g;
}

}  // namespace einflow::sim::analytical
