#include "arch/tech.h"

#include <algorithm>
#include <cmath>

namespace einflow::arch {
namespace {

// Per-op energy (pJ) and area (um^2) of the primitive arithmetic.
//  45 nm: M. Horowitz, "Computing's Energy Problem (and what we can do about it)",
//         ISSCC 2014, energy and area tables (int8/int32 add and mult, fp16/fp32 add
//         and mult).
//  7 nm:  N. Jouppi et al., "Ten Lessons From Three Generations Shaped Google's
//         TPUv4i", ISCA 2021, table of energy per operation at 45 nm vs 7 nm.
//         Areas at 7 nm are NOT published there: they are the 45 nm areas scaled by
//         the ideal factor (7/45)^2, an estimate to override with library data.
// Entries marked "derived" are einflow's own estimate from the cited primitives.
struct Primitive {
  const char* tech;
  const char* datatype;
  double add_pj, mul_pj, add_um2, mul_um2;
  const char* source;
};

constexpr double kArea7Scale = (7.0 / 45.0) * (7.0 / 45.0);

const Primitive kPrimitives[] = {
    {"45nm", "int8", 0.03, 0.2, 36, 282, "Horowitz ISSCC 2014"},
    {"45nm", "int16", 0.05, 0.8, 67, 1128,
     "Horowitz ISSCC 2014 (16b add); 16b mult derived as 8b mult x (16/8)^2"},
    {"45nm", "fp16", 0.4, 1.1, 1360, 1640, "Horowitz ISSCC 2014"},
    {"45nm", "bf16", 0.4, 1.1, 1360, 1640, "Horowitz ISSCC 2014 fp16 figures (bf16 not listed)"},
    {"45nm", "fp32", 0.9, 3.7, 4184, 7700, "Horowitz ISSCC 2014"},
    {"7nm", "int8", 0.007, 0.07, 36 * kArea7Scale, 282 * kArea7Scale,
     "Jouppi et al. ISCA 2021 (energy); area: 45 nm x (7/45)^2"},
    {"7nm", "int16", 0.015, 0.28, 67 * kArea7Scale, 1128 * kArea7Scale,
     "derived: Jouppi et al. ISCA 2021 int8/int32 energies interpolated; area: 45 nm x (7/45)^2"},
    {"7nm", "fp16", 0.16, 0.34, 1360 * kArea7Scale, 1640 * kArea7Scale,
     "Jouppi et al. ISCA 2021 (energy); area: 45 nm x (7/45)^2"},
    {"7nm", "bf16", 0.11, 0.21, 1360 * kArea7Scale, 1640 * kArea7Scale,
     "Jouppi et al. ISCA 2021 (energy); area: 45 nm fp16 x (7/45)^2"},
    {"7nm", "fp32", 0.38, 1.31, 4184 * kArea7Scale, 7700 * kArea7Scale,
     "Jouppi et al. ISCA 2021 (energy); area: 45 nm x (7/45)^2"},
};

// SRAM: energy of a 64-bit read from an 8 KiB array (Horowitz 2014: 10 pJ at
// 45 nm; Jouppi et al. 2021: 7.5 pJ at 7 nm), scaled with sqrt(capacity per
// bank / 8 KiB), which fits Horowitz's 8 KiB / 32 KiB / 1 MiB points (10, 20,
// 100 pJ) within 15%. Writes are taken equal to reads (not given by the sources).
// Area per bit: the 6T cell (45 nm: 0.346 um^2, Intel, Mistry et al. IEDM 2007;
// 7 nm: 0.027 um^2, TSMC N7 high-density cell) over an assumed 70% array efficiency.
struct SramTech {
  const char* tech;
  double pj_64b_8k;
  double cell_um2;
};
const SramTech kSram[] = {{"45nm", 10.0, 0.346}, {"7nm", 7.5, 0.027}};
constexpr double kArrayEfficiency = 0.7;

const Primitive* primitive(const std::string& tech, const std::string& datatype) {
  for (const auto& p : kPrimitives)
    if (tech == p.tech && datatype == p.datatype) return &p;
  return nullptr;
}

}  // namespace

std::vector<std::string> technology_names() { return {"45nm", "7nm"}; }

bool known_technology(const std::string& tech) {
  auto names = technology_names();
  return std::find(names.begin(), names.end(), tech) != names.end();
}

std::vector<std::string> datatype_names() { return {"int8", "int16", "fp16", "bf16", "fp32"}; }

int datatype_bits(const std::string& d) {
  if (d == "int8") return 8;
  if (d == "int16" || d == "fp16" || d == "bf16") return 16;
  if (d == "fp32") return 32;
  return 0;
}

std::string default_datatype(int word_bits) {
  if (word_bits <= 8) return "int8";
  if (word_bits <= 16) return "fp16";
  return "fp32";
}

std::vector<std::string> known_ops() {
  return {"mac", "mul", "add", "max", "div", "exp", "sqrt", "gelu", "silu", "tanh", "sigmoid", "log"};
}

std::optional<Cost> op_cost(const std::string& tech, const std::string& datatype, const std::string& op) {
  const Primitive* p = primitive(tech, datatype);
  if (!p) return std::nullopt;
  const std::string src = p->source;
  const double mac_pj = p->add_pj + p->mul_pj, mac_um2 = p->add_um2 + p->mul_um2;
  if (op == "add") return Cost{p->add_pj, p->add_um2, src};
  if (op == "mul") return Cost{p->mul_pj, p->mul_um2, src};
  if (op == "mac") return Cost{mac_pj, mac_um2, "derived: mult + add; " + src};
  if (op == "max") return Cost{p->add_pj, p->add_um2, "derived: comparator taken as an adder; " + src};
  if (op == "div" || op == "sqrt")
    return Cost{4 * p->mul_pj, 2 * p->mul_um2,
                "derived: iterative unit taken as 4 multiplies of energy, 2 multipliers of area; " + src};
  if (op == "exp")
    return Cost{6 * mac_pj + p->add_pj, 2 * mac_um2,
                "derived: 6 MAC + 1 add of energy (FuseMax's decomposition), 2 MACs of area; " + src};
  if (op == "gelu" || op == "silu" || op == "tanh" || op == "sigmoid" || op == "log")
    return Cost{7 * mac_pj + 4 * p->mul_pj, 3 * mac_um2,
                "derived: an exp and a divide (7 MAC + 4 mult of energy), 3 MACs of area; " + src};
  return std::nullopt;
}

SramCost sram_cost(const std::string& tech, double bytes, int word_bits, long long banks) {
  const SramTech* t = nullptr;
  for (const auto& s : kSram)
    if (tech == s.tech) t = &s;
  if (!t) return {};
  const double bank_bytes = bytes / static_cast<double>(std::max(1LL, banks));
  const double pj_64 = t->pj_64b_8k * std::sqrt(std::max(bank_bytes, 1.0) / 8192.0);
  SramCost c;
  c.read_pj = pj_64 * word_bits / 64.0;
  c.write_pj = c.read_pj;
  c.area_um2 = bytes * 8.0 * t->cell_um2 / kArrayEfficiency;
  c.source = std::string(tech == "45nm" ? "Horowitz ISSCC 2014 (energy); Mistry et al. IEDM 2007 (cell)"
                                        : "Jouppi et al. ISCA 2021 (energy); TSMC N7 HD cell (area)") +
             "; sqrt(capacity) law and 70% array efficiency are einflow's fit";
  return c;
}

const char* default_dram_energy_source() {
  return "no standard given: DDR4 figure 15 pJ/bit assumed (reference/dram.md)";
}

}  // namespace einflow::arch
