#pragma once
// A small Docker token service (distribution spec/auth/token.md) for tests: a Poco HTTP server
// on 127.0.0.1 that checks Basic credentials and answers with RS256 JWTs signed by a key made
// at start-up with OpenSSL. The token header carries the certificate (x5c) and the registry
// trusts it through root_cert_bundle(), so a LocalRegistry in token mode accepts the tokens.
// Every token request is recorded. Stopped by the destructor.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace kiln::testing {

struct TokenIssuerOptions {
  std::string username = "kiln";
  std::string password;  ///< the one password accepted; empty: a random one (see password())
  /// How long the registry accepts a token. Distribution allows 60 s of clock leeway past
  /// `exp`, so a token lives this long only because `exp` is set to now − 60 s + lifetime.
  std::chrono::seconds registry_lifetime{300};
  /// What the answer's `expires_in` tells the client: a client trusting it past the real
  /// lifetime meets a 401 from the registry (as with clock skew or a revoked token).
  int expires_in = 300;
  /// Answer every request 401, whatever the credentials.
  bool refuse = false;
};

/// One request to the token endpoint, as the issuer saw it.
struct TokenRequest {
  std::string service;
  std::vector<std::string> scopes;  ///< the `scope` query parameters, in order
  std::string authorization;        ///< the Authorization header as sent
  bool granted = false;             ///< a token was issued
};

class TokenIssuer {
 public:
  explicit TokenIssuer(TokenIssuerOptions options = {});
  ~TokenIssuer();
  TokenIssuer(const TokenIssuer&) = delete;
  TokenIssuer& operator=(const TokenIssuer&) = delete;

  /// "http://127.0.0.1:<port>/token": the registry's `auth: token: realm`.
  std::string realm() const;
  static constexpr const char* service = "kiln-test-registry";
  static constexpr const char* issuer = "kiln-test-issuer";
  /// The certificate whose key signs the tokens: the registry's `rootcertbundle`.
  std::filesystem::path root_cert_bundle() const;
  std::string username() const;
  std::string password() const;
  /// Changes what later requests get (lifetimes, refusal); requests already answered stay.
  void set_options(TokenIssuerOptions options);
  /// Every token request so far, in arrival order.
  std::vector<TokenRequest> requests() const;

  struct State;  ///< shared with the server's handler threads

 private:
  std::shared_ptr<State> state_;
};

}  // namespace kiln::testing
