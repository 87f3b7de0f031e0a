#pragma once
// What to build and where to push it, decided once from the settings: the rest of the
// plugin works from this plan and never reads settings again.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/env.h"
#include "oci/credentials/credential.h"
#include "oci/image/platform.h"
#include "oci/layer/layer_writer.h"
#include "oci/reference.h"
#include "oci/registry/client.h"
#include "plugin/backend/native/image_output.h"
#include "plugin/build_args.h"
#include "plugin/labels.h"
#include "plugin/settings.h"

namespace kiln::plugin {

/// A binary for one platform; no platform means "whatever the binary and the base agree on".
struct PlatformBinary {
  std::optional<oci::Platform> platform;
  std::filesystem::path path;
};

/// How to reach registries: one set of options, with a CA bundle per host where given.
struct RegistryAccess {
  bool insecure = false;
  std::string default_ca_file;
  std::map<std::string, std::string> ca_file_by_host;
  std::chrono::milliseconds timeout = oci::RegistryOptions::kDefaultTimeout;  ///< registry_timeout
  std::set<std::string> insecure_registries;   ///< insecure_registry: plain HTTP for these hosts
  bool skip_tls_verify = false;                ///< skip_tls_verify: no certificate check anywhere
  std::set<std::string> skip_verify_registries;  ///< skip_tls_verify_registry
  /// insecure_pull and skip_tls_verify_pull apply to the registries images are only pulled
  /// from: every registry that is not one of these (the destinations' registries).
  std::set<std::string> push_registries;
  bool insecure_pull = false;
  bool skip_tls_verify_pull = false;
  int max_attempts = oci::RegistryOptions{}.max_attempts;  ///< of a request that fails temporarily
  oci::RegistryOptions options_for(const std::string& registry) const;
};

/// What is built: a binary put on a base image (the `binary` setting, no Dockerfile needed),
/// or a Dockerfile.
enum class BuildKind { binary_on_base, dockerfile };
/// Who builds it: `auto` takes native when the Dockerfile allows it, else Kaniko.
enum class BackendChoice { automatic, native, kaniko };

struct BuildPlan {
  BuildKind kind = BuildKind::binary_on_base;
  BackendChoice backend = BackendChoice::automatic;
  oci::Reference base;            ///< binary_on_base: the base image
  oci::Reference target;          ///< repository with the first tag
  std::vector<std::string> tags;  ///< every tag, validated, first one in `target`
  std::vector<PlatformBinary> binaries;
  std::string app_path = "/usr/local/app/main";
  std::string working_dir = "/usr/local/app";
  oci::CompressionSettings compression;
  std::int64_t source_date_epoch = 0;
  RegistryAccess access;
  std::string digest_file;
  std::optional<std::filesystem::path> layer_cache_dir;  ///< none: no cache
  // dockerfile builds
  std::filesystem::path context = ".";
  std::filesystem::path dockerfile = "Dockerfile";  ///< relative to the working directory
  std::string target_stage;
  std::vector<BuildArg> build_args;
  std::optional<oci::Platform> platform;
  bool push = true;  ///< false: dry_run
  /// Every reference pushed, tagged: target × tags, or the `destinations` setting.
  std::vector<oci::Reference> destinations;
  std::filesystem::path oci_layout_path;  ///< also write an OCI image layout here (empty: no)
  std::filesystem::path tar_path;         ///< also write a docker-archive here (empty: no)
  /// push_only: push this docker-archive or OCI layout instead of building (empty: build).
  std::filesystem::path push_only_source;
  /// push_only with source_image (plugins/docker): copy this image to the destinations.
  std::optional<oci::Reference> push_only_image;
  Labels labels;     ///< custom_labels and auto labels, applied by every backend
  /// cache_repo with the registry prefixed as repo is (drone-kaniko's expand_repo), or "".
  std::string cache_repo;
  /// secrets, secrets_from_env, secrets_from_file in the executor's --secret form:
  /// id=ID,src=FILE or id=ID,env=VAR (only RUN --mount=type=secret reads them).
  std::vector<std::string> secrets;
  /// The variables those secrets name with env=: the executor must be given them.
  std::vector<std::string> secret_env_names;
  /// Every platform the `platform` setting names (a list: linux/amd64,linux/arm64).
  std::vector<oci::Platform> platforms;
};

/// The registry of a reference as Kaniko names it in its per-registry flags (Docker Hub is
/// index.docker.io).
std::string kaniko_registry_name(const std::string& registry);

/// Validates everything that can be checked locally (references, tags, binaries exist,
/// compression) before any network traffic; errors name the setting at fault. Tags come from
/// resolve_tags() with ./.tags; a skipping auto_tag is an error here, so callers check
/// resolve_tags() first. On GitLab, repo defaults to $CI_REGISTRY_IMAGE.
BuildPlan make_plan(const Settings& settings, const Env& env);

/// Where the image goes, for the native backend.
ImageOutputs image_outputs(const BuildPlan& plan);

/// Credentials: the merged document of make_docker_config() (settings, logins, GitLab), then
/// $DOCKER_CONFIG/config.json or ~/.docker/config.json for registries it does not name.
std::shared_ptr<const oci::Keychain> make_keychain(const Settings& settings, const BuildPlan& plan, const Env& env);

}  // namespace kiln::plugin
