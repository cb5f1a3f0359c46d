// A point of the cascade space (mappers/cascade/cascade_space.h): genes per
// position of the cascade's dependency order. A group's genes are those of its
// first position; the others are ignored (and kept 0 by the space's moves).
// Here, beside the per-Einsum Genome, so that every search is built for both.
#pragma once

#include <cstdint>
#include <tuple>
#include <vector>

namespace einflow::search {

struct CascadeGenome {
  std::vector<uint8_t> cut;                   // [i]: a group ends after position i
  std::vector<std::vector<uint16_t>> share;   // [i][rank]: index into the rank's divisors (0: not shared)
  std::vector<uint8_t> retain;                // [i]: intermediates stay in the buffer the group's units share
  std::vector<uint8_t> private_retain;        // [i]: those made and used on one unit stay in its own level
  std::vector<uint8_t> pipeline;              // [i]: 0 none, else 1 + the rank pipelined (when the group shares it)
  std::vector<uint8_t> unit;                  // [i]: index into the units able to run the Einsum

  auto tie() const { return std::tie(cut, share, retain, private_retain, pipeline, unit); }
  bool operator<(const CascadeGenome& o) const { return tie() < o.tie(); }
  bool operator==(const CascadeGenome& o) const { return tie() == o.tie(); }
};

// A hash of a point (FNV-1a over its genes), for searches that remember what they asked.
inline uint64_t hash_point(const CascadeGenome& g) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](uint64_t v) { h = (h ^ v) * 1099511628211ull; };
  for (const auto* genes : {&g.cut, &g.retain, &g.private_retain, &g.pipeline, &g.unit}) {
    mix(genes->size());
    for (uint8_t x : *genes) mix(x);
  }
  for (const auto& s : g.share) {
    mix(s.size());
    for (uint16_t x : s) mix(x);
  }
  return h;
}

}  // namespace einflow::search
