#pragma once
// Appending layers to a base image (or to nothing: scratch) and pushing the result, the way
// `crane append` + `crane mutate` do, in the order content addressing forces: layers (the new
// ones streamed while they are written, see layer_push.h; the base's mounted or copied),
// config, then the manifest (by the caller, so it decides on tags or an index).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "oci/image/blob_transfer.h"
#include "oci/image/config_edit.h"
#include "oci/image/image_sink.h"
#include "oci/image/layer_push.h"
#include "oci/image/remote_image.h"

namespace kiln::oci {

/// What a build adds on top of its base.
struct ImageAddition {
  std::vector<PushedLayer> layers;  ///< in order, already in the target (ImageSink::put_layer)
  std::vector<HistoryStep> history;
};

/// Further config changes after the layers are added (entrypoint, working directory, ...).
using ConfigEdit = std::function<Json(const Json&)>;

/// A manifest whose blobs are all in the target repository, not pushed itself yet.
struct NewManifest {
  std::string media_type;
  std::string bytes;
  Digest digest;
  Platform platform;
  int base_layers_copied = 0;
  int layers_uploaded = 0;
  std::int64_t layer_bytes_uploaded = 0;  ///< blob bytes of the layers counted in layers_uploaded
};

/// The empty image FROM scratch starts from: an OCI manifest without layers.
ResolvedImage scratch_image(const Platform& platform);

/// Stores the base layers (mount or copy as needed; none for scratch, when `origin` is null)
/// and the new config in `target`, and returns the new manifest. A zstd layer on
/// a Docker base, or a target that takes OCI only (a layout), turns the manifest into an OCI one. `created` is the image creation time
/// (SOURCE_DATE_EPOCH or 0); `base_reference` names the base in OCI annotations.
NewManifest append_layers(const BlobOrigin* origin, const std::optional<Reference>& base_reference,
                          const ResolvedImage& base, ImageSink& target, const ImageAddition& addition, const ConfigEdit& edit, std::int64_t created);

/// The index over the pushed children, same type as the base index (an OCI index when a
/// child had to become OCI).
struct NewIndex {
  std::string media_type;
  std::string bytes;
};
NewIndex make_index(const BaseImage& base, const std::vector<std::pair<Json, NewManifest>>& children);

}  // namespace kiln::oci
