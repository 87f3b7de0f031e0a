#pragma once
// Bearer tokens, stored only as SHA-256 hashes in the configuration. A presented token is hashed
// and compared with every configured hash in constant time, so neither the token nor the
// position of a mismatch leaks through timing.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::server {

/// Lowercase hex SHA-256 of `text` (OpenSSL EVP).
std::string sha256_hex(std::string_view text);

class TokenAuth {
 public:
  explicit TokenAuth(std::vector<std::string> token_sha256);
  /// The hash of the token in an "Authorization: Bearer <token>" header value when it is one of
  /// the configured tokens (the hash is the rate limiter's key), nullopt otherwise.
  std::optional<std::string> authenticate(std::string_view authorization_header) const;

 private:
  std::vector<std::string> hashes_;
};

}  // namespace kiln::server
