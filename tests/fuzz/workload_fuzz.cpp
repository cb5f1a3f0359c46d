// Workload files: cascades, variants, models with instances (workloads/workload.h).
#include "tests/fuzz/fuzz_common.h"
#include "workloads/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return einflow::fuzz::run_text(data, size, [](const std::string& text) {
    einflow::workloads::load_workload_text(text, "fuzz.yaml");
  });
}
