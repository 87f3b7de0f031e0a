#include "verify/check/request.h"

#include <gtest/gtest.h>

namespace kiln::verify {
namespace {

const oci::Json kConfig = oci::Json::parse(R"({"architecture": "amd64", "os": "linux", "config": {
  "Env": ["PATH=/usr/bin:/bin", "APP=/usr/local/app"], "WorkingDir": "/usr/local/app"}})");
const oci::Platform kAmd64{.os = "linux", .architecture = "amd64"};

TEST(FactRequest, EachPathOnceWithEverythingAskedOfIt) {
  Spec a{.name = "a"};
  a.file_existence_tests = {{.name = "exists", .path = "$APP/main"},
                            {.name = "hash", .path = "/usr/local/app/main", .sha256 = std::string(64, 'a')}};
  a.file_content_tests = {{.name = "os", .path = "/etc/os-release", .expected_contents = {"debian"}},
                          {.name = "hash only", .path = "/etc/passwd", .sha256 = std::string(64, 'b')}};
  Spec b{.name = "b"};
  b.elf_tests = {{.name = "elf", .path = "/usr/local/app/main"}};
  b.file_existence_tests = {{.name = "os again", .path = "/etc/os-release"}};
  const inspect::FactRequest request = fact_request({a, b}, kConfig, kAmd64);
  EXPECT_EQ(request.paths, (std::vector<inspect::PathQuery>{
                               {.path = "/usr/local/app/main", .sha256 = true, .elf = true},
                               {.path = "/etc/os-release", .contents = true},
                               {.path = "/etc/passwd", .sha256 = true},
                           }));
  EXPECT_TRUE(request.commands.empty());
}

TEST(FactRequest, CommandsGetImageEnvGlobalsWorkdirAndExpansion) {
  Spec spec{.name = "s", .global_env = {{"MODE", "test"}}};
  spec.command_tests = {{.name = "version",
                         .command = "$APP/main",
                         .args = {"--mode=$MODE", "$$HOME", "${LOCAL}"},
                         .env_vars = {{"LOCAL", "x"}},
                         .timeout_seconds = 5}};
  const inspect::FactRequest request = fact_request({spec}, kConfig, kAmd64);
  ASSERT_EQ(request.commands.size(), 1u);
  // Like CST, argv is expanded with the image and global variables, not the test's own.
  EXPECT_EQ(request.commands[0], (inspect::CommandQuery{
                                     .id = "s0.c0",
                                     .argv = {"/usr/local/app/main", "--mode=test", "$HOME", ""},
                                     .env = {{"PATH", "/usr/bin:/bin"}, {"APP", "/usr/local/app"}, {"MODE", "test"},
                                             {"LOCAL", "x"}},
                                     .workdir = "/usr/local/app",
                                     .timeout_seconds = 5}));
}

TEST(FactRequest, SkippedAndOtherPlatformTestsAskNothing) {
  Spec spec{.name = "s"};
  spec.file_existence_tests = {{.name = "skipped", .path = "/a", .filter = {.skip = "later"}},
                               {.name = "arm only", .path = "/b", .filter = {.platforms = {"linux/arm64"}}},
                               {.name = "amd64 too", .path = "/c", .filter = {.platforms = {"linux/arm64", "linux/amd64"}}}};
  spec.command_tests = {{.name = "skipped", .command = "x", .filter = {.skip = "no"}},
                        {.name = "runs", .command = "y"}};
  spec.elf_tests = {{.name = "arm", .path = "/d", .filter = {.platforms = {"linux/arm64/v8"}}}};
  const inspect::FactRequest request = fact_request({spec}, kConfig, kAmd64);
  EXPECT_EQ(request.paths, (std::vector<inspect::PathQuery>{{.path = "/c"}}));
  ASSERT_EQ(request.commands.size(), 1u);
  EXPECT_EQ(request.commands[0].id, "s0.c1");  // ids stay tied to the test's position
}

}  // namespace
}  // namespace kiln::verify
