#pragma once
// Streaming SHA-256 through OpenSSL EVP (uses SHA-NI where the CPU has it).
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace kiln::oci {

class Digest;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  /// Finishes the hash; the hasher must not be used afterwards.
  Digest finish();

  static Digest of(std::string_view data);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace kiln::oci
