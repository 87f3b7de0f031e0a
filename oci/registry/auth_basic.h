#pragma once
// HTTP Basic authentication (htpasswd registries, and the credential sent to token endpoints).
#include <string>

#include "oci/credentials/credential.h"
#include "oci/registry/auth.h"

namespace kiln::oci {

/// "Basic base64(user:password)"; registers the password and the encoded form as secrets.
std::string basic_authorization(const std::string& username, const std::string& password);

class BasicAuthenticator final : public Authenticator {
 public:
  explicit BasicAuthenticator(const Credential& credential);
  std::string authorization(const std::vector<std::string>&) override { return header_; }
  /// The same credential cannot do better on a second try.
  bool refresh(const Challenge&, std::vector<std::string>&) override { return false; }

 private:
  std::string header_;
};

}  // namespace kiln::oci
