// The search objective, the one rule that every search (per Einsum and
// cascade) and the re-ranking on the cycle model use:
// cycles^latency_weight * energy^energy_weight (EDP by default), with cycles
// at least 1 and energy at least 1e-30 pJ. Header-only, so that any library may score.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace einflow::search {

inline double objective(int64_t cycles, double energy_pj, double latency_weight,
                        double energy_weight) {
  return std::pow(static_cast<double>(std::max<int64_t>(cycles, 1)), latency_weight) *
         std::pow(std::max(energy_pj, 1e-30), energy_weight);
}

}  // namespace einflow::search
