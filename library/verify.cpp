// verify_image(): a VerifyRequest through kiln-verify's own pieces (spec loading, image
// selection, the static and local drivers, run_verify), and its report as plain structs.
#include "kiln/verify.h"

#include <fmt/format.h>
#include <unistd.h>

#include <ctime>
#include <fstream>

#include "core/error.h"
#include "library/cancellation_token.h"
#include "library/logging.h"
#include "library/probe_location.h"
#include "library/public_errors.h"
#include "library/registry_access.h"
#include "oci/image/config_edit.h"
#include "oci/layer/file_hashes.h"
#include "verify/cli/image_selection.h"
#include "verify/cli/run_verify.h"
#include "verify/driver/local/local_driver.h"
#include "verify/driver/static/static_driver.h"
#include "verify/report/junit.h"
#include "verify/spec/app_suite.h"
#include "verify/spec/load_spec.h"

namespace kiln {
namespace library {
namespace {

const std::string kVerifyRequest = "VerifyRequest";

std::string sha256_of_file(const std::filesystem::path& path) {
  if (!std::ifstream(path)) bad_field(kVerifyRequest, "app_suite.binary", fmt::format("cannot read {}", path.string()));
  return oci::hash_file_content(path).hex();
}

std::vector<verify::Spec> specs_for(const VerifyRequest& r) {
  std::vector<verify::Spec> specs;
  if (r.app_suite) {
    if (!r.app_suite->app_path.starts_with("/"))
      bad_field(kVerifyRequest, "app_suite.app_path", fmt::format("'{}' is not an absolute path", r.app_suite->app_path));
    verify::AppSuiteOptions options{.path = r.app_suite->app_path};
    if (!r.app_suite->binary.empty()) options.expected_sha256 = sha256_of_file(r.app_suite->binary);
    options.version_args = r.app_suite->version_args;
    specs.push_back(verify::app_suite(options));
  }
  for (const auto& file : r.specs) specs.push_back(verify::load_spec(file));  // usage errors name the file
  if (specs.empty()) throw UsageError("VerifyRequest: nothing to verify: no specs and no app_suite");
  return specs;
}

std::vector<oci::Platform> platforms_for(const VerifyRequest& r) {
  std::vector<oci::Platform> out;
  for (const std::string& text : r.platforms) {
    try {
      out.push_back(oci::Platform::parse(text));
    } catch (const Error& e) {
      bad_field(kVerifyRequest, "platforms", e.what());
    }
  }
  return out;
}

verify::ImageSelection select(const VerifyRequest& r, std::stop_token stop) {
  const auto wanted = platforms_for(r);
  const oci::RegistryOptions options = client_options(r.registry, kVerifyRequest, std::move(stop));
  if (!r.oci_layout.empty()) return verify::select_layout_images(r.oci_layout, r.image, wanted);
  if (r.image.empty()) bad_field(kVerifyRequest, "image", "is required (or oci_layout)");
  oci::Reference reference = [&] {
    try {
      return oci::Reference::parse(r.image);
    } catch (const Error& e) {
      bad_field(kVerifyRequest, "image", e.what());
    }
  }();
  auto client = std::make_unique<oci::RegistryClient>(reference.registry(), keychain_for(r.registry, kVerifyRequest), options);
  return verify::select_registry_images(reference, r.image, std::move(client), wanted);
}

std::unique_ptr<verify::Driver> driver_for(const VerifyRequest& r) {
  if (r.driver == Driver::static_layers) return std::make_unique<verify::StaticDriver>();
  verify::LocalDriverOptions options;
  options.runc = r.runtime;
  return std::make_unique<verify::LocalDriver>(r.probe.empty() ? installed_probe() : r.probe, options);
}

std::string host_name() {
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? name : "localhost";
}

Verdict verdict_of(verify::Status s) {
  switch (s) {
    case verify::Status::passed: return Verdict::passed;
    case verify::Status::failed: return Verdict::failed;
    case verify::Status::error: return Verdict::error;
    case verify::Status::skipped: return Verdict::skipped;
  }
  return Verdict::error;
}

verify::Status status_of(Verdict v) {
  switch (v) {
    case Verdict::passed: return verify::Status::passed;
    case Verdict::failed: return verify::Status::failed;
    case Verdict::error: return verify::Status::error;
    case Verdict::skipped: return verify::Status::skipped;
  }
  return verify::Status::error;
}

VerifyReport public_report(const verify::RunReport& in) {
  VerifyReport out{.image = in.image_reference, .digest = in.digest, .platform = in.platform, .driver = in.driver,
                   .suites = {}, .error = in.infra_error,
                   .error_kind = in.infra_error_class == ExitClass::usage ? ErrorKind::usage : ErrorKind::failure};
  for (const verify::SuiteResult& suite : in.suites) {
    TestSuite s{.name = suite.name, .source = suite.source, .cases = {}};
    for (const verify::TestResult& t : suite.tests)
      s.cases.push_back({.classname = t.classname, .name = t.name, .verdict = verdict_of(t.status),
                         .message = t.message, .details = t.details, .seconds = t.seconds,
                         .stdout_text = t.stdout_text, .stderr_text = t.stderr_text});
    out.suites.push_back(std::move(s));
  }
  return out;
}

// The report back in kiln-verify's shape, for its verdict and its JUnit writer.
verify::RunReport internal_report(const VerifyReport& in) {
  verify::RunReport out{.image_reference = in.image, .digest = in.digest, .platform = in.platform, .driver = in.driver,
                        .kiln_version = KILN_LIBRARY_VERSION, .hostname = host_name()};
  for (const TestSuite& suite : in.suites) {
    verify::SuiteResult s{.name = suite.name, .source = suite.source};
    for (const TestCase& t : suite.cases)
      s.tests.push_back({.classname = t.classname, .name = t.name, .status = status_of(t.verdict),
                         .message = t.message, .details = t.details, .seconds = t.seconds,
                         .stdout_text = t.stdout_text, .stderr_text = t.stderr_text});
    out.suites.push_back(std::move(s));
  }
  out.infra_error = in.error;
  out.infra_error_class = in.error_kind == ErrorKind::usage ? ExitClass::usage : ExitClass::infra;
  return out;
}

}  // namespace
}  // namespace library

int VerifyReport::exit_code() const {
  return static_cast<int>(verify::exit_class(library::internal_report(*this)));
}

std::string VerifyReport::junit_xml() const {
  verify::RunReport report = library::internal_report(*this);
  report.timestamp = oci::rfc3339_utc(std::time(nullptr));
  return verify::to_junit_xml(report);
}

VerifyReport verify_image(const VerifyRequest& request) {
  library::ensure_logging();
  try {
    const std::stop_token stop = library::stop_token_of(request.cancellation);
    const std::vector<verify::Spec> specs = library::specs_for(request);
    std::unique_ptr<verify::Driver> driver = library::driver_for(request);
    const verify::ImageSelection selection = library::select(request, stop);
    verify::RunReport report{.image_reference = selection.reference, .digest = selection.digest,
                             .driver = driver->name(), .kiln_version = KILN_LIBRARY_VERSION,
                             .timestamp = oci::rfc3339_utc(std::time(nullptr)), .hostname = library::host_name()};
    verify::run_verify(selection, specs, *driver, report, stop);
    return library::public_report(report);
  } catch (...) {
    library::rethrow_as_public();
  }
}

}  // namespace kiln
