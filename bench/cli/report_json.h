#pragma once
// kiln-bench --json FILE: every sample and every figure of the table, for dashboards.
#include <string>
#include <vector>

#include "bench/cli/bench_report.h"
#include "oci/json.h"

namespace kiln::bench {

/// {"build", "registry", "runs", "compression_level", "machine", "rows": [{"name", "backend",
/// "compression", "absent_reason", "wall_seconds": {min, median, max}, "cpu_seconds": {...},
/// "peak_rss_bytes", "bytes_uploaded", "uploaded_note", "ratio_to_floor", "ratio_to_native",
/// "samples": [...]}], "budgets": [{"budget", "row", "verdict", "median_seconds", "limit_seconds",
/// "message"}]}; a figure that was not measured is null.
oci::Json report_json(const BenchReport& report, const std::vector<BudgetOutcome>& budgets);

}  // namespace kiln::bench
