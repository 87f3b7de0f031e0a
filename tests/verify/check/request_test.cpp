#include "verify/check/request.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace kiln::verify {
namespace {

const oci::Json kRequestConfig = oci::Json::parse(R"({"architecture": "amd64", "os": "linux", "config": {
  "Env": ["PATH=/usr/bin:/bin", "APP=/usr/local/app"], "WorkingDir": "/usr/local/app"}})");
const oci::Platform kRequestAmd64{.os = "linux", .architecture = "amd64"};

TEST(FactRequest, EachPathOnceWithEverythingAskedOfIt) {
  Spec a{.name = "a"};
  a.file_existence_tests = {{.name = "exists", .path = "$APP/main"},
                            {.name = "hash", .path = "/usr/local/app/main", .sha256 = std::string(64, 'a')}};
  a.file_content_tests = {{.name = "os", .path = "/etc/os-release", .expected_contents = {"debian"}},
                          {.name = "hash only", .path = "/etc/passwd", .sha256 = std::string(64, 'b')}};
  Spec b{.name = "b"};
  b.elf_tests = {{.name = "elf", .path = "/usr/local/app/main"}};
  b.file_existence_tests = {{.name = "os again", .path = "/etc/os-release"}};
  const inspect::FactRequest request = fact_request({a, b}, kRequestConfig, kRequestAmd64);
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
  const inspect::FactRequest request = fact_request({spec}, kRequestConfig, kRequestAmd64);
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
  const inspect::FactRequest request = fact_request({spec}, kRequestConfig, kRequestAmd64);
  EXPECT_EQ(request.paths, (std::vector<inspect::PathQuery>{{.path = "/c"}}));
  ASSERT_EQ(request.commands.size(), 1u);
  EXPECT_EQ(request.commands[0].id, "s0.c1");  // ids stay tied to the test's position
}

}  // namespace
}  // namespace kiln::verify

namespace kiln::verify {
namespace {

// Each spec with containerRunOptions gets its own container; each command test with setup or
// teardown its own fresh, writable one, with setup, command and teardown in order.
TEST(FactRuns, RunOptionsAndSetupGetTheirOwnContainers) {
  Spec plain{.name = "plain", .source = "plain.yaml"};
  plain.command_tests = {{.name = "a", .command = "true"}};
  plain.file_existence_tests = {{.name = "f", .path = "/f"}};
  Spec options{.name = "options", .source = "options.yaml"};
  options.run_options = {.user = "root", .capabilities = {"sys_admin", "ALL"}, .bind_mounts = {"/h:/c:ro"}, .line = 7};
  options.run_env = {{"FOO", "a$b"}};
  options.command_tests = {{.name = "b", .command = "printenv", .env_vars = {{"X", "${FOO}-x"}}},
                           {.name = "c", .command = "cat", .setup = {{"touch", "/r"}}, .teardown = {{"rm", "/r"}}}};
  const std::vector<FactRun> runs = fact_runs({plain, options}, kRequestConfig, kRequestAmd64);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_TRUE(runs[0].container.is_default());
  EXPECT_EQ(runs[0].request.paths.size(), 1u);
  ASSERT_EQ(runs[0].request.commands.size(), 1u);
  EXPECT_EQ(runs[0].request.commands[0].id, "s0.c0");

  // The setup test comes first: it is added when met, the spec's shared run when its first
  // plain command is.
  const FactRun& setup = runs[2].request.commands.size() == 3 ? runs[2] : runs[1];
  const FactRun& shared = runs[2].request.commands.size() == 3 ? runs[1] : runs[2];
  EXPECT_FALSE(shared.container.writable_root);
  EXPECT_EQ(shared.container.user, "root");
  ASSERT_TRUE(shared.container.capabilities);
  EXPECT_EQ(shared.container.capabilities->size(), all_capabilities().size());  // ALL, sys_admin once
  EXPECT_EQ(shared.container.bind_mounts, (std::vector<BindMount>{{.host = "/h", .container = "/c", .read_only = true}}));
  EXPECT_EQ(shared.container.origin, "options.yaml:7: containerRunOptions");
  ASSERT_EQ(shared.request.commands.size(), 1u);
  // containerRunOptions values pass as they are; the test's envVars see them.
  const auto& env = shared.request.commands[0].env;
  EXPECT_NE(std::find(env.begin(), env.end(), std::pair<std::string, std::string>{"FOO", "a$b"}), env.end());
  EXPECT_NE(std::find(env.begin(), env.end(), std::pair<std::string, std::string>{"X", "a$b-x"}), env.end());

  EXPECT_TRUE(setup.container.writable_root);
  EXPECT_EQ(setup.container.user, "root");
  std::vector<std::string> ids;
  for (const auto& command : setup.request.commands) ids.push_back(command.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"s1.c1.setup0", "s1.c1", "s1.c1.teardown0"}));
  EXPECT_EQ(setup.request.commands[0].argv, (std::vector<std::string>{"touch", "/r"}));
  EXPECT_TRUE(setup.request.paths.empty());
}

TEST(FactRuns, DebianLicenseTestsListDocThenReadEachCopyright) {
  Spec spec{.name = "s", .license_tests = {{.debian = true, .files = {"/usr/share/doc/dash/copyright"}}}};
  const inspect::FactRequest first = fact_request({spec}, kRequestConfig, kRequestAmd64);
  EXPECT_EQ(first.paths, (std::vector<inspect::PathQuery>{{.path = "/usr/share/doc/dash/copyright", .contents = true},
                                                          {.path = "/usr/share/doc", .list = true}}));
  inspect::PathFacts doc{.path = "/usr/share/doc", .exists = true};
  doc.subdirectories = std::vector<std::string>{"dash", "libgnutls30", "zlib1g"};
  const inspect::Facts facts{.paths = {{.path = "/usr/share/doc/dash/copyright", .exists = true}, doc}};
  EXPECT_EQ(license_follow_up({spec}, facts).paths,
            (std::vector<inspect::PathQuery>{{.path = "/usr/share/doc/zlib1g/copyright", .contents = true}}));
}

}  // namespace
}  // namespace kiln::verify
