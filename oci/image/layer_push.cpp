#include "oci/image/layer_push.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "oci/registry/error.h"

namespace kiln::oci {
namespace {

class UploadObserver final : public BlobObserver {
 public:
  explicit UploadObserver(RegistryClient::StreamedUpload& upload) : upload_(upload) {}
  void on_blob_bytes(const void* data, std::size_t size) noexcept override { upload_.write(data, size); }

 private:
  RegistryClient::StreamedUpload& upload_;
};

}  // namespace

std::optional<PushedLayer> cached_layer(const LayerSpec& spec, const LayerCache& cache) {
  const auto hit = cache.find(cache.key_for(spec));
  if (!hit) return std::nullopt;
  return PushedLayer{.digest = hit->digest, .diff_id = hit->diff_id, .size = hit->size,
                     .compression = spec.compression.kind, .uploaded = Uploaded::already_present};
}

PushedLayer push_layer(RegistryClient& target, const std::string& repository, const LayerSpec& spec,
                       const std::filesystem::path& blob_path, const LayerCache* cache) {
  std::optional<Digest> key;
  if (cache) {
    key = cache->key_for(spec);
    if (auto hit = cache->find(*key); hit && target.head_blob(repository, hit->digest)) {
      spdlog::debug("layer cache: {} is already in {}", hit->digest.to_string(), repository);
      return PushedLayer{.digest = hit->digest, .diff_id = hit->diff_id, .size = hit->size,
                         .compression = spec.compression.kind, .uploaded = Uploaded::already_present};
    }
  }

  std::unique_ptr<RegistryClient::StreamedUpload> upload;
  try {
    upload = target.start_streamed_upload(repository);
  } catch (const RegistryError& e) {
    spdlog::debug("{}; the layer will be uploaded once written", e.what());
  }
  std::optional<UploadObserver> observer;
  if (upload) observer.emplace(*upload);
  const WrittenLayer written = write_layer(spec, blob_path, observer ? &*observer : nullptr);
  if (!upload || !upload->commit(written.digest))
    push_blob_file(target, repository, written.blob_path, written.digest, written.size);

  if (cache && key) cache->store(*key, {.digest = written.digest, .diff_id = written.diff_id, .size = written.size});
  return PushedLayer{.digest = written.digest, .diff_id = written.diff_id, .size = written.size,
                     .compression = written.compression, .uploaded = Uploaded::yes};
}

}  // namespace kiln::oci
