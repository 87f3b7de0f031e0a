#pragma once
// Writes one image layer deterministically in a single pass: tar entries → SHA-256 of the tar
// (diff_id) → compressor → SHA-256 of the blob (digest) → blob file. Same inputs, same bytes.
#include <cstdint>
#include <filesystem>
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

/// One entry of the layer. Paths are relative to the image root ("usr/local/app/main");
/// a leading "/" or "./" is removed. Parent directories are added as 0755 entries.
struct LayerEntry {
  enum class Type { file, directory, symlink };
  Type type = Type::file;
  std::string path;
  std::uint32_t mode = 0755;
  std::filesystem::path source;  ///< file: read from here unless `content` is set
  std::string content;           ///< file: inline content (used when source is empty)
  std::string link_target;       ///< symlink: target as stored
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

/// Writes the layer blob to `blob_path`. Entries are sorted by path, uid/gid 0, empty owner
/// names, pax_restricted format with UTF-8 names, no padding after the end-of-archive blocks,
/// gzip header without timestamp. Throws kiln::Error(usage) for a missing source file or a
/// duplicate path, naming it.
WrittenLayer write_layer(const LayerSpec& spec, const std::filesystem::path& blob_path);

/// The layer media type for a compression in a Docker or OCI manifest. zstd has no Docker type:
/// throws kiln::Error(usage) for zstd with docker_vendor = true.
std::string layer_media_type(Compression compression, bool docker_vendor);

}  // namespace kiln::oci
