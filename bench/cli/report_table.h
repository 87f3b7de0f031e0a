#pragma once
// The readable table kiln-bench prints on stdout.
#include <string>
#include <vector>

#include "bench/cli/bench_report.h"

namespace kiln::bench {

/// A header (build, registry, machine, load) and one line per row: median, min and max wall
/// seconds, median CPU seconds, peak memory, bytes uploaded, ratio to the floor and to native
/// of the same compression; then the budgets' verdicts and the notes (n/a reasons, absent
/// backends).
std::string render_table(const BenchReport& report, const std::vector<BudgetOutcome>& budgets);

}  // namespace kiln::bench
