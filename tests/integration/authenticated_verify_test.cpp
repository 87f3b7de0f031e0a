// kiln-verify against a registry that wants what real ones want (TLS with a certificate made at
// test time, htpasswd Basic auth), with a known password that must appear nowhere: not on
// stdout or stderr, not in the JUnit or JSON reports.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/temp_dir.h"
#include "tests/support/busybox_image.h"
#include "tests/support/files.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;


class AuthenticatedVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    push_busybox_base(*registry_.client(), {.repository = "base/busybox", .tag = "1"});
    std::ofstream(work_.path() / "spec.yaml") << "schemaVersion: \"2.0.0\"\n"
                                                  "fileExistenceTests:\n"
                                                  "  - name: busybox is there\n    path: /bin/busybox\n    isExecutableBy: any\n";
  }

  ProcessResult verify(const std::string& password) const {
    ProcessOptions options;
    options.extra_env = {{"PLUGIN_IMAGE", registry_.host() + "/base/busybox:1"},
                         {"PLUGIN_CONFIG", (work_.path() / "spec.yaml").string()},
                         {"PLUGIN_USERNAME", registry_.username()},
                         {"PLUGIN_PASSWORD", password},
                         {"PLUGIN_REGISTRY_CERTIFICATE", registry_.ca_file().string()},
                         {"PLUGIN_JUNIT", (work_.path() / "junit.xml").string()},
                         {"PLUGIN_JSON", (work_.path() / "report.json").string()},
                         {"PLUGIN_LOG_LEVEL", "debug"},
                         {"DOCKER_CONFIG", work_.path().string()}};
    options.timeout = std::chrono::seconds(60);
    return run_process({KILN_VERIFY_BINARY}, options);
  }

  void expect_nowhere(const std::string& secret, const ProcessResult& r) const {
    EXPECT_EQ(r.out.find(secret), std::string::npos) << "stdout shows the password";
    EXPECT_EQ(r.err.find(secret), std::string::npos) << "stderr shows the password";
    EXPECT_EQ(read_file(work_.path() / "junit.xml").find(secret), std::string::npos) << "the JUnit report shows it";
    if (fs::exists(work_.path() / "report.json"))
      EXPECT_EQ(read_file(work_.path() / "report.json").find(secret), std::string::npos) << "the JSON report shows it";
  }

  LocalRegistry registry_{RegistryMode::htpasswd_tls};
  TempDir work_{"kiln-auth-verify"};
};

TEST_F(AuthenticatedVerify, VerifiesOverTlsWithBasicAuthAndNeverPrintsThePassword) {
  const ProcessResult r = verify(registry_.password());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_nowhere(registry_.password(), r);
}

TEST_F(AuthenticatedVerify, AWrongPasswordIsAnInfrastructureErrorNamingTheRegistry) {
  const std::string wrong = "not-the-password-7f3a91";
  const ProcessResult r = verify(wrong);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find(registry_.host()), std::string::npos) << r.err;
  expect_nowhere(wrong, r);
}

}  // namespace
}  // namespace kiln::testing
