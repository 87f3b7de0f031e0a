// ELF headers and dynamic sections of files inside images under test: hostile by assumption.
// read_elf_dynamic promises any input is safe and nothing is read outside the bytes given.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/elf.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto identity = kiln::read_elf_identity(bytes);
  const auto dynamic = kiln::read_elf_dynamic(bytes);
  // Both readers agree on what is ELF.
  if (identity.has_value() != dynamic.has_value()) std::abort();
  return 0;
}
