#pragma once
// The built-in suite kiln-verify runs when no spec is given: is the application binary there,
// runnable on this image, and started the way kiln-plugin's binary-on-base images start it.
#include <optional>
#include <string>
#include <vector>

#include "verify/spec/spec.h"

namespace kiln::verify {

struct AppSuiteOptions {
  std::string path = "/usr/local/app/main";
  std::optional<std::string> expected_sha256;  ///< hex, e.g. of the local file given by --binary
  std::vector<std::string> version_args;       ///< empty: no command test
  bool check_config = true;                    ///< WorkingDir and Entrypoint
};

/// The suite "app" (source "built-in"). Test names are fixed, so reports of successive runs line
/// up: "binary exists", "binary is a regular file", "binary is not empty", "binary is
/// executable", "binary matches the image architecture", "binary is loadable", "binary SHA-256
/// matches", "config runs the binary" and "binary runs" (with version_args).
Spec app_suite(const AppSuiteOptions& options);

}  // namespace kiln::verify
