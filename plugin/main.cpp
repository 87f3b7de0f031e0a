// kiln-plugin: the CI step. Reads the settings once, chooses the backend once, builds, and
// maps any failure to an exit code (2 bad input, 3 environment) with one clear message.
#include <spdlog/spdlog.h>

#include <iostream>

#include "core/error.h"
#include "core/log.h"
#include "plugin/backend/kaniko.h"
#include "plugin/run_build.h"
#include "plugin/outputs.h"
#include "plugin/plan.h"
#include "plugin/settings.h"
#include "plugin/tags.h"

namespace {

kiln::log::Level parse_level(const std::string& text) {
  if (text == "debug" || text == "trace") return kiln::log::Level::debug;
  if (text == "warn" || text == "warning") return kiln::log::Level::warn;
  if (text == "error" || text == "quiet") return kiln::log::Level::error;
  return kiln::log::Level::info;
}

int run(int argc, char** argv) {
  using namespace kiln;
  const Env env = Env::from_process();
  std::vector<std::string> warnings;
  const plugin::Settings settings = plugin::Settings::load(env, {argv + 1, argv + argc}, &warnings);
  if (settings.help_requested()) {
    std::cout << plugin::help_text();
    return 0;
  }
  if (settings.reference_requested()) {
    std::cout << plugin::settings_reference_markdown();
    return 0;
  }
  if (settings.version_requested()) {
    std::cout << "kiln-plugin " << KILN_VERSION << "\n";
    return 0;
  }
  log::setup(parse_level(settings.get("log_level")));
  for (const auto& w : warnings) spdlog::warn("{}", w);

  // auto_tag on a branch that is not the default one: nothing to build, and not a failure.
  const plugin::CiContext ci = plugin::read_ci_context(env);
  if (const plugin::TagPlan tags = plugin::resolve_tags(settings, ci, "."); tags.action == plugin::TagAction::skip) {
    std::cout << "skipped: " << tags.reason << "\n";
    return 0;
  }

  const plugin::BuildPlan plan = plugin::make_plan(settings, env);
  const plugin::BuildResult result = plugin::run_build(settings, plan, env, ci);
  if (!plan.digest_file.empty()) plugin::write_digest_file(plan.digest_file, result);
  for (const auto& ref : result.pushed) std::cout << "pushed " << ref.to_string() << "@" << result.digest.to_string() << "\n";
  std::cout << "digest " << result.digest.to_string() << "\n";
  spdlog::info("{} new layer(s) uploaded, {} base layer(s) copied between registries", result.layers_uploaded,
               result.base_layers_copied);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const kiln::plugin::KanikoExitError& e) {
    // A failing RUN's exit code reaches the CI unchanged, as with the executor itself.
    std::cerr << "error: " << kiln::log::redact(e.what()) << "\n";
    return e.exit_code();
  } catch (const kiln::Error& e) {
    std::cerr << "error: " << kiln::log::redact(e.what()) << "\n";
    return static_cast<int>(e.exit_class());
  } catch (const std::exception& e) {
    std::cerr << "error: " << kiln::log::redact(e.what()) << "\n";
    return static_cast<int>(kiln::ExitClass::infra);
  }
}
