#include "plugin/run_build.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/image/config_edit.h"
#include "plugin/backend/kaniko/kaniko.h"
#include "plugin/backend/kaniko/kaniko_settings.h"
#include "plugin/backend/native/dockerfile_build.h"
#include "plugin/backend/native/native.h"
#include "plugin/backend/native/push_only.h"
#include "plugin/docker_config_writer.h"
#include "plugin/executor_environment.h"
#include "plugin/plan_backend.h"

namespace kiln::plugin {
namespace {

BuildResult run_kaniko(const Settings& settings, const BuildPlan& native_plan, const Env& env, const CiContext& ci,
                       const std::string& dockerfile) {
  const BuildPlan plan = with_executor_created(native_plan, env);
  if (settings.has("registry_timeout"))
    spdlog::warn("setting registry_timeout has no effect on the Kaniko executor's pulls and pushes (it has no request "
                 "deadline); it bounds kiln's own registry requests, which the native backend makes");
  // The executor reads credentials from DOCKER_CONFIG: one merged config.json, 0600, in a
  // directory that disappears with the build.
  TempDir config_dir("kiln-docker-config");
  write_docker_config(make_docker_config(settings, ci), config_dir.path());
  KanikoOptions options = kaniko_options(settings, plan, config_dir.path().string(), dockerfile);
  // json_key, as the Woodpecker plugin gives it: a file named by GOOGLE_APPLICATION_CREDENTIALS,
  // here 0600 in the directory that disappears with the build.
  if (const std::string key = settings.get("json_key"); !key.empty()) {
    const auto key_file = config_dir.path() / "gcr.json";
    write_file_atomically(key_file, key, 0600);
    options.google_credentials_file = key_file.string();
  }
  std::vector<std::string> read_by_executor = plan.secret_env_names;
  for (const BuildArg& arg : plan.build_args)
    if (arg.from_env) read_by_executor.push_back(arg.name);
  options.withheld_env = withheld_from_executor(env, setting_specs(), read_by_executor);
  KanikoBackend backend(std::move(options));
  BuildResult result = backend.run();
  result.backend = "kaniko";
  result.tar_path = settings.get("tar_path");
  return result;
}

// The native backend, after saying which executor settings it leaves unused.
void note_native(const Settings& settings) {
  for (const std::string& name : settings_unused_natively(settings))
    spdlog::warn("setting {} has no effect on the native backend (it tunes the Kaniko executor; the image is the same)",
                 name);
}

// context_sub_path: the executor builds from that sub-directory of the context. The library's
// requests name their context directly and have none.
DockerfileBuild native_build_of(const BuildPlan& plan, const std::string& sub_path = "") {
  DockerfileBuild build{.dockerfile = std::filesystem::absolute(plan.dockerfile),
                        .context = sub_path.empty() ? plan.context : plan.context / sub_path,
                        .build_args = {},
                        .target_stage = plan.target_stage,
                        .push = {}};
  for (const BuildArg& arg : plan.build_args) build.build_args[arg.name] = arg.value;
  build.push = RecipeTarget{.outputs = image_outputs(plan),
                            .compression = plan.compression,
                            .source_date_epoch = plan.source_date_epoch,
                            .layer_cache_dir = plan.layer_cache_dir,
                            .access = plan.access,
                            .labels = plan.labels};
  if (plan.platform) build.push.platform = *plan.platform;
  return build;
}

BuildResult build_binary(const Settings& settings, const BuildPlan& plan, const Env& env, const CiContext& ci) {
  const auto executor_only = executor_only_setting(settings);
  if (executor_only && plan.backend == BackendChoice::native)
    throw_usage(fmt::format("setting backend: native cannot honour {}", *executor_only));
  if (plan.backend == BackendChoice::automatic && executor_only)
    spdlog::info("building with kaniko, not natively: {}", *executor_only);
  if (plan.backend != BackendChoice::kaniko && !executor_only) {
    note_native(settings);
    spdlog::info("building {} from {} (native: binary on base image)", plan.target.to_string(), plan.base.to_string());
    return NativeBackend(make_keychain(settings, plan, env)).build(plan);
  }
  if (plan.binaries.size() != 1)
    throw_usage("setting binary: the kaniko executor builds one platform per run; give one binary");
  const auto context = std::filesystem::absolute(plan.context).lexically_normal();
  const auto binary = std::filesystem::absolute(plan.binaries.front().path).lexically_normal();
  const auto relative = binary.lexically_relative(context);
  if (relative.empty() || relative.string().starts_with(".."))
    throw_usage(fmt::format("setting binary: {} must be inside the build context {} for kaniko", binary.string(),
                            context.string()));
  TempDir dir("kiln-template");
  const auto dockerfile = dir.path() / "Dockerfile";
  std::ofstream(dockerfile) << binary_template(plan, relative.string());
  spdlog::info("building {} from {} (kaniko: binary template)", plan.target.to_string(), plan.base.to_string());
  return run_kaniko(settings, plan, env, ci, dockerfile.string());
}

BuildResult build_dockerfile(const Settings& settings, const BuildPlan& plan, const Env& env, const CiContext& ci) {
  const DockerfileBuild build = native_build_of(plan, settings.get("context_sub_path"));
  // Parsed whatever the backend: a broken Dockerfile fails here, naming the file and line.
  const Dockerfile dockerfile = load_dockerfile(build);
  std::optional<std::string> reason;
  if (plan.backend != BackendChoice::kaniko) {
    reason = executor_only_setting(settings);
    if (reason && plan.backend == BackendChoice::native)
      throw_usage(fmt::format("setting backend: native cannot honour {}", *reason));
    if (!reason) reason = why_not_native(dockerfile, build);
    if (reason && plan.backend == BackendChoice::native)
      throw_usage(fmt::format("setting backend: native cannot build this: {}", *reason));
  }
  if (plan.backend == BackendChoice::kaniko || reason) {
    spdlog::info("building {} with kaniko{}", plan.target.to_string(),
                 reason ? fmt::format(" (not natively: {})", *reason) : "");
    return run_kaniko(settings, plan, env, ci, plan.dockerfile.string());
  }
  note_native(settings);
  spdlog::info("building {} natively (the Dockerfile has no RUN)", plan.target.to_string());
  return build_dockerfile_natively(dockerfile, build, make_keychain(settings, plan, env));
}

}  // namespace

BuildResult build_natively(const BuildPlan& plan, std::shared_ptr<const oci::Keychain> keychain,
                           const BuildControl& control) {
  if (plan.kind == BuildKind::binary_on_base) return NativeBackend(std::move(keychain), control).build(plan);
  const DockerfileBuild build = native_build_of(plan);
  const Dockerfile dockerfile = load_dockerfile(build);
  if (const auto reason = why_not_native(dockerfile, build))
    throw_usage(fmt::format("{}: only the Kaniko executor can build this: {}", plan.dockerfile.string(), *reason));
  return build_dockerfile_natively(dockerfile, build, std::move(keychain), control);
}

BuildPlan with_executor_created(const BuildPlan& plan, const Env& env) {
  BuildPlan out = plan;
  auto created = out.labels.find("org.opencontainers.image.created");
  if (created != out.labels.end() && !env.get("SOURCE_DATE_EPOCH"))
    created->second = oci::rfc3339_utc(std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count());
  return out;
}

std::string binary_template(const BuildPlan& plan, const std::string& binary_in_context) {
  return fmt::format("FROM {}\nWORKDIR {}\nCOPY {} {}\nENTRYPOINT [\"{}\"]\n", plan.base.to_string(), plan.working_dir,
                     binary_in_context, plan.app_path, plan.app_path);
}

BuildResult run_build(const Settings& settings, const BuildPlan& plan, const Env& env, const CiContext& ci) {
  // Nothing to build: the executor has no push-only mode, so kiln pushes itself.
  if (!plan.push_only_source.empty() || plan.push_only_image) return push_existing_image(plan, make_keychain(settings, plan, env));
  BuildResult result = plan.kind == BuildKind::binary_on_base ? build_binary(settings, plan, env, ci)
                                                : build_dockerfile(settings, plan, env, ci);
  if (result.backend.empty()) result.backend = "native";
  return result;
}

}  // namespace kiln::plugin
