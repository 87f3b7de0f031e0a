#include "server/store/random_id.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <vector>

#include "core/error.h"

namespace kiln::server {

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> random(bytes);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) throw_infra("OpenSSL RAND_bytes failed");
  std::string out;
  for (unsigned char b : random) out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace kiln::server
