#include "server/webhooks/webhook_signer.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "server/store/random_id.h"

namespace kiln::server {

WebhookSigner::WebhookSigner(const std::filesystem::path& key_file, bool create) {
  std::error_code ec;
  if (!std::filesystem::exists(key_file, ec) && create) {
    write_file_atomically(key_file, random_hex(32) + "\n", 0600);
  }
  std::ifstream in(key_file, std::ios::binary);
  if (!in) throw_usage(fmt::format("webhook_secret_file: {}: cannot read it", key_file.string()));
  key_.assign(std::istreambuf_iterator<char>(in), {});
  while (!key_.empty() && (key_.back() == '\n' || key_.back() == '\r')) key_.pop_back();
  if (key_.size() < 16)
    throw_usage(fmt::format("webhook_secret_file: {}: holds {} bytes; a webhook key needs at least 16", key_file.string(), key_.size()));
  struct stat st {};
  if (::stat(key_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
    spdlog::warn("webhook_secret_file: {}: other local users may read it (mode {:o}); chmod 600 it", key_file.string(),
                 st.st_mode & 0777);
}

std::string WebhookSigner::signature(std::string_view body) const { return "sha256=" + hmac_sha256_hex(key_, body); }

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
            message.size(), mac, &length))
    throw_infra("OpenSSL HMAC-SHA256 failed");
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", mac[i]);
  return out;
}

}  // namespace kiln::server
