#include "verify/report/text_report.h"

#include <cstdio>

#include "verify/report/xml_text.h"

namespace kiln::verify {
namespace {

const char* label(Status status) {
  switch (status) {
    case Status::passed: return "PASS ";
    case Status::failed: return "FAIL ";
    case Status::error: return "ERROR";
    case Status::skipped: return "SKIP ";
  }
  return "ERROR";
}

// Messages may quote command output: keep them to printable UTF-8 on a terminal.
std::string indented(const std::string& text) {
  std::string out = "        ";
  for (char c : xml_text(text, 4096)) {
    out += c;
    if (c == '\n') out += "        ";
  }
  return out + "\n";
}

}  // namespace

std::string to_text_report(const RunReport& report) {
  std::string out = "kiln-verify " + report.kiln_version + ": " +
                    (report.image_reference.empty() ? "(no image)" : report.image_reference);
  if (!report.digest.empty()) out += " @ " + report.digest;
  if (!report.platform.empty()) out += " on " + report.platform;
  if (!report.driver.empty()) out += ", driver " + report.driver;
  out += "\n";
  for (const SuiteResult& suite : report.suites) {
    out += "\n" + suite.name + " (" + suite.source + ")\n";
    for (const TestResult& test : suite.tests) {
      out += std::string("  ") + label(test.status) + " " + test.name + "\n";
      if (test.status != Status::passed && !test.message.empty()) out += indented(test.message);
    }
  }
  if (!report.infra_error.empty()) out += "\ncould not verify: " + xml_text(report.infra_error, 4096) + "\n";
  const Totals all = totals(report);
  char line[200];
  std::snprintf(line, sizeof line, "\n%d tests: %d passed, %d failed, %d errors, %d skipped; exit %d\n", all.tests,
                all.passed, all.failed, all.errors, all.skipped, static_cast<int>(exit_class(report)));
  out += line;
  if (all.passed + all.failed == 0 && report.infra_error.empty() && all.errors == 0) {
    out += "no test ran, so nothing was verified\n";
  }
  return out;
}

}  // namespace kiln::verify
