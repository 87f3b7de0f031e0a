#include "library/probe_location.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include "library/public_errors.h"

namespace kiln::library {

std::filesystem::path installed_probe() {
  // The file this function was loaded from: libkiln.so wherever the program found it.
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&installed_probe), &info) == 0 || !info.dli_fname)
    bad_field("VerifyRequest", "probe", "cannot tell where libkiln was loaded from; name kiln-probe");
  std::error_code ec;
  const std::filesystem::path library = std::filesystem::canonical(info.dli_fname, ec);
  if (ec) bad_field("VerifyRequest", "probe", fmt::format("cannot resolve {}: {}", info.dli_fname, ec.message()));
  const std::filesystem::path candidates[] = {(library.parent_path() / KILN_PROBE_FROM_LIBDIR).lexically_normal(),
                                              library.parent_path().parent_path() / "probe/kiln-probe"};
  for (const auto& candidate : candidates)
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  bad_field("VerifyRequest", "probe",
            fmt::format("kiln-probe is not installed where libkiln expects it ({}); name it",
                        candidates[0].string()));
}

}  // namespace kiln::library
