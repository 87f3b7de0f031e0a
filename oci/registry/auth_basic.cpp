#include "oci/registry/auth_basic.h"

#include "core/base64.h"
#include "core/log.h"

namespace kiln::oci {

std::string basic_authorization(const std::string& username, const std::string& password) {
  const std::string encoded = base64(username + ':' + password);
  log::add_secret(password);
  log::add_secret(encoded);
  return "Basic " + encoded;
}

BasicAuthenticator::BasicAuthenticator(const Credential& credential)
    : header_(basic_authorization(credential.username, credential.password)) {}

}  // namespace kiln::oci
