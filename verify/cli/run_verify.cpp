#include "verify/cli/run_verify.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/error.h"
#include "core/log.h"
#include "core/stop.h"
#include "verify/check/evaluate.h"
#include "verify/check/request.h"

namespace kiln::verify {
namespace {

// With several platforms every suite and classname carries the platform, so (classname, name)
// stays unique in the report and GitLab's Suite column says which platform failed.
void mark_platform(std::vector<SuiteResult>& suites, const std::string& platform) {
  std::string slug = platform;
  for (char& c : slug)
    if (c == '/') c = '-';
  for (auto& suite : suites) {
    const std::string prefix = classname_prefix(suite.name);
    for (auto& test : suite.tests)
      if (test.classname.starts_with(prefix))
        test.classname = prefix + slug + "." + test.classname.substr(prefix.size());
      else
        test.classname += "." + slug;
    suite.name += " (" + platform + ")";
  }
}

void append(inspect::Facts& facts, inspect::Facts more) {
  for (auto& path : more.paths) facts.paths.push_back(std::move(path));
  for (auto& command : more.commands) facts.commands.push_back(std::move(command));
}

}  // namespace

void run_verify(const ImageSelection& selection, const std::vector<Spec>& specs, Driver& driver, RunReport& report,
                const std::stop_token& stop) {
  const bool several = selection.images.size() > 1;
  for (const auto& image : selection.images) {
    const std::string platform = image.image.platform.to_string();
    stop_point(stop, "verifying " + image.pinned);
    std::vector<SuiteResult> suites;
    if (const auto reason = driver.cannot_verify(image.image.platform)) {
      spdlog::warn("{}: not verified: {}", platform, *reason);
      suites.push_back({.name = "platform",
                        .source = "kiln-verify",
                        .tests = {{.classname = classname_prefix("platform") + "driver",
                                   .name = "platform can be verified",
                                   .status = Status::skipped,
                                   .message = *reason}}});
      if (several) mark_platform(suites, platform);
      for (auto& suite : suites) report.suites.push_back(std::move(suite));
      continue;
    }
    try {
      const auto started = std::chrono::steady_clock::now();
      const std::vector<FactRun> runs = fact_runs(specs, image.image.config, image.image.platform);
      for (const FactRun& run : runs)
        if (const auto refusal = driver.cannot_run(run.container)) throw_usage(*refusal);
      inspect::Facts facts;
      for (std::size_t i = 0; i < runs.size(); ++i) {
        const FactRun& run = runs[i];
        if (i > 0 && run.request.commands.empty()) continue;
        spdlog::info("verifying {} ({}) with the {} driver: {} paths, {} commands{}", image.pinned, platform,
                     driver.name(), run.request.paths.size(), run.request.commands.size(),
                     run.container.origin.empty() ? "" : " (" + run.container.origin + ")");
        append(facts, driver.collect(image, run.request, run.container));
      }
      // debian license tests read the copyright files of the packages the first run listed.
      const inspect::FactRequest licenses = license_follow_up(specs, facts);
      if (!licenses.paths.empty()) append(facts, driver.collect(image, licenses));
      suites = evaluate(specs, image.image.config, image.image.platform, facts, driver.name());
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      spdlog::debug("{} verified in {:.3f} s", platform, seconds);
    } catch (const StopRequested&) {
      throw;
    } catch (const std::exception& e) {
      // The run goes on with the other platforms; this one is reported as not verified.
      spdlog::error("{}: {}", platform, log::redact(e.what()));
      RunReport failed = report_for_error(RunReport{}, e);
      suites = std::move(failed.suites);
      if (failed.infra_error_class == ExitClass::usage && report.infra_error.empty()) {
        report.infra_error = log::redact(e.what());
        report.infra_error_class = ExitClass::usage;
      }
    }
    if (several) mark_platform(suites, platform);
    for (auto& suite : suites) report.suites.push_back(std::move(suite));
  }
  if (!several && !selection.images.empty()) report.platform = selection.images.front().image.platform.to_string();
}

}  // namespace kiln::verify
