// DRAM standards with full timing, organization and energy, for the
// command-level DRAM model of sim/cycle; the analytical model uses only the
// peak bandwidth and the energy per bit. Each standard is data: a file
// configs/dram/NAME.yaml (built into the binary) or any file of that format,
// whose every value names its source. dram_params() is the format's table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace einflow {
class YamlNode;
}

namespace einflow::arch {

// Timing in clock cycles of tck_ns (the command clock) unless the name says otherwise.
struct DramTiming {
  double tck_ns = 1;
  int cl = 0, cwl = 0;           // read / write latency, column command to data
  int trcd_rd = 0, trcd_wr = 0;  // ACT to RD / WR
  int trp = 0, tras = 0, trc = 0;
  int tccd_s = 0, tccd_l = 0;  // column to column, other / same bank group
  int trrd_s = 0, trrd_l = 0;  // ACT to ACT, other / same bank group
  int tfaw = 0;                // at most four ACTs per rank in this window
  int trefi = 0, trfc = 0;     // all-bank refresh interval and duration
  int burst = 0;               // data-bus cycles of one access (BL8 on DDR: 4)
  int twr = 0;                 // end of write data to PRE
  int trtp = 0;                // RD to PRE
  int twtr_s = 0, twtr_l = 0;  // end of write data to RD, other / same bank group
  int trtrs = 0;               // data-bus gap when the rank changes
};

// One channel's organization. A row holds `columns` accesses of access_bytes.
struct DramOrg {
  int ranks = 1;
  int bankgroups = 1;
  int banks_per_group = 1;
  int64_t rows = 0;
  int columns = 0;           // accesses (column commands) per row
  int devices_per_rank = 1;  // chips that share a rank's command bus
  int banks() const { return ranks * bankgroups * banks_per_group; }
};

// Energy of the command stream. With IDD currents (per device, mA; DRAMPower's
// method) each command costs VDD * (its current - the standby current) * its
// duration, and standby (IDD3N with a row open, IDD2N otherwise) is charged
// for all of time. Without them (`idd == false`) every access costs
// pj_per_bit * its bits, a figure that already includes activation and refresh.
struct DramPower {
  bool idd = false;
  double vdd = 0;
  double idd0 = 0, idd2n = 0, idd3n = 0, idd4r = 0, idd4w = 0, idd5b = 0;
};

// Compute inside the DRAM (processing in memory). A standard without a `pim`
// section has none (command_set kNone). Each command set has its own commands
// and extra timing (sim/cycle/pim/): kHbmPim is Samsung's HBM-PIM (a unit per
// banks_per_unit banks, stepped by ordinary ACT/RD/WR in all-bank PIM mode),
// kAim SK hynix's GDDR6-AiM (a unit per bank, channel-wide ACT16/MAC16/...
// commands and a global buffer per channel).
enum class PimCommandSet : uint8_t { kNone, kHbmPim, kAim };
const char* pim_command_set_name(PimCommandSet s);

struct PimSpec {
  PimCommandSet command_set = PimCommandSet::kNone;
  std::string datatype;       // operands: "fp16" or "bf16"
  std::string accumulate;     // the accumulator's format
  int banks_per_unit = 1;     // banks sharing one compute unit
  int lanes = 0;              // multiply-accumulate lanes per unit (one column access wide)
  double clock_mhz = 0;       // the units' clock, as the vendor states it
  int register_entries = 0;   // HBM-PIM: 256-bit entries of GRF_A and of GRF_B
  int instruction_entries = 0;  // HBM-PIM: CRF instructions
  int global_buffer_bytes = 0;  // AiM: the channel's global buffer
  int result_latches = 1;       // AiM: partial sums a bank's unit holds at once (one per row segment)
  // AiM command timing, cycles of tCK (0 for HBM-PIM, which uses the ordinary rows).
  int trcd_mac = 0;      // ACT16 (or ACT4) to MAC16
  int trcd_af = 0;       // ACT16 to AF16 (the activation function)
  int trcd_ewmul = 0;    // ACT16 to EWMUL16 (the element-wise multiply)
  int tmod = 0;          // TMOD (mode change) to any command
  int twrgb_rdmac = 0;   // WRGB to RDMAC16
  int twrmac_rdmac = 0;  // WRMAC16 to RDMAC16
  int trdmac_wr = 0;     // RDMAC16 to WRGB or WRMAC16
  double inbank_pj_per_bit = 0;  // a bank's column access that stays inside the DRAM
  double pj_per_mac = 0;         // one multiply-accumulate of one lane
  double unit_area_mm2 = 0;      // one compute unit (0: no cited figure)
  bool enabled() const { return command_set != PimCommandSet::kNone; }
  int units_per_channel(int banks) const { return banks / banks_per_unit; }
};

struct DramStandard {
  std::string name;  // "DDR4-2400", "HBM2", ...
  std::string file;  // where it was read from ("configs/dram/HBM2.yaml" when built in)
  DramTiming timing;
  DramOrg org;
  DramPower power;
  int burst_length = 8;
  int bus_bits = 64;        // per channel (HBM2: 128)
  int access_bytes = 64;    // bytes per column command
  int channels = 1;         // per device, stack or DIMM
  double channel_gbps = 0;  // peak bandwidth per channel, 1e9 bytes/s
  double pj_per_bit = 0;    // off-chip access energy (analytical model)
  PimSpec pim;              // compute in the banks, if any
  // The citations of the timing values, and of the energy values, each once, in file order.
  std::string timing_source;
  std::string energy_source;
  // Every value's citation, keyed "section.KEY" ("timing.tRCD_RD").
  std::vector<std::pair<std::string, std::string>> value_sources;

  uint64_t channel_bytes() const;  // capacity of one channel
};

// One value of a standard's file: its section ("organization", "timing",
// "energy"), key, unit ("" when none; timing in "cycles" may also be written in
// "ns"), whether it must be a whole number, whether it may be left out, the
// smallest value allowed, and what it means. `set` stores a checked value.
struct DramParam {
  const char* section;
  const char* key;
  const char* unit;
  bool integer;
  bool required;
  double min;
  const char* doc;
  void (*set)(DramStandard&, double);
};
const std::vector<DramParam>& dram_params();

// The built-in standards (configs/dram/*.yaml); nullopt for an unknown name.
std::optional<DramStandard> find_dram_standard(const std::string& name);
std::vector<std::string> dram_standard_names();

// Reads and checks a standard's document; throws UserError listing every problem.
DramStandard read_dram_standard(const YamlNode& doc);
// A built-in standard by name, or a standard's file by path (relative paths
// from `base_dir` when given). Unknown names and bad files are UserErrors
// located at `where` (the key that named it) or in the file.
DramStandard resolve_dram_standard(const std::string& name_or_path, const SourceLoc& where,
                                   const std::string& key_path, const std::string& base_dir = "");

}  // namespace einflow::arch
