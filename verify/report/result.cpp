#include "verify/report/result.h"

namespace kiln::verify {

const char* status_name(Status status) {
  switch (status) {
    case Status::passed: return "passed";
    case Status::failed: return "failed";
    case Status::error: return "error";
    case Status::skipped: return "skipped";
  }
  return "error";
}

Totals totals(const SuiteResult& suite) {
  Totals out;
  for (const TestResult& test : suite.tests) {
    ++out.tests;
    switch (test.status) {
      case Status::passed: ++out.passed; break;
      case Status::failed: ++out.failed; break;
      case Status::error: ++out.errors; break;
      case Status::skipped: ++out.skipped; break;
    }
  }
  return out;
}

Totals totals(const RunReport& report) {
  Totals out;
  for (const SuiteResult& suite : report.suites) {
    const Totals one = totals(suite);
    out.tests += one.tests;
    out.passed += one.passed;
    out.failed += one.failed;
    out.errors += one.errors;
    out.skipped += one.skipped;
  }
  return out;
}

ExitClass exit_class(const RunReport& report) {
  if (!report.infra_error.empty()) return report.infra_error_class == ExitClass::usage ? ExitClass::usage : ExitClass::infra;
  const Totals all = totals(report);
  if (all.errors > 0) return ExitClass::infra;
  if (all.failed > 0) return ExitClass::test_failed;
  if (all.passed == 0) return ExitClass::test_failed;
  return ExitClass::ok;
}

RunReport report_for_error(RunReport base, const std::exception& error) {
  const auto* kiln_error = dynamic_cast<const Error*>(&error);
  base.infra_error = error.what();
  base.infra_error_class =
      kiln_error && kiln_error->exit_class() == ExitClass::usage ? ExitClass::usage : ExitClass::infra;
  base.suites.push_back({.name = "kiln-verify",
                         .source = "kiln-verify",
                         .tests = {{.classname = "kiln.verify.kiln-verify.run",
                                    .name = "verification could run",
                                    .status = Status::error,
                                    .message = error.what()}}});
  return base;
}

}  // namespace kiln::verify
