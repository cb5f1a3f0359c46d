// Physical address to DRAM coordinates. A mapping names the fields from the
// most to the least significant bit of the access index (address / access
// bytes): "ro-ra-ba-bg-ch-co" (the default) fills a row's columns first, then
// moves to the next channel, bank group, bank, rank and row, as DRAMsim3's
// HBM2 preset does; "ro-ba-bg-ra-co-ch" interleaves channels line by line.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "arch/dram_standard.h"

namespace einflow::sim::dram {

struct Address {
  int channel = 0;
  int rank = 0;
  int bankgroup = 0;
  int bank = 0;  // within its bank group
  int64_t row = 0;
  int column = 0;  // in accesses
};

inline constexpr const char* kDefaultAddressMapping = "ro-ra-ba-bg-ch-co";

class AddressMap {
 public:
  // Fails (nullopt, with `error` set) on an unknown or repeated field, a missing
  // one, or a dimension that is not a power of two.
  static std::optional<AddressMap> parse(const std::string& mapping, const arch::DramStandard& s,
                                         std::string& error);

  // Addresses beyond the device's capacity wrap around.
  Address decode(uint64_t byte_address) const;
  uint64_t encode(const Address& a) const;  // the first byte of the access
  uint64_t capacity_bytes() const { return m_capacity; }
  const std::string& text() const { return m_text; }

 private:
  enum Field { kChannel, kRank, kBankGroup, kBank, kRow, kColumn, kFields };
  std::array<Field, kFields> m_order{};  // least significant first
  std::array<int, kFields> m_bits{};
  int m_access_bytes = 64;
  uint64_t m_capacity = 0;
  std::string m_text;
};

}  // namespace einflow::sim::dram
