// verify_image() against images build_image() pushed to a real docker-registry: the built-in
// suite and a container-structure-test spec, through the static driver (layers read) and the
// local one (kiln-probe under runc), with structured results and kiln-verify's verdicts.
#include <gtest/gtest.h>
#include <kiln/kiln.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/temp_dir.h"
#include "tests/support/busybox_image.h"
#include "tests/support/local_registry.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;

class LibraryVerify : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new LocalRegistry();
    push_busybox_base(*registry_->client(), {.repository = "base/busybox", .tag = "1"});
    BuildRequest r;
    r.base = registry_->host() + "/base/busybox:1";
    r.binary = KILN_HELLO_BINARY;
    r.targets = {registry_->host() + "/team/app:v1"};
    r.registry.insecure = true;
    digest_ = new std::string(build_image(r).digest);
  }
  static void TearDownTestSuite() {
    delete digest_;
    delete registry_;
  }

  static VerifyRequest request() {
    VerifyRequest r;
    r.image = registry_->host() + "/team/app:v1";
    r.registry.insecure = true;
    return r;
  }

  // test name → verdict, over every suite.
  static std::map<std::string, Verdict> verdicts(const VerifyReport& report) {
    std::map<std::string, Verdict> out;
    for (const TestSuite& suite : report.suites)
      for (const TestCase& test : suite.cases) out[test.name] = test.verdict;
    return out;
  }

  static inline LocalRegistry* registry_ = nullptr;
  static inline std::string* digest_ = nullptr;
  TempDir work_{"kiln-library-verify"};
};

TEST_F(LibraryVerify, TheBuiltInSuitePassesOnTheImageBuildImagePushed) {
  VerifyRequest r = request();
  r.app_suite->binary = KILN_HELLO_BINARY;
  const VerifyReport report = verify_image(r);
  EXPECT_EQ(report.exit_code(), 0) << report.error;
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.digest, *digest_);
  EXPECT_EQ(report.driver, "static");
  EXPECT_EQ(report.platform, "linux/amd64");
  ASSERT_EQ(report.suites.size(), 1u);
  EXPECT_EQ(report.suites[0].name, "app");
  EXPECT_EQ(report.suites[0].source, "built-in");
  const auto v = verdicts(report);
  for (const char* name : {"binary exists", "binary is executable", "binary SHA-256 matches", "config runs the binary"})
    EXPECT_EQ(v.at(name), Verdict::passed) << name;
  const std::string junit = report.junit_xml();
  EXPECT_NE(junit.find("<testsuite"), std::string::npos);
  EXPECT_NE(junit.find("binary SHA-256 matches"), std::string::npos);
}

TEST_F(LibraryVerify, AnotherBinaryFailsTheHashTestAndTheReportSaysOne) {
  const fs::path other = work_.path() / "other";
  std::ofstream(other) << "a different program";
  VerifyRequest r = request();
  r.app_suite->binary = other;
  const VerifyReport report = verify_image(r);
  EXPECT_EQ(report.exit_code(), 1);
  EXPECT_FALSE(report.passed());
  const auto v = verdicts(report);
  EXPECT_EQ(v.at("binary SHA-256 matches"), Verdict::failed);
  EXPECT_EQ(v.at("binary exists"), Verdict::passed);
}

TEST_F(LibraryVerify, ASpecFileIsJudgedToo) {
  const fs::path spec = work_.path() / "spec.yaml";
  std::ofstream(spec) << "schemaVersion: 2.0.0\n"
                         "fileExistenceTests:\n"
                         "  - name: busybox is there\n    path: /bin/busybox\n"
                         "  - name: no shell history\n    path: /root/.ash_history\n    shouldExist: false\n"
                         "metadataTest:\n  workdir: /srv\n";
  VerifyRequest r = request();
  r.app_suite.reset();
  r.specs = {spec};
  const VerifyReport report = verify_image(r);
  ASSERT_EQ(report.suites.size(), 1u);
  EXPECT_EQ(report.suites[0].name, "spec");
  const auto v = verdicts(report);
  EXPECT_EQ(v.at("busybox is there"), Verdict::passed);
  EXPECT_EQ(v.at("no shell history"), Verdict::passed);
  EXPECT_EQ(v.at("Metadata Test"), Verdict::failed) << "the image's WORKDIR is /usr/local/app";
  EXPECT_EQ(report.exit_code(), 1);
}

// The local driver runs the binary in the image with runc (kiln-probe inside it); without
// VerifyRequest::probe the library finds the probe itself (here: the build tree's).
TEST_F(LibraryVerify, TheLocalDriverRunsTheBinaryInTheImage) {
  VerifyRequest r = request();
  r.driver = Driver::local_runc;
  r.app_suite->version_args = {"--version"};
  const VerifyReport report = verify_image(r);
  EXPECT_EQ(report.exit_code(), 0) << report.error;
  EXPECT_EQ(report.driver, "local");
  const auto v = verdicts(report);
  EXPECT_EQ(v.at("binary runs"), Verdict::passed);
  for (const TestSuite& suite : report.suites)
    for (const TestCase& test : suite.cases)
      if (test.name == "binary runs") EXPECT_NE(test.stdout_text.find("hello from kiln"), std::string::npos) << test.stdout_text;
}

TEST_F(LibraryVerify, RequestMistakesAreUsageErrorsAndAMissingImageARegistryError) {
  VerifyRequest r = request();
  r.image.clear();
  EXPECT_THROW(verify_image(r), UsageError);
  r = request();
  r.app_suite.reset();
  EXPECT_THROW(verify_image(r), UsageError) << "nothing to verify";
  r = request();
  r.specs = {work_.path() / "missing.yaml"};
  EXPECT_THROW(verify_image(r), UsageError);
  r = request();
  r.platforms = {"linux/arm64"};
  EXPECT_THROW(verify_image(r), UsageError) << "the image is amd64 only";
  r = request();
  r.image = registry_->host() + "/team/nothing:v1";
  r.registry.retries = 0;
  try {
    verify_image(r);
    ADD_FAILURE() << "no error";
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 404) << e.what();
  }
  r = request();
  CancellationToken cancel;
  r.cancellation = cancel;
  cancel.cancel();
  EXPECT_THROW(verify_image(r), Cancelled);
}

}  // namespace
}  // namespace kiln::testing
