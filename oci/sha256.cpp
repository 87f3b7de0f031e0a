#include "oci/sha256.h"

#include <openssl/evp.h>

#include "core/error.h"
#include "oci/digest.h"

namespace kiln::oci {

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1)
    throw_infra("OpenSSL: cannot initialise SHA-256");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, std::size_t size) {
  if (size && EVP_DigestUpdate(ctx_->md, data, size) != 1) throw_infra("OpenSSL: SHA-256 update failed");
}

Digest Sha256::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->md, out, &len) != 1 || len != 32) throw_infra("OpenSSL: SHA-256 final failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string text;
  text.reserve(64);
  for (unsigned i = 0; i < len; ++i) {
    text.push_back(hex[out[i] >> 4]);
    text.push_back(hex[out[i] & 15]);
  }
  return Digest::from_sha256_hex(text);
}

Digest Sha256::of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

}  // namespace kiln::oci
