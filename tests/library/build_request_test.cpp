// What build_image() refuses before it talks to any registry: each mistake in a BuildRequest is
// a kiln::UsageError that names the field at fault (the registry named here does not exist, so
// a request that got as far as the network would fail differently).
#include <gtest/gtest.h>
#include <kiln/kiln.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "core/temp_dir.h"

namespace kiln::testing {
namespace {

class BuildRequestChecks : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "main") << "not really a program";
    std::ofstream(dir_.path() / "Dockerfile") << "FROM 127.0.0.1:1/base:1\nRUN make\n";
  }

  BuildRequest binary_request() const {
    BuildRequest r;
    r.base = "127.0.0.1:1/base:1";
    r.binary = dir_.path() / "main";
    r.targets = {"127.0.0.1:1/team/app:v1"};
    return r;
  }

  // The message of the UsageError build_image() throws for `request`.
  static std::string usage_error(const BuildRequest& request) {
    try {
      build_image(request);
    } catch (const UsageError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      return e.what();
    } catch (const std::exception& e) {
      return std::string("not a UsageError: ") + e.what();
    }
    return "no error";
  }

  TempDir dir_{"kiln-library-request"};
};

TEST_F(BuildRequestChecks, EachMistakeIsAUsageErrorNamingItsField) {
  const std::pair<std::function<void(BuildRequest&)>, std::string> cases[] = {
      {[](BuildRequest& r) { r.targets.clear(); }, "BuildRequest.targets: is empty"},
      {[](BuildRequest& r) { r.targets = {"Team/App:v1"}; }, "BuildRequest.targets: "},
      {[](BuildRequest& r) { r.targets = {"127.0.0.1:1/team/app@sha256:" + std::string(64, 'a')}; },
       "must name a tag, not a digest"},
      {[](BuildRequest& r) { r.base.clear(); }, "BuildRequest.base: is required with binary"},
      {[](BuildRequest& r) { r.base = "no spaces allowed:1"; }, "BuildRequest.base: "},
      {[](BuildRequest& r) { r.binary = "/nonexistent/main"; }, "BuildRequest.binary: /nonexistent/main does not exist"},
      {[](BuildRequest& r) { r.app_path = "main"; }, "BuildRequest.app_path: 'main' is not an absolute path"},
      {[](BuildRequest& r) { r.platform = "linux"; }, "BuildRequest.platform: "},
      {[](BuildRequest& r) { r.compression_level = 10; }, "BuildRequest.compression_level: 10 is out of range 1-9"},
      {[](BuildRequest& r) { r.compression = Compression::zstd, r.compression_level = 20; }, "out of range 1-19"},
      {[](BuildRequest& r) { r.source_date_epoch = -1; }, "BuildRequest.source_date_epoch: -1 is negative"},
      {[](BuildRequest& r) { r.registry.retries = -1; }, "BuildRequest.registry.retries: -1 is negative"},
      {[](BuildRequest& r) { r.registry.timeout = std::chrono::milliseconds(0); }, "BuildRequest.registry.timeout: "},
      {[](BuildRequest& r) { r.registry.ca_file = "/nonexistent.pem"; }, "BuildRequest.registry.ca_file: "},
      {[](BuildRequest& r) { r.registry.credentials = {{.registry = "", .username = "u", .password = "p"}}; },
       "BuildRequest.registry.credentials: "},
      {[](BuildRequest& r) { r.registry.docker_config = "/nonexistent.json"; }, "BuildRequest.registry.docker_config: "},
      {[this](BuildRequest& r) { r.dockerfile = dir_.path() / "Dockerfile"; }, "BuildRequest: give either binary"},
  };
  for (const auto& [change, expected] : cases) {
    BuildRequest request = binary_request();
    change(request);
    const std::string message = usage_error(request);
    EXPECT_NE(message.find(expected), std::string::npos) << message << "\nexpected: " << expected;
  }
}

// The library builds natively only: a Dockerfile that needs the Kaniko executor is refused
// before anything is fetched, with the instruction that needs it.
TEST_F(BuildRequestChecks, ADockerfileWithRunIsRefusedNamingTheInstruction) {
  BuildRequest request = binary_request();
  request.binary.clear();
  request.base.clear();
  request.dockerfile = dir_.path() / "Dockerfile";
  const std::string message = usage_error(request);
  EXPECT_NE(message.find("only the Kaniko executor can build this"), std::string::npos) << message;
  EXPECT_NE(message.find("RUN"), std::string::npos) << message;
}

TEST_F(BuildRequestChecks, ACancelledTokenStopsTheBuildBeforeAnyRequest) {
  BuildRequest request = binary_request();
  CancellationToken mine;
  request.cancellation = mine;
  mine.cancel();
  EXPECT_TRUE(request.cancellation.cancelled()) << "copies share one state";
  // 127.0.0.1:1 refuses connections: a request that went out would be a RegistryError.
  EXPECT_THROW(build_image(request), Cancelled);
}

TEST(LibraryVersion, TheLoadedLibraryIsTheHeadersVersion) {
  EXPECT_STREQ(version(), KILN_VERSION_STRING);
}

}  // namespace
}  // namespace kiln::testing
