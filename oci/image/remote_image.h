#pragma once
// A base image as read from a registry: either one manifest, or an index whose runnable
// children are listed with their platforms. Raw bytes are kept so digests stay exact.
#include <optional>
#include <string>
#include <vector>

#include "oci/image/platform.h"
#include "oci/json.h"
#include "oci/reference.h"
#include "oci/registry/client.h"

namespace kiln::oci {

/// One runnable image: its manifest (exact bytes) and its config.
struct ResolvedImage {
  std::string media_type;
  std::string manifest_bytes;
  Digest digest;
  Json manifest;
  Json config;
  Platform platform;
};

struct BaseImage {
  Reference reference;
  /// Set when the reference names an index (OCI index or Docker manifest list).
  std::optional<ManifestResponse> index;
  Json index_json;
  /// The index descriptors of runnable children (attestations skipped), in index order.
  std::vector<Json> children;
  /// Set when the reference names a single manifest.
  std::optional<ResolvedImage> image;

  /// Platforms available: the children's, or the single image's.
  std::vector<Platform> platforms() const;
};

/// Fetches the manifest (or index) the reference names; a single manifest is resolved with its
/// config at once. Throws kiln::Error naming the reference for schema1 or unknown types.
BaseImage fetch_base(RegistryClient& client, const Reference& reference);

/// Fetches and verifies a child manifest of an index, and its config.
ResolvedImage resolve_child(RegistryClient& client, const Reference& reference, const Json& descriptor);

}  // namespace kiln::oci
