#pragma once
/// @file
/// @brief Verifying an image: the built-in application suite or container-structure-test specs,
/// with structured results.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kiln/cancellation.h"
#include "kiln/errors.h"
#include "kiln/export.h"
#include "kiln/registry.h"

namespace kiln {

/// How the image is seen.
enum class Driver {
  static_layers,  ///< its layers are read; nothing runs (kiln-verify's `static` driver)
  local_runc,     ///< kiln-probe runs inside the unpacked image under runc, so command tests
                  ///< run too (kiln-verify's `local` driver; needs runc and this machine's
                  ///< architecture)
};

/// The built-in suite: is the application binary there, runnable on this image, and started
/// the way a binary build starts it.
struct AppSuite {
  /// The binary's path in the image.
  std::string app_path = "/usr/local/app/main";
  /// A local file the binary must equal (SHA-256); empty: not compared.
  std::filesystem::path binary;
  /// Arguments of a run of the binary that must exit 0, e.g. {"--version"}; empty: no run.
  /// Needs the local_runc driver.
  std::vector<std::string> version_args;
};

/// What to verify and how.
struct VerifyRequest {
  /// The image: "registry.example.com/team/app:1.0" or "...@sha256:...". With `oci_layout`,
  /// only its tag is used (the layout entry of that name); empty: the layout's only image.
  std::string image;
  /// Read the image from this OCI image layout directory instead of a registry; empty: none.
  std::filesystem::path oci_layout;
  /// The platforms of a multi-platform image to verify ("linux/arm64"); empty: every one.
  std::vector<std::string> platforms;
  /// The built-in suite; std::nullopt: not run.
  std::optional<AppSuite> app_suite = AppSuite{};
  /// container-structure-test spec files (schema 2.0.0, YAML or JSON) with kiln's extensions.
  std::vector<std::filesystem::path> specs;
  /// How the image is seen.
  Driver driver = Driver::static_layers;
  /// kiln-probe for the local_runc driver; empty: the one installed with libkiln.
  std::filesystem::path probe;
  /// The OCI runtime of the local_runc driver.
  std::string runtime = "runc";
  /// Credentials, transport and deadlines.
  RegistryOptions registry;
  /// Cancels the verification between platforms and before each registry request.
  CancellationToken cancellation;
};

/// The outcome of one test.
enum class Verdict {
  passed,   ///< it held
  failed,   ///< it did not hold; `message` says what was expected and found
  error,    ///< it could not be checked; `message` says why
  skipped,  ///< not checked, on purpose; `message` gives the reason
};

/// One test's result.
struct TestCase {
  /// "kiln.verify.<suite>.<kind>": unique together with `name` in a report.
  std::string classname;
  /// The test's name.
  std::string name;
  /// Its outcome.
  Verdict verdict = Verdict::passed;
  /// What failed, what went wrong, or why it was skipped.
  std::string message;
  /// More text (a command's argv, truncation notes).
  std::string details;
  /// How long it took.
  double seconds = 0;
  /// A command test's standard output.
  std::string stdout_text;
  /// A command test's standard error.
  std::string stderr_text;
};

/// The results of one suite (a spec file, or the built-in suite), per platform.
struct TestSuite {
  /// Unique in a report; "(linux/arm64)" is appended when several platforms were verified.
  std::string name;
  /// The spec file, or "built-in".
  std::string source;
  /// Its tests.
  std::vector<TestCase> cases;
};

/// Everything a verification found, as kiln-verify reports it.
struct KILN_API VerifyReport {
  /// The image as named.
  std::string image;
  /// The digest of what it names: the index, or the single manifest.
  std::string digest;
  /// The platform verified, when there was only one.
  std::string platform;
  /// "static" or "local".
  std::string driver;
  /// One suite per spec and platform.
  std::vector<TestSuite> suites;
  /// Why not every platform could be verified; empty when each one was.
  std::string error;
  /// What kind of fault `error` is: usage (a spec asks what cannot be checked) or failure.
  ErrorKind error_kind = ErrorKind::failure;

  /// kiln-verify's exit code for this report: 0 every test passed, 1 a test failed (or none
  /// ran), 2 a spec was at fault, 3 the image could not be seen on some platform.
  int exit_code() const;
  /// exit_code() == 0.
  bool passed() const { return exit_code() == 0; }
  /// The report as JUnit XML, as kiln-verify writes it (for a CI's test report).
  std::string junit_xml() const;
};

/// Verifies the image. A request at fault throws UsageError (a bad reference, an unreadable or
/// invalid spec, no suite to run); an image that cannot be read throws RegistryError or Failure;
/// Cancelled when cancelled. Once the image is read, the results are data: a platform the
/// driver cannot see is an error suite of the report, and the others still count.
KILN_API VerifyReport verify_image(const VerifyRequest& request);

}  // namespace kiln
