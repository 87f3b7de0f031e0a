#pragma once
// What of kiln-plugin's environment the Kaniko executor does not inherit. The executor needs
// its proxies, PATH, HOME and the like, and the variables bare build args name; the registry
// credentials it needs are in the config.json kiln wrote. Whatever else carries a secret would
// only be one /proc/<pid>/environ read, or one Dockerfile ARG, away from a leak.
#include <string>
#include <vector>

#include "core/env.h"
#include "core/settings.h"

namespace kiln::plugin {

/// The names in `env` the executor must not get: every PLUGIN_* and KILN_* (the executor reads
/// none, and a misspelt secret setting is still a secret); the plain variables the settings
/// `table` reads for a secret setting (DOCKER_PASSWORD, ACCESS_TOKEN, DOCKER_PLUGIN_CONFIG);
/// the credentials CI systems hand every job (CI_JOB_TOKEN, CI_REGISTRY_PASSWORD,
/// DOCKER_AUTH_CONFIG, ...). Names in `read_by_executor` (bare build args) stay: the user asked
/// for them to reach the build.
std::vector<std::string> withheld_from_executor(const Env& env, const SettingsTable& table,
                                                const std::vector<std::string>& read_by_executor);

}  // namespace kiln::plugin
