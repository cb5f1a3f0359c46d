// The Einsum notation: one Einsum per line (workloads/parser.h).
#include "tests/fuzz/fuzz_common.h"
#include "workloads/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return einflow::fuzz::run_text(data, size, [](const std::string& text) {
    einflow::workloads::parse_einsum_lines(text, "fuzz.einsum");
  });
}
