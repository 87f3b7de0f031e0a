// RegistryClient against a real docker-registry with TLS and htpasswd Basic auth.
#include <gtest/gtest.h>

#include <Poco/Base64Encoder.h>

#include <sstream>

#include "oci/media_type.h"
#include "oci/registry/client.h"
#include "oci/registry/error.h"
#include "oci/sha256.h"
#include "tests/support/local_registry.h"

namespace kiln::oci {
namespace {

class FixedKeychain final : public Keychain {
 public:
  explicit FixedKeychain(Credential c) : credential_(std::move(c)) {}
  Credential resolve(const std::string&) const override { return credential_; }

 private:
  Credential credential_;
};

std::shared_ptr<const Keychain> login(const std::string& user, const std::string& password) {
  Credential c;
  c.username = user;
  c.password = password;
  return std::make_shared<FixedKeychain>(c);
}

std::string base64(const std::string& text) {
  std::ostringstream out;
  {
    Poco::Base64Encoder encoder(out);
    encoder << text;
  }
  return out.str();
}

}  // namespace

TEST(TlsRegistry, RightPasswordPushesAndPulls) {
  testing::LocalRegistry registry(testing::RegistryMode::htpasswd_tls);
  RegistryClient c(registry.host(), login(registry.username(), registry.password()),
                   RegistryOptions{.ca_file = registry.ca_file().string()});
  c.ping();
  const std::string blob = "over tls";
  c.upload_blob("team/app", Sha256::of(blob),
                BlobSource{.size = 8, .open = [blob] { return std::make_unique<std::istringstream>(blob); }});
  EXPECT_EQ(c.get_blob("team/app", Sha256::of(blob)), blob);
  EXPECT_EQ(c.head_manifest("team/app", "v1"), std::nullopt);
}

TEST(TlsRegistry, WrongPasswordFailsClearlyWithoutLeakingIt) {
  testing::LocalRegistry registry(testing::RegistryMode::htpasswd_tls);
  const std::string wrong = "wrong-" + registry.password();
  RegistryClient c(registry.host(), login(registry.username(), wrong),
                   RegistryOptions{.ca_file = registry.ca_file().string()});
  for (auto operation : {+[](RegistryClient& c) { c.ping(); },
                         +[](RegistryClient& c) { c.head_blob("team/app", Sha256::of("x")); }}) {
    try {
      operation(c);
      FAIL() << "wrong password accepted";
    } catch (const RegistryError& e) {
      const std::string message = e.what();
      EXPECT_EQ(e.status(), 401);
      EXPECT_EQ(e.exit_class(), ExitClass::infra);
      EXPECT_TRUE(message.starts_with("authentication failed for " + registry.host() + ": check username/password"))
          << message;
      EXPECT_EQ(message.find(wrong), std::string::npos) << message;
      EXPECT_EQ(message.find(base64(registry.username() + ":" + wrong)), std::string::npos) << message;
      EXPECT_FALSE(e.is_temporary());
    }
  }
}

TEST(TlsRegistry, AnonymousIsToldAuthenticationIsRequired) {
  testing::LocalRegistry registry(testing::RegistryMode::htpasswd_tls);
  RegistryClient c(registry.host(), std::make_shared<AnonymousKeychain>(),
                   RegistryOptions{.ca_file = registry.ca_file().string()});
  try {
    c.put_manifest("team/app", "v1", std::string(media_type::oci_manifest), "{}");
    FAIL();
  } catch (const RegistryError& e) {
    EXPECT_STREQ(e.what(), (registry.host() + ": PUT manifest team/app:v1: 401 UNAUTHORIZED: authentication required")
                               .c_str());
  }
}

// Without the test CA the self-signed certificate is untrusted.
TEST(TlsRegistry, UntrustedCertificateIsRefused) {
  testing::LocalRegistry registry(testing::RegistryMode::htpasswd_tls);
  RegistryClient c(registry.host(), login(registry.username(), registry.password()), RegistryOptions{.insecure = false, .ca_file = {}, .max_attempts = 1});
  try {
    c.ping();
    FAIL();
  } catch (const RegistryError& e) {
    EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos) << e.what();
    EXPECT_FALSE(e.is_temporary());
  }
}

// Left to Poco 1.11 alone, a certificate for another name is accepted; the client must not accept it.
TEST(TlsRegistry, CertificateForAnotherHostIsRefused) {
  testing::LocalRegistry registry(testing::RegistryMode::tls_wrong_name);
  RegistryClient c(registry.host(), std::make_shared<AnonymousKeychain>(),
                   RegistryOptions{.ca_file = registry.ca_file().string(), .max_attempts = 1});
  try {
    c.ping();
    FAIL() << "certificate for other.example accepted for " << registry.host();
  } catch (const RegistryError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(message.starts_with(registry.host() + ": ping: GET https://" + registry.host() + "/v2/: TLS handshake"))
        << message;
    EXPECT_NE(message.find("certificate verify failed"), std::string::npos) << message;
    EXPECT_NE(message.find("valid for host '127.0.0.1'"), std::string::npos) << message;
  }
}

}  // namespace kiln::oci
