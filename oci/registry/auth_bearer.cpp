#include "oci/registry/auth_bearer.h"

#include <Poco/String.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include "core/log.h"
#include "oci/json.h"
#include "oci/registry/auth_basic.h"
#include "oci/registry/error.h"
#include "oci/registry/scope.h"

namespace kiln::oci {
namespace {

// A token this close to expiry could lapse between being attached and being checked.
constexpr std::chrono::seconds expiry_margin{10};

std::string form_encode(const std::string& value) {
  std::string out;
  Poco::URI::encode(value, ":/?#[]@!$&'()*+,;= ", out);
  return out;
}

}  // namespace

BearerToken parse_token_response(std::string_view body, std::chrono::steady_clock::time_point now,
                                 const std::string& registry) {
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) throw_infra(fmt::format("{}: the token endpoint did not answer with JSON", registry));
  std::string token;
  for (const char* key : {"token", "access_token"})
    if (auto it = doc.find(key); it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
      token = it->get<std::string>();
      break;
    }
  if (token.empty()) throw_infra(fmt::format("{}: the token endpoint answered without a token", registry));
  std::int64_t expires_in = 60;
  if (auto it = doc.find("expires_in"); it != doc.end() && it->is_number_integer() && it->get<std::int64_t>() > 0)
    expires_in = it->get<std::int64_t>();
  log::add_secret(token);
  return BearerToken{.token = token, .expires = now + std::chrono::seconds(expires_in)};
}

BearerAuthenticator::BearerAuthenticator(std::string registry, Challenge challenge, Credential credential,
                                         Transport& transport, bool allow_http_realm)
    : registry_(std::move(registry)),
      challenge_(std::move(challenge)),
      credential_(std::move(credential)),
      transport_(transport) {
  const std::string realm = challenge_.param("realm");
  if (!credential_.registry_token.empty()) return;  // used as is; no realm is contacted
  Poco::URI uri(realm);
  const std::string scheme = Poco::toLower(uri.getScheme());
  // A token request carries the user's password; plain http would expose it on the wire.
  if (scheme != "https" && !(scheme == "http" && allow_http_realm))
    throw RegistryError(0, {}, false,
                        fmt::format("{}: refusing token realm '{}': it must be an https URL", registry_, realm));
}

std::string BearerAuthenticator::authorization(const std::vector<std::string>& scopes) {
  if (!credential_.registry_token.empty()) return "Bearer " + credential_.registry_token;
  const auto now = std::chrono::steady_clock::now();
  auto& slot = tokens_[scope::cache_key(scopes)];
  if (slot.token.empty() || slot.expires - expiry_margin <= now) slot = fetch(scopes);
  return "Bearer " + slot.token;
}

bool BearerAuthenticator::refresh(const Challenge& challenge, std::vector<std::string>& scopes) {
  if (!credential_.registry_token.empty() || challenge.scheme != "bearer") return false;
  if (!challenge.param("realm").empty()) challenge_.params["realm"] = challenge.param("realm");
  if (!challenge.param("service").empty()) challenge_.params["service"] = challenge.param("service");
  scopes = scope::merge(scopes, challenge.scopes());
  tokens_.erase(scope::cache_key(scopes));  // expired or too narrow: fetch anew
  return true;
}

std::string BearerAuthenticator::token_source() const {
  return credential_.registry_token.empty() ? url_for_display(challenge_.param("realm")) : std::string();
}

BearerToken BearerAuthenticator::fetch(const std::vector<std::string>& scopes) {
  const std::string realm = challenge_.param("realm");
  const std::string service = challenge_.param("service");
  HttpRequest request;
  if (!credential_.identity_token.empty()) {
    // OAuth2 refresh-token grant (docker/distribution spec/auth/oauth.md): scopes space-separated.
    std::string joined;
    for (const auto& s : scopes) joined += (joined.empty() ? "" : " ") + s;
    request.method = "POST";
    request.url = realm;
    request.set_header("Content-Type", "application/x-www-form-urlencoded");
    request.body = "grant_type=refresh_token&refresh_token=" + form_encode(credential_.identity_token) +
                   "&service=" + form_encode(service) + "&scope=" + form_encode(joined) + "&client_id=kiln";
    log::add_secret(credential_.identity_token);
  } else {
    request.method = "GET";
    request.url = realm;
    if (!service.empty()) request.url = append_query(request.url, "service", service);
    for (const auto& s : scopes) request.url = append_query(request.url, "scope", s);
    if (!credential_.username.empty() || !credential_.password.empty())
      request.set_header("Authorization", basic_authorization(credential_.username, credential_.password));
  }
  HttpResponse response = transport_.send(request);
  if (response.status == 401 || response.status == 403)
    throw RegistryError(response.status, {}, false,
                        fmt::format("authentication failed for {}: check username/password (token endpoint {} "
                                    "answered {})",
                                    registry_, url_for_display(realm), response.status));
  if (!response.ok())
    throw RegistryError(response.status, parse_error_body(response.body).codes, false,
                        fmt::format("{}: token request to {} failed: {} {}", registry_, url_for_display(realm),
                                    response.status, response.reason));
  return parse_token_response(response.body, std::chrono::steady_clock::now(), registry_);
}

}  // namespace kiln::oci
