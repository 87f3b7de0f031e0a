#include "server/engine/kubernetes/executor_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/error.h"
#include "plugin/backend/kaniko/kaniko_argv.h"
#include "plugin/backend/kaniko/kaniko_settings.h"
#include "plugin/ci_context.h"
#include "plugin/docker_config_writer.h"
#include "plugin/plan.h"
#include "plugin/run_build.h"
#include "plugin/settings.h"

namespace kiln::server {
namespace {

// The settings arrive by table name; kiln-plugin reads them as PLUGIN_<NAME>, so they go
// through exactly the loading (aliases, lists, booleans) a pipeline step's do.
Env plugin_env(const std::map<std::string, std::string>& settings) {
  Env env;
  for (const auto& [name, value] : settings) {
    std::string key = "PLUGIN_";
    for (char c : name) key += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    env.vars[key] = value;
  }
  return env;
}

// A path setting inside the workspace: relative, and not climbing out of it.
std::string in_workspace(const plugin::Settings& settings, const std::string& name) {
  const std::filesystem::path value = settings.get(name);
  const std::filesystem::path normal = value.lexically_normal();
  if (value.is_absolute() || normal.string().starts_with(".."))
    throw_usage(fmt::format("setting {}: '{}' must be a path inside the build context (the kubernetes engine unpacks "
                            "it at {})", name, value.string(), pod_workspace));
  std::string path = (std::filesystem::path(pod_workspace) / normal).lexically_normal().string();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

ExecutorCommand executor_command(const std::map<std::string, std::string>& settings_by_name) {
  const Env env = plugin_env(settings_by_name);
  ExecutorCommand command;
  const plugin::Settings settings = plugin::load_settings(env, {}, &command.warnings);
  const plugin::BuildPlan plan = plugin::with_executor_created(plugin::make_plan(settings, env), env);
  if (plan.kind == plugin::BuildKind::binary_on_base)
    throw_usage("setting binary: the kubernetes engine builds Dockerfiles only; give dockerfile (the binary-on-base "
                "template needs a file outside the build context)");
  if (!plan.push_only_source.empty() || plan.push_only_image)
    throw_usage("setting push_only: the kubernetes engine builds with the Kaniko executor, which cannot push an "
                "existing image");
  const oci::Json docker_config = plugin::make_docker_config(settings, plugin::read_ci_context(env));
  const auto names_credentials = [&](const char* key) { return docker_config.contains(key) && !docker_config[key].empty(); };
  if (names_credentials("auths") || names_credentials("credHelpers") || names_credentials("credsStore"))
    throw_usage("settings username / password / config: the kubernetes engine takes registry credentials only from "
                "the Secret named by kubernetes.registry_secret, never from build settings");

  const std::string context = in_workspace(settings, "context");
  plugin::KanikoOptions options = plugin::kaniko_options(settings, plan, "", in_workspace(settings, "dockerfile"));
  // The executor image's own paths: its binary, and DOCKER_CONFIG=/kaniko/.docker where the
  // registry Secret is mounted.
  options.executor = "/kaniko/executor";
  options.docker_config_dir.clear();
  options.context = "dir://" + context;
  options.digest_file = pod_digest_file;
  command.argv = plugin::kaniko_argv(options);
  return command;
}

}  // namespace kiln::server
