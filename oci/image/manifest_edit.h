#pragma once
// Edits of image manifests and indexes, as JSON documents that keep what kiln does not model.
// Every descriptor follows the manifest's vendor: Docker schema2 manifests get Docker types,
// OCI manifests OCI types (mixing them breaks containers/image based tools).
#include <cstdint>
#include <string>
#include <vector>

#include "oci/digest.h"
#include "oci/json.h"

namespace kiln::oci {

struct Descriptor {
  std::string media_type;
  Digest digest;
  std::int64_t size = 0;
  Json to_json() const;
  /// A manifest's (or index's) descriptor as read from a registry or a layout: digest and size
  /// are required, since every blob is read no further than its size. Throws
  /// kiln::Error(infra) naming `where` when either is missing or malformed.
  static Descriptor from_json(const Json& descriptor, const std::string& where);
  friend bool operator==(const Descriptor& a, const Descriptor& b) {
    return a.media_type == b.media_type && a.digest == b.digest && a.size == b.size;
  }
};

/// True for a Docker schema2 manifest (by its mediaType field or the Content-Type it came with).
bool is_docker_manifest(const Json& manifest, const std::string& content_type);

/// The same image as an OCI manifest: manifest, config and layer media types converted, blobs
/// and digests unchanged. Needed before a zstd layer goes on a Docker base.
[[nodiscard]] Json converted_to_oci(const Json& docker_manifest);

/// Replaces the config descriptor and appends layer descriptors.
[[nodiscard]] Json with_config_and_layers(const Json& manifest, const Descriptor& config,
                                          const std::vector<Descriptor>& layers);

/// Adds the OCI base-image annotations (only meaningful on OCI manifests).
[[nodiscard]] Json with_base_annotations(const Json& manifest, const std::string& base_name, const Digest& base_digest);

/// One entry of a new index: the base's descriptor (platform, annotations) pointing at a new child.
struct IndexChild {
  Json base_descriptor;
  Descriptor manifest;
};
/// A new index of the same media type as `base_index`, keeping its other fields, listing `children`.
[[nodiscard]] Json with_children(const Json& base_index, const std::vector<IndexChild>& children);

}  // namespace kiln::oci
