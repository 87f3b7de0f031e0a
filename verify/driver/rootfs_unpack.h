#pragma once
// Unpacks an image's layers, bottom first, into a directory the local driver hands to runc as
// the container's root filesystem. The layers are untrusted: nothing may land outside the
// directory (no "..", no absolute paths, no write through a symlink, no hardlink to a path
// reached through one), device nodes are skipped, and a size limit stops tar bombs.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "oci/image/blob_reader.h"
#include "verify/driver/layer_index.h"

namespace kiln::verify {

/// The static driver's limits, for the same reason: a hostile image reaches no driver with more
/// than 2,000,000 entries or 16 GiB of file bytes, all layers together.
using UnpackLimits = IndexLimits;

struct UnpackReport {
  /// Entries left out on purpose ("layer 0 sha256:…: dev/sda: block device skipped").
  std::vector<std::string> skipped;
  std::uint64_t bytes_written = 0;
  std::uint64_t entries = 0;
};

/// Applies `layers` (bottom first) to `root` (an existing, empty directory) with whiteouts,
/// keeping modes (setuid, setgid, sticky too), numeric owners and times. Throws
/// kiln::Error(infra) naming the layer and the entry for anything that would escape `root`,
/// for a limit exceeded, or for a layer that cannot be read or written.
UnpackReport unpack_rootfs(const std::shared_ptr<oci::BlobReader>& blobs, const std::vector<LayerRef>& layers,
                           const std::filesystem::path& root, const UnpackLimits& limits = {});

}  // namespace kiln::verify
