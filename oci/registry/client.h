#pragma once
// The distribution API v2 client: one object per registry host, used by every layer above.
// Authentication (Basic, Bearer with scopes), retries, redirects and TLS are inside; callers
// see image operations only.
#include <chrono>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <stop_token>
#include <string>

#include "oci/credentials/credential.h"
#include "oci/digest.h"

namespace kiln::oci {

struct RegistryOptions {
  bool insecure = false;   ///< plain HTTP, only when asked for
  std::string ca_file;     ///< extra PEM CA bundle trusted for TLS
  int max_attempts = 4;    ///< for temporary failures (408, 429, 5xx, resets), and blob links a manifest PUT raced
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  /// registry_timeout: every request must be answered in full within it, and no single wait
  /// for a byte may last longer. Blob bodies (layer downloads and uploads) get one second more
  /// per `min_blob_rate` bytes moved, so a big layer needs an average rate, not a total time.
  /// Running out is final (not retried): RegistryError naming the request.
  std::chrono::milliseconds timeout{kDefaultTimeout};
  std::int64_t min_blob_rate = kDefaultMinBlobRate;  ///< bytes per second
  /// Asked before every request and wakes a retry's backoff: once requested, the next request
  /// throws StopRequested instead of going out. A manifest PUT to a tag is exempt: the caller
  /// checks before its first tag moves, and then every tag of the image moves, so a stop never
  /// leaves some tags on the new image and others on the old.
  std::stop_token stop;

  static constexpr std::chrono::milliseconds kDefaultTimeout{120000};
  static constexpr std::int64_t kDefaultMinBlobRate = 16 * 1024;
};

struct ManifestResponse {
  std::string media_type;  ///< from Content-Type
  std::string bytes;       ///< the exact body: what the digest covers
  Digest digest;           ///< sha256 of bytes (checked against Docker-Content-Digest)
};

/// A blob body that can be opened again, so a retry never needs the caller to recompute it.
struct BlobSource {
  std::int64_t size = 0;
  std::function<std::unique_ptr<std::istream>()> open;
};

class RegistryClient {
 public:
  /// `registry` as in a Reference ("docker.io", "127.0.0.1:5000"); nothing is sent yet.
  RegistryClient(std::string registry, std::shared_ptr<const Keychain> keychain, RegistryOptions options);
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  const std::string& registry() const;

  /// GET /v2/ and reads the auth challenge; throws RegistryError when unreachable or refused.
  void ping();
  /// GET a manifest or index by tag or digest with all four Accept types; verifies the digest.
  /// Refuses schema1 manifests and bodies over `max_bytes`.
  ManifestResponse get_manifest(const std::string& repository, const std::string& identifier,
                                std::size_t max_bytes = 4 * 1024 * 1024);
  /// HEAD a manifest: its digest, or nullopt on 404.
  std::optional<Digest> head_manifest(const std::string& repository, const std::string& identifier);
  /// GET a small blob (a config) into memory; verifies digest and size limit.
  std::string get_blob(const std::string& repository, const Digest& digest, std::size_t max_bytes = 16 * 1024 * 1024);
  /// GET a blob of `size` bytes (its descriptor's) streamed into `out`; verifies the digest
  /// while streaming. A registry that sends more than `size` bytes is stopped at the first
  /// byte over (nothing past `size` reaches `out`); fewer, or other bytes, fail at the end.
  /// Neither is retried. Returns the bytes written (`size`).
  std::int64_t get_blob_to(const std::string& repository, const Digest& digest, std::int64_t size, std::ostream& out);
  /// HEAD a blob: its size, or nullopt on 404.
  std::optional<std::int64_t> head_blob(const std::string& repository, const Digest& digest);
  /// Cross-repository mount within this registry: true when mounted; false when the registry
  /// declined (the upload session it opened is cancelled), so the caller uploads instead.
  bool mount_blob(const std::string& repository, const Digest& digest, const std::string& from_repository);
  /// POST an upload session, then PUT the body with ?digest= (never the single-POST form).
  void upload_blob(const std::string& repository, const Digest& digest, const BlobSource& source);
  /// An upload that runs while its bytes are still being produced: POST opens the session, a
  /// PATCH with chunked encoding on a connection of its own carries the bytes write() queues
  /// (bounded, so memory stays flat), and commit() PUTs the digest. write() never throws:
  /// after a failure it drops the bytes, and commit() returns false, leaving the caller to
  /// upload the finished file with upload_blob(). The client must not be used from another
  /// thread meanwhile; only the upload's own thread touches its connection.
  class StreamedUpload {
   public:
    ~StreamedUpload();  ///< cancels an upload that was not committed
    StreamedUpload(const StreamedUpload&) = delete;
    StreamedUpload& operator=(const StreamedUpload&) = delete;
    void write(const void* data, std::size_t size) noexcept;
    /// Ends the body and commits it as `digest`; false (reason logged) when the registry
    /// does not have the blob now.
    bool commit(const Digest& digest);

   private:
    friend class RegistryClient;
    struct State;
    explicit StreamedUpload(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
  };
  /// Opens the session (throws RegistryError when the registry refuses) and starts sending.
  std::unique_ptr<StreamedUpload> start_streamed_upload(const std::string& repository);

  /// PUT a manifest or index with the exact Content-Type; checks Docker-Content-Digest
  /// against sha256(bytes) and returns it.
  Digest put_manifest(const std::string& repository, const std::string& identifier, const std::string& media_type,
                      const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln::oci
