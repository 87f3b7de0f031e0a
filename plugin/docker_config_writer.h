#pragma once
// The one docker config.json both backends use: kaniko reads it from $DOCKER_CONFIG, the
// native backend resolves credentials from it (make_keychain). Built from every credential
// source a pipeline of today's plugins may set: username/password, logins,
// a config document, base-image credentials and GitLab's CI_REGISTRY_* variables.
#include <filesystem>
#include <string>
#include <string_view>

#include "oci/json.h"
#include "plugin/ci_context.h"
#include "plugin/settings.h"

namespace kiln::plugin {

/// Merges, by normalised registry key, the first source that names a registry winning:
///  1. `config` / `docker_config_json`: a raw config.json (credHelpers, credsStore kept);
///  2. `registry` + `username`/`password` (or `access_token`, as oauth2accesstoken);
///     the registry defaults to the one of destination_repo(), else Docker Hub;
///  3. `logins`: a JSON list [{"registry", "username", "password"}] (no registry: Docker Hub);
///  4. `base_image_registry` + `base_image_username`/`base_image_password`;
///  5. on GitLab: CI_REGISTRY with CI_REGISTRY_USER/_PASSWORD, and CI_DEPENDENCY_PROXY_SERVER
///     with CI_DEPENDENCY_PROXY_USER/_PASSWORD;
///  6. DOCKER_AUTH_CONFIG (GitLab's documented variable; auths and credHelpers). The kaniko
///     fork reads that variable before config.json, so a backend running the executor should
///     leave it out of the executor's environment: everything in it is in this document.
/// Entries are {"auth": base64(user:password)}. Every secret is registered with
/// kiln::log::add_secret; errors name the setting and never quote a credential.
oci::Json make_docker_config(const Settings& settings, const CiContext& ci);

/// Writes `doc` as `<dir>/config.json`, created with mode 0600 (never wider, not even briefly)
/// and moved into place atomically. Returns the path.
std::filesystem::path write_docker_config(const oci::Json& doc, const std::filesystem::path& dir);

/// The auths key of a registry: Docker Hub's aliases ("docker.io", "index.docker.io",
/// "registry-1.docker.io", "registry.hub.docker.com", with or without scheme and /v1/ or /v2/)
/// become "https://index.docker.io/v1/"; others lose their scheme and a trailing /v1/ or /v2/.
std::string docker_config_key(std::string_view registry);

}  // namespace kiln::plugin
