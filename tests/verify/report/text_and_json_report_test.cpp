#include <gtest/gtest.h>

#include "verify/report/json_report.h"
#include "verify/report/text_report.h"

namespace kiln::verify {
namespace {

RunReport sample() {
  RunReport report{.image_reference = "r/app:1", .digest = "sha256:ab", .platform = "linux/amd64", .driver = "static",
                   .kiln_version = "0.1.0", .timestamp = "2026-11-27T10:00:00Z", .hostname = "h"};
  report.suites.push_back(
      {.name = "app",
       .source = "built-in",
       .tests = {{.classname = "kiln.verify.app.fileExistence", .name = "binary exists"},
                 {.classname = "kiln.verify.app.fileExistence", .name = "binary is executable", .status = Status::failed,
                  .message = "isExecutableBy: expected executable by any, found -rw-r--r--"},
                 {.classname = "kiln.verify.app.command", .name = "binary runs", .status = Status::skipped,
                  .message = "this driver does not run commands", .stdout_text = "\xff\xfe"}}});
  return report;
}

TEST(TextReport, OneLinePerTestWithMessagesAndTotals) {
  EXPECT_EQ(to_text_report(sample()),
            "kiln-verify 0.1.0: r/app:1 @ sha256:ab on linux/amd64, driver static\n"
            "\n"
            "app (built-in)\n"
            "  PASS  binary exists\n"
            "  FAIL  binary is executable\n"
            "        isExecutableBy: expected executable by any, found -rw-r--r--\n"
            "  SKIP  binary runs\n"
            "        this driver does not run commands\n"
            "\n"
            "3 tests: 1 passed, 1 failed, 0 errors, 1 skipped; exit 1\n");
}

TEST(TextReport, SaysWhenNothingRan) {
  RunReport report{.image_reference = "r/app:1"};
  const std::string text = to_text_report(report_for_error(report, Error(ExitClass::infra, "registry unreachable")));
  EXPECT_NE(text.find("  ERROR verification could run\n        registry unreachable\n"), std::string::npos) << text;
  EXPECT_NE(text.find("could not verify: registry unreachable\n"), std::string::npos) << text;
  EXPECT_NE(text.find("; exit 3\n"), std::string::npos) << text;
  EXPECT_NE(to_text_report(RunReport{}).find("no test ran, so nothing was verified"), std::string::npos);
}

TEST(JsonReport, StableShapeAndBinaryOutputSurvives) {
  const oci::Json doc = oci::Json::parse(to_json_report(sample()));
  EXPECT_EQ(doc["exit_code"], 1);
  EXPECT_EQ(doc["image"]["digest"], "sha256:ab");
  EXPECT_EQ(doc["totals"]["tests"], 3);
  EXPECT_EQ(doc["totals"]["failed"], 1);
  EXPECT_FALSE(doc.contains("infra_error"));
  const oci::Json& tests = doc["suites"][0]["tests"];
  EXPECT_EQ(tests[0]["status"], "passed");
  EXPECT_FALSE(tests[0].contains("message"));
  EXPECT_EQ(tests[1]["message"], "isExecutableBy: expected executable by any, found -rw-r--r--");
  EXPECT_EQ(tests[2]["status"], "skipped");
  EXPECT_EQ(tests[2]["stdout"], "\xef\xbf\xbd\xef\xbf\xbd");  // not UTF-8: replaced, not thrown
}

}  // namespace
}  // namespace kiln::verify
