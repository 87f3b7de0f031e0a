#include <gtest/gtest.h>

#include <fstream>
#include <pugixml.hpp>

#include "bench/cli/bench_report.h"
#include "bench/cli/buildah_contender.h"
#include "bench/cli/plugin_contender.h"
#include "bench/cli/report_json.h"
#include "bench/cli/report_junit.h"
#include "bench/cli/report_table.h"
#include "core/process.h"
#include "core/temp_dir.h"

namespace kiln::bench {
namespace {

Sample wall(double seconds, std::int64_t uploaded = 1000) {
  return {.wall_seconds = seconds, .cpu_seconds = seconds / 2, .peak_rss_bytes = 8 << 20, .bytes_uploaded = uploaded};
}

BenchReport report() {
  BenchReport r{.build = "binary app (1.0 MB) on r/base:1", .registry = "embedded", .runs = 3, .compression_level = 1,
                .machine = {.cores = 2, .cpu = "test cpu", .kernel = "Linux", .load_before = {1, 2, 3}, .load_after = {4, 5, 6}},
                .rows = {}};
  r.rows.push_back({.backend = "floor", .compression = "gzip", .absent_reason = "", .uploaded_note = "",
                    .samples = {{.wall_seconds = 0.5, .cpu_seconds = 0.5, .peak_rss_bytes = std::nullopt, .bytes_uploaded = std::nullopt}}});
  r.rows.push_back({.backend = "native", .compression = "gzip", .absent_reason = "", .uploaded_note = "",
                    .samples = {wall(1.0), wall(3.0), wall(2.0)}});
  r.rows.push_back({.backend = "kaniko", .compression = "gzip", .absent_reason = "no executor at /kaniko/executor (setting executor)",
                    .uploaded_note = "", .samples = {}});
  r.rows.push_back({.backend = "buildah", .compression = "gzip", .absent_reason = "", .uploaded_note = "",
                    .samples = {wall(8.0), wall(9.0), wall(10.0)}});
  return r;
}

int xmllint(const std::string& schema, const std::filesystem::path& file) {
  return run_process({"xmllint", "--noout", "--schema", std::string(KILN_JUNIT_SCHEMAS) + "/" + schema, file.string()})
      .exit_code;
}

}  // namespace

TEST(BenchReport, BudgetsJudgeTheMedianAndSkipAbsentBackends) {
  const auto outcomes = check_budgets(report(), {parse_budget("native=1500ms"), parse_budget("buildah/gzip=1m"),
                                                 parse_budget("kaniko=2s")});
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].verdict, Verdict::failed);
  EXPECT_EQ(outcomes[0].message, "native/gzip median 2.000 s exceeds budget 1.500 s (native=1500ms)");
  EXPECT_EQ(outcomes[1].verdict, Verdict::passed);
  EXPECT_EQ(outcomes[1].median_seconds, 9.0);
  EXPECT_EQ(outcomes[2].verdict, Verdict::skipped);
  EXPECT_EQ(outcomes[2].message, "kaniko/gzip not measured: no executor at /kaniko/executor (setting executor)");
}

TEST(BenchReport, RatiosAreOfMediansWithTheSameCompression) {
  const BenchReport r = report();
  EXPECT_EQ(ratio_to(r, r.rows[1], "floor"), 4.0);
  EXPECT_EQ(ratio_to(r, r.rows[3], "native"), 4.5);
  EXPECT_FALSE(ratio_to(r, r.rows[2], "floor"));
}

TEST(BenchReport, JunitHasOneCaseperBudgetAndValidatesAgainstBothSchemas) {
  const BenchReport r = report();
  const auto outcomes = check_budgets(r, {parse_budget("native=1500ms"), parse_budget("buildah=1m"), parse_budget("kaniko=2s")});
  TempDir dir("kiln-bench-junit");
  const auto file = dir.path() / "bench.xml";
  std::ofstream(file) << report_junit(r, outcomes);
  EXPECT_EQ(xmllint("junit-10.xsd", file), 0);
  EXPECT_EQ(xmllint("JUnit-ant-strict.xsd", file), 0);

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(file.c_str()));
  const pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("tests").value(), "3");
  EXPECT_STREQ(suite.attribute("failures").value(), "1");
  EXPECT_STREQ(suite.attribute("skipped").value(), "1");
  const pugi::xml_node first = suite.child("testcase");
  EXPECT_STREQ(first.attribute("name").value(), "native/gzip median <= 1500ms");
  EXPECT_STREQ(first.attribute("time").value(), "2.000");
  EXPECT_STREQ(first.child("failure").attribute("message").value(),
               "native/gzip median 2.000 s exceeds budget 1.500 s (native=1500ms)");
  EXPECT_TRUE(first.next_sibling("testcase").child("failure").empty());
  EXPECT_FALSE(first.next_sibling("testcase").next_sibling("testcase").child("skipped").empty());
}

TEST(BenchReport, JunitWithoutBudgetsIsStillValid) {
  TempDir dir("kiln-bench-junit");
  const auto file = dir.path() / "bench.xml";
  std::ofstream(file) << report_junit(report(), {});
  EXPECT_EQ(xmllint("junit-10.xsd", file), 0);
  EXPECT_EQ(xmllint("JUnit-ant-strict.xsd", file), 0);
}

TEST(BenchReport, TableAndJsonShowEveryRowAndNotMeasuredAsSuch) {
  const BenchReport r = report();
  const std::string table = render_table(r, {});
  EXPECT_NE(table.find("  native/gzip       2.000    1.000    3.000    1.000      8.4       0.0    4.00x     1.00x\n"),
            std::string::npos) << table;
  EXPECT_NE(table.find("  kaniko/gzip    not run: no executor at /kaniko/executor (setting executor)\n"), std::string::npos)
      << table;
  const oci::Json json = report_json(r, {});
  ASSERT_EQ(json["rows"].size(), 4u);
  EXPECT_TRUE(json["rows"][0]["peak_rss_bytes"].is_null());
  EXPECT_EQ(json["rows"][1]["wall_seconds"]["median"], 2.0);
  EXPECT_EQ(json["rows"][1]["bytes_uploaded"], 1000);
  EXPECT_EQ(json["rows"][3]["ratio_to_native"], 4.5);
  EXPECT_FALSE(json["rows"][2].contains("wall_seconds"));
  EXPECT_EQ(json["machine"]["load_average_after"][0], 4.0);
}

TEST(BenchReport, ReadsWhatTheBuildersSayTheyUploaded) {
  EXPECT_EQ(uploaded_bytes_in_summary("kiln summary:\n  layers   1 new layer(s) uploaded (21839189 bytes), 0 base layer(s) copied\n"),
            21839189);
  EXPECT_FALSE(uploaded_bytes_in_summary("  layers   1 new layer(s) uploaded, 0 base layer(s) copied\n"));
  const std::string hex1(64, '1'), hex2(64, '2');
  EXPECT_EQ(blobs_uploaded_in_push_log(
                "Copying blob sha256:" + hex1 + "\n"
                "time=\"t\" level=debug msg=\"POST http://r/v2/a/blobs/uploads/?from=b&mount=sha256%3A" + hex1 + "\"\n"
                "time=\"t\" level=debug msg=\"PATCH http://r/v2/a/blobs/uploads/u?_state=s\"\n"
                "time=\"t\" level=debug msg=\"PUT http://r/v2/a/blobs/uploads/u?_state=s&digest=sha256%3A" + hex2 + "\"\n"
                "time=\"t\" level=debug msg=\"PUT http://r/v2/a/manifests/latest\"\n"),
            (std::vector<std::string>{"sha256:" + hex2}));
}

}  // namespace kiln::bench
