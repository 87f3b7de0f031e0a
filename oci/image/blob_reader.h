#pragma once
// Where an image's blobs are read from: a registry repository or an OCI image layout directory.
// Readers (kiln-verify's drivers) do not care which; every blob is checked against its digest.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "oci/digest.h"
#include "oci/registry/client.h"

namespace kiln::oci {

class BlobReader {
 public:
  virtual ~BlobReader() = default;
  /// Streams the blob of `size` bytes (its descriptor's) into `out`, verifying its size and
  /// digest; never writes more than `size` bytes. Returns the bytes written. Throws
  /// kiln::Error(infra) naming the source and the digest.
  virtual std::int64_t fetch_to(const Digest& digest, std::int64_t size, std::ostream& out) = 0;
  /// "registry 127.0.0.1:5000/app" or "OCI layout ./out", for messages.
  virtual std::string describe() const = 0;
};

/// Blobs of `repository` through `client` (which must outlive the source).
std::shared_ptr<BlobReader> registry_blob_reader(RegistryClient& client, std::string repository);
/// Blobs under `<layout>/blobs/<algorithm>/<hex>`.
std::shared_ptr<BlobReader> layout_blob_reader(std::string layout_directory);

}  // namespace kiln::oci
