// RegistryClient: blob operations (distribution-spec "Pulling blobs", "Pushing blobs",
// "Mounting a blob from another repository").
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>

#include "oci/registry/client_impl.h"
#include "oci/registry/scope.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

std::string blob_path(const std::string& repository, const Digest& digest) {
  return "/v2/" + repository + "/blobs/" + digest.to_string();
}

std::string uploads_path(const std::string& repository) { return "/v2/" + repository + "/blobs/uploads/"; }

std::string blob_op(const char* verb, const std::string& repository, const Digest& digest) {
  return fmt::format("{} blob {}@{}", verb, repository, digest.to_string());
}

}  // namespace

std::string RegistryClient::get_blob(const std::string& repository, const Digest& digest, std::size_t max_bytes) {
  const std::string op = blob_op("GET", repository, digest);
  return impl_->retrier.run(op, [&] {
    HttpRequest request = HttpRequest::to("GET", impl_->url(blob_path(repository, digest)));
    request.scopes = {scope::pull(repository)};
    request.max_body = max_bytes;
    HttpResponse response = impl_->send(op, request);
    impl_->expect(op, response, {200});
    if (Digest actual = Sha256::of(response.body); actual != digest)
      impl_->fail_plain(op, fmt::format("the content hashes to {}", actual.to_string()));
    return std::move(response.body);
  });
}

std::int64_t RegistryClient::get_blob_to(const std::string& repository, const Digest& digest, std::ostream& out) {
  const std::string op = blob_op("GET", repository, digest);
  // A file (or any seekable stream) can be rewound, so a download cut short is retried from
  // here; a retry writes the whole blob again, over every byte the failed attempt wrote.
  const std::streampos start = out.tellp();
  const bool rewindable = start != std::streampos(-1);
  bool rewind = false;
  return impl_->retrier.run(op, [&] {
    if (rewind && !out.seekp(start)) impl_->fail_plain(op, "cannot rewind the output to download again");
    rewind = false;
    Sha256 hash;
    std::int64_t written = 0;
    HttpRequest request = HttpRequest::to("GET", impl_->url(blob_path(repository, digest)));
    request.scopes = {scope::pull(repository)};
    request.on_body = [&](const char* data, std::size_t size) {
      hash.update(data, size);
      out.write(data, static_cast<std::streamsize>(size));
      written += static_cast<std::int64_t>(size);
    };
    HttpResponse response;
    try {
      response = impl_->send(op, request);
    } catch (const RegistryError& e) {
      // Bytes already went to `out`; a second attempt would append to them unless it rewinds.
      if (written > 0 && !rewindable) throw RegistryError(e.status(), e.codes(), false, e.what());
      rewind = written > 0;
      throw;
    }
    impl_->expect(op, response, {200});
    if (!out) impl_->fail_plain(op, "writing the blob failed");
    if (Digest actual = hash.finish(); actual != digest)
      impl_->fail_plain(op, fmt::format("the content hashes to {} ({} bytes written)", actual.to_string(), written));
    return written;
  });
}

std::optional<std::int64_t> RegistryClient::head_blob(const std::string& repository, const Digest& digest) {
  const std::string op = blob_op("HEAD", repository, digest);
  return impl_->retrier.run(op, [&]() -> std::optional<std::int64_t> {
    HttpRequest request = HttpRequest::to("HEAD", impl_->url(blob_path(repository, digest)));
    request.scopes = {scope::pull(repository)};
    HttpResponse response = impl_->send(op, request);
    if (response.status == 404) return std::nullopt;
    impl_->expect(op, response, {200});
    const std::string length = response.header("content-length").value_or("");
    std::int64_t size = -1;
    auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), size);
    if (ec != std::errc() || end != length.data() + length.size() || size < 0)
      impl_->fail_plain(op, "the registry sent no usable Content-Length");
    return size;
  });
}

bool RegistryClient::mount_blob(const std::string& repository, const Digest& digest,
                                const std::string& from_repository) {
  const std::string op = fmt::format("mount blob {} from {} into {}", digest.to_string(), from_repository, repository);
  return impl_->retrier.run(op, [&] {
    std::string url = impl_->url(uploads_path(repository));
    url = append_query(append_query(url, "mount", digest.to_string()), "from", from_repository);
    HttpRequest request = HttpRequest::to("POST", url);
    request.scopes = {scope::push(repository), scope::pull(from_repository)};
    HttpResponse response = impl_->send(op, request);
    if (response.status == 201) return true;
    if (response.status == 202) {
      // Not mounted; the registry opened an upload session instead. We upload through a
      // session of our own, so this one is cancelled rather than left to the purger.
      if (auto location = response.header("location")) {
        HttpRequest cancel = HttpRequest::to("DELETE", resolve_url(response.url, *location));
        cancel.scopes = request.scopes;
        try {
          impl_->send(op + " (cancel session)", cancel);
        } catch (const RegistryError& e) {
          spdlog::debug("{}", e.what());
        }
      }
      return false;
    }
    // Registries refuse mounts in many ways (Harbor 401 for unknown projects, 403 elsewhere,
    // Docker Hub auth failures for the source); an ordinary upload still works.
    if (response.status == 401 || response.status == 403 || response.status == 404) {
      spdlog::debug("{}: {}: declined with {}; uploading instead", impl_->registry, op, response.status);
      return false;
    }
    impl_->fail(op, response);
  });
}

void RegistryClient::upload_blob(const std::string& repository, const Digest& digest, const BlobSource& source) {
  const std::string op = blob_op("upload", repository, digest);
  // One attempt is the whole exchange: a new session and a body opened again from the start.
  impl_->retrier.run(op, [&] {
    HttpRequest start = HttpRequest::to("POST", impl_->url(uploads_path(repository)));
    start.scopes = {scope::push(repository)};
    HttpResponse started = impl_->send(op, start);
    impl_->expect(op, started, {202});
    auto location = started.header("location");
    if (!location || location->empty()) impl_->fail_plain(op, "the registry opened an upload without a Location");

    HttpRequest put = HttpRequest::to("PUT", append_query(resolve_url(started.url, *location), "digest", digest.to_string()));
    put.set_header("Content-Type", "application/octet-stream");
    put.source = &source;
    put.scopes = start.scopes;
    HttpResponse done = impl_->send(op, put);
    impl_->expect(op, done, {201});
  });
}

}  // namespace kiln::oci
