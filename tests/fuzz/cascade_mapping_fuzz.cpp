// Cascade mappings (mappers/mapping/cascade_mapping.h) of the tiny 1-pass
// attention on the miniature FuseMax; one that validates is also evaluated.
#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "sim/analytical/group_model.h"
#include "tests/fuzz/fuzz_common.h"
#include "workloads/workload.h"

namespace {
const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/attention/";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace einflow;
  static const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  static const workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  return fuzz::run_text(data, size, [](const std::string& text) {
    const workloads::Cascade& c = w.find_variant("1pass")->cascade;
    const mapping::CascadeMapping m = mapping::load_cascade_mapping_text(text, "fuzz.yaml", c, a);
    if (mapping::validate_cascade_mapping(m, c, a).ok) sim::analytical::evaluate_cascade(a, c, m);
  });
}
