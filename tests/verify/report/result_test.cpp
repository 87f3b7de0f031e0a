#include "verify/report/result.h"

#include <gtest/gtest.h>

namespace kiln::verify {
namespace {

RunReport with_statuses(std::initializer_list<Status> statuses) {
  RunReport report;
  SuiteResult suite{.name = "s"};
  for (Status status : statuses) suite.tests.push_back({.classname = "c", .name = "n", .status = status});
  report.suites.push_back(suite);
  return report;
}

TEST(ExitClass, FromTheResults) {
  EXPECT_EQ(exit_class(with_statuses({Status::passed, Status::skipped})), ExitClass::ok);  // skips are fine
  EXPECT_EQ(exit_class(with_statuses({Status::passed, Status::failed, Status::skipped})), ExitClass::test_failed);
  EXPECT_EQ(exit_class(with_statuses({Status::failed, Status::error})), ExitClass::infra);  // errors win
  // A run that verified nothing is not a pass (CST #131 made zero tests a failure too).
  EXPECT_EQ(exit_class(with_statuses({})), ExitClass::test_failed);
  EXPECT_EQ(exit_class(with_statuses({Status::skipped})), ExitClass::test_failed);
  EXPECT_EQ(exit_class(RunReport{}), ExitClass::test_failed);
  RunReport partial = with_statuses({Status::passed});
  partial.infra_error = "the check pod was deleted";
  EXPECT_EQ(exit_class(partial), ExitClass::infra);
}

TEST(ReportForError, KeepsTheClassAndAddsOneErrorCase) {
  RunReport base{.image_reference = "r/app:1", .driver = "kubernetes"};
  const RunReport usage = report_for_error(base, Error(ExitClass::usage, "driver: \"k8s\" is not a driver"));
  EXPECT_EQ(exit_class(usage), ExitClass::usage);
  EXPECT_EQ(usage.image_reference, "r/app:1");
  ASSERT_EQ(usage.suites.size(), 1u);
  EXPECT_EQ(usage.suites[0].name, "kiln-verify");
  ASSERT_EQ(usage.suites[0].tests.size(), 1u);
  EXPECT_EQ(usage.suites[0].tests[0].status, Status::error);
  EXPECT_EQ(usage.suites[0].tests[0].message, "driver: \"k8s\" is not a driver");
  EXPECT_EQ(exit_class(report_for_error(base, Error(ExitClass::infra, "pull failed"))), ExitClass::infra);
  EXPECT_EQ(exit_class(report_for_error(base, std::runtime_error("bad_alloc"))), ExitClass::infra);
  const Totals counts = totals(usage);
  EXPECT_EQ(counts.tests, 1);
  EXPECT_EQ(counts.errors, 1);
}

}  // namespace
}  // namespace kiln::verify
