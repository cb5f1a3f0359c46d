// The Timeloop importer (tools/import/timeloop.h): an input is up to four
// files separated by lines "=====": architecture, problem, mapping, ERT.
#include "tests/fuzz/fuzz_common.h"
#include "tools/import/timeloop.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return einflow::fuzz::run_text(data, size, [](const std::string& text) {
    const std::vector<std::string> parts = einflow::fuzz::split_parts(text, 4);
    einflow::import::TimeloopFiles f;
    f.arch = einflow::fuzz::scratch_file("arch.yaml", parts[0]);
    f.problem = einflow::fuzz::scratch_file("prob.yaml", parts.size() > 1 ? parts[1] : "");
    if (parts.size() > 2) f.mapping = einflow::fuzz::scratch_file("map.yaml", parts[2]);
    if (parts.size() > 3) f.ert = einflow::fuzz::scratch_file("ERT.yaml", parts[3]);
    einflow::import::import_timeloop(f);
  });
}
