#pragma once
// What a kiln-bench session found: one row per backend and compression (the floor first), the
// machine it ran on, and the verdict of each budget.
#include <optional>
#include <string>
#include <vector>

#include "bench/cli/budget.h"
#include "bench/cli/sample.h"

namespace kiln::bench {

struct Row {
  std::string backend;      ///< floor, native, kaniko, buildah
  std::string compression;  ///< gzip, zstd, none
  std::string absent_reason;  ///< non-empty: not run, because the backend is not on this machine
  std::string uploaded_note;  ///< why bytes uploaded is n/a, when it is
  std::vector<Sample> samples;
  std::string name() const { return backend + "/" + compression; }
};

struct Machine {
  unsigned cores = 0;
  std::string cpu;
  std::string kernel;
  double load_before[3] = {0, 0, 0};
  double load_after[3] = {0, 0, 0};
};

struct BenchReport {
  std::string build;  ///< what was built, one line
  std::string registry;  ///< where it was pushed, one line
  int runs = 0;
  int compression_level = 1;
  Machine machine;
  std::vector<Row> rows;
};

enum class Verdict { passed, failed, skipped };

struct BudgetOutcome {
  Budget budget;
  std::string row;
  Verdict verdict = Verdict::passed;
  std::optional<double> median_seconds;
  std::string message;
};

/// One outcome per budget and row it covers; skipped for a row whose backend is absent.
/// A budget that covers no row at all is one skipped outcome saying so.
std::vector<BudgetOutcome> check_budgets(const BenchReport& report, const std::vector<Budget>& budgets);

/// The row's median wall time divided by that of `backend` with the same compression; none
/// when either has no samples.
std::optional<double> ratio_to(const BenchReport& report, const Row& row, const std::string& backend);

}  // namespace kiln::bench
