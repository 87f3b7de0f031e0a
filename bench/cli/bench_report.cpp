#include "bench/cli/bench_report.h"

#include <fmt/format.h>

namespace kiln::bench {

std::vector<BudgetOutcome> check_budgets(const BenchReport& report, const std::vector<Budget>& budgets) {
  std::vector<BudgetOutcome> out;
  for (const Budget& budget : budgets) {
    bool covered = false;
    for (const Row& row : report.rows) {
      if (!budget_covers(budget, row.backend, row.compression)) continue;
      covered = true;
      BudgetOutcome outcome{.budget = budget, .row = row.name(), .verdict = Verdict::skipped,
                            .median_seconds = std::nullopt, .message = ""};
      if (!row.absent_reason.empty() || row.samples.empty()) {
        outcome.message = fmt::format("{} not measured: {}", row.name(),
                                      row.absent_reason.empty() ? "no runs" : row.absent_reason);
      } else {
        const double median = figures_of(row.samples).wall.median;
        outcome.median_seconds = median;
        outcome.verdict = median > budget.seconds ? Verdict::failed : Verdict::passed;
        outcome.message = fmt::format("{} median {:.3f} s {} budget {:.3f} s ({})", row.name(), median,
                                      outcome.verdict == Verdict::failed ? "exceeds" : "within", budget.seconds,
                                      budget.text);
      }
      out.push_back(std::move(outcome));
    }
    if (!covered)
      out.push_back({.budget = budget, .row = budget.backend + (budget.compression.empty() ? "" : "/" + budget.compression),
                     .verdict = Verdict::skipped, .median_seconds = std::nullopt,
                     .message = fmt::format("--budget {}: no such row in this run", budget.text)});
  }
  return out;
}

std::optional<double> ratio_to(const BenchReport& report, const Row& row, const std::string& backend) {
  if (row.samples.empty()) return std::nullopt;
  for (const Row& other : report.rows)
    if (other.backend == backend && other.compression == row.compression && !other.samples.empty())
      return figures_of(row.samples).wall.median / figures_of(other.samples).wall.median;
  return std::nullopt;
}

}  // namespace kiln::bench
