#pragma once
// Webhook bodies are signed as GitHub signs its deliveries (X-Hub-Signature-256):
// "sha256=" + hex(HMAC-SHA256(key, raw body)), with one key per server. A receiver that knows
// the key recomputes it over the bytes it received and compares in constant time.
#include <filesystem>
#include <string>
#include <string_view>

namespace kiln::server {

class WebhookSigner {
 public:
  /// Reads the key from `key_file`; when the file does not exist and `create` is true, makes it:
  /// 32 random bytes as 64 hex digits, mode 0600. Throws kiln::Error(usage) naming the file when
  /// it is unreadable or holds fewer than 16 bytes (a trailing newline is not part of the key).
  WebhookSigner(const std::filesystem::path& key_file, bool create);
  /// The value of the X-Kiln-Signature-256 header for `body`.
  std::string signature(std::string_view body) const;

 private:
  std::string key_;
};

/// hex(HMAC-SHA256(key, message)) through OpenSSL.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace kiln::server
