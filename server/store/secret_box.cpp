#include "server/store/secret_box.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"

namespace kiln::server {
namespace {

constexpr int kKeyBytes = 32, kNonceBytes = 12, kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string random_bytes(int n) {
  std::string out(static_cast<std::size_t>(n), '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), n) != 1) throw_infra("OpenSSL RAND_bytes failed");
  return out;
}

std::string base64(std::string_view bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_NO_PADDING);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str();
}

std::string unbase64(std::string_view text) {
  std::istringstream in{std::string(text)};
  Poco::Base64Decoder decoder(in, Poco::BASE64_NO_PADDING);
  return std::string(std::istreambuf_iterator<char>(decoder), {});
}

}  // namespace

SecretBox::SecretBox(const std::filesystem::path& key_file) {
  if (std::ifstream in(key_file, std::ios::binary); in) {
    key_.assign(std::istreambuf_iterator<char>(in), {});
    if (key_.size() != kKeyBytes) throw_infra(fmt::format("{}: not a {}-byte key", key_file.string(), kKeyBytes));
    return;
  }
  key_ = random_bytes(kKeyBytes);
  write_file_atomically(key_file, key_, 0600);
}

std::string SecretBox::seal(std::string_view plaintext) const {
  const std::string nonce = random_bytes(kNonceBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  std::string out = nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
  int n = 0, tail = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                                 reinterpret_cast<const unsigned char*>(nonce.data())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &n, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + n, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, dst + n + tail) != 1)
    throw_infra("cannot seal a secret setting (OpenSSL AES-256-GCM)");
  return base64(out);
}

std::string SecretBox::open(std::string_view sealed) const {
  const std::string raw = unbase64(sealed);
  if (raw.size() < kNonceBytes + kTagBytes) throw_infra("a sealed secret setting is truncated");
  const std::size_t body = raw.size() - kNonceBytes - kTagBytes;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  std::string out(body, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int n = 0, tail = 0;
  std::string tag = raw.substr(kNonceBytes + body);
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()), bytes) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, bytes + kNonceBytes, static_cast<int>(body)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &tail) != 1)
    throw_infra("a sealed secret setting does not open with this server's key (was secret.key replaced?)");
  return out;
}

std::string SecretBox::fingerprint(std::string_view data) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(data.data()),
            data.size(), mac, &size))
    throw_infra("OpenSSL HMAC failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

}  // namespace kiln::server
