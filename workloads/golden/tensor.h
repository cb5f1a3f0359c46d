// Dense row-major tensors for the golden kernels (last rank contiguous).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace einflow::golden {

template <class T>
struct DenseTensor {
  std::vector<int64_t> extents;
  std::vector<int64_t> strides;
  std::vector<T> data;

  DenseTensor() = default;
  explicit DenseTensor(std::vector<int64_t> ext, T fill = T(0)) : extents(std::move(ext)) {
    strides.assign(extents.size(), 1);
    int64_t n = 1;
    for (size_t d = extents.size(); d-- > 0;) {
      strides[d] = n;
      n *= extents[d];
    }
    data.assign(static_cast<size_t>(n), fill);
  }
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t offset(const std::vector<int64_t>& idx) const {
    int64_t o = 0;
    for (size_t d = 0; d < idx.size(); ++d) o += idx[d] * strides[d];
    return o;
  }
  T& at(const std::vector<int64_t>& idx) { return data[static_cast<size_t>(offset(idx))]; }
  const T& at(const std::vector<int64_t>& idx) const { return data[static_cast<size_t>(offset(idx))]; }
};

// Tensors by name.
template <class T>
using TensorSet = std::map<std::string, DenseTensor<T>>;

// Deterministic seeded values in [-scale, scale): mt19937_64 with our own
// mapping to doubles, so results do not depend on the standard library.
template <class T>
DenseTensor<T> seeded_tensor(const std::vector<int64_t>& extents, uint64_t seed, double scale);

// A seed for one named tensor derived from a top-level seed (FNV-1a of the name, mixed).
uint64_t tensor_seed(uint64_t seed, const std::string& name);

}  // namespace einflow::golden
