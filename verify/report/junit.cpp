#include "verify/report/junit.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include <pugixml.hpp>

#include "core/utc_timestamp.h"
#include "verify/report/xml_text.h"

namespace kiln::verify {
namespace {

constexpr std::size_t kMaxOutputBytes = 64 * 1024;     // per stream of one test case
constexpr std::size_t kMaxMessageBytes = 1024;         // the message attribute
constexpr std::size_t kMaxBodyBytes = 256 * 1024;      // failure / error text
// A suite's <system-out> or <system-err> in all: GitLab refuses JUnit files over 30 MB.
constexpr std::size_t kMaxSuiteOutputBytes = 1024 * 1024;

std::string seconds_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", seconds);
  return buffer;
}

bool digits_at(const std::string& text, std::size_t from, std::size_t count) {
  for (std::size_t i = from; i < from + count; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

// Ant's schema wants "YYYY-MM-DDTHH:MM:SS" with no zone or fraction; the report keeps UTC.
std::string junit_timestamp(const std::string& rfc3339) {
  const bool shaped = digits_at(rfc3339, 0, 4) && rfc3339.size() >= 19 && rfc3339[4] == '-' && digits_at(rfc3339, 5, 2) &&
                      rfc3339[7] == '-' && digits_at(rfc3339, 8, 2) && (rfc3339[10] == 'T' || rfc3339[10] == 't') &&
                      digits_at(rfc3339, 11, 2) && rfc3339[13] == ':' && digits_at(rfc3339, 14, 2) &&
                      rfc3339[16] == ':' && digits_at(rfc3339, 17, 2);
  if (shaped) {
    std::string out = rfc3339.substr(0, 19);
    out[10] = 'T';
    return out;
  }
  return utc_timestamp_now();
}

std::string first_line_of(const std::string& text) { return text.substr(0, text.find('\n')); }

void set(pugi::xml_node node, const char* name, const std::string& value, std::size_t max = std::string::npos) {
  node.append_attribute(name).set_value(xml_text(value, max).c_str());
}

void property(pugi::xml_node properties, const char* name, const std::string& value) {
  if (value.empty()) return;
  pugi::xml_node node = properties.append_child("property");
  set(node, "name", name);
  set(node, "value", value);
}

std::string output_block(const TestResult& test, const std::string& text) {
  return "--- " + test.classname + " / " + test.name + " ---\n" + xml_text(text, kMaxOutputBytes) + "\n";
}

std::string body(const TestResult& test) {
  std::string out = test.message;
  if (!test.details.empty()) out += "\n" + test.details;
  if (!test.stdout_text.empty()) out += "\n--- stdout ---\n" + xml_text(test.stdout_text, kMaxOutputBytes);
  if (!test.stderr_text.empty()) out += "\n--- stderr ---\n" + xml_text(test.stderr_text, kMaxOutputBytes);
  return out;
}

void write_case(pugi::xml_node suite, const TestResult& test) {
  pugi::xml_node node = suite.append_child("testcase");
  set(node, "name", test.name.empty() ? "(unnamed)" : test.name);
  set(node, "classname", test.classname.empty() ? "kiln.verify" : test.classname);
  set(node, "time", seconds_text(test.seconds));
  const char* element = nullptr;
  const char* type = nullptr;
  switch (test.status) {
    case Status::passed: return;
    case Status::failed: element = "failure", type = "assertion"; break;
    case Status::error: element = "error", type = "infrastructure"; break;
    case Status::skipped: element = "skipped"; break;
  }
  pugi::xml_node outcome = node.append_child(element);
  set(outcome, "message", first_line_of(test.message), kMaxMessageBytes);
  if (type) {
    set(outcome, "type", type);
    outcome.text().set(xml_text(body(test), kMaxBodyBytes).c_str());
  }
}

void write_suite(pugi::xml_node root, const RunReport& report, const SuiteResult& suite, int id) {
  const Totals counts = totals(suite);
  pugi::xml_node node = root.append_child("testsuite");
  set(node, "name", suite.name.empty() ? "kiln-verify" : suite.name);
  set(node, "package", "kiln.verify");
  set(node, "id", std::to_string(id));
  set(node, "timestamp", junit_timestamp(report.timestamp));
  set(node, "hostname", report.hostname.empty() ? "localhost" : report.hostname);
  set(node, "tests", std::to_string(counts.tests));
  set(node, "failures", std::to_string(counts.failed));
  set(node, "errors", std::to_string(counts.errors));
  set(node, "skipped", std::to_string(counts.skipped));
  set(node, "time", seconds_text(suite.seconds));

  pugi::xml_node properties = node.append_child("properties");
  property(properties, "image", report.image_reference);
  property(properties, "digest", report.digest);
  property(properties, "platform", report.platform);
  property(properties, "driver", report.driver);
  property(properties, "kiln.version", report.kiln_version);
  property(properties, "spec", suite.source);
  property(properties, "infrastructure.error", report.infra_error);

  std::string out, err;
  const auto append = [](std::string& stream, const TestResult& test, const std::string& text) {
    if (text.empty() || stream.size() > kMaxSuiteOutputBytes) return;
    stream += output_block(test, text);
    if (stream.size() > kMaxSuiteOutputBytes) stream += "[kiln: output of further tests left out]\n";
  };
  for (const TestResult& test : suite.tests) {
    write_case(node, test);
    append(out, test, test.stdout_text);
    append(err, test, test.stderr_text);
  }
  node.append_child("system-out").text().set(out.c_str());
  node.append_child("system-err").text().set(err.c_str());
}

}  // namespace

std::string to_junit_xml(const RunReport& report) {
  pugi::xml_document doc;
  pugi::xml_node declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version").set_value("1.0");
  declaration.append_attribute("encoding").set_value("UTF-8");
  pugi::xml_node root = doc.append_child("testsuites");

  // An infrastructure error that no test case shows yet gets one, so CI displays the reason.
  std::vector<SuiteResult> suites = report.suites;
  if (!report.infra_error.empty() && totals(report).errors == 0) {
    for (SuiteResult& suite : report_for_error({}, std::runtime_error(report.infra_error)).suites) {
      suites.push_back(std::move(suite));
    }
  }
  if (suites.empty()) suites.push_back({.name = "kiln-verify", .source = "kiln-verify"});
  for (std::size_t i = 0; i < suites.size(); ++i) write_suite(root, report, suites[i], static_cast<int>(i));

  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace kiln::verify
