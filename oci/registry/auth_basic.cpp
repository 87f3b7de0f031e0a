#include "oci/registry/auth_basic.h"

#include <Poco/Base64Encoder.h>

#include <sstream>

#include "core/log.h"

namespace kiln::oci {

std::string basic_authorization(const std::string& username, const std::string& password) {
  std::ostringstream out;
  {
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);  // a header value must be one line
    encoder << username << ':' << password;
  }
  log::add_secret(password);
  log::add_secret(out.str());
  return "Basic " + out.str();
}

BasicAuthenticator::BasicAuthenticator(const Credential& credential)
    : header_(basic_authorization(credential.username, credential.password)) {}

}  // namespace kiln::oci
