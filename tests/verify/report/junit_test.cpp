#include "verify/report/junit.h"

#include <fstream>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "core/process.h"
#include "core/temp_dir.h"

namespace kiln::verify {
namespace {

// tests/schemas holds Jenkins xunit's junit-10.xsd and windyroad's Ant JUnit.xsd.
const std::string kSchemas = std::string(KILN_SOURCE_DIR) + "/tests/schemas";

int xmllint(const std::string& schema, const std::filesystem::path& file) {
  return run_process({"xmllint", "--noout", "--schema", kSchemas + "/" + schema, file.string()}).exit_code;
}

RunReport base_report() {
  return RunReport{.image_reference = "127.0.0.1:5000/app:1.0",
                   .digest = "sha256:" + std::string(64, 'c'),
                   .platform = "linux/amd64",
                   .driver = "local",
                   .kiln_version = "0.1.0",
                   .timestamp = "2026-11-27T10:00:00Z",
                   .hostname = "ci-runner-1"};
}

TestResult passed(const std::string& kind, const std::string& name) {
  return {.classname = "kiln.verify.app." + kind, .name = name, .status = Status::passed, .seconds = 0.0000002};
}

SuiteResult app_suite_result(std::vector<TestResult> tests) {
  SuiteResult suite{.name = "app", .source = "built-in", .tests = std::move(tests), .seconds = 1234.5};
  return suite;
}

class JUnit : public ::testing::Test {
 protected:
  // Writes the report's XML to a file, asserts that both schemas accept it, and parses it.
  pugi::xml_document write_and_validate(const RunReport& report, const std::string& name) {
    const std::string xml = to_junit_xml(report);
    const auto path = dir_.path() / (name + ".xml");
    std::ofstream(path, std::ios::binary) << xml;
    for (const char* schema : {"junit-10.xsd", "JUnit-ant-strict.xsd"}) {
      const ProcessResult result =
          run_process({"xmllint", "--noout", "--schema", kSchemas + "/" + schema, path.string()});
      EXPECT_EQ(result.exit_code, 0) << name << " against " << schema << ":\n" << result.err << "\n" << xml;
    }
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
    return doc;
  }
  TempDir dir_{"kiln-junit-test"};
};

// The check is only worth something if it can fail: container-structure-test's own output
// is rejected by both schemas.
TEST_F(JUnit, SchemasRejectContainerStructureTestOutput) {
  const auto path = dir_.path() / "cst.xml";
  std::ofstream(path) << R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites failures="1" tests="1" time="2e-09"><testsuite name="container-structure-test.test">
<testcase name="File Existence Test: app" time="0"><failure>File /app does not exist</failure>
<system-out></system-out><system-err></system-err></testcase></testsuite></testsuites>)";
  EXPECT_NE(xmllint("junit-10.xsd", path), 0);
  EXPECT_NE(xmllint("JUnit-ant-strict.xsd", path), 0);
}

TEST_F(JUnit, PassingRunWithProperties) {
  RunReport report = base_report();
  report.suites.push_back(app_suite_result({passed("fileExistence", "binary exists"),
                                            passed("elf", "binary matches the image architecture")}));
  const auto doc = write_and_validate(report, "passing");
  const pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("name").value(), "app");
  EXPECT_STREQ(suite.attribute("tests").value(), "2");
  EXPECT_STREQ(suite.attribute("failures").value(), "0");
  EXPECT_STREQ(suite.attribute("errors").value(), "0");
  EXPECT_STREQ(suite.attribute("skipped").value(), "0");
  EXPECT_STREQ(suite.attribute("time").value(), "1234.500");
  EXPECT_STREQ(suite.attribute("timestamp").value(), "2026-11-27T10:00:00");
  EXPECT_STREQ(suite.attribute("hostname").value(), "ci-runner-1");
  EXPECT_STREQ(suite.child("testcase").attribute("time").value(), "0.000");  // never 2e-07
  EXPECT_STREQ(suite.child("testcase").attribute("classname").value(), "kiln.verify.app.fileExistence");
  std::map<std::string, std::string> properties;
  for (const pugi::xml_node property : suite.child("properties").children("property")) {
    properties[property.attribute("name").value()] = property.attribute("value").value();
  }
  EXPECT_EQ(properties, (std::map<std::string, std::string>{{"image", "127.0.0.1:5000/app:1.0"},
                                                            {"digest", "sha256:" + std::string(64, 'c')},
                                                            {"platform", "linux/amd64"},
                                                            {"driver", "local"},
                                                            {"kiln.version", "0.1.0"},
                                                            {"spec", "built-in"}}));
}

TEST_F(JUnit, FailingErroringAndSkippedCases) {
  RunReport report = base_report();
  TestResult failed{.classname = "kiln.verify.app.fileExistence", .name = "binary is executable",
                    .status = Status::failed,
                    .message = "isExecutableBy: expected executable by any, found -rw-r--r--"};
  TestResult error{.classname = "kiln.verify.app.elf", .name = "binary is loadable", .status = Status::error,
                   .message = "/usr/local/app/main: layer could not be read"};
  TestResult skipped{.classname = "kiln.verify.app.command", .name = "binary runs", .status = Status::skipped,
                     .message = "this driver does not run commands"};
  report.suites.push_back(app_suite_result({passed("fileExistence", "binary exists"), failed, error, skipped}));
  SuiteResult second{.name = "structure", .source = "tests/structure.yaml",
                     .tests = {passed("metadata", "Metadata Test")}};
  second.tests[0].classname = "kiln.verify.structure.metadata";
  report.suites.push_back(second);

  const auto doc = write_and_validate(report, "mixed");
  const pugi::xml_node root = doc.child("testsuites");
  const pugi::xml_node app = root.find_child_by_attribute("testsuite", "name", "app");
  EXPECT_STREQ(app.attribute("tests").value(), "4");
  EXPECT_STREQ(app.attribute("failures").value(), "1");
  EXPECT_STREQ(app.attribute("errors").value(), "1");
  EXPECT_STREQ(app.attribute("skipped").value(), "1");
  EXPECT_STREQ(app.attribute("id").value(), "0");
  const pugi::xml_node failure = app.find_child_by_attribute("testcase", "name", "binary is executable").child("failure");
  EXPECT_STREQ(failure.attribute("type").value(), "assertion");
  EXPECT_STREQ(failure.attribute("message").value(), "isExecutableBy: expected executable by any, found -rw-r--r--");
  EXPECT_STREQ(failure.text().get(), "isExecutableBy: expected executable by any, found -rw-r--r--");
  const pugi::xml_node err = app.find_child_by_attribute("testcase", "name", "binary is loadable").child("error");
  EXPECT_STREQ(err.attribute("type").value(), "infrastructure");
  const pugi::xml_node skip = app.find_child_by_attribute("testcase", "name", "binary runs").child("skipped");
  EXPECT_STREQ(skip.attribute("message").value(), "this driver does not run commands");
  const pugi::xml_node structure = root.find_child_by_attribute("testsuite", "name", "structure");
  EXPECT_STREQ(structure.attribute("id").value(), "1");
  EXPECT_STREQ(structure.child("testcase").attribute("classname").value(), "kiln.verify.structure.metadata");
  // Every case has at most one outcome element and no per-case output (Ant forbids it).
  for (const pugi::xml_node suite : root.children("testsuite")) {
    for (const pugi::xml_node test : suite.children("testcase")) {
      EXPECT_LE(std::distance(test.begin(), test.end()), 1) << test.attribute("name").value();
    }
  }
}

TEST_F(JUnit, BinaryCommandOutputStaysValidXml) {
  RunReport report = base_report();
  std::string garbage;
  for (int c = 0; c < 256; ++c) garbage += static_cast<char>(c);
  garbage += "\xed\xa0\x80 \xef\xbf\xbe ]]> <&> \xf4\x90\x80\x80";  // surrogate, U+FFFE, CDATA end, > U+10FFFF
  TestResult command{.classname = "kiln.verify.app.command", .name = "binary runs", .status = Status::failed,
                     .message = "exitCode: expected 0, found 1\x01", .details = "argv: \"/usr/local/app/main\"",
                     .seconds = 0.5, .stdout_text = garbage + std::string(200 * 1024, 'x'), .stderr_text = garbage};
  TestResult quiet = passed("command", "quiet");
  quiet.stdout_text = "ok\n";
  report.suites.push_back(app_suite_result({command, quiet}));
  const auto doc = write_and_validate(report, "binary-output");
  const pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  const std::string out = suite.child("system-out").text().get();
  EXPECT_NE(out.find("--- kiln.verify.app.command / binary runs ---"), std::string::npos);
  EXPECT_NE(out.find("--- kiln.verify.app.command / quiet ---\nok\n"), std::string::npos);
  EXPECT_NE(out.find("[kiln: truncated,"), std::string::npos);
  EXPECT_LT(out.size(), 200u * 1024);
  const std::string body = suite.child("testcase").child("failure").text().get();
  EXPECT_EQ(body.rfind("exitCode: expected 0, found 1\nargv: \"/usr/local/app/main\"\n--- stdout ---\n", 0), 0u) << body;
  EXPECT_NE(body.find("--- stderr ---"), std::string::npos);
}

TEST_F(JUnit, SuiteOutputIsBounded) {
  RunReport report = base_report();
  SuiteResult suite = app_suite_result({});
  for (int i = 0; i < 100; ++i) {
    TestResult test = passed("command", "chatty " + std::to_string(i));
    test.stdout_text = std::string(60 * 1024, 'o');
    suite.tests.push_back(test);
  }
  report.suites.push_back(suite);
  const auto doc = write_and_validate(report, "bounded");
  const std::string out = doc.child("testsuites").child("testsuite").child("system-out").text().get();
  EXPECT_LT(out.size(), 1100u * 1024);
  EXPECT_NE(out.find("[kiln: output of further tests left out]"), std::string::npos);
  EXPECT_EQ(std::distance(doc.child("testsuites").child("testsuite").children("testcase").begin(),
                          doc.child("testsuites").child("testsuite").children("testcase").end()),
            100);
}

TEST_F(JUnit, NothingCouldRunStillWritesAReport) {
  RunReport report = base_report();
  report.digest.clear();
  report.hostname.clear();
  report.timestamp.clear();
  report.infra_error = "registry 127.0.0.1:5000: connection refused";
  const auto doc = write_and_validate(report, "nothing-ran");
  const pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("name").value(), "kiln-verify");
  EXPECT_STREQ(suite.attribute("errors").value(), "1");
  const pugi::xml_node test = suite.child("testcase");
  EXPECT_STREQ(test.attribute("classname").value(), "kiln.verify.kiln-verify.run");
  EXPECT_STREQ(test.attribute("name").value(), "verification could run");
  EXPECT_STREQ(test.child("error").attribute("message").value(), "registry 127.0.0.1:5000: connection refused");

  // Not even an error: an empty, valid file.
  const auto empty = write_and_validate(RunReport{}, "empty");
  EXPECT_STREQ(empty.child("testsuites").child("testsuite").attribute("tests").value(), "0");
}

TEST_F(JUnit, UsageErrorReportFromTheHelper) {
  const RunReport report = report_for_error(base_report(), Error(ExitClass::usage, "spec.yaml:3: unknown key \"x\""));
  EXPECT_EQ(exit_class(report), ExitClass::usage);
  const auto doc = write_and_validate(report, "usage");
  const pugi::xml_node suites = doc.child("testsuites");
  EXPECT_EQ(std::distance(suites.children("testsuite").begin(), suites.children("testsuite").end()), 1);
  EXPECT_STREQ(suites.child("testsuite").child("testcase").child("error").attribute("message").value(),
               "spec.yaml:3: unknown key \"x\"");
}

}  // namespace
}  // namespace kiln::verify
