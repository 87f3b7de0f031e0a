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
  // containerRunOptions' values come from kiln-verify's environment and are passed as they are
  // (a password may hold a '$'); the test's own envVars still see them.
  Environment env = for_expansion;
  for (const EnvVar& var : spec.run_env) env.set(var.key, var.value);
  for (const EnvVar& var : test.env_vars) env.set(var.key, expand_env(var.value, env));
  inspect::CommandQuery query{.id = std::move(id),
                              .env = env.vars(),
                              .workdir = image_workdir(image_config),
                              .timeout_seconds = test.timeout_seconds};
  query.argv.push_back(expand_env(test.command, for_expansion));
  for (const std::string& arg : test.args) query.argv.push_back(expand_env(arg, for_expansion));
  return query;
}

std::string setup_id(const std::string& test_id, std::size_t index) { return test_id + ".setup" + std::to_string(index); }

std::string teardown_id(const std::string& test_id, std::size_t index) {
  return test_id + ".teardown" + std::to_string(index);
}

namespace {

std::vector<inspect::CommandQuery> queries_like(const std::vector<Argv>& commands, const inspect::CommandQuery& command,
                                                std::string (*id)(const std::string&, std::size_t)) {
  std::vector<inspect::CommandQuery> out;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    inspect::CommandQuery query = command;
    query.id = id(command.id, i);
    query.argv = commands[i];
    out.push_back(std::move(query));
  }
  return out;
}

}  // namespace

std::vector<inspect::CommandQuery> setup_queries(const CommandTest& test, const inspect::CommandQuery& command) {
  return queries_like(test.setup, command, setup_id);
}

std::vector<inspect::CommandQuery> teardown_queries(const CommandTest& test, const inspect::CommandQuery& command) {
  return queries_like(test.teardown, command, teardown_id);
}

std::vector<std::string> debian_copyright_files(const inspect::Facts& facts) {
  std::vector<std::string> out;
  for (const inspect::PathFacts& path : facts.paths) {
    if (path.path != kDebianDocRoot || !path.subdirectories) continue;
    for (const std::string& package : *path.subdirectories)
      if (package != "libgnutls30") out.push_back(std::string(kDebianDocRoot) + "/" + package + "/copyright");
  }
  return out;
}

std::string image_architecture(const oci::Json& image_config, const oci::Platform& platform) {
  if (!platform.architecture.empty()) return platform.architecture;
  if (image_config.is_object() && image_config.contains("architecture") && image_config["architecture"].is_string()) {
    return image_config["architecture"].get<std::string>();
  }
  return "";
}

}  // namespace kiln::verify
