// The parameter table of the architecture format: one row per key, with type,
// unit, default and documentation. It drives validation (unknown keys and
// their suggestions); the README's format section points here.
#pragma once

#include <string>
#include <vector>

namespace einflow::arch {

enum ClassMask : unsigned { kDramBit = 1, kSramBit = 2, kRegfileBit = 4, kComputeBit = 8,
                            kStorageBits = 7, kAllBits = 15 };

struct Param {
  const char* key;
  const char* type;        // "string", "int", "number", "bool", "list", "map"
  const char* unit;        // "" when none
  const char* default_text;  // "required", or the default
  unsigned classes;        // which node classes accept it (kAllBits for all)
  const char* doc;
};

// Keys of the top-level `architecture:` map.
const std::vector<Param>& arch_params();
// Keys of a node of the tree.
const std::vector<Param>& node_params();
// Keys of one op of a compute node's `ops:` map.
const std::vector<Param>& op_params();

// The keys of `table` that apply to nodes whose class has bit `class_bit`.
std::vector<std::string> keys_for(const std::vector<Param>& table, unsigned class_bit);

}  // namespace einflow::arch
