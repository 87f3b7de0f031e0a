#include "plugin/executor_environment.h"

#include <algorithm>
#include <set>

namespace kiln::plugin {
namespace {

// Set by the CI system for every job; kiln reads the registry ones into config.json itself.
// GitLab: https://docs.gitlab.com/ee/ci/variables/predefined_variables.html (CI_REPOSITORY_URL
// embeds the job token); Woodpecker and Drone: the clone credentials (*_NETRC_*).
constexpr const char* kCiCredentials[] = {
    "CI_JOB_TOKEN",      "CI_BUILD_TOKEN",     "CI_REGISTRY_PASSWORD", "CI_DEPENDENCY_PROXY_PASSWORD",
    "CI_DEPLOY_PASSWORD", "CI_REPOSITORY_URL", "DOCKER_AUTH_CONFIG",   "CI_NETRC_PASSWORD",
    "DRONE_NETRC_PASSWORD",
};

}  // namespace

std::vector<std::string> withheld_from_executor(const Env& env, const SettingsTable& table,
                                                const std::vector<std::string>& read_by_executor) {
  std::set<std::string> secret_names(std::begin(kCiCredentials), std::end(kCiCredentials));
  for (const SettingSpec& spec : table)
    if (spec.secret) secret_names.insert(spec.env.begin(), spec.env.end());
  std::vector<std::string> withheld;
  for (const auto& [name, value] : env.vars) {
    const bool settings = name.starts_with("PLUGIN_") || name.starts_with("KILN_");
    if (!settings && !secret_names.contains(name)) continue;
    if (std::find(read_by_executor.begin(), read_by_executor.end(), name) != read_by_executor.end()) continue;
    withheld.push_back(name);
  }
  return withheld;
}

}  // namespace kiln::plugin
