// licenseTests as CST runs them: every named file, and with `debian: true` every package's
// copyright file under /usr/share/doc, must exist and must not contain a word of CST's list of
// refused licenses (upper-cased substring search, as CST does it).
#include <algorithm>
#include <cctype>

#include "verify/check/judges.h"
#include "verify/check/test_inputs.h"

namespace kiln::verify {
namespace {

// CST's blacklist (pkg/types/v2/licenses.go).
constexpr std::string_view kRefusedLicenses[] = {"AGPL", "WTFPL"};

void check_file(const std::string& file, const PathLookup& path, Findings& findings, TestResult& error) {
  const inspect::PathFacts* facts = path(file);
  if (!facts) {
    error = error_result("the driver gave no facts for " + file);
    return;
  }
  if (!facts->exists) {
    findings.add("license file " + file + " does not exist");
    return;
  }
  if (!facts->contents) {
    findings.add("cannot read license file " + file + (facts->error.empty() ? "" : ": " + facts->error));
    return;
  }
  std::string upper = *facts->contents;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  for (std::string_view word : kRefusedLicenses)
    if (upper.find(word) != std::string::npos) findings.add("license file " + file + " contains " + std::string(word));
}

}  // namespace

TestResult judge_license(const LicenseTest& test, const inspect::Facts& facts, const PathLookup& path) {
  Findings findings;
  TestResult error;
  if (test.debian) {
    const inspect::PathFacts* root = path(kDebianDocRoot);
    if (!root || !root->exists || !root->subdirectories)
      findings.add(std::string("cannot list ") + kDebianDocRoot + " (debian: true reads every package's copyright file there)");
    else
      for (const std::string& file : debian_copyright_files(facts)) check_file(file, path, findings, error);
  }
  for (const std::string& file : test.files) check_file(file, path, findings, error);
  if (error.status == Status::error) return error;
  return findings.result();
}

}  // namespace kiln::verify
