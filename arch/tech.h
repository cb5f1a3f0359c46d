// Built-in energy and area tables by technology node. Every default carries the
// source it comes from; anything can be overridden in the architecture YAML.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace einflow::arch {

struct Cost {
  double energy_pj = 0;  // per operation or per word access
  double area_um2 = 0;
  std::string source;
};

struct SramCost {
  double read_pj = 0;   // per word
  double write_pj = 0;  // per word
  double area_um2 = 0;  // whole macro
  std::string source;
};

std::vector<std::string> technology_names();           // "45nm", "7nm"
bool known_technology(const std::string& tech);
std::vector<std::string> datatype_names();             // "int8", "int16", "fp16", "bf16", "fp32"
// Bits of a datatype (0 when unknown).
int datatype_bits(const std::string& datatype);
// The datatype a unit of `word_bits` defaults to: 8 -> int8, 16 -> fp16, 32 -> fp32.
std::string default_datatype(int word_bits);

// Energy and area of one hardware op ("mac", "add", "mul", "max", "div", "exp",
// "sqrt", ...) at a precision; nullopt for an op the tables do not know.
std::optional<Cost> op_cost(const std::string& tech, const std::string& datatype, const std::string& op);
// The ops the tables know, for messages.
std::vector<std::string> known_ops();

// An SRAM or register file of `bytes` in `banks` banks with words of `word_bits`.
SramCost sram_cost(const std::string& tech, double bytes, int word_bits, long long banks);

// Off-chip DRAM energy when no standard is named.
constexpr double kDefaultDramPjPerBit = 15.0;
const char* default_dram_energy_source();

}  // namespace einflow::arch
