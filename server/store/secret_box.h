#pragma once
// Secret settings (password, tokens…) must survive a restart with their build, yet never sit in
// the database in clear: they are sealed with AES-256-GCM under a key kept in its own file
// (mode 0600) beside the database, so a copied database alone reveals nothing.
#include <filesystem>
#include <string>
#include <string_view>

namespace kiln::server {

class SecretBox {
 public:
  /// Loads the key from `key_file`, creating it (random, 0600) when absent.
  explicit SecretBox(const std::filesystem::path& key_file);
  /// base64(nonce | ciphertext | tag)
  std::string seal(std::string_view plaintext) const;
  /// Throws kiln::Error(infra) when `sealed` was not made with this key or was altered.
  std::string open(std::string_view sealed) const;
  /// HMAC-SHA256 of `data` under the key, as hex: compares requests that may hold secrets
  /// without keeping anything a copied database could be checked against by guessing.
  std::string fingerprint(std::string_view data) const;

 private:
  std::string key_;  // 32 bytes
};

}  // namespace kiln::server
