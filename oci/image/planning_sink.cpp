// A sink that stores nothing and asks no registry: it answers what a build would store, so
// the manifest of an unchanged rebuild is known before a single blob request is sent.
#include <fmt/format.h>

#include "core/error.h"
#include "oci/image/image_sink.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

class PlanningSink final : public ImageSink {
 public:
  PlanningSink(const LayerCache& cache, bool oci_only) : cache_(cache), oci_only_(oci_only) {}

  std::string describe() const override { return "a plan (nothing stored)"; }
  bool oci_only() const override { return oci_only_; }
  bool take_blob(const BlobOrigin&, const Descriptor&) override { return false; }

  PushedLayer put_layer(const LayerSpec& spec, const std::filesystem::path&, const LayerCache*) override {
    if (auto layer = cached_layer(cache_, cache_.key_for(spec), spec.compression.kind)) return *layer;
    throw_infra("planning a build: the layer cache does not know this layer; write it with a storing sink");
  }

  Uploaded put_blob_file(const std::filesystem::path&, const Digest&, std::int64_t) override {
    return Uploaded::already_present;
  }

  Descriptor put_blob_bytes(const std::string& bytes, const std::string& media_type) override {
    return Descriptor{.media_type = media_type, .digest = Sha256::of(bytes),
                      .size = static_cast<std::int64_t>(bytes.size())};
  }

  void put_manifest(const std::string&, const std::string&, const std::string&) override {}

 private:
  const LayerCache& cache_;
  bool oci_only_;
};

}  // namespace

std::unique_ptr<ImageSink> planning_sink(const LayerCache& cache, bool oci_only) {
  return std::make_unique<PlanningSink>(cache, oci_only);
}

}  // namespace kiln::oci
