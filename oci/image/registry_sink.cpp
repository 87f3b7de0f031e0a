#include <fmt/format.h>

#include "oci/image/image_sink.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

class RegistrySink final : public ImageSink {
 public:
  RegistrySink(RegistryClient& client, std::string repository, LayerWatch watch)
      : client_(client), repository_(std::move(repository)), watch_(std::move(watch)) {}

  std::string describe() const override { return fmt::format("registry {}/{}", client_.registry(), repository_); }

  bool take_blob(const BlobOrigin& origin, const Descriptor& blob) override {
    return copy_blob_if_missing(origin, client_, repository_, blob);
  }

  PushedLayer put_layer(const LayerSpec& spec, const std::filesystem::path& blob_path,
                        const LayerCache* cache) override {
    return push_layer(client_, repository_, spec, blob_path, cache, watch_);
  }

  Uploaded put_blob_file(const std::filesystem::path& file, const Digest& digest, std::int64_t size) override {
    return push_blob_file(client_, repository_, file, digest, size);
  }

  Descriptor put_blob_bytes(const std::string& bytes, const std::string& media_type) override {
    return push_blob_bytes(client_, repository_, bytes, media_type);
  }

  void put_manifest(const std::string& tag, const std::string& media_type, const std::string& bytes) override {
    // By digest when untagged: the registry links the manifest without moving a tag.
    client_.put_manifest(repository_, tag.empty() ? Sha256::of(bytes).to_string() : tag, media_type, bytes);
  }

 private:
  RegistryClient& client_;
  std::string repository_;
  LayerWatch watch_;
};

}  // namespace

std::unique_ptr<ImageSink> registry_sink(RegistryClient& client, std::string repository, LayerWatch watch) {
  return std::make_unique<RegistrySink>(client, std::move(repository), std::move(watch));
}

}  // namespace kiln::oci
