#include "verify/spec/app_suite.h"

#include <gtest/gtest.h>

namespace kiln::verify {
namespace {

std::vector<std::string> names(const Spec& spec) {
  std::vector<std::string> out;
  for (const auto& t : spec.command_tests) out.push_back(t.name);
  for (const auto& t : spec.file_existence_tests) out.push_back(t.name);
  for (const auto& t : spec.elf_tests) out.push_back(t.name);
  if (spec.metadata_test) out.push_back(spec.metadata_test->name);
  return out;
}

TEST(AppSuite, DefaultChecksTheBinaryAndTheConfig) {
  const Spec spec = app_suite({});
  EXPECT_EQ(spec.name, "app");
  EXPECT_EQ(spec.source, "built-in");
  EXPECT_EQ(names(spec), (std::vector<std::string>{"binary exists", "binary is a regular file", "binary is not empty",
                                                   "binary is executable", "binary matches the image architecture",
                                                   "binary is loadable", "config runs the binary"}));
  EXPECT_EQ(spec.file_existence_tests[1].type, "file");
  EXPECT_TRUE(spec.file_existence_tests[2].non_empty);
  EXPECT_EQ(spec.file_existence_tests[3].is_executable_by, ExecutableBy::any);
  EXPECT_EQ(spec.elf_tests[0].architecture, "");  // the image's
  EXPECT_FALSE(spec.elf_tests[0].loadable);
  EXPECT_EQ(spec.elf_tests[1].architecture, "any");
  EXPECT_TRUE(spec.elf_tests[1].loadable);
  ASSERT_TRUE(spec.metadata_test);
  EXPECT_EQ(spec.metadata_test->workdir, "/usr/local/app");
  EXPECT_EQ(spec.metadata_test->entrypoint, std::vector<std::string>{"/usr/local/app/main"});
  for (const auto& test : spec.file_existence_tests) EXPECT_EQ(test.path, "/usr/local/app/main");
}

TEST(AppSuite, OptionsAddHashAndCommandAndDropConfig) {
  const std::string hash(64, 'a');
  const Spec spec = app_suite({.path = "/opt/svc/bin/svc", .expected_sha256 = hash, .version_args = {"--version"},
                               .check_config = false});
  EXPECT_FALSE(spec.metadata_test);
  ASSERT_EQ(spec.command_tests.size(), 1u);
  EXPECT_EQ(spec.command_tests[0].name, "binary runs");
  EXPECT_EQ(spec.command_tests[0].command, "/opt/svc/bin/svc");
  EXPECT_EQ(spec.command_tests[0].args, std::vector<std::string>{"--version"});
  EXPECT_EQ(spec.command_tests[0].exit_code, 0);
  EXPECT_EQ(spec.file_existence_tests.back().name, "binary SHA-256 matches");
  EXPECT_EQ(spec.file_existence_tests.back().sha256, hash);
  EXPECT_EQ(app_suite({.path = "/opt/svc/bin/svc"}).metadata_test->workdir, "/opt/svc/bin");
}

}  // namespace
}  // namespace kiln::verify
