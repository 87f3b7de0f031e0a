// Image references and platforms as users write them in settings. A valid reference must print
// back to itself (parse(to_string()) == parse(text)); an invalid one is a kiln::Error(usage).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "oci/image/platform.h"
#include "oci/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const kiln::oci::Reference ref = kiln::oci::Reference::parse(text);
    if (kiln::oci::Reference::parse(ref.to_string()) != ref) std::abort();
    ref.identifier();
    kiln::oci::registry_api_host(ref.registry());
    if (ref.digest()) ref.with_digest(*ref.digest());
    ref.with_tag("fuzz");
  } catch (const kiln::Error& e) {
    if (e.exit_class() != kiln::ExitClass::usage) std::abort();
  }
  try {
    const auto platform = kiln::oci::Platform::parse(text);
    if (kiln::oci::Platform::parse(platform.to_string()) != platform) std::abort();
  } catch (const kiln::Error&) {
  }
  return 0;
}
