#pragma once
// kiln-bench --junit FILE: one test case per budget and row it covers, so a pipeline shows
// (and fails on) a build that got slower. Valid against tests/schemas' junit-10.xsd and
// JUnit-ant-strict.xsd, like kiln-verify's reports.
#include <string>
#include <vector>

#include "bench/cli/bench_report.h"

namespace kiln::bench {

/// A <testsuites> with one <testsuite name="kiln-bench">: each outcome a <testcase
/// classname="kiln-bench.budget" name="<row> median <= <limit>"> with time = the median;
/// a failed one holds <failure>, a skipped one <skipped> with the reason.
std::string report_junit(const BenchReport& report, const std::vector<BudgetOutcome>& budgets);

}  // namespace kiln::bench
