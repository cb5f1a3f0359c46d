#include "workloads/golden/tensor.h"

#include <random>

namespace einflow::golden {

uint64_t tensor_seed(uint64_t seed, const std::string& name) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  // splitmix64 finaliser over the combination
  uint64_t z = h ^ (seed + 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

template <class T>
DenseTensor<T> seeded_tensor(const std::vector<int64_t>& extents, uint64_t seed, double scale) {
  DenseTensor<T> t(extents);
  std::mt19937_64 rng(seed);
  for (auto& v : t.data) {
    double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);  // [0, 1)
    v = static_cast<T>((2.0 * u - 1.0) * scale);
  }
  return t;
}

template DenseTensor<float> seeded_tensor<float>(const std::vector<int64_t>&, uint64_t, double);
template DenseTensor<double> seeded_tensor<double>(const std::vector<int64_t>&, uint64_t, double);

}  // namespace einflow::golden
