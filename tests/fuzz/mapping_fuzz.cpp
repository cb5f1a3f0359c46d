// Mapping files of one Einsum (mappers/mapping/mapping.h) on the two-level
// conv1d of tests/data; a mapping that validates is also evaluated.
#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "sim/analytical/nest_model.h"
#include "tests/fuzz/fuzz_common.h"
#include "workloads/workload.h"

namespace {
const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/conv1d/";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace einflow;
  static const arch::Architecture a = arch::load_arch(kData + "arch-2level.yaml");
  static const workloads::Workload w = workloads::load_workload(kData + "conv1d.yaml");
  return fuzz::run_text(data, size, [](const std::string& text) {
    const workloads::Cascade& c = w.variants.front().cascade;
    const mapping::Mapping m = mapping::load_mapping_text(text, "fuzz.yaml", c, a);
    if (mapping::validate_mapping(m, c, a).ok) sim::analytical::evaluate_mapping(a, c, m);
  });
}
