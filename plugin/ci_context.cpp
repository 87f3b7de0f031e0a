#include "plugin/ci_context.h"

#include "core/log.h"

namespace kiln::plugin {
namespace {

// The first of `names` that is set and not empty.
std::string first_of(const Env& env, std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (auto value = env.get(name)) return *value;
  return {};
}

// Woodpecker is checked first: it sets CI_* names that GitLab also uses, and older versions
// exported Drone-compatible DRONE_* variables too.
CiSystem detect(const Env& env) {
  if (env.get("CI").value_or("") == "woodpecker" || env.get("CI_SYSTEM_NAME").value_or("") == "woodpecker")
    return CiSystem::woodpecker;
  if (env.get("GITLAB_CI").value_or("") == "true") return CiSystem::gitlab;
  if (env.get("DRONE").value_or("") == "true") return CiSystem::drone;
  return CiSystem::none;
}

void read_drone(const Env& env, CiContext& ci) {
  ci.ref = first_of(env, {"DRONE_COMMIT_REF"});
  ci.tag = first_of(env, {"DRONE_TAG"});
  ci.branch = first_of(env, {"DRONE_BRANCH", "DRONE_COMMIT_BRANCH"});
  ci.default_branch = first_of(env, {"DRONE_REPO_BRANCH"});
  ci.sha = first_of(env, {"DRONE_COMMIT_SHA", "DRONE_COMMIT"});
  ci.workspace = first_of(env, {"DRONE_WORKSPACE"});
  ci.repo_url = first_of(env, {"DRONE_REPO_LINK", "DRONE_GIT_HTTP_URL"});
  ci.event = first_of(env, {"DRONE_BUILD_EVENT"});
  ci.pull_request = first_of(env, {"DRONE_PULL_REQUEST"});
  ci.commit_timestamp = first_of(env, {"DRONE_BUILD_CREATED"});
}

void read_woodpecker(const Env& env, CiContext& ci) {
  ci.ref = first_of(env, {"CI_COMMIT_REF"});
  ci.tag = first_of(env, {"CI_COMMIT_TAG"});
  ci.branch = first_of(env, {"CI_COMMIT_BRANCH"});
  ci.default_branch = first_of(env, {"CI_REPO_DEFAULT_BRANCH"});
  ci.sha = first_of(env, {"CI_COMMIT_SHA"});
  ci.workspace = first_of(env, {"CI_WORKSPACE"});
  ci.repo_url = first_of(env, {"CI_REPO_URL", "CI_REPO_LINK"});
  ci.event = first_of(env, {"CI_PIPELINE_EVENT"});
  ci.pull_request = first_of(env, {"CI_COMMIT_PULL_REQUEST"});
  ci.commit_timestamp = first_of(env, {"CI_PIPELINE_CREATED", "CI_BUILD_CREATED"});
}

// GitLab has no full ref variable: it is derived from the tag, the branch, or the MR ref path.
// CI_REPOSITORY_URL is never read: it embeds the job token.
void read_gitlab(const Env& env, CiContext& ci) {
  ci.tag = first_of(env, {"CI_COMMIT_TAG"});
  ci.branch = first_of(env, {"CI_COMMIT_BRANCH", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"});
  if (!ci.tag.empty()) ci.ref = "refs/tags/" + ci.tag;
  else if (auto mr = env.get("CI_MERGE_REQUEST_REF_PATH")) ci.ref = *mr;
  else if (auto branch = env.get("CI_COMMIT_BRANCH")) ci.ref = "refs/heads/" + *branch;
  ci.default_branch = first_of(env, {"CI_DEFAULT_BRANCH"});
  ci.sha = first_of(env, {"CI_COMMIT_SHA"});
  ci.workspace = first_of(env, {"CI_PROJECT_DIR"});
  ci.repo_url = first_of(env, {"CI_PROJECT_URL"});
  ci.event = first_of(env, {"CI_PIPELINE_SOURCE"});
  ci.pull_request = first_of(env, {"CI_MERGE_REQUEST_IID"});
  ci.commit_timestamp = first_of(env, {"CI_COMMIT_TIMESTAMP"});
  ci.registry = first_of(env, {"CI_REGISTRY"});
  ci.registry_image = first_of(env, {"CI_REGISTRY_IMAGE"});
  ci.registry_user = first_of(env, {"CI_REGISTRY_USER"});
  ci.registry_password = first_of(env, {"CI_REGISTRY_PASSWORD"});
  ci.dependency_proxy_server = first_of(env, {"CI_DEPENDENCY_PROXY_SERVER"});
  ci.dependency_proxy_user = first_of(env, {"CI_DEPENDENCY_PROXY_USER"});
  ci.dependency_proxy_password = first_of(env, {"CI_DEPENDENCY_PROXY_PASSWORD"});
  for (const auto* secret : {&ci.registry_password, &ci.dependency_proxy_password})
    if (!secret->empty()) log::add_secret(*secret);
}

}  // namespace

std::string to_string(CiSystem system) {
  switch (system) {
    case CiSystem::drone: return "drone";
    case CiSystem::woodpecker: return "woodpecker";
    case CiSystem::gitlab: return "gitlab";
    case CiSystem::none: break;
  }
  return "none";
}

CiContext read_ci_context(const Env& env) {
  CiContext ci;
  ci.system = detect(env);
  switch (ci.system) {
    case CiSystem::drone: read_drone(env, ci); break;
    case CiSystem::woodpecker: read_woodpecker(env, ci); break;
    case CiSystem::gitlab: read_gitlab(env, ci); break;
    case CiSystem::none: break;
  }
  ci.docker_auth_config = first_of(env, {"DOCKER_AUTH_CONFIG"});
  // A tag build whose tag variable is missing still names the tag in its ref, and vice versa.
  if (ci.tag.empty() && ci.ref.starts_with("refs/tags/")) ci.tag = ci.ref.substr(10);
  if (ci.ref.empty() && !ci.tag.empty()) ci.ref = "refs/tags/" + ci.tag;
  if (ci.ref.empty() && !ci.branch.empty() && ci.pull_request.empty()) ci.ref = "refs/heads/" + ci.branch;
  return ci;
}

std::string destination_repo(const Settings& settings, const CiContext& ci) {
  if (settings.has("repo")) return settings.get("repo");
  return ci.system == CiSystem::gitlab ? ci.registry_image : std::string();
}

}  // namespace kiln::plugin
