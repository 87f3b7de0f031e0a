#pragma once
// Layers that attack whoever unpacks them, generated as a stream and compressed with zstd while
// they are written, so a test holds only the small blob: a file of gigabytes of zeros, or
// hundreds of thousands of entries. Pushed to a real registry as an ordinary image.
#include <cstdint>
#include <string>
#include <vector>

#include "oci/digest.h"
#include "oci/json.h"
#include "oci/registry/client.h"

namespace kiln::testing {

struct LayerBlob {
  std::string blob;        ///< compressed tar
  oci::Digest diff_id;     ///< SHA-256 of the tar, as config.rootfs.diff_ids lists it
  std::string media_type;  ///< of the blob
  std::uint64_t tar_bytes = 0;
};

/// One regular file `name` of `size` zero bytes (4 GiB compress to some 130 KiB).
LayerBlob zero_file_layer(const std::string& name, std::uint64_t size);
/// `count` empty regular files, 1000 to a directory ("d0/f0" ... ); the directories are
/// entries too.
LayerBlob many_files_layer(std::uint64_t count);

struct PushedImage {
  std::string pinned;  ///< "registry/repository@sha256:…"
  oci::Digest digest;
  std::string manifest_bytes;
  oci::Json manifest;
  oci::Json config;
};

/// Pushes `layers` (bottom first) as repository:tag, linux/amd64, with an OCI manifest and
/// `config_section` as the image config's "config" (User, Env, ...).
PushedImage push_layers(oci::RegistryClient& client, const std::string& repository, const std::string& tag,
                        const std::vector<LayerBlob>& layers, const oci::Json& config_section = oci::Json::object());

}  // namespace kiln::testing
