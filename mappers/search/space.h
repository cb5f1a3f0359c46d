// What a search moves through, whatever its points are: the per-Einsum
// mapspace (points: Genome, mapspace.h) and the cascade space (points:
// CascadeGenome, cascade_genome.h) both implement SpaceOf, so every
// registered search (search.h) runs on both.
#pragma once

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
};

}  // namespace einflow::search
