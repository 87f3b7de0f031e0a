#pragma once
// A local record of layers already written: the identity of a layer's inputs (every entry's
// content hash, modes, mtime, compression) → the digest, diff_id and size it produced. With it
// an unchanged rebuild costs a hash of the inputs and a HEAD instead of a compression.
#include <cstdint>
#include <filesystem>
#include <optional>

#include "oci/digest.h"
#include "oci/layer/file_hashes.h"
#include "oci/layer/layer_writer.h"

namespace kiln::oci {

struct CachedLayer {
  Digest digest;
  Digest diff_id;
  std::int64_t size = 0;
  friend bool operator==(const CachedLayer&, const CachedLayer&) = default;
};

class LayerCache {
 public:
  /// Entries live in `dir` (created on first store); the source files' content hashes are
  /// remembered under their stat identity in `dir`/file-hashes, so an unchanged binary is not
  /// read again by the next build.
  explicit LayerCache(std::filesystem::path dir) : dir_(std::move(dir)), hashes_(dir_ / "file-hashes") {}

  /// The identity of a spec's output: reads every source file once to hash it. Throws
  /// kiln::Error(usage) naming a source file that cannot be read.
  static Digest key_of(const LayerSpec& spec);
  /// Starts hashing the spec's source files in the background, so that key_for() later finds
  /// them hashed: a build calls it first, before any registry round trip.
  void hash_ahead(const LayerSpec& spec) const;
  /// key_of(spec), with the hashes hash_ahead() started (a file changed since is hashed again).
  Digest key_for(const LayerSpec& spec) const;
  /// key_for(spec) when every source file's hash is known already (remembered, or hashed by
  /// hash_ahead()); nullopt while one is still being read, so a build never waits for it.
  std::optional<Digest> key_if_ready(const LayerSpec& spec) const;

  std::optional<CachedLayer> find(const Digest& key) const;
  /// Records a written layer; a cache that cannot be written only costs speed, so failures
  /// are logged at debug level, never thrown.
  void store(const Digest& key, const CachedLayer& layer) const noexcept;

 private:
  std::filesystem::path dir_;
  mutable FileHashes hashes_;
};

}  // namespace kiln::oci
