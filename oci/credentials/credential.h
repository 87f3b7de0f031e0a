#pragma once
// A registry credential and the interface that finds one for a registry host.
#include <string>

namespace kiln::oci {

struct Credential {
  std::string username;
  std::string password;
  std::string identity_token;  ///< OAuth2 refresh token (docker config "identitytoken")
  std::string registry_token;  ///< bearer token used as is (docker config "registrytoken")

  bool empty() const { return username.empty() && password.empty() && identity_token.empty() && registry_token.empty(); }
  friend bool operator==(const Credential&, const Credential&) = default;
};

/// Finds the credential for a registry ("docker.io", "127.0.0.1:5000"); anonymous is an empty one.
class Keychain {
 public:
  virtual ~Keychain() = default;
  virtual Credential resolve(const std::string& registry) const = 0;
};

/// Anonymous access everywhere.
class AnonymousKeychain final : public Keychain {
 public:
  Credential resolve(const std::string&) const override { return {}; }
};

}  // namespace kiln::oci
