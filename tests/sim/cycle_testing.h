// Helpers of the cycle-model tests: a case loaded from an architecture, a
// workload and a mapping file with its seeded inputs and golden outputs, and
// the comparison of two models' access counts.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "sim/stats/stats.h"
#include "workloads/golden/interpreter.h"
#include "workloads/workload.h"

namespace einflow::sim::cycle::testing {

inline const std::string kSrc = EINFLOW_SOURCE_DIR;

struct Case {
  arch::Architecture arch;
  workloads::Cascade cascade;
  mapping::Mapping map;
  golden::TensorSet<double> inputs, golden;
};

inline Case load_case(const std::string& arch_file, const std::string& workload,
                      const std::string& map_file) {
  Case c{arch::load_arch(kSrc + "/" + arch_file),
         workloads::load_workload(kSrc + "/" + workload).variants.front().cascade,
         {},
         {},
         {}};
  c.map = mapping::load_mapping(kSrc + "/" + map_file, c.cascade, c.arch);
  EXPECT_TRUE(mapping::validate_mapping(c.map, c.cascade, c.arch).ok);
  c.inputs = golden::seeded_inputs<double>(c.cascade, 7);
  c.golden = golden::interpret<double>(c.cascade, c.inputs);
  return c;
}

// `skip`: tensors the analytical model is known to count differently.
inline void expect_same_counts(const Stats& a, const Stats& s,
                               const std::vector<std::string>& skip = {}) {
  ASSERT_EQ(a.per_level.size(), s.per_level.size());
  for (size_t l = 0; l < a.per_level.size(); ++l) {
    ASSERT_EQ(a.per_level[l].tensors.size(), s.per_level[l].tensors.size());
    for (size_t t = 0; t < a.per_level[l].tensors.size(); ++t) {
      const auto& x = a.per_level[l].tensors[t];
      const auto& y = s.per_level[l].tensors[t];
      SCOPED_TRACE(a.per_level[l].name + " " + x.tensor);
      EXPECT_EQ(x.tensor, y.tensor);
      if (std::find(skip.begin(), skip.end(), x.tensor) != skip.end()) continue;
      EXPECT_EQ(x.accesses.reads, y.accesses.reads);
      EXPECT_EQ(x.accesses.fills, y.accesses.fills);
      EXPECT_EQ(x.accesses.updates, y.accesses.updates);
      EXPECT_EQ(x.tile_words, y.tile_words);
    }
  }
}

}  // namespace einflow::sim::cycle::testing
