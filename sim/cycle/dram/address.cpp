#include "sim/cycle/dram/address.h"

#include <vector>

namespace einflow::sim::dram {
namespace {

int log2_exact(uint64_t n) {
  if (n == 0 || (n & (n - 1)) != 0) return -1;
  int b = 0;
  while ((uint64_t{1} << b) < n) ++b;
  return b;
}

}  // namespace

std::optional<AddressMap> AddressMap::parse(const std::string& mapping, const arch::DramStandard& s,
                                            std::string& error) {
  static const char* kNames[kFields] = {"ch", "ra", "bg", "ba", "ro", "co"};
  const uint64_t counts[kFields] = {
      static_cast<uint64_t>(s.channels),       static_cast<uint64_t>(s.org.ranks),
      static_cast<uint64_t>(s.org.bankgroups), static_cast<uint64_t>(s.org.banks_per_group),
      static_cast<uint64_t>(s.org.rows),       static_cast<uint64_t>(s.org.columns)};
  std::vector<Field> msb_first;
  std::string token;
  auto flush = [&]() -> bool {
    if (token.empty()) return true;
    for (int f = 0; f < kFields; ++f)
      if (token == kNames[f]) {
        for (Field g : msb_first)
          if (g == f) {
            error = "address mapping '" + mapping + "' names '" + token + "' twice";
            return false;
          }
        msb_first.push_back(static_cast<Field>(f));
        token.clear();
        return true;
      }
    error = "address mapping '" + mapping + "': unknown field '" + token +
            "' (fields: ch ra bg ba ro co)";
    return false;
  };
  for (char c : mapping) {
    if (c == '-' || c == ':') {
      if (!flush()) return std::nullopt;
    } else {
      token += c;
    }
  }
  if (!flush()) return std::nullopt;
  if (msb_first.size() != kFields) {
    error = "address mapping '" + mapping +
            "' must name each of ch ra bg ba ro co once, most significant first";
    return std::nullopt;
  }
  AddressMap m;
  m.m_text = mapping;
  m.m_access_bytes = s.access_bytes;
  for (int i = 0; i < kFields; ++i) {
    m.m_order[static_cast<size_t>(i)] = msb_first[static_cast<size_t>(kFields - 1 - i)];
    int b = log2_exact(counts[i]);
    if (b < 0) {
      error = std::string("the ") + kNames[i] + " dimension of " + s.name + " (" +
              std::to_string(counts[i]) +
              ") is not a power of two, so it cannot be taken from address bits";
      return std::nullopt;
    }
    m.m_bits[static_cast<size_t>(i)] = b;
  }
  m.m_capacity = s.channel_bytes() * static_cast<uint64_t>(s.channels);
  return m;
}

Address AddressMap::decode(uint64_t byte_address) const {
  uint64_t x = byte_address / static_cast<uint64_t>(m_access_bytes);
  uint64_t v[kFields] = {};
  for (Field f : m_order) {
    int b = m_bits[f];
    v[f] = x & ((uint64_t{1} << b) - 1);
    x >>= b;
  }
  Address a;
  a.channel = static_cast<int>(v[kChannel]);
  a.rank = static_cast<int>(v[kRank]);
  a.bankgroup = static_cast<int>(v[kBankGroup]);
  a.bank = static_cast<int>(v[kBank]);
  a.row = static_cast<int64_t>(v[kRow]);
  a.column = static_cast<int>(v[kColumn]);
  return a;
}

uint64_t AddressMap::encode(const Address& a) const {
  const uint64_t v[kFields] = {static_cast<uint64_t>(a.channel),   static_cast<uint64_t>(a.rank),
                               static_cast<uint64_t>(a.bankgroup), static_cast<uint64_t>(a.bank),
                               static_cast<uint64_t>(a.row),       static_cast<uint64_t>(a.column)};
  uint64_t x = 0;
  int shift = 0;
  for (Field f : m_order) {
    x |= (v[f] & ((uint64_t{1} << m_bits[f]) - 1)) << shift;
    shift += m_bits[f];
  }
  return x * static_cast<uint64_t>(m_access_bytes);
}

}  // namespace einflow::sim::dram
