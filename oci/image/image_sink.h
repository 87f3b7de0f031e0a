#pragma once
// Where a built image goes: a registry repository (pushed) or an OCI image layout directory
// (dry_run, oci_layout_path). The build writes blobs first and manifests last through this one
// interface, so it never asks which it has.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "oci/image/blob_transfer.h"
#include "oci/image/layer_push.h"
#include "oci/layer/layer_cache.h"
#include "oci/layer/layer_writer.h"
#include "oci/registry/client.h"

namespace kiln::oci {

class ImageSink {
 public:
  virtual ~ImageSink() = default;
  /// "registry 127.0.0.1:5000/app" or "OCI layout ./out", for messages.
  virtual std::string describe() const = 0;
  /// True when only OCI media types may be stored: umoci and other layout readers take OCI
  /// manifests only, so a build into a layout converts a Docker base's manifest.
  virtual bool oci_only() const { return false; }
  /// Brings a base image's blob in from `origin`: nothing when it is there, a mount inside one
  /// registry, else a copy checked against its size and digest. True when bytes were copied.
  virtual bool take_blob(const BlobOrigin& origin, const Descriptor& blob) = 0;
  /// Writes a new layer (its blob file at `blob_path` on the way) and stores it. `cache` may
  /// be null.
  virtual PushedLayer put_layer(const LayerSpec& spec, const std::filesystem::path& blob_path,
                                const LayerCache* cache) = 0;
  /// Stores a finished local blob file unless it is there.
  virtual Uploaded put_blob_file(const std::filesystem::path& file, const Digest& digest, std::int64_t size) = 0;
  /// Stores in-memory bytes (a config) unless present; returns their descriptor.
  virtual Descriptor put_blob_bytes(const std::string& bytes, const std::string& media_type) = 0;
  /// Stores a manifest or index under `tag`; an empty tag stores it by digest only (an index's
  /// children). Every blob it names must be stored first.
  virtual void put_manifest(const std::string& tag, const std::string& media_type, const std::string& bytes) = 0;
};

/// Pushes into `repository` through `client` (which must outlive the sink). `watch` is asked
/// while each new layer is written (put_layer).
std::unique_ptr<ImageSink> registry_sink(RegistryClient& client, std::string repository, LayerWatch watch = {});
/// Writes an OCI image layout at `directory` (created; an existing layout is added to, a tag
/// already in its index.json is moved). Each tag is one index.json entry annotated
/// org.opencontainers.image.ref.name, as `skopeo copy … oci:dir:tag` writes it.
std::unique_ptr<ImageSink> layout_sink(std::filesystem::path directory, LayerWatch watch = {});
/// Stores nothing and sends nothing: blobs count as present, a config's descriptor is
/// computed, put_layer() answers from `cache` (kiln::Error(infra) for a layer it does not
/// know). With it a build computes its manifest first, and skips every request when the
/// registry already has that manifest under each tag (`cache` must outlive the sink).
std::unique_ptr<ImageSink> planning_sink(const LayerCache& cache, bool oci_only);

}  // namespace kiln::oci
