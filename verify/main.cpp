// kiln-verify: the step after the build. Reads the settings once, chooses the driver once,
// verifies every selected platform, and writes the JUnit report in every case — also when the
// settings, the spec, the registry or the runtime fail before a single test ran.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/log.h"
#include "core/program.h"
#include "oci/image/config_edit.h"
#include "verify/cli/cst_flags.h"
#include "verify/cli/image_selection.h"
#include "verify/cli/make_driver.h"
#include "verify/cli/run_verify.h"
#include "verify/cli/settings_table.h"
#include "verify/cli/specs_from_settings.h"
#include "verify/report/json_report.h"
#include "verify/report/junit.h"
#include "verify/report/text_report.h"

namespace {

std::string hostname() {
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? name : "localhost";
}

// Written atomically, so a CI job that collects the report never reads half of one; its
// directory is created first, as a CI job's `reports/…` path expects.
void write_report_file(const std::string& path, const std::string& text) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  kiln::write_file_atomically(path, text);
}

// CST's --junit-suite-name names its one testsuite; kiln keeps a suite per spec file, so with
// several the file's suite name follows in parentheses.
kiln::verify::RunReport with_junit_suite_name(kiln::verify::RunReport report, const std::string& name) {
  if (name.empty()) return report;
  for (auto& suite : report.suites) suite.name = report.suites.size() == 1 ? name : name + " (" + suite.name + ")";
  return report;
}

std::string report_text(const std::string& format, const kiln::verify::RunReport& report, const std::string& suite_name) {
  if (format == "json") return kiln::verify::to_json_report(report);
  if (format == "junit") return kiln::verify::to_junit_xml(with_junit_suite_name(report, suite_name));
  return kiln::verify::to_text_report(report);
}

int write_reports(const kiln::Settings& settings, const kiln::verify::RunReport& report) {
  using namespace kiln;
  int failed = 0;
  const std::string suite_name = settings.get("junit_suite_name");
  auto write = [&](const std::string& setting, const std::string& format) {
    const std::string path = settings.get(setting);
    if (path.empty()) return;
    try {
      write_report_file(path, report_text(format, report, suite_name));
    } catch (const std::exception& e) {
      std::cerr << "error: setting " << setting << ": " << log::redact(e.what()) << "\n";
      failed = 1;
    }
  };
  write("junit", "junit");
  write("json", "json");
  // CST's --test-report takes the --output format; for text CST writes JSON, kiln JUnit.
  write("test_report", settings.get("output") == "json" ? "json" : "junit");
  return failed;
}

void check_output_format(const kiln::Settings& settings) {
  const std::string format = settings.get("output");
  if (format != "text" && format != "json" && format != "junit")
    kiln::throw_usage("setting output: '" + format + "' is not one of text, json, junit");
}

// Where `junit` points when the settings as a whole cannot be read: --junit, PLUGIN_JUNIT,
// KILN_JUNIT, else the table's default.
std::string junit_path_before_settings(const kiln::Env& env, const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].starts_with("--junit=")) return args[i].substr(8);
    if (args[i] == "--junit" && i + 1 < args.size()) return args[i + 1];
  }
  for (const char* var : {"PLUGIN_JUNIT", "KILN_JUNIT"})
    if (auto value = env.get(var); value && !value->empty()) return *value;
  for (const auto& spec : kiln::verify::verify_setting_specs())
    if (spec.name == "junit") return spec.default_value;
  return {};
}

void write_error_report(const std::string& path, const std::exception& error) {
  if (path.empty()) return;
  kiln::verify::RunReport base{.kiln_version = KILN_VERSION, .timestamp = kiln::oci::rfc3339_utc(std::time(nullptr)),
                               .hostname = hostname()};
  try {
    write_report_file(path, kiln::verify::to_junit_xml(kiln::verify::report_for_error(std::move(base), error)));
  } catch (const std::exception& e) {
    std::cerr << "error: setting junit: " << kiln::log::redact(e.what()) << "\n";
  }
}

int run(int argc, char** argv) {
  using namespace kiln;
  const Env env = Env::from_process();
  std::vector<std::string> warnings;
  const std::vector<std::string> raw_args(argv + 1, argv + argc);
  std::vector<std::string> args = raw_args;
  const Settings settings = [&] {
    try {
      args = verify::translate_cst_flags(raw_args);
      return Settings::load(verify::verify_setting_specs(), env, args, &warnings);
    } catch (const Error& e) {
      // An unknown flag: the report still goes where the job collects it.
      write_error_report(junit_path_before_settings(env, args), e);
      throw;
    }
  }();
  if (answer_informational_request(
          settings, {"kiln-verify", verify::verify_help_text, verify::verify_settings_reference_markdown}, warnings))
    return 0;

  verify::RunReport report{.driver = settings.get("driver"),
                           .kiln_version = KILN_VERSION,
                           .timestamp = oci::rfc3339_utc(std::time(nullptr)),
                           .hostname = hostname()};
  try {
    check_output_format(settings);
    report.driver = verify::driver_name(settings);
    report.image_reference = verify::image_reference_text(settings);
    if (report.image_reference.empty()) report.image_reference = "oci:" + settings.get("oci_layout");
    const std::vector<verify::Spec> specs = verify::specs_from_settings(settings, env);
    const verify::ImageSelection selection = verify::select_images(settings, env);
    report.digest = selection.digest;
    if (settings.get_bool("print_pod")) {
      for (const auto& image : selection.images) std::cout << verify::pod_manifest_text(settings, image, specs) << "\n";
      return 0;
    }
    std::unique_ptr<verify::Driver> driver = verify::make_driver(settings, env, argv[0]);
    verify::run_verify(selection, specs, *driver, report);
  } catch (const std::exception& e) {
    spdlog::error("{}", log::redact(e.what()));
    report = verify::report_for_error(std::move(report), e);
  }
  if (!settings.get_bool("quiet")) {
    const std::string format = settings.get("output");
    std::cout << report_text(format == "json" || format == "junit" ? format : "text", report,
                             settings.get("junit_suite_name"))
              << std::flush;
  }
  const int write_failed = write_reports(settings, report);
  const int verdict = static_cast<int>(verify::exit_class(report));
  return verdict != 0 ? verdict : (write_failed ? static_cast<int>(ExitClass::infra) : 0);
}

}  // namespace

int main(int argc, char** argv) {
  return kiln::run_main([&] { return run(argc, argv); });
}
