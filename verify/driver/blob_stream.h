#pragma once
// A layer blob read as it downloads: a producer thread fetches it from its BlobReader into a
// bounded queue and the reader (libarchive) takes chunks from the other end, so the blob is
// never stored whole. The digest is only checked at the blob's end: finish() waits for that
// verdict, and a mismatch fails the read even after the tar itself was processed.
#include <cstdint>
#include <memory>
#include <string_view>
#include <thread>

#include "oci/digest.h"
#include "oci/image/blob_reader.h"

namespace kiln::verify {

class BlobStream {
 public:
  /// Reads the blob `digest` of `size` bytes (its descriptor's; the reader stops there).
  BlobStream(std::shared_ptr<oci::BlobReader> reader, const oci::Digest& digest, std::int64_t size);
  /// Cancels the download if it is still running and joins the producer.
  ~BlobStream();
  BlobStream(const BlobStream&) = delete;
  BlobStream& operator=(const BlobStream&) = delete;

  /// The next chunk (valid until the next call); empty at the end of the blob. Throws the
  /// producer's kiln::Error (registry, layout, digest mismatch).
  std::string_view next();
  /// Reads whatever the consumer left (tar padding after the end-of-archive blocks) and
  /// returns once the blob's digest was verified; throws when it was not.
  void finish();
  /// Blob bytes handed to the consumer so far.
  std::uint64_t bytes() const { return bytes_; }

  struct Shared;  ///< the queue between the producer thread and next() (blob_stream.cpp)

 private:
  std::shared_ptr<Shared> shared_;
  std::thread producer_;
  std::string current_;
  std::uint64_t bytes_ = 0;
};

}  // namespace kiln::verify
