#pragma once
// Unpacks an image's layers, bottom first, into a directory the local driver hands to runc as
// the container's root filesystem. The layers are untrusted: nothing may land outside the
// directory (no "..", no absolute paths, no write through a symlink, no hardlink to a path
// reached through one), device nodes are skipped, and limits on entries and bytes stop tar
// bombs on the entry's header, before its data is written.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oci/image/blob_reader.h"
#include "verify/driver/layer_index.h"
#include "verify/driver/local/id_mapping.h"

namespace kiln::verify {

/// The static driver's limits, for the same reason: a hostile image reaches no driver with more
/// than 2,000,000 entries or 16 GiB of file bytes, all layers together. The local driver lowers
/// max_bytes (LocalDriverOptions): its bytes are written to disk, not only read.
using UnpackLimits = IndexLimits;

struct UnpackReport {
  /// Entries left out on purpose ("layer 0 sha256:…: dev/sda: block device skipped").
  std::vector<std::string> skipped;
  std::uint64_t bytes_written = 0;
  std::uint64_t entries = 0;
};

/// Applies `layers` (bottom first) to `root` (an existing, empty directory) with whiteouts,
/// keeping modes (setuid, setgid, sticky too), numeric owners and times. With `owners`, every
/// image id is stored as the host id the user namespace maps it to, and `root` and the
/// directories a layer implies without listing them belong to the image's root, as they would
/// without a user namespace. Throws kiln::Error(infra) naming the layer and the entry for
/// anything that would escape `root`, for a limit exceeded, for an owner `owners` cannot map,
/// or for a layer that cannot be read or written.
UnpackReport unpack_rootfs(const std::shared_ptr<oci::BlobReader>& blobs, const std::vector<LayerRef>& layers,
                           const std::filesystem::path& root, const UnpackLimits& limits = {},
                           const std::optional<IdMapping>& owners = std::nullopt);

}  // namespace kiln::verify
