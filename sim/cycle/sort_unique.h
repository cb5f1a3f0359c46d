// Sorting word lists and dropping repeats, the walker's most frequent chore: a
// tile's words, or every child's words gathered under one parent. Those lists
// are mostly dense ranges, so a bitmap over [min, max] does it in linear time;
// sparse lists fall back to sorting.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace einflow::sim::cycle::detail {

inline void sort_unique(std::vector<int64_t>& v) {
  if (v.size() < 64) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return;
  }
  const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
  const int64_t lo = *lo_it;
  const uint64_t range = static_cast<uint64_t>(*hi_it - lo) + 1;
  if (range / 8 > v.size()) {  // sparse: more than 8 bits of bitmap per word
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return;
  }
  thread_local std::vector<uint64_t> bits;
  bits.assign((range + 63) / 64, 0);
  for (int64_t w : v) {
    const uint64_t i = static_cast<uint64_t>(w - lo);
    bits[i >> 6] |= uint64_t{1} << (i & 63);
  }
  v.clear();
  for (size_t b = 0; b < bits.size(); ++b)
    for (uint64_t m = bits[b]; m; m &= m - 1)
      v.push_back(lo + static_cast<int64_t>(b * 64 + static_cast<size_t>(__builtin_ctzll(m))));
}

}  // namespace einflow::sim::cycle::detail
