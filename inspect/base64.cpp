#include "inspect/base64.h"

#include <openssl/evp.h>

#include "core/error.h"

namespace kiln::inspect {

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string base64_decode(std::string_view text, std::string_view what) {
  if (text.empty()) return {};
  if (text.size() % 4 != 0) throw_infra(std::string(what) + " is not base64 (length " + std::to_string(text.size()) + ")");
  std::string out(3 * (text.size() / 4), '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  if (written < 0) throw_infra(std::string(what) + " is not base64");
  // EVP_DecodeBlock counts the padding as zero bytes; the '=' characters say how many.
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

}  // namespace kiln::inspect
