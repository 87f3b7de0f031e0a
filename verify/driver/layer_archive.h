#pragma once
// One layer blob opened as a tar through libarchive (gzip, zstd or no compression, whatever the
// media type claims), read straight from a BlobStream. Errors name the layer.
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "verify/driver/blob_stream.h"

struct archive;
struct archive_entry;

namespace kiln::verify {

class LayerArchive {
 public:
  /// `layer` names the layer in messages ("layer 2 sha256:…").
  LayerArchive(BlobStream& stream, std::string layer);
  ~LayerArchive();
  LayerArchive(const LayerArchive&) = delete;
  LayerArchive& operator=(const LayerArchive&) = delete;

  /// The next entry's header (valid until the next call); nullptr after the last one. Throws
  /// kiln::Error(infra) for a damaged tar or a failed download.
  archive_entry* next();
  /// Passes the current entry's data to `sink` block by block.
  void read_data(const std::function<void(const char* data, std::size_t size)>& sink);
  /// Up to `size` bytes from the start of the current entry's data (the rest is skipped by next()).
  std::string read_prefix(std::size_t size);
  /// Drains the blob and waits for its digest check (see BlobStream::finish).
  void finish();

  archive* handle() { return archive_.get(); }
  const std::string& layer() const { return layer_; }

 private:
  [[noreturn]] void fail(const std::string& doing);
  static long read_callback(archive*, void* self, const void** buffer);

  struct Free {
    void operator()(archive* a) const;
  };
  BlobStream& stream_;
  std::string layer_;
  std::unique_ptr<archive, Free> archive_;
  std::exception_ptr stream_error_;
};

}  // namespace kiln::verify
