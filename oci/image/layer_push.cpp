#include "oci/image/layer_push.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>

#include "core/stop.h"
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

std::optional<PushedLayer> cached_layer(const LayerCache& cache, const Digest& key, Compression compression) {
  const auto hit = cache.find(key);
  if (!hit) return std::nullopt;
  return PushedLayer{.digest = hit->digest, .diff_id = hit->diff_id, .size = hit->size,
                     .compression = compression, .uploaded = Uploaded::already_present};
}

PushedLayer push_layer(RegistryClient& target, const std::string& repository, const LayerSpec& spec,
                       const std::filesystem::path& blob_path, const LayerCache* cache, const LayerWatch& watch) {
  // The layer the cache names for `key`, when the registry has its blob.
  const auto present = [&](const Digest& key) -> std::optional<PushedLayer> {
    auto layer = cached_layer(*cache, key, spec.compression.kind);
    if (!layer || !target.head_blob(repository, layer->digest)) return std::nullopt;
    spdlog::debug("layer cache: {} is already in {}", layer->digest.to_string(), repository);
    return layer;
  };
  std::optional<Digest> key;
  if (cache) {
    cache->hash_ahead(spec);
    key = cache->key_if_ready(spec);
    if (key)
      if (auto layer = present(*key)) return *layer;
  }

  std::unique_ptr<RegistryClient::StreamedUpload> upload;
  try {
    upload = target.start_streamed_upload(repository);
  } catch (const RegistryError& e) {
    spdlog::debug("{}; the layer will be uploaded once written", e.what());
  }
  std::optional<UploadObserver> observer;
  if (upload) observer.emplace(*upload);
  // A source whose hash was not remembered is being hashed meanwhile: compressing starts at
  // once instead of waiting for it, and stops if the hash then names a layer the registry has
  // (the same binary, rebuilt or touched). A cancelled upload is DELETEd by ~StreamedUpload.
  std::optional<PushedLayer> found;
  const StillWanted still_wanted = [&](const LayerProgress& progress) {
    if (watch.stop.stop_requested()) return false;
    if (watch.on_progress) watch.on_progress(progress);
    if (!cache || key) return true;
    key = cache->key_if_ready(spec);
    if (key) found = present(*key);
    return !found;
  };
  const std::optional<WrittenLayer> written =
      write_layer_unless(spec, blob_path, observer ? &*observer : nullptr, still_wanted);
  if (!written) {
    if (found) return *found;
    throw StopRequested(fmt::format("{}/{}: writing a layer", target.registry(), repository));
  }
  if (!upload || !upload->commit(written->digest))
    push_blob_file(target, repository, written->blob_path, written->digest, written->size);

  if (cache) cache->store(key ? *key : cache->key_for(spec),
                          {.digest = written->digest, .diff_id = written->diff_id, .size = written->size});
  return PushedLayer{.digest = written->digest, .diff_id = written->diff_id, .size = written->size,
                     .compression = written->compression, .uploaded = Uploaded::yes};
}

}  // namespace kiln::oci
