#pragma once
// Appending one layer to a base image and pushing the result, the way `crane append` +
// `crane mutate` do, in the order content addressing forces: layers (the new one streamed
// while it is written, see layer_push.h; the base's mounted or copied), config, then the
// manifest (by the caller, so it decides on tags or an index).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "oci/image/blob_transfer.h"
#include "oci/image/config_edit.h"
#include "oci/image/layer_push.h"
#include "oci/image/remote_image.h"

namespace kiln::oci {

struct NewLayer {
  PushedLayer pushed;  ///< already in the target repository (push_layer)
  HistoryEntry history;
};

/// Further config changes after the layer is added (entrypoint, working directory, ...).
using ConfigEdit = std::function<Json(const Json&)>;

/// A manifest whose blobs are all in the target repository, not pushed itself yet.
struct NewManifest {
  std::string media_type;
  std::string bytes;
  Digest digest;
  Platform platform;
  int base_layers_copied = 0;
  Uploaded layer_uploaded = Uploaded::yes;
};

/// Pushes the base layers (mount or copy as needed) and the new config into target/repository,
/// where the new layer already is, and returns the new manifest. A zstd layer on a Docker base turns the
/// manifest into an OCI one. `created` is the image creation time (SOURCE_DATE_EPOCH or 0).
NewManifest append_layer(const BlobOrigin& origin, const Reference& base_reference, const ResolvedImage& base,
                         RegistryClient& target, const std::string& repository, const NewLayer& layer,
                         const ConfigEdit& edit, std::int64_t created);

/// The index over the pushed children, same type as the base index (an OCI index when a
/// child had to become OCI).
struct NewIndex {
  std::string media_type;
  std::string bytes;
};
NewIndex make_index(const BaseImage& base, const std::vector<std::pair<Json, NewManifest>>& children);

}  // namespace kiln::oci
