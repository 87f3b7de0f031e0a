// The native build against a registry that wants what real ones want: TLS (a certificate made
// at test time, trusted through registry_certificate) and htpasswd Basic auth.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/temp_dir.h"
#include "oci/json.h"
#include "tests/support/busybox_image.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

class AuthenticatedBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    push_busybox_base(*registry_.client(), {.repository = "base/busybox", .tag = "1"});
    std::filesystem::create_directories(work_.path() / "docker");
  }

  std::map<std::string, std::string> settings(const std::string& password) const {
    return {{"PLUGIN_REPO", registry_.host() + "/team/app"},
            {"PLUGIN_BASE_IMAGE", registry_.host() + "/base/busybox:1"},
            {"PLUGIN_BINARY", KILN_HELLO_BINARY},
            {"PLUGIN_USERNAME", registry_.username()},
            {"PLUGIN_PASSWORD", password},
            {"PLUGIN_REGISTRY_CERTIFICATE", registry_.ca_file().string()},
            {"DOCKER_CONFIG", (work_.path() / "docker").string()}};
  }

  LocalRegistry registry_{RegistryMode::htpasswd_tls};
  TempDir work_{"kiln-auth-test"};
};

}  // namespace

TEST_F(AuthenticatedBuild, PushesOverTlsWithBasicAuth) {
  const ProcessResult r = run_plugin(settings(registry_.password()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pushed " + registry_.host() + "/team/app:latest@sha256:"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find(registry_.password()), std::string::npos) << "the password must never be printed";
  // skopeo trusts the *.crt files of a directory.
  const auto certs = work_.path() / "certs";
  std::filesystem::create_directories(certs);
  std::filesystem::copy_file(registry_.ca_file(), certs / "ca.crt");
  const oci::Json info = oci::Json::parse(run_ok({"skopeo", "inspect", "--cert-dir", certs.string(),
                                                  "--creds", registry_.username() + ":" + registry_.password(),
                                                  "docker://" + registry_.host() + "/team/app:latest"}));
  EXPECT_EQ(info["Layers"].size(), 2u);
}

TEST_F(AuthenticatedBuild, WrongPasswordNamesTheRegistryNotThePassword) {
  const std::string wrong = "wrong-secret-" + registry_.password();
  const ProcessResult r = run_plugin(settings(wrong));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(registry_.host()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("authentication failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(wrong), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(wrong), std::string::npos) << r.out;
}

TEST_F(AuthenticatedBuild, UntrustedCertificateIsRefused) {
  auto env = settings(registry_.password());
  env.erase("PLUGIN_REGISTRY_CERTIFICATE");
  const ProcessResult r = run_plugin(env);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(registry_.host()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
}

}  // namespace kiln::testing
