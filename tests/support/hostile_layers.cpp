#include "tests/support/hostile_layers.h"

#include <functional>
#include <stdexcept>

#include "oci/image/blob_transfer.h"
#include "oci/layer/archive_handle.h"
#include "oci/layer/zstd_stream.h"
#include "oci/media_type.h"
#include "oci/sha256.h"

namespace kiln::testing {
namespace {

// A tar written by libarchive whose bytes are hashed and zstd-compressed on their way out.
class StreamedTar {
 public:
  StreamedTar()
      : zstd_({.level = 1, .workers = 1},
              [this](const void* data, std::size_t size) { blob_.append(static_cast<const char*>(data), size); }),
        tar_(archive_write_new()) {
    archive_write_set_format_pax_restricted(tar_.get());
    archive_write_set_bytes_in_last_block(tar_.get(), 1);
    if (archive_write_open(tar_.get(), this, nullptr, &StreamedTar::out, nullptr) != ARCHIVE_OK)
      throw std::runtime_error(archive_error_string(tar_.get()));
  }

  void add(const std::string& path, unsigned type, std::uint64_t size,
           const std::function<void(archive*)>& write_data = {}) {
    oci::ArchiveEntry e(archive_entry_new());
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    if (archive_write_header(tar_.get(), e.get()) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(tar_.get()));
    if (write_data) write_data(tar_.get());
  }

  LayerBlob finish() {
    if (archive_write_close(tar_.get()) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(tar_.get()));
    zstd_.finish();
    return LayerBlob{.blob = std::move(blob_), .diff_id = hash_.finish(),
                     .media_type = std::string(oci::media_type::oci_layer_zstd), .tar_bytes = tar_bytes_};
  }

 private:
  static la_ssize_t out(archive*, void* self, const void* data, size_t size) {
    auto* tar = static_cast<StreamedTar*>(self);
    tar->hash_.update(data, size);
    tar->zstd_.write(data, size);
    tar->tar_bytes_ += size;
    return static_cast<la_ssize_t>(size);
  }

  std::string blob_;
  std::uint64_t tar_bytes_ = 0;
  oci::Sha256 hash_;
  oci::ZstdStream zstd_;
  oci::WriteArchive tar_;
};

}  // namespace

LayerBlob zero_file_layer(const std::string& name, std::uint64_t size) {
  StreamedTar tar;
  tar.add(name, AE_IFREG, size, [size](archive* a) {
    const std::string zeros(1 << 20, '\0');
    for (std::uint64_t left = size; left > 0;) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, zeros.size()));
      if (archive_write_data(a, zeros.data(), n) != static_cast<la_ssize_t>(n)) throw std::runtime_error(archive_error_string(a));
      left -= n;
    }
  });
  return tar.finish();
}

LayerBlob many_files_layer(std::uint64_t count) {
  StreamedTar tar;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string dir = "d" + std::to_string(i / 1000);
    if (i % 1000 == 0) tar.add(dir, AE_IFDIR, 0);
    tar.add(dir + "/f" + std::to_string(i), AE_IFREG, 0);
  }
  return tar.finish();
}

PushedImage push_layers(oci::RegistryClient& client, const std::string& repository, const std::string& tag,
                        const std::vector<LayerBlob>& layers, const oci::Json& config_section) {
  namespace mt = oci::media_type;
  oci::Json config = {{"architecture", "amd64"}, {"os", "linux"}, {"config", config_section},
                      {"rootfs", {{"type", "layers"}, {"diff_ids", oci::Json::array()}}}};
  oci::Json descriptors = oci::Json::array();
  for (const LayerBlob& layer : layers) {
    config["rootfs"]["diff_ids"].push_back(layer.diff_id.to_string());
    descriptors.push_back(oci::push_blob_bytes(client, repository, layer.blob, layer.media_type).to_json());
  }
  oci::Json manifest = {{"schemaVersion", 2}, {"mediaType", mt::oci_manifest}};
  manifest["config"] = oci::push_blob_bytes(client, repository, oci::dump_json(config), std::string(mt::oci_config)).to_json();
  manifest["layers"] = descriptors;
  std::string bytes = oci::dump_json(manifest);
  const oci::Digest digest = client.put_manifest(repository, tag, std::string(mt::oci_manifest), bytes);
  return PushedImage{.pinned = client.registry() + "/" + repository + "@" + digest.to_string(), .digest = digest,
                     .manifest_bytes = std::move(bytes), .manifest = std::move(manifest), .config = std::move(config)};
}

}  // namespace kiln::testing
