#include "arch/dram_standard.h"

namespace einflow::arch {
namespace {

// Each standard cites where its values come from. Cycle values of the
// reference table (shared/reference/dram.md) are the first column where the two
// open simulators differ; values it does not list come from the named
// DRAMsim3 configuration or Ramulator 2 device model, or from JEDEC's
// nanosecond values rounded up to whole cycles.
//
// Energy: IDD currents where an open configuration gives them (Micron
// datasheets, as copied into DRAMsim3's .ini files); otherwise the pJ/bit
// figure of reference/dram.md.

DramTiming timing(double tck, int cl, int cwl, int trcd_rd, int trcd_wr, int trp, int tras, int trc, int tccd_s,
                  int tccd_l, int trrd_s, int trrd_l, int tfaw, int trefi, int trfc, int burst, int twr, int trtp,
                  int twtr_s, int twtr_l, int trtrs) {
  DramTiming t;
  t.tck_ns = tck;
  t.cl = cl;
  t.cwl = cwl;
  t.trcd_rd = trcd_rd;
  t.trcd_wr = trcd_wr;
  t.trp = trp;
  t.tras = tras;
  t.trc = trc;
  t.tccd_s = tccd_s;
  t.tccd_l = tccd_l;
  t.trrd_s = trrd_s;
  t.trrd_l = trrd_l;
  t.tfaw = tfaw;
  t.trefi = trefi;
  t.trfc = trfc;
  t.burst = burst;
  t.twr = twr;
  t.trtp = trtp;
  t.twtr_s = twtr_s;
  t.twtr_l = twtr_l;
  t.trtrs = trtrs;
  return t;
}

DramOrg org(int ranks, int bankgroups, int banks_per_group, int64_t rows, int columns, int devices) {
  DramOrg o;
  o.ranks = ranks;
  o.bankgroups = bankgroups;
  o.banks_per_group = banks_per_group;
  o.rows = rows;
  o.columns = columns;
  o.devices_per_rank = devices;
  return o;
}

DramPower idd(double vdd, double idd0, double idd2n, double idd3n, double idd4r, double idd4w, double idd5b) {
  DramPower p;
  p.idd = true;
  p.vdd = vdd;
  p.idd0 = idd0;
  p.idd2n = idd2n;
  p.idd3n = idd3n;
  p.idd4r = idd4r;
  p.idd4w = idd4w;
  p.idd5b = idd5b;
  return p;
}

DramStandard standard(const char* name, int burst_length, int bus_bits, int access_bytes, int channels,
                      double pj_per_bit) {
  DramStandard d;
  d.name = name;
  d.burst_length = burst_length;
  d.bus_bits = bus_bits;
  d.access_bytes = access_bytes;
  d.channels = channels;
  d.pj_per_bit = pj_per_bit;
  return d;
}

std::vector<DramStandard> make_standards() {
  std::vector<DramStandard> s;
  //                                    tCK     CL CWL RCDr RCDw RP RAS  RC CCDs CCDl RRDs RRDl FAW  REFI   RFC BL  WR RTP WTRs WTRl RTRS
  {
    // One 64-bit channel of x8 8 Gb devices (Micron MT40A1G8), one rank of 4 bank groups x 4 banks.
    DramStandard d = standard("DDR4-2400", 8, 64, 64, 1, 15.0);
    d.timing = timing(0.833, 17, 12, 17, 17, 17, 39, 56, 4, 6, 4, 6, 26, 9360, 420, 4, 18, 9, 3, 9, 2);
    d.org = org(1, 4, 4, 65536, 128, 8);
    d.power = idd(1.2, 48, 34, 43, 135, 123, 250);
    d.channel_gbps = 19.2;
    d.timing_source =
        "reference/dram.md DDR4-2400 x8 column; tWR 15 ns, tRTP 7.5 ns, tWTR_S/L 2.5/7.5 ns per JESD79-4; "
        "tRTRS and organization from DRAMsim3 DDR4_8Gb_x8_2400.ini";
    d.energy_source = "IDD currents of DRAMsim3 DDR4_8Gb_x8_2400.ini (Micron MT40A1G8-083E); "
                      "analytical model: reference/dram.md DDR4 15-20 pJ/bit (lower end)";
    s.push_back(d);
  }
  {
    DramStandard d = standard("DDR4-3200", 8, 64, 64, 1, 15.0);
    d.timing = timing(0.625, 22, 16, 22, 22, 22, 52, 74, 4, 8, 4, 8, 34, 12480, 560, 4, 24, 12, 4, 12, 1);
    d.org = org(1, 4, 4, 65536, 128, 8);
    d.power = idd(1.2, 57, 37, 52, 168, 150, 250);
    d.channel_gbps = 25.6;
    d.timing_source = "DRAMsim3 DDR4_8Gb_x8_3200.ini (tCK 0.625 ns, JESD79-4; tRC = tRAS + tRP)";
    d.energy_source = "IDD currents of DRAMsim3 DDR4_8Gb_x8_3200.ini; analytical model: reference/dram.md DDR4 "
                      "15-20 pJ/bit (lower end)";
    s.push_back(d);
  }
  {
    // One 32-bit sub-channel per channel, two per DIMM; x8 16 Gb devices, 8 bank groups x 4 banks.
    DramStandard d = standard("DDR5-4800", 16, 32, 64, 2, 15.0);
    d.timing = timing(0.4167, 40, 38, 40, 40, 40, 77, 117, 8, 12, 8, 12, 32, 9360, 709, 8, 72, 18, 6, 24, 2);
    d.org = org(1, 8, 4, 65536, 64, 4);
    d.channel_gbps = 19.2;
    d.timing_source = "JESD79-5 DDR5-4800B (CL 40, tRCD = tRP = 16.67 ns, tRAS 32 ns, tWR 30 ns, tRTP 7.5 ns, "
                      "tCCD_L = tRRD_L = 5 ns, tWTR_S/L 2.5/10 ns, tREFI 3.9 us, tRFC1 295 ns for 16 Gb) in cycles "
                      "of 0.4167 ns, as tabulated in Ramulator 2's DDR5 model; organization DDR5_16Gb_x8 of Ramulator 2";
    d.energy_source = "reference/dram.md DDR4 15-20 pJ/bit (lower end); no DDR5 figure is listed";
    s.push_back(d);
  }
  {
    // One x16 channel, 4 bank groups x 4 banks (BG mode), 8 Gb.
    DramStandard d = standard("LPDDR5", 16, 16, 32, 1, 4.0);
    d.timing = timing(1.25, 20, 11, 15, 15, 15, 34, 49, 2, 4, 4, 4, 16, 3125, 168, 2, 28, 4, 5, 10, 2);
    d.org = org(1, 4, 4, 32768, 64, 1);
    d.channel_gbps = 12.8;
    d.timing_source = "Ramulator 2 LPDDR5_6400 preset in cycles of the 1.25 ns CK (tRP = tRPpb, tRC = tRAS + tRPpb, "
                      "tREFI 3906 ns, tRFCab 210 ns for 8 Gb); BL16 takes 2 CK at 6400 MT/s";
    d.energy_source = "reference/dram.md LPDDR4 4-6 pJ/bit (lower end); no LPDDR5 figure is listed";
    s.push_back(d);
  }
  {
    // A 4-high stack of 8 Gb dies: 8 128-bit channels, 4 bank groups x 4 banks each.
    DramStandard d = standard("HBM2", 4, 128, 64, 8, 3.9);
    d.timing = timing(1.0, 14, 4, 14, 12, 14, 34, 48, 1, 2, 4, 4, 15, 3900, 260, 2, 16, 4, 6, 8, 1);
    d.org = org(1, 4, 4, 32768, 16, 1);
    d.power = idd(1.2, 65, 40, 55, 390, 500, 250);
    d.channel_gbps = 32.0;  // 256 GB/s per stack over 8 channels
    d.timing_source = "reference/dram.md HBM2 column; tWR, tRTP, tWTR and organization from DRAMsim3 HBM2_8Gb_x128.ini";
    d.energy_source = "IDD currents of DRAMsim3 HBM2_8Gb_x128.ini; analytical model: O'Connor et al., MICRO 2017 "
                      "(HBM2 3.9 pJ/bit), per reference/dram.md";
    s.push_back(d);
  }
  {
    // 16 channels x 2 pseudo-channels, each pseudo-channel modelled as a 32-bit channel of its own.
    DramStandard d = standard("HBM3", 8, 32, 32, 32, 3.9);
    d.timing = timing(1.0, 7, 2, 7, 7, 7, 17, 24, 1, 2, 2, 3, 15, 3900, 350, 4, 8, 2, 3, 4, 1);
    d.org = org(1, 4, 4, 32768, 32, 1);
    d.channel_gbps = 8.0;  // 2 Gb/s per pin x 32 pins
    d.timing_source = "Ramulator 2 HBM3_2Gbps preset (tRC = tRAS + tRP; tRFC 350 ns for 8 Gb); organization per "
                      "pseudo-channel from Ramulator 2 HBM3_8Gb";
    d.energy_source = "reference/dram.md HBM2 3.9 pJ/bit; no HBM3 figure is listed";
    s.push_back(d);
  }
  {
    // An 8 Gb x16 chip: two 16-bit channels, 4 bank groups x 4 banks each.
    DramStandard d = standard("GDDR6", 16, 16, 32, 2, 7.5);
    d.timing = timing(0.57, 24, 16, 24, 16, 24, 53, 78, 2, 4, 8, 8, 29, 3333, 126, 2, 26, 4, 9, 11, 2);
    d.org = org(1, 4, 4, 16384, 64, 1);
    d.channel_gbps = 28.0;  // 14 Gb/s per pin x 16 pins
    d.timing_source = "reference/dram.md GDDR6 column (tCK 0.57 ns, so that BL16 in 2 CK gives 14 Gb/s per pin); "
                      "tWR, tRTP, tWTR and organization GDDR6_8Gb_x16 from Ramulator 2";
    d.energy_source = "reference/dram.md: GDDR6 7.5 pJ/bit";
    s.push_back(d);
  }
  return s;
}

const std::vector<DramStandard>& standards() {
  static const std::vector<DramStandard> s = make_standards();
  return s;
}

}  // namespace

uint64_t DramStandard::channel_bytes() const {
  return static_cast<uint64_t>(org.banks()) * static_cast<uint64_t>(org.rows) * static_cast<uint64_t>(org.columns) *
         static_cast<uint64_t>(access_bytes);
}

std::optional<DramStandard> find_dram_standard(const std::string& name) {
  for (const auto& d : standards())
    if (d.name == name) return d;
  return std::nullopt;
}

std::vector<std::string> dram_standard_names() {
  std::vector<std::string> names;
  for (const auto& d : standards()) names.push_back(d.name);
  return names;
}

}  // namespace einflow::arch
