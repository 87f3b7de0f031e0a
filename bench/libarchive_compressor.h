#pragma once
// The floor's compressor, shared by every benchmark that measures against it: libarchive's own
// gzip or zstd filter behind the raw format (one entry, no tar headers), so only compression of
// the bytes is timed. Single-threaded, the floor's definition, unless zstd workers are asked for.
#include <archive.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

namespace kiln::bench {

class LibarchiveCompressor {
 public:
  /// Receives the compressed bytes as libarchive hands them out.
  using Sink = std::function<void(const void* data, std::size_t size)>;

  /// `filter` is "gzip" (no timestamp in the header) or "zstd". Throws kiln::Error(usage) naming
  /// the level when libarchive refuses it.
  LibarchiveCompressor(std::string_view filter, int level, Sink sink, int zstd_threads = 0);
  ~LibarchiveCompressor();
  LibarchiveCompressor(const LibarchiveCompressor&) = delete;
  LibarchiveCompressor& operator=(const LibarchiveCompressor&) = delete;

  void write(const void* data, std::size_t size);
  /// Flushes the filter: the sink has every byte afterwards.
  void finish();

 private:
  struct Free {
    void operator()(archive* a) const { archive_write_free(a); }
  };
  Sink sink_;
  std::unique_ptr<archive, Free> archive_;
};

}  // namespace kiln::bench
