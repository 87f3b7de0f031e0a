// kiln-plugin: the CI step. Reads the settings once, chooses the backend once, builds, and
// maps any failure to an exit code (2 bad input, 3 environment) with one clear message.
#include <stdlib.h>

#include <chrono>
#include <iostream>

#include "core/error.h"
#include "core/log.h"
#include "core/program.h"
#include "core/stop_signals.h"
#include "core/temp_dir.h"
#include "plugin/backend/kaniko.h"
#include "plugin/run_build.h"
#include "plugin/outputs.h"
#include "plugin/plan.h"
#include "plugin/settings.h"
#include "plugin/settings_env_file.h"
#include "plugin/settings_parity.h"
#include "plugin/drone_card.h"
#include "plugin/summary.h"
#include "plugin/tags.h"

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// On GitLab the build's log folds into one collapsible section, closed even when the build fails.
class GitlabSection {
 public:
  GitlabSection(bool enabled, std::string title) : enabled_(enabled) {
    if (enabled_) std::cerr << kiln::plugin::gitlab_section_start(unix_now(), "kiln_build", title) << std::flush;
  }
  ~GitlabSection() {
    if (enabled_) std::cerr << kiln::plugin::gitlab_section_end(unix_now(), "kiln_build") << std::flush;
  }
  GitlabSection(const GitlabSection&) = delete;
  GitlabSection& operator=(const GitlabSection&) = delete;

 private:
  bool enabled_;
};

int run(int argc, char** argv) {
  using namespace kiln;
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args.front() == "--settings-parity") {
    std::cout << plugin::settings_parity_markdown();
    return 0;
  }
  Env env = Env::from_process();
  std::vector<std::string> warnings;
  plugin::Settings settings = plugin::load_settings(env, args, &warnings);
  // env_file comes before every setting (drone-kaniko): its variables join our environment,
  // which the executor inherits, and the settings are read again.
  if (const std::string file = settings.get("env_file"); !file.empty()) {
    for (const auto& [name, value] : plugin::read_env_file(file))
      if (!env.get(name)) ::setenv(name.c_str(), value.c_str(), 1);
    env = Env::from_process();
    warnings.clear();
    settings = plugin::load_settings(env, args, &warnings);
  }
  if (answer_informational_request(settings, {"kiln-plugin", plugin::help_text, plugin::settings_reference_markdown},
                                   warnings))
    return 0;
  // What an earlier run killed by SIGKILL (or the OOM killer) could not remove: its registry
  // credentials among them.
  for (const auto& dir : remove_abandoned_temp_dirs())
    spdlog::info("removed {}, left behind by a kiln process that was killed", dir.string());

  // auto_tag on a branch that is not the default one: nothing to build, and not a failure.
  const plugin::CiContext ci = plugin::read_ci_context(env);
  if (const plugin::TagPlan tags = plugin::resolve_tags(settings, ci, "."); tags.action == plugin::TagAction::skip) {
    std::cout << "skipped: " << tags.reason << "\n";
    return 0;
  }

  const auto started = std::chrono::steady_clock::now();
  const plugin::BuildPlan plan = plugin::make_plan(settings, env);
  const plugin::OutputFiles outputs = plugin::output_files(settings, env);
  const plugin::BuildResult result = [&] {
    const GitlabSection section(env.get("GITLAB_CI") == "true", "Building " + plan.target.to_string());
    return plugin::run_build(settings, plan, env, ci);
  }();
  // Only after a successful push: a failed build leaves no output file claiming a digest.
  plugin::write_outputs(outputs, result);
  plugin::write_drone_card(settings.get("card_path"), result, plan, plugin::make_keychain(settings, plan, env));
  for (const auto& ref : result.pushed) std::cout << "pushed " << ref.to_string() << "@" << result.digest.to_string() << "\n";
  std::cout << "digest " << result.digest.to_string() << "\n" << std::flush;
  std::cerr << plugin::build_summary(result, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - started));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // SIGTERM (a CI runner's stop, kiln-server's cancel), SIGINT and SIGHUP stop the executor and
  // remove the temporary files before exiting 128 + signal. First: no thread exists yet.
  kiln::exit_cleanly_on_stop_signals();
  // A KanikoExitError's exit_code() is the failing RUN's, so the CI sees the executor's code.
  const int code = kiln::run_main([&] { return run(argc, argv); });
  kiln::ignore_stop_signals_from_now();
  return code;
}
