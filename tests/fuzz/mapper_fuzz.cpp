// Mapper files (mappers/search/mapper_config.h).
#include "mappers/search/mapper_config.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return einflow::fuzz::run_text(data, size, [](const std::string& text) {
    einflow::search::load_mapper_config_text(text, "fuzz.yaml");
  });
}
