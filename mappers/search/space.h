// What a search moves through, whatever its points are: the per-Einsum
// mapspace (points: Genome, mapspace.h) and the cascade space (points:
// CascadeGenome, cascade_genome.h) both implement SpaceOf, so every
// registered search (search.h) runs on both.
#pragma once

#include <vector>

#include "mappers/search/rng.h"

namespace einflow::search {

template <class Point>
class SpaceOf {
 public:
  virtual ~SpaceOf() = default;
  // A uniformly random point (within the constraints).
  virtual void random(Rng& rng, Point& p) const = 0;
  // A small random change of p, in place.
  virtual void mutate(Rng& rng, Point& p) const = 0;
  // A child that takes some of its choices from a and the rest from b.
  virtual void crossover(Rng& rng, const Point& a, const Point& b, Point& child) const = 0;
  // Enumeration of every point once: first, then next until it returns false.
  virtual void first(Point& p) const = 0;
  virtual bool next(Point& p) const = 0;
  // Points one move away from p, appended to out in a random order: a local
  // search's neighbourhood. A space that cannot list its moves samples them:
  // by default, kSampledNeighbours mutations of p.
  virtual void neighbours(Rng& rng, const Point& p, std::vector<Point>& out) const {
    for (int i = 0; i < kSampledNeighbours; ++i) {
      out.push_back(p);
      mutate(rng, out.back());
    }
  }
  static constexpr int kSampledNeighbours = 64;
  // A random point for a local search to start from: by default random().
  virtual void fresh(Rng& rng, Point& p) const { random(rng, p); }
  // A larger change than mutate, for a local search to leave a local
  // optimum (a kick): by default two to four mutations.
  virtual void perturb(Rng& rng, Point& p) const {
    const int moves = 2 + static_cast<int>(rng.below(3));
    for (int k = 0; k < moves; ++k) mutate(rng, p);
  }
  // Strata: a coarse choice that a local search holds fixed while it
  // descends and compares between descents (the mapspace's keep/bypass
  // choices: its dataflows). neighbours() never changes a point's stratum;
  // set_stratum(s, p) puts p in stratum s (0 <= s < strata()). One stratum
  // by default.
  virtual uint64_t strata() const { return 1; }
  virtual void set_stratum(uint64_t, Point&) const {}
  virtual uint64_t stratum_of(const Point&) const { return 0; }
};

}  // namespace einflow::search
