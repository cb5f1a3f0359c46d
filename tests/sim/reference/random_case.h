// Random small cases for the differential suite (random_case.cpp): an
// architecture, a workload and a mapping, as the YAML a user would write, and
// the comparison of the cycle model with the per-cycle reference on them.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace einflow::reference {

struct RandomCase {
  std::string arch, workload, mapping;  // YAML documents
  bool cascade = false;                 // `mapping` is a cascade mapping (two units)
};

// A case drawn from `rng`: one Einsum (matmul, row sums, dot products, a
// sliding window, element-wise) on a DRAM, a buffer (ports, banks, latency)
// and optionally lanes (their network, registers), every rank's size split
// over the levels at random.
RandomCase random_nest_case(std::mt19937_64& rng);
// Two or three chained Einsums on two units under one buffer, pipelined or not.
RandomCase random_group_case(std::mt19937_64& rng);

struct Comparison {
  bool valid = false;           // the mapping was accepted (else skipped)
  // Cycles: the model's; the reference's fewest (its fixed arbitration rules,
  // then, where the model is below them all, a search of seeded ones for a
  // schedule as fast as the model's) and its fixed rules' alone.
  int64_t model = 0, reference = 0, fixed_reference = 0;
  std::string arbitration;  // the reference's rule of the fewest cycles
  std::vector<std::string> count_differences;
  std::string error;            // a model threw
};
Comparison compare(const RandomCase& c);
// Whether mapping YAML text is a cascade mapping (its top-level key).
bool is_cascade_mapping(const std::string& yaml);

}  // namespace einflow::reference
