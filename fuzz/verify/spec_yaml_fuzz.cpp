// Structure-test specs written in YAML (see spec_fuzz.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "verify/spec_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kiln::fuzz::load_spec_text(std::string(reinterpret_cast<const char*>(data), size), "spec.yaml",
                             kiln::verify::parse_yaml_spec_node);
  return 0;
}
