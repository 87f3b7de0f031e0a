#pragma once
// What the CI system tells a step about the build: the git ref, branches, workspace, and on
// GitLab the project registry and its credentials. Read once from an Env: GitLab's CI_*,
// Drone's DRONE_* and Woodpecker's CI_* variables.
#include <string>

#include "core/env.h"
#include "plugin/settings.h"

namespace kiln::plugin {

enum class CiSystem { none, drone, woodpecker, gitlab };
std::string to_string(CiSystem system);

struct CiContext {
  CiSystem system = CiSystem::none;
  std::string ref;             ///< refs/heads/x, refs/tags/v1, refs/pull/N/head (derived on GitLab)
  std::string tag;             ///< set only for tag builds
  std::string branch;          ///< for pull requests, the target branch
  std::string default_branch;  ///< the repository's default branch
  std::string sha;
  std::string workspace;
  std::string repo_url;        ///< web URL of the repository (never one with a token in it)
  std::string event;           ///< the CI's own event name: push, tag, pull_request, merge_request_event...
  std::string pull_request;    ///< PR / MR number, empty otherwise

  // GitLab only: the project registry (CI_REGISTRY*) and the dependency proxy.
  std::string registry;
  std::string registry_image;
  std::string registry_user;
  std::string registry_password;
  std::string dependency_proxy_server;
  std::string dependency_proxy_user;
  std::string dependency_proxy_password;
  /// DOCKER_AUTH_CONFIG, read on every system: a docker config.json in a variable (GitLab docs).
  std::string docker_auth_config;

  friend bool operator==(const CiContext&, const CiContext&) = default;
};

/// Detects the system (CI=woodpecker or CI_SYSTEM_NAME=woodpecker → woodpecker; GITLAB_CI=true
/// → gitlab; DRONE=true → drone; else none) and reads its variables. Passwords are registered
/// with kiln::log::add_secret.
CiContext read_ci_context(const Env& env);

/// The repository to push to: the repo setting, else $CI_REGISTRY_IMAGE on GitLab, else "".
std::string destination_repo(const Settings& settings, const CiContext& ci);

}  // namespace kiln::plugin
