#include "verify/report/json_report.h"

namespace kiln::verify {
namespace {

oci::Json totals_json(const Totals& counts) {
  return {{"tests", counts.tests},
          {"passed", counts.passed},
          {"failed", counts.failed},
          {"errors", counts.errors},
          {"skipped", counts.skipped}};
}

void put_if(oci::Json& doc, const char* key, const std::string& value) {
  if (!value.empty()) doc[key] = value;
}

}  // namespace

oci::Json json_report(const RunReport& report) {
  oci::Json doc = oci::Json::object();
  doc["kiln_version"] = report.kiln_version;
  doc["image"] = {{"reference", report.image_reference}, {"digest", report.digest}, {"platform", report.platform}};
  doc["driver"] = report.driver;
  doc["timestamp"] = report.timestamp;
  doc["hostname"] = report.hostname;
  doc["exit_code"] = static_cast<int>(exit_class(report));
  put_if(doc, "infra_error", report.infra_error);
  doc["totals"] = totals_json(totals(report));
  doc["suites"] = oci::Json::array();
  for (const SuiteResult& suite : report.suites) {
    oci::Json tests = oci::Json::array();
    for (const TestResult& test : suite.tests) {
      oci::Json one = {{"classname", test.classname}, {"name", test.name}, {"status", status_name(test.status)}};
      put_if(one, "message", test.message);
      put_if(one, "details", test.details);
      one["seconds"] = test.seconds;
      put_if(one, "stdout", test.stdout_text);
      put_if(one, "stderr", test.stderr_text);
      tests.push_back(std::move(one));
    }
    doc["suites"].push_back({{"name", suite.name},
                             {"source", suite.source},
                             {"seconds", suite.seconds},
                             {"totals", totals_json(totals(suite))},
                             {"tests", std::move(tests)}});
  }
  return doc;
}

std::string to_json_report(const RunReport& report) {
  return json_report(report).dump(2, ' ', false, oci::Json::error_handler_t::replace) + "\n";
}

}  // namespace kiln::verify
