#pragma once
// An image platform ("linux/arm64/v8") and the choice of a child from an index.
#include <optional>
#include <string>
#include <string_view>

#include "oci/json.h"

namespace kiln::oci {

struct Platform {
  std::string os = "linux";
  std::string architecture;
  std::string variant;

  /// Parses "os/arch[/variant]"; throws kiln::Error(usage) naming the text.
  static Platform parse(std::string_view text);
  /// Reads an index descriptor's "platform" object (absent means linux/amd64, as in ggcr).
  static Platform from_descriptor(const Json& descriptor);
  /// Reads the os/architecture/variant fields of an image config.
  static Platform from_config(const Json& config);
  std::string to_string() const;
  /// Exact os and architecture; the variant only when this platform names one.
  bool satisfied_by(const Platform& candidate) const;
  friend bool operator==(const Platform&, const Platform&) = default;
};

/// Index entries that are not images to run: BuildKit attestations ("unknown/unknown").
bool is_attestation(const Json& descriptor);

/// The first manifest of `index` whose platform satisfies `wanted`; nullopt when none does.
std::optional<Json> select_platform(const Json& index, const Platform& wanted);

}  // namespace kiln::oci
