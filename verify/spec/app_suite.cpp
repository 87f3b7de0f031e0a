#include "verify/spec/app_suite.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace kiln::verify {

Spec app_suite(const AppSuiteOptions& options) {
  const std::string& path = options.path;
  Spec spec{.name = "app", .source = "built-in"};
  spec.file_existence_tests = {
      {.name = "binary exists", .path = path},
      {.name = "binary is a regular file", .path = path, .type = "file"},
      {.name = "binary is not empty", .path = path, .non_empty = true},
      {.name = "binary is executable", .path = path, .is_executable_by = ExecutableBy::any},
  };
  // Two ELF tests so a wrong machine and a missing library are told apart; the second does not
  // repeat the first's architecture check.
  spec.elf_tests = {
      {.name = "binary matches the image architecture", .path = path, .architecture = "", .loadable = false},
      {.name = "binary is loadable", .path = path, .architecture = "any", .loadable = true},
  };
  if (options.expected_sha256) {
    std::string hex = *options.expected_sha256;
    std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::tolower(c); });
    spec.file_existence_tests.push_back({.name = "binary SHA-256 matches", .path = path, .sha256 = hex});
  }
  if (options.check_config) {
    MetadataTest config{.name = "config runs the binary"};
    config.entrypoint = std::vector<std::string>{path};
    config.workdir = std::filesystem::path(path).parent_path().string();
    spec.metadata_test = config;
  }
  if (!options.version_args.empty()) {
    spec.command_tests.push_back({.name = "binary runs", .command = path, .args = options.version_args});
  }
  return spec;
}

}  // namespace kiln::verify
