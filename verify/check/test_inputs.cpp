#include "verify/check/test_inputs.h"

#include "verify/check/image_env.h"

namespace kiln::verify {

std::optional<std::string> skip_reason(const TestFilter& filter, const oci::Platform& platform) {
  if (filter.skip) return *filter.skip;
  if (filter.platforms.empty()) return std::nullopt;
  std::string listed;
  for (const std::string& text : filter.platforms) {
    if (oci::Platform::parse(text).satisfied_by(platform)) return std::nullopt;
    listed += (listed.empty() ? "" : ", ") + text;
  }
  return "not run on " + platform.to_string() + " (platforms: " + listed + ")";
}

std::string command_id(std::size_t spec_index, std::size_t test_index) {
  return "s" + std::to_string(spec_index) + ".c" + std::to_string(test_index);
}

std::string existence_path(const FileExistenceTest& test, const oci::Json& image_config) {
  return expand_env(test.path, image_environment(image_config));
}

inspect::CommandQuery command_query(const CommandTest& test, const Spec& spec, const oci::Json& image_config,
                                    std::string id) {
  // Like CST, command and args see the image env with the global variables, not the test's own.
  const Environment for_expansion = command_environment(image_config, spec.global_env, {});
  const Environment env = command_environment(image_config, spec.global_env, test.env_vars);
  inspect::CommandQuery query{.id = std::move(id),
                              .env = env.vars(),
                              .workdir = image_workdir(image_config),
                              .timeout_seconds = test.timeout_seconds};
  query.argv.push_back(expand_env(test.command, for_expansion));
  for (const std::string& arg : test.args) query.argv.push_back(expand_env(arg, for_expansion));
  return query;
}

std::string image_architecture(const oci::Json& image_config, const oci::Platform& platform) {
  if (!platform.architecture.empty()) return platform.architecture;
  if (image_config.is_object() && image_config.contains("architecture") && image_config["architecture"].is_string()) {
    return image_config["architecture"].get<std::string>();
  }
  return "";
}

}  // namespace kiln::verify
