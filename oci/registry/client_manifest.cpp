// RegistryClient: manifest and index operations (distribution-spec "Pulling manifests",
// "Pushing manifests").
#include <fmt/format.h>

#include <algorithm>

#include "oci/json.h"
#include "oci/media_type.h"
#include "oci/registry/client_impl.h"
#include "oci/registry/scope.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

std::string manifest_path(const std::string& repository, const std::string& identifier) {
  return "/v2/" + repository + "/manifests/" + identifier;
}

// "application/json; charset=utf-8" -> "application/json"
std::string bare_media_type(std::string value) {
  if (auto semi = value.find(';'); semi != std::string::npos) value.resize(semi);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  return value;
}

// Docker-Content-Digest is optional in the spec; when present it must be a digest we can read.
std::optional<Digest> header_digest(const HttpResponse& response) {
  auto value = response.header("docker-content-digest");
  if (!value || value->empty()) return std::nullopt;
  return Digest::parse(*value);
}

}  // namespace

ManifestResponse RegistryClient::get_manifest(const std::string& repository, const std::string& identifier,
                                              std::size_t max_bytes) {
  const std::string op = "GET manifest " + display_ref(repository, identifier);
  return impl_->retrier.run(op, [&] {
    HttpRequest request = HttpRequest::to("GET", impl_->url(manifest_path(repository, identifier)));
    // All four types, or Distribution answers 404/400 for manifests that exist (Docker manifest v2 schema 2, its list, OCI manifest, OCI index).
    request.set_header("Accept", media_type::manifest_accept());
    request.scopes = {scope::pull(repository)};
    request.max_body = max_bytes;
    HttpResponse response = impl_->send(op, request);
    impl_->expect(op, response, {200});

    ManifestResponse out{.media_type = bare_media_type(response.header("content-type").value_or("")),
                         .bytes = std::move(response.body),
                         .digest = Sha256::of("")};
    Json doc = Json::parse(out.bytes, nullptr, /*allow_exceptions=*/false);
    const bool schema1 = out.media_type == media_type::docker_schema1 ||
                         out.media_type == media_type::docker_schema1_signed ||
                         (doc.is_object() && doc.value("schemaVersion", 0) == 1);
    if (schema1)
      impl_->fail_plain(op, "Docker schema 1 manifests are not supported (push the image again with a current tool)");
    if ((out.media_type.empty() || out.media_type == "application/json") && doc.is_object())
      out.media_type = doc.value("mediaType", out.media_type);  // OCI manifests may omit the header type
    out.digest = Sha256::of(out.bytes);
    std::optional<Digest> claimed;
    try {
      claimed = header_digest(response);
    } catch (const Error&) {
      impl_->fail_plain(op, "unreadable Docker-Content-Digest '" + *response.header("docker-content-digest") + "'");
    }
    if (claimed && *claimed != out.digest)
      impl_->fail_plain(op, fmt::format("the body hashes to {} but the registry says {}", out.digest.to_string(),
                                        claimed->to_string()));
    if (identifier.starts_with("sha256:") && identifier != out.digest.to_string())
      impl_->fail_plain(op, fmt::format("the body hashes to {}, not the requested digest", out.digest.to_string()));
    return out;
  });
}

std::optional<Digest> RegistryClient::head_manifest(const std::string& repository, const std::string& identifier) {
  const std::string op = "HEAD manifest " + display_ref(repository, identifier);
  return impl_->retrier.run(op, [&]() -> std::optional<Digest> {
    HttpRequest request = HttpRequest::to("HEAD", impl_->url(manifest_path(repository, identifier)));
    request.set_header("Accept", media_type::manifest_accept());
    request.scopes = {scope::pull(repository)};
    HttpResponse response = impl_->send(op, request);
    if (response.status == 404) return std::nullopt;
    impl_->expect(op, response, {200});
    try {
      if (auto digest = header_digest(response)) return digest;
    } catch (const Error&) {
      impl_->fail_plain(op, "unreadable Docker-Content-Digest header");
    }
    if (identifier.starts_with("sha256:")) return Digest::parse(identifier);
    impl_->fail_plain(op, "the registry sent no Docker-Content-Digest header");
  });
}

Digest RegistryClient::put_manifest(const std::string& repository, const std::string& identifier,
                                    const std::string& media_type, const std::string& bytes) {
  const std::string op = "PUT manifest " + display_ref(repository, identifier);
  const Digest digest = Sha256::of(bytes);
  // Callers push a manifest only once every blob it names is in the repository. Distribution
  // writes a repository's blob link in place, not atomically, so a manifest PUT racing another
  // push of the same blob (a batch, a matrix of tags) can read a half-written link and answer
  // MANIFEST_BLOB_UNKNOWN for a blob it has (moby/moby#22854): that answer is retried too.
  const auto blob_link_race = [](const RegistryError& e) {
    const auto& codes = e.codes();
    return e.status() == 400 && std::find(codes.begin(), codes.end(), "MANIFEST_BLOB_UNKNOWN") != codes.end();
  };
  constexpr std::chrono::milliseconds kRaceBackoff{20};
  return impl_->retrier.run_also(op, blob_link_race, [&] {
    HttpRequest request = HttpRequest::to("PUT", impl_->url(manifest_path(repository, identifier)));
    // Exactly the manifest's own mediaType, no parameters: Distribution rejects a mismatch.
    request.set_header("Content-Type", media_type);
    request.body = bytes;
    request.scopes = {scope::push(repository)};
    // A tag moves however late a stop comes (RegistryOptions::stop); a digest is only stored.
    HttpResponse response = impl_->send(op, request, identifier.starts_with("sha256:") ? Impl::Stoppable::yes
                                                                                        : Impl::Stoppable::no);
    impl_->expect(op, response, {200, 201});
    std::optional<Digest> claimed;
    try {
      claimed = header_digest(response);
    } catch (const Error&) {
      impl_->fail_plain(op, "unreadable Docker-Content-Digest header");
    }
    if (claimed && *claimed != digest)
      impl_->fail_plain(op, fmt::format("the registry stored {} but the manifest hashes to {}", claimed->to_string(),
                                        digest.to_string()));
    return digest;
  }, kRaceBackoff);
}

}  // namespace kiln::oci
