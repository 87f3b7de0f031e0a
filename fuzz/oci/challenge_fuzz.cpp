// WWW-Authenticate header values come from whatever answers on the registry's address: any
// bytes must parse into challenges (possibly none) without throwing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oci/registry/challenge.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  for (const kiln::oci::Challenge& c : kiln::oci::parse_challenges(header)) {
    c.scopes();
    c.param("realm");
  }
  if (auto picked = kiln::oci::pick_challenge(header)) picked->scopes();
  return 0;
}
