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

// The first byte of "bytes 100-199/200"; -1 when the value is not of that form.
std::int64_t range_start(const std::string& content_range) {
  constexpr std::string_view unit = "bytes ";
  if (!content_range.starts_with(unit)) return -1;
  std::int64_t from = -1;
  const char* begin = content_range.data() + unit.size();
  const char* end = content_range.data() + content_range.size();
  auto [at, ec] = std::from_chars(begin, end, from);
  return ec == std::errc() && at != end && *at == '-' ? from : -1;
}

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

std::int64_t RegistryClient::get_blob_to(const std::string& repository, const Digest& digest, std::int64_t size,
                                         std::ostream& out) {
  const std::string op = blob_op("GET", repository, digest);
  if (size < 0) impl_->fail_plain(op, fmt::format("the descriptor's size {} is negative", size));
  // A download cut short resumes where it stopped (Range: bytes=N-, which Distribution and
  // object stores honour), so nothing already written to `out` is written again: `out` may be
  // a pipe into a reader (kiln-verify's static driver) that cannot rewind. The hash runs over
  // every byte written, whichever attempt brought it, and is checked once at the end.
  Sha256 hash;
  std::int64_t written = 0;
  // Thrown inside the transfer, where the client adds registry and operation; final, so the
  // retry layer does not download the same wrong blob again.
  const auto too_long = [&](std::int64_t at_least) {
    throw RegistryError(0, {}, false,
                        fmt::format("the registry sent at least {} bytes, more than the {} its descriptor declares; "
                                    "reading stopped there",
                                    at_least, size));
  };
  return impl_->retrier.run(op, [&] {
    const std::int64_t resume_at = written;
    std::int64_t skip = 0;  // bytes of this answer that `out` already has
    HttpRequest request = HttpRequest::to("GET", impl_->url(blob_path(repository, digest)));
    request.scopes = {scope::pull(repository)};
    if (resume_at > 0) {
      request.set_header("Range", fmt::format("bytes={}-", resume_at));
      spdlog::info("{}: {}: resuming at byte {}", impl_->registry, op, resume_at);
    }
    request.on_headers = [&](const HttpResponse& head) {
      std::int64_t from = 0;
      if (resume_at > 0) {
        // 200: the Range was ignored and the whole blob comes again; 206: from where it says.
        from = head.status == 206 ? range_start(head.header("content-range").value_or("")) : 0;
        if (from < 0 || from > resume_at)
          impl_->fail_plain(op, fmt::format("asked to resume at byte {}, the registry answered {} with "
                                            "Content-Range '{}'",
                                            resume_at, head.status, head.header("content-range").value_or("")));
        skip = resume_at - from;
      }
      // A declared length over the descriptor's is refused before a byte of the body is read.
      const std::string length = head.header("content-length").value_or("");
      std::int64_t declared = -1;
      if (auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), declared);
          ec == std::errc() && end == length.data() + length.size() && from + declared > size)
        too_long(from + declared);
    };
    request.on_body = [&](const char* data, std::size_t n) {
      const auto skipped = static_cast<std::size_t>(std::min<std::int64_t>(skip, static_cast<std::int64_t>(n)));
      skip -= static_cast<std::int64_t>(skipped);
      data += skipped;
      n -= skipped;
      if (n == 0) return;
      if (written + static_cast<std::int64_t>(n) > size) too_long(written + static_cast<std::int64_t>(n));
      hash.update(data, n);
      out.write(data, static_cast<std::streamsize>(n));
      written += static_cast<std::int64_t>(n);
    };
    HttpResponse response = impl_->send(op, request);
    impl_->expect(op, response, {200, 206});
    if (!out) impl_->fail_plain(op, "writing the blob failed");
    if (written != size)
      impl_->fail_plain(op, fmt::format("the registry sent {} bytes, fewer than the {} its descriptor declares",
                                        written, size));
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
