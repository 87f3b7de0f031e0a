#pragma once
// The `docker save` tarball (docker-archive), as Kaniko's --tar-path writes it through
// go-containerregistry's tarball package: manifest.json naming the config ("sha256:<hex>")
// and the layers ("<hex>.tar.gz", still compressed) with RepoTags, one image per archive.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "oci/image/image_copy.h"

namespace kiln::oci {

/// Writes the single-platform image `manifest`, whose blobs are in the OCI layout `layout`,
/// to `tar_path` (its parent directory created) tagged with `repo_tags` ("registry/repo:tag").
/// Throws kiln::Error(usage) for an index or zstd layers (docker-archive has no zstd).
void write_docker_archive(const std::filesystem::path& layout, const StoredManifest& manifest,
                          const std::vector<std::string>& repo_tags, const std::filesystem::path& tar_path);

/// What reading a docker-archive may cost. The archive may come from anyone (a build context
/// uploaded to kiln-server, an image file given to kiln-verify), and the tar itself may be
/// compressed, so its size on disk says nothing about what it unpacks to.
struct DockerArchiveLimits {
  std::int64_t max_bytes = std::int64_t{16} << 30;  ///< of the files it holds, unpacked
  std::int64_t max_entries = 100'000;               ///< `docker save` writes 3 per layer and a few more
};

/// Reads a docker-archive (gzip'd, uncompressed or zstd layers; uncompressed ones are gzip'd
/// at level 1) into `target` as one Docker schema 2 image (OCI when a layer is zstd or the
/// target takes OCI only), stored by digest, and returns it. Throws kiln::Error(usage) naming
/// the file when it is not a single-image docker-archive, when manifest.json names a file
/// outside the archive, or when it exceeds `limits`.
StoredImage read_docker_archive(const std::filesystem::path& tar_path, ImageSink& target,
                                const DockerArchiveLimits& limits = {});

}  // namespace kiln::oci
