#pragma once
// A RUN-less Dockerfile built in-process: read the Dockerfile and .dockerignore, interpret
// the target stage (base ENV from the registry), push the result.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "oci/credentials/credential.h"
#include "plugin/backend/backend.h"
#include "plugin/backend/native/recipe_push.h"
#include "plugin/build_control.h"
#include "plugin/dockerfile/dockerfile.h"

namespace kiln::plugin {

struct DockerfileBuild {
  std::filesystem::path dockerfile;  ///< relative paths are relative to the context
  std::filesystem::path context;
  std::map<std::string, std::string> build_args;
  std::string target_stage;
  RecipeTarget push;
};

/// Reads and parses the Dockerfile (errors name the file and line).
Dockerfile load_dockerfile(const DockerfileBuild& build);
/// Why this build needs Kaniko, or nullopt when the native backend can do it.
std::optional<std::string> why_not_native(const Dockerfile& dockerfile, const DockerfileBuild& build);
/// Builds and pushes; throws NativeUnsupported for what only Kaniko can do.
BuildResult build_dockerfile_natively(const Dockerfile& dockerfile, const DockerfileBuild& build,
                                      std::shared_ptr<const oci::Keychain> keychain, const BuildControl& control = {});

}  // namespace kiln::plugin
