// Architecture files (arch/arch.h), and the queries every model makes of one.
#include "arch/arch.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return einflow::fuzz::run_text(data, size, [](const std::string& text) {
    const einflow::arch::Architecture a = einflow::arch::load_arch_text(text, "fuzz.yaml");
    a.total_area_um2();
    for (int u : a.compute_units()) a.storage_path(u);
  });
}
