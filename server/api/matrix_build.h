#pragma once
// A matrix batch makes one build per service. Its platforms axis does not multiply the builds:
// every platform goes into the one image of the service (an index with a manifest per platform),
// as separate builds would each push the same tag and the last one would win. Its tags axis
// is the service's tags: one push under every tag.
#include <string>

#include "oci/json.h"

namespace kiln::server {

/// The build request of one service: its own fields, with "binary" (one binary per platform)
/// or "platform" (a single platform) and "tags" set from the axes. `platforms` items are
/// "linux/arm64" or {"platform": "linux/arm64", "binary": "out/arm64/main"}; a string takes its
/// binary from a per-platform `binary` setting (linux/arm64=out/arm64/main,…). Throws
/// ApiError(400) naming the axis when the service cannot make one image of every platform.
oci::Json matrix_build(const oci::Json& service, const oci::Json& common_settings, const oci::Json& platforms,
                       const oci::Json& tags, const std::string& where);

}  // namespace kiln::server
