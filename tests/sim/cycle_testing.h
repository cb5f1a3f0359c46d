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

// Where two models' access counts differ, level by level and tensor by
// tensor, matched by name: "LEVEL TENSOR: reads a/b, fills a/b, updates a/b,
// tile words a/b", or a level or tensor one of them lacks. `skip`: tensors the
// analytical model is known to count differently.
inline std::vector<std::string> count_differences(const Stats& a, const Stats& s,
                                                  const std::vector<std::string>& skip = {}) {
  std::vector<std::string> out;
  auto skipped = [&](const std::string& t) { return std::find(skip.begin(), skip.end(), t) != skip.end(); };
  auto find_level = [](const Stats& x, const std::string& name) -> const LevelStats* {
    for (const auto& l : x.per_level)
      if (l.name == name) return &l;
    return nullptr;
  };
  auto find_tensor = [](const LevelStats& l, const std::string& name) -> const TensorAccesses* {
    for (const auto& t : l.tensors)
      if (t.tensor == name) return &t;
    return nullptr;
  };
  for (const Stats* first : {&a, &s}) {
    const Stats& other = first == &a ? s : a;
    for (const auto& l : first->per_level) {
      const LevelStats* m = find_level(other, l.name);
      if (!m) {
        out.push_back(l.name + ": only in one model");
        continue;
      }
      for (const auto& t : l.tensors)
        if (!skipped(t.tensor) && !find_tensor(*m, t.tensor)) out.push_back(l.name + " " + t.tensor + ": only in one model");
    }
  }
  for (const auto& l : a.per_level) {
    const LevelStats* m = find_level(s, l.name);
    if (!m) continue;
    for (const auto& x : l.tensors) {
      const TensorAccesses* y = find_tensor(*m, x.tensor);
      if (!y || skipped(x.tensor)) continue;
      if (x.accesses.reads != y->accesses.reads || x.accesses.fills != y->accesses.fills ||
          x.accesses.updates != y->accesses.updates || x.tile_words != y->tile_words)
        out.push_back(l.name + " " + x.tensor + ": reads " + std::to_string(x.accesses.reads) + "/" +
                      std::to_string(y->accesses.reads) + ", fills " + std::to_string(x.accesses.fills) + "/" +
                      std::to_string(y->accesses.fills) + ", updates " + std::to_string(x.accesses.updates) + "/" +
                      std::to_string(y->accesses.updates) + ", tile words " + std::to_string(x.tile_words) + "/" +
                      std::to_string(y->tile_words));
    }
  }
  return out;
}

// A tensor's accesses at a level (zero when absent).
inline Accesses access_at(const Stats& s, const std::string& level, const std::string& tensor) {
  for (const auto& l : s.per_level)
    if (l.name == level)
      for (const auto& t : l.tensors)
        if (t.tensor == tensor) return t.accesses;
  return {};
}

// The two models' counts agree (in the same order of levels and tensors).
inline void expect_same_counts(const Stats& a, const Stats& s, const std::vector<std::string>& skip = {}) {
  const std::vector<std::string> diff = count_differences(a, s, skip);
  std::string all;
  for (const auto& d : diff) all += "\n  " + d;
  EXPECT_TRUE(diff.empty()) << "counts differ:" << all;
  ASSERT_EQ(a.per_level.size(), s.per_level.size());
  for (size_t l = 0; l < a.per_level.size(); ++l) {
    EXPECT_EQ(a.per_level[l].name, s.per_level[l].name);
    ASSERT_EQ(a.per_level[l].tensors.size(), s.per_level[l].tensors.size());
    for (size_t t = 0; t < a.per_level[l].tensors.size(); ++t)
      EXPECT_EQ(a.per_level[l].tensors[t].tensor, s.per_level[l].tensors[t].tensor);
  }
}

}  // namespace einflow::sim::cycle::testing
