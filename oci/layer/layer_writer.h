#pragma once
// Writes one image layer deterministically in a single pass: tar entries → SHA-256 of the tar
// (diff_id) → compressor → SHA-256 of the blob (digest) → blob file. Same inputs, same bytes.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "oci/digest.h"

namespace kiln::oci {

enum class Compression { none, gzip, zstd };

struct CompressionSettings {
  Compression kind = Compression::gzip;
  int level = 1;  ///< gzip 1-9, zstd 1-19; 1 by default: 3x faster than 6 for ~10% more bytes
  friend bool operator==(const CompressionSettings&, const CompressionSettings&) = default;
};

/// One entry of the layer. Paths are UTF-8, relative to the image root ("usr/local/app/main");
/// a leading "/" or "./", repeated slashes and "." components are removed, ".." is refused.
/// Missing parent directories are added as 0755 entries.
struct LayerEntry {
  enum class Type { file, directory, symlink };
  Type type = Type::file;
  std::string path;
  std::uint32_t mode = 0755;     ///< file and directory permission bits; symlinks are always 0777
  std::filesystem::path source;  ///< file: streamed from here (never read whole into memory)
  std::string content;           ///< file: inline content, when `source` is empty (one or the other)
  std::string link_target;       ///< symlink: target as stored, not normalised
  std::uint32_t uid = 0;         ///< owner (COPY --chown); added parent directories are root's
  std::uint32_t gid = 0;
};

struct LayerSpec {
  std::vector<LayerEntry> entries;
  std::int64_t mtime = 0;  ///< SOURCE_DATE_EPOCH, or 0
  CompressionSettings compression;
};

struct WrittenLayer {
  Digest digest;           ///< sha256 of the blob (compressed bytes)
  Digest diff_id;          ///< sha256 of the uncompressed tar
  std::int64_t size = 0;   ///< blob size in bytes
  std::filesystem::path blob_path;
  Compression compression = Compression::gzip;
};

/// Sees the blob's bytes, in order, as they reach the file: an upload can run while the layer
/// is still being compressed. It must not throw; a failed consumer stops consuming.
class BlobObserver {
 public:
  virtual ~BlobObserver() = default;
  virtual void on_blob_bytes(const void* data, std::size_t size) noexcept = 0;
};

/// Writes the layer blob to `blob_path` in one pass (and shows its bytes to `observer`). Entries are sorted by path components
/// (parents first), uid/gid 0, empty owner names, mtime = spec.mtime, pax_restricted format
/// with UTF-8 names, no padding after the end-of-archive blocks, gzip in parallel 1 MiB
/// blocks with a header without timestamp (parallel_gzip.h), zstd in multi-threaded mode
/// (both: same bytes for any core count). Throws kiln::Error(usage) naming the entry for a missing
/// or unreadable source file, a duplicate path, a ".." path or a level out of range;
/// kiln::Error(infra) when the blob cannot be written (the partial file is removed).
WrittenLayer write_layer(const LayerSpec& spec, const std::filesystem::path& blob_path,
                         BlobObserver* observer = nullptr);

/// How far a layer has come: bytes of its source files read so far, of all of them.
struct LayerProgress {
  std::int64_t bytes_read = 0;
  std::int64_t bytes_total = 0;
};

/// Asked before each piece (at most 1 MiB) of source data whether the layer is still wanted:
/// a build that learns mid-way that the registry has it already, or that is stopped, stops
/// compressing. It also learns how far the layer has come.
using StillWanted = std::function<bool(const LayerProgress& progress)>;

/// write_layer(), stopped at the first false from `still_wanted`: then nullopt, and the
/// partial blob file is removed. The observer has seen only part of the blob by then.
std::optional<WrittenLayer> write_layer_unless(const LayerSpec& spec, const std::filesystem::path& blob_path,
                                               BlobObserver* observer, const StillWanted& still_wanted);

/// The layer media type for a compression in a Docker or OCI manifest. zstd has no Docker type:
/// throws kiln::Error(usage) for zstd with docker_vendor = true.
std::string layer_media_type(Compression compression, bool docker_vendor);

}  // namespace kiln::oci
