#include "bench/cli/report_junit.h"

#include <fmt/format.h>
#include <unistd.h>

#include <pugixml.hpp>
#include <sstream>

#include "bench/cli/report_table.h"
#include "core/utc_timestamp.h"

namespace kiln::bench {
namespace {

std::string seconds_text(double s) { return fmt::format("{:.3f}", s < 0 ? 0.0 : s); }

std::string host_name() {
  char buffer[256] = {};
  return gethostname(buffer, sizeof buffer - 1) == 0 && buffer[0] ? buffer : "localhost";
}

void attribute(pugi::xml_node node, const char* name, const std::string& value) {
  node.append_attribute(name).set_value(value.c_str());
}

}  // namespace

std::string report_junit(const BenchReport& report, const std::vector<BudgetOutcome>& budgets) {
  int failures = 0, skipped = 0;
  double total = 0;
  for (const BudgetOutcome& b : budgets) {
    failures += b.verdict == Verdict::failed ? 1 : 0;
    skipped += b.verdict == Verdict::skipped ? 1 : 0;
    total += b.median_seconds.value_or(0);
  }
  pugi::xml_document doc;
  pugi::xml_node declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version").set_value("1.0");
  declaration.append_attribute("encoding").set_value("UTF-8");
  pugi::xml_node suite = doc.append_child("testsuites").append_child("testsuite");
  attribute(suite, "name", "kiln-bench");
  attribute(suite, "package", "kiln.bench");
  attribute(suite, "id", "0");
  attribute(suite, "timestamp", utc_timestamp_now());
  attribute(suite, "hostname", host_name());
  attribute(suite, "tests", std::to_string(budgets.size()));
  attribute(suite, "failures", std::to_string(failures));
  attribute(suite, "errors", "0");
  attribute(suite, "skipped", std::to_string(skipped));
  attribute(suite, "time", seconds_text(total));
  pugi::xml_node properties = suite.append_child("properties");
  const auto property = [&](const char* name, const std::string& value) {
    pugi::xml_node p = properties.append_child("property");
    attribute(p, "name", name);
    attribute(p, "value", value);
  };
  property("build", report.build);
  property("registry", report.registry);
  property("runs", std::to_string(report.runs));
  property("machine", fmt::format("{} cores, {}, load average {:.2f} before, {:.2f} after", report.machine.cores,
                                  report.machine.cpu, report.machine.load_before[0], report.machine.load_after[0]));
  for (const BudgetOutcome& b : budgets) {
    pugi::xml_node test = suite.append_child("testcase");
    attribute(test, "name", fmt::format("{} median <= {}", b.row, b.budget.text.substr(b.budget.text.find('=') + 1)));
    attribute(test, "classname", "kiln-bench.budget");
    attribute(test, "time", seconds_text(b.median_seconds.value_or(0)));
    if (b.verdict == Verdict::failed) {
      pugi::xml_node failure = test.append_child("failure");
      attribute(failure, "message", b.message);
      attribute(failure, "type", "budget");
      failure.text().set(b.message.c_str());
    } else if (b.verdict == Verdict::skipped) {
      attribute(test.append_child("skipped"), "message", b.message);
    }
  }
  suite.append_child("system-out").text().set(render_table(report, budgets).c_str());
  suite.append_child("system-err");
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace kiln::bench
