#include "oci/registry/auth_bearer.h"

#include <Poco/Exception.h>
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

// Why the credential may not be sent to `realm`, or empty when it may. A token request carries
// the user's password, so plain http would expose it on the wire: https always, http only for a
// registry the user marked insecure and only while no realm of this registry was https (a later
// challenge must not downgrade). One rule for the first challenge and every later one, since
// any 401 may name a new realm.
std::string realm_refusal(const std::string& realm, bool allow_http, bool had_https) {
  std::string scheme;
  try {
    scheme = Poco::toLower(Poco::URI(realm).getScheme());
  } catch (const Poco::Exception&) {
  }
  if (scheme == "https") return {};
  if (scheme == "http" && allow_http && !had_https) return {};
  const char* why = scheme == "http" && allow_http ? "an earlier realm of this registry was https, and the password is "
                                                     "never sent over plain http after that"
                                                   : "it must be an https URL";
  return fmt::format("refusing token realm '{}': {}", url_for_display(realm), why);
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
      transport_(transport),
      allow_http_realm_(allow_http_realm) {
  if (!credential_.registry_token.empty()) return;  // used as is; no realm is contacted
  const std::string realm = challenge_.param("realm");
  if (const std::string refusal = realm_refusal(realm, allow_http_realm_, false); !refusal.empty())
    throw RegistryError(0, {}, false, fmt::format("{}: {}", registry_, refusal));
  had_https_realm_ = Poco::icompare(Poco::URI(realm).getScheme(), "https") == 0;
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
  if (const std::string realm = challenge.param("realm"); !realm.empty() && realm != challenge_.param("realm")) {
    // Thrown, not declined: the caller would otherwise report the registry's 401 as a bad
    // password. The client puts the registry and the operation in front.
    if (const std::string refusal = realm_refusal(realm, allow_http_realm_, had_https_realm_); !refusal.empty())
      throw RegistryError(0, {}, false, refusal + " (named by a later challenge)");
    challenge_.params["realm"] = realm;
    had_https_realm_ = had_https_realm_ || Poco::icompare(Poco::URI(realm).getScheme(), "https") == 0;
  }
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
