#pragma once
// The second stage of a layer: uncompressed tar bytes in, compressed blob file out, with the
// SHA-256 and size of what reaches the file. gzip is ParallelGzip (zlib in fixed-size blocks
// on every core, same bytes for any core count); zstd is ZstdStream (libzstd's workers, same
// bytes for any worker count); none passes the tar through.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include <sys/types.h>

#include "oci/digest.h"
#include "oci/layer/layer_writer.h"
#include "oci/layer/parallel_gzip.h"
#include "oci/layer/zstd_stream.h"
#include "oci/sha256.h"

namespace kiln::oci {

class BlobWriter {
 public:
  struct Result {
    Digest digest;
    std::int64_t size = 0;
  };

  /// Creates (truncates) `path`. Throws kiln::Error(usage) for a level out of range,
  /// kiln::Error(infra) when the file cannot be created.
  BlobWriter(const std::filesystem::path& path, const CompressionSettings& settings, BlobObserver* observer = nullptr);
  /// Removes the file unless finish() succeeded.
  ~BlobWriter() = default;
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  void write(const void* data, std::size_t size);
  /// Flushes the compressor, closes the file, then returns the digest of every byte written.
  Result finish();

 private:
  /// Hashes, writes and shows one piece of the blob; throws kiln::Error(infra).
  void emit(const void* data, std::size_t size);

  // Members are destroyed bottom-up: the compressor goes before the descriptor it writes to,
  // and the file is removed last, also when the constructor throws half-way.
  struct RemoveUnlessKept {
    std::filesystem::path path;
    bool keep = false;
    ~RemoveUnlessKept();
  };
  struct Fd {
    int fd = -1;
    ~Fd();
  };
  RemoveUnlessKept file_;
  Fd fd_;
  std::unique_ptr<ParallelGzip> gzip_;  ///< gzip
  std::unique_ptr<ZstdStream> zstd_;    ///< zstd; neither: none
  Sha256 hash_;
  std::int64_t size_ = 0;
  BlobObserver* observer_ = nullptr;
};

}  // namespace kiln::oci
