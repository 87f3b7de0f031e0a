#pragma once
// What a verification run found, in the shape every report form (JUnit, JSON, text) is written
// from, and the exit code it means.
#include <exception>
#include <string>
#include <vector>

#include "core/error.h"

namespace kiln::verify {

enum class Status { passed, failed, error, skipped };

/// "passed", "failed", "error", "skipped".
const char* status_name(Status status);

struct TestResult {
  std::string classname;  ///< "kiln.verify.<suite>.<kind>", unique with `name` in a run
  std::string name;
  Status status = Status::passed;
  std::string message;  ///< failed: what was expected and found; error: why it could not be
                        ///< checked; skipped: the reason
  std::string details;  ///< more text (a command's argv, truncation notes)
  double seconds = 0;
  std::string stdout_text, stderr_text;  ///< command output, may be any bytes
};

struct SuiteResult {
  std::string name;    ///< unique in a run
  std::string source;  ///< spec file or "built-in"
  std::vector<TestResult> tests;
  double seconds = 0;
};

struct RunReport {
  std::string image_reference, digest, platform, driver, kiln_version;
  std::string timestamp;  ///< UTC, RFC 3339 ("2026-01-31T12:00:00Z"); empty: the time of writing
  std::string hostname;
  std::vector<SuiteResult> suites;
  std::string infra_error;  ///< set when nothing (or not everything) could run
  /// The class of `infra_error`: infra (3) unless the run stopped on a usage or spec error (2).
  ExitClass infra_error_class = ExitClass::infra;
};

struct Totals {
  int tests = 0, passed = 0, failed = 0, errors = 0, skipped = 0;
};
Totals totals(const SuiteResult& suite);
Totals totals(const RunReport& report);

/// The verdict, in this order: `infra_error` set → its class (2 or 3); any test in error → 3;
/// any test failed → 1; no test passed or failed (none at all, or all skipped) → 1, because a
/// run that verified nothing must not look green; otherwise 0.
ExitClass exit_class(const RunReport& report);

/// The report of a run that stopped before (or while) its tests ran: `base` (image, driver, … as
/// far as known) plus one suite "kiln-verify" with one `error` test "verification could run"
/// that carries the message. A kiln::Error keeps its class (a usage error still exits 2);
/// anything else counts as infrastructure.
RunReport report_for_error(RunReport base, const std::exception& error);

}  // namespace kiln::verify
