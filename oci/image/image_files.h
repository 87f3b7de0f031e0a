#pragma once
// Files out of an image's layers, contents included: what COPY --from an image (or a stage on
// one) copies, and the /etc/passwd and /etc/group that --chown=name resolves against. Only the
// requested subtrees are kept; layers are read bottom to top with whiteouts applied, so the
// result is the merged image's view.
#include <filesystem>
#include <string>
#include <vector>

#include "oci/json.h"
#include "oci/layer/layer_writer.h"
#include "oci/registry/client.h"

namespace kiln::oci {

/// The entries at or under each of `prefixes` ("etc/passwd", "app"; "" is everything), as
/// layer entries with the image's modes and owners. Regular files are written under `into`
/// (entry.source points there; a hardlink becomes a copy of its target). Sorted by path.
std::vector<LayerEntry> extract_image_paths(RegistryClient& client, const std::string& repository,
                                            const Json& manifest, const std::vector<std::string>& prefixes,
                                            const std::filesystem::path& into);

}  // namespace kiln::oci
