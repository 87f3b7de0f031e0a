#pragma once
// Images in an OCI image layout directory (what `skopeo copy … oci:dir`, kaniko's
// --oci-layout-path and buildah push oci: write): index.json, then blobs by digest.
#include <string>
#include <vector>

#include "oci/image/blob_reader.h"
#include "oci/image/remote_image.h"

namespace kiln::oci {

/// The runnable manifests the layout names (nested indexes followed, attestations skipped),
/// each with its descriptor's platform. `ref_name` non-empty: only the entries of index.json
/// annotated org.opencontainers.image.ref.name = ref_name. Throws kiln::Error(usage) naming the
/// directory when it is not a layout or names nothing.
std::vector<Json> layout_manifest_descriptors(const std::string& layout_directory, const std::string& ref_name);

/// The manifest and config of one descriptor, read and verified through `blobs`.
ResolvedImage read_layout_image(BlobReader& blobs, const Json& descriptor);

}  // namespace kiln::oci
