// Sweep files (tools/sweep/spec.h): read and validated (files they name are
// resolved against the source tree's configs/studies/).
#include "tests/fuzz/fuzz_common.h"
#include "tools/sweep/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return einflow::fuzz::run_text(data, size, [](const std::string& text) {
    einflow::sweep::read_sweep(einflow::fuzz::scratch_file("sweep.yaml", text));
  });
}
