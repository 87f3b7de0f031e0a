#pragma once
// Bearer-token authentication (Docker token spec, spec/auth/token.md): tokens fetched from the
// challenge's realm per scope set, cached until shortly before they expire, and refreshed with
// widened scopes when the registry answers 401 insufficient_scope / invalid_token.
#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "oci/credentials/credential.h"
#include "oci/registry/auth.h"

namespace kiln::oci {

struct BearerToken {
  std::string token;
  std::chrono::steady_clock::time_point expires;
  friend bool operator==(const BearerToken&, const BearerToken&) = default;
};

/// Reads a token endpoint's JSON: `token` or `access_token` (either is allowed), `expires_in`
/// seconds (60 when absent or not positive, the spec's default). Throws kiln::Error(infra)
/// naming `registry` when there is no token.
BearerToken parse_token_response(std::string_view body, std::chrono::steady_clock::time_point now,
                                 const std::string& registry);

class BearerAuthenticator final : public Authenticator {
 public:
  /// `transport` reaches the token realm and carries no credential of its own.
  /// `allow_http_realm` only for registries the user marked insecure. Every realm, the first
  /// challenge's and any a later 401 names, must be https (or http under `allow_http_realm`
  /// until an https one was seen); refresh() throws RegistryError for one that is not.
  BearerAuthenticator(std::string registry, Challenge challenge, Credential credential, Transport& transport,
                      bool allow_http_realm);
  std::string authorization(const std::vector<std::string>& scopes) override;
  bool refresh(const Challenge& challenge, std::vector<std::string>& scopes) override;
  std::string token_source() const override;

 private:
  BearerToken fetch(const std::vector<std::string>& scopes);

  std::string registry_;
  Challenge challenge_;
  Credential credential_;
  Transport& transport_;
  bool allow_http_realm_;
  bool had_https_realm_ = false;  ///< once true, no http realm is accepted
  std::map<std::string, BearerToken> tokens_;  ///< by scope::cache_key
};

}  // namespace kiln::oci
