#include "oci/digest.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::oci {

Digest Digest::parse(std::string_view text) {
  constexpr std::string_view prefix = "sha256:";
  if (!text.starts_with(prefix)) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos)
      throw_usage(fmt::format("invalid digest '{}': expected 'sha256:<64 hex digits>'", text));
    throw_usage(fmt::format("unsupported digest algorithm '{}' in '{}': only sha256 is supported",
                            text.substr(0, colon), text));
  }
  std::string_view hex = text.substr(prefix.size());
  if (hex.size() != 64)
    throw_usage(fmt::format("invalid digest '{}': sha256 needs 64 hex digits, got {}", text, hex.size()));
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      throw_usage(fmt::format("invalid digest '{}': '{}' is not a lowercase hex digit", text, c));
  return from_sha256_hex(std::string(hex));
}

Digest Digest::from_sha256_hex(std::string hex) {
  Digest d;
  d.hex_ = std::move(hex);
  return d;
}

}  // namespace kiln::oci
