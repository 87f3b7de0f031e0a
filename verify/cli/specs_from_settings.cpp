#include "verify/cli/specs_from_settings.h"

#include <fmt/format.h>

#include <fstream>

#include "core/error.h"
#include "core/log.h"
#include "core/read_file.h"
#include "verify/spec/run_options.h"
#include "oci/digest.h"
#include "oci/layer/file_hashes.h"
#include "verify/spec/app_suite.h"
#include "verify/spec/load_spec.h"

namespace kiln::verify {
namespace {

std::string sha256_of_file(const std::string& path) {
  if (!std::ifstream(path)) throw_usage(fmt::format("setting binary: cannot read {}", path));
  return oci::hash_file_content(path).hex();
}

bool wants_app_suite(const Settings& settings, bool has_specs) {
  const std::string value = settings.get("app_suite");
  if (value == "auto") return !has_specs;
  return settings.get_bool("app_suite");
}

}  // namespace

void resolve_run_env(Spec& spec, const Env& env) {
  const ContainerRunOptions& options = spec.run_options;
  spec.run_env.clear();
  const std::string where = spec.source + ":" + std::to_string(options.line) + ": containerRunOptions";
  if (options.env_file) {
    // KEY=value lines, as docker run --env-file reads them.
    constexpr std::size_t max_env_file_bytes = 1 << 20;
    const auto text = read_file(*options.env_file, max_env_file_bytes, where + ".envFile:");
    if (!text) throw_usage(fmt::format("{}.envFile: cannot read {} (relative to the working directory, as CST reads it)",
                                       where, *options.env_file));
    for (auto& [key, value] : parse_env_file(*text, *options.env_file))
      spec.run_env.push_back({.key = std::move(key), .value = std::move(value)});
  }
  for (const std::string& name : options.env_vars)
    if (auto value = env.get(name); value && !value->empty()) spec.run_env.push_back({.key = name, .value = *value});
  for (const EnvVar& var : spec.run_env) log::add_secret(var.value);
}

namespace {

void refuse_host_run_options(const Spec& spec) {
  const ContainerRunOptions& options = spec.run_options;
  const char* option = !options.env_vars.empty() ? "envVars"
                       : options.env_file        ? "envFile"
                       : !options.bind_mounts.empty() ? "bindMounts"
                       : options.privileged      ? "privileged"
                                                 : nullptr;
  if (option)
    throw_usage(fmt::format("{}:{}: containerRunOptions.{} reaches this machine (its environment, files or kernel), "
                            "which setting host_run_options=false refuses",
                            spec.source, options.line, option));
}

}  // namespace

std::vector<Spec> specs_from_settings(const Settings& settings, const Env& env) {
  std::vector<Spec> specs;
  const bool host_run_options = settings.get_bool("host_run_options");
  for (const auto& file : settings.get_list("config")) {
    specs.push_back(load_spec(file));
    if (!host_run_options) refuse_host_run_options(specs.back());
    resolve_run_env(specs.back(), env);
  }
  if (wants_app_suite(settings, !specs.empty())) {
    AppSuiteOptions options{.path = settings.get("app_path")};
    if (!options.path.starts_with("/")) throw_usage(fmt::format("setting app_path: '{}' is not an absolute path", options.path));
    if (settings.has("binary")) options.expected_sha256 = sha256_of_file(settings.get("binary"));
    options.version_args = settings.get_list("version_args", " \t");
    specs.insert(specs.begin(), app_suite(options));
  }
  if (specs.empty()) throw_usage("nothing to verify: setting config names no spec and app_suite is false");
  return specs;
}

}  // namespace kiln::verify
