// What a cascade file or a builder says, before validation. build_cascade()
// resolves names, infers tensor shapes, checks everything (collecting every
// error with its file:line:col) and returns an immutable Cascade.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "workloads/cascade.h"
#include "workloads/parser.h"

namespace einflow::workloads {

struct RankSpec {
  Name name;
  std::optional<int64_t> size;  // absent for a partition part derived from the others
};

// RANK = PART1 x PART2 x ... (outermost first); the product must equal RANK's size.
struct PartitionSpec {
  Name rank;
  std::vector<Name> parts;
};

// A declared tensor: every input, and any intermediate whose shape cannot be
// inferred from its writers.
struct TensorSpec {
  Name name;
  std::vector<Name> ranks;
  std::optional<DType> dtype;
  bool input = true;
  double init_scale = 1.0;
};

struct CascadeSpec {
  std::string name;
  SourceLoc loc;
  std::vector<RankSpec> ranks;
  std::vector<PartitionSpec> partitions;
  std::vector<TensorSpec> tensors;
  std::vector<RawEinsum> einsums;
  std::vector<Name> outputs;  // empty: every written tensor that nothing reads
  DType dtype = DType::kFp16;
};

// Validates `spec` and builds the cascade, or throws UserError listing every problem.
Cascade build_cascade(const CascadeSpec& spec);

}  // namespace einflow::workloads
