#include "server/auth/token_auth.h"

#include <openssl/crypto.h>

#include "oci/digest.h"
#include "oci/sha256.h"

namespace kiln::server {

std::string sha256_hex(std::string_view text) {
  return oci::Sha256::of(text).to_string().substr(7);  // drop "sha256:"
}

TokenAuth::TokenAuth(std::vector<std::string> token_sha256) : hashes_(std::move(token_sha256)) {}

std::optional<std::string> TokenAuth::authenticate(std::string_view header) const {
  constexpr std::string_view scheme = "Bearer ";
  if (header.substr(0, scheme.size()) != scheme) return std::nullopt;
  const std::string_view token = header.substr(scheme.size());
  if (token.empty()) return std::nullopt;
  const std::string presented = sha256_hex(token);
  bool matched = false;
  // Every hash is compared (no early exit), each in constant time.
  for (const auto& hash : hashes_)
    matched |= hash.size() == presented.size() && CRYPTO_memcmp(hash.data(), presented.data(), hash.size()) == 0;
  if (!matched) return std::nullopt;
  return presented;
}

}  // namespace kiln::server
