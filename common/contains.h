// Membership in a small vector (index lists, names): a linear scan.
#pragma once

#include <algorithm>
#include <vector>

namespace einflow {

template <typename T, typename U>
bool contains(const std::vector<T>& v, const U& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace einflow
