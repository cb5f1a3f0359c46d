// The searches' random numbers: mt19937_64 with our own distributions, since
// the standard ones differ between libraries (STYLE.md, determinism).
#pragma once

#include <cstdint>
#include <random>

namespace einflow::search {

class Rng {
 public:
  explicit Rng(uint64_t seed) : m_engine(seed) {}
  uint64_t next() { return m_engine(); }
  // Uniform in [0, n); n > 0.
  uint64_t below(uint64_t n) { return m_engine() % n; }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(m_engine() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  std::mt19937_64 m_engine;
};

// A seed derived from a parent seed and a name (SplitMix64 over an FNV-1a hash).
inline uint64_t derive_seed(uint64_t seed, const char* name) {
  uint64_t h = 1469598103934665603ull;
  for (const char* p = name; *p; ++p) h = (h ^ static_cast<unsigned char>(*p)) * 1099511628211ull;
  uint64_t z = seed + h + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace einflow::search
