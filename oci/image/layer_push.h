#pragma once
// Getting a new layer into a repository at the lowest cost: a layer the local cache knows and
// the registry already has costs a hash of the inputs and a HEAD; any other is compressed
// while it streams to the registry, and uploaded again from the written file (never
// recompressed) if streaming fails. Compression never waits for the inputs' hash: when the hash
// lands mid-way and names a layer the registry has, compressing stops there.
#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>

#include "oci/image/blob_transfer.h"
#include "oci/layer/layer_cache.h"
#include "oci/layer/layer_writer.h"
#include "oci/registry/client.h"

namespace kiln::oci {

struct PushedLayer {
  Digest digest;
  Digest diff_id;
  std::int64_t size = 0;
  Compression compression = Compression::gzip;
  Uploaded uploaded = Uploaded::yes;
};

/// The layer the cache recorded under `key` (LayerCache::key_for of the spec), without asking
/// any registry (so it says nothing about where the blob is: `uploaded` is already_present).
/// nullopt on a miss.
std::optional<PushedLayer> cached_layer(const LayerCache& cache, const Digest& key, Compression compression);

/// What a build asks of each layer it writes: a stop, checked before each piece of source (the
/// writing ends, its upload session is cancelled and StopRequested thrown), and word of how far
/// the layer has come, at the same points.
struct LayerWatch {
  std::stop_token stop;
  std::function<void(const LayerProgress&)> on_progress;
};

/// `cache` may be null (no cache).
PushedLayer push_layer(RegistryClient& target, const std::string& repository, const LayerSpec& spec,
                       const std::filesystem::path& blob_path, const LayerCache* cache, const LayerWatch& watch = {});

}  // namespace kiln::oci
