#pragma once
// A content digest. Only sha256 is produced or accepted: it is the only algorithm
// Distribution 2.8 and the OCI image spec require registries to support.
#include <compare>
#include <string>
#include <string_view>

namespace kiln::oci {

class Digest {
 public:
  /// Parses "sha256:<64 lowercase hex>"; throws kiln::Error(usage) naming what is wrong.
  static Digest parse(std::string_view text);
  /// Wraps 64 lowercase hex digits already known to be valid.
  static Digest from_sha256_hex(std::string hex);

  std::string to_string() const { return "sha256:" + hex_; }
  const std::string& hex() const { return hex_; }
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  Digest() = default;
  std::string hex_;
};

}  // namespace kiln::oci
