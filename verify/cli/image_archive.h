#pragma once
// An image given as a file, as CST users pass `--image image.tar`: a docker-archive (`docker
// save`, Kaniko's --tar-path) or an OCI archive (a tarred OCI image layout, `skopeo copy …
// oci-archive:`). Both become an OCI layout directory that the layout reader then reads.
#include <cstdint>
#include <filesystem>

namespace kiln::verify {

struct ImageArchiveLimits {
  std::uint64_t max_bytes = 16ull << 30;  ///< file data extracted, all entries together
  std::uint64_t max_entries = 100000;
};

/// True when `file` is a tar archive holding `oci-layout` or `manifest.json` at its top.
bool is_image_archive(const std::filesystem::path& file);

/// Writes the archive's image as an OCI layout into the empty directory `layout`, tagged
/// "image" for a docker-archive (an OCI archive keeps its own index.json). Throws
/// kiln::Error(usage) naming the file when it is neither kind, holds a name that climbs out,
/// or passes `limits`.
void layout_from_image_archive(const std::filesystem::path& file, const std::filesystem::path& layout,
                               const ImageArchiveLimits& limits = {});

}  // namespace kiln::verify
