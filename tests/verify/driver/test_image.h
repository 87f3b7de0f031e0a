#pragma once
// Images for the driver tests: layer blobs (written by test_layers.h) pushed to a real
// docker-registry with an OCI manifest and config, returned as the ImageUnderTest a driver gets.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "oci/image/blob_reader.h"
#include "oci/image/blob_transfer.h"
#include "oci/json.h"
#include "oci/layer/archive_handle.h"
#include "oci/media_type.h"
#include "oci/registry/client.h"
#include "oci/sha256.h"
#include "tests/support/hostile_layers.h"
#include "verify/driver/driver.h"

namespace kiln::verify::testing {

inline std::string host_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// sha256 of the uncompressed tar, as config.rootfs.diff_ids lists it (umoci checks them).
inline oci::Digest diff_id_of(const std::string& blob) {
  oci::ReadArchive a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  archive_read_open_memory(a.get(), blob.data(), blob.size());
  archive_entry* entry = nullptr;
  oci::Sha256 hash;
  if (archive_read_next_header(a.get(), &entry) == ARCHIVE_OK) {
    char buffer[1 << 16];
    for (la_ssize_t n; (n = archive_read_data(a.get(), buffer, sizeof buffer)) > 0;) hash.update(buffer, n);
  }
  return hash.finish();
}

/// Pushes `layers` (bottom first) as repository:tag; the ImageUnderTest a driver gets.
inline ImageUnderTest push_test_image(oci::RegistryClient& client, const std::string& repository,
                                      const std::string& tag, const std::vector<kiln::testing::LayerBlob>& layers,
                                      const oci::Json& config_section = oci::Json::object()) {
  kiln::testing::PushedImage pushed = kiln::testing::push_layers(client, repository, tag, layers, config_section);
  return ImageUnderTest{
      .reference = client.registry() + "/" + repository + ":" + tag,
      .pinned = pushed.pinned,
      .image = oci::ResolvedImage{.media_type = std::string(oci::media_type::oci_manifest),
                                  .manifest_bytes = std::move(pushed.manifest_bytes), .digest = pushed.digest,
                                  .manifest = std::move(pushed.manifest), .config = std::move(pushed.config),
                                  .platform = oci::Platform{.os = "linux", .architecture = "amd64", .variant = {}}},
      .blobs = oci::registry_blob_reader(client, repository)};
}

/// Pushes gzip layer `blobs` (bottom first) as repository:tag with `config_section` as the
/// config's "config" object (User, Env, WorkingDir, ...).
inline ImageUnderTest push_test_image(oci::RegistryClient& client, const std::string& repository,
                                      const std::string& tag, const std::vector<std::string>& blobs,
                                      const oci::Json& config_section = oci::Json::object()) {
  std::vector<kiln::testing::LayerBlob> layers;
  for (const std::string& blob : blobs)
    layers.push_back({.blob = blob, .diff_id = diff_id_of(blob),
                      .media_type = std::string(oci::media_type::oci_layer_gzip)});
  return push_test_image(client, repository, tag, layers, config_section);
}

}  // namespace kiln::verify::testing
