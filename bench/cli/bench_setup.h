#pragma once
// Everything a kiln-bench session needs before its first run, decided once: the build's
// settings (validated by kiln-plugin's own table and planner, so a wrong one fails here,
// named, with exit 2), the registry (the embedded one when no repository is given), the
// generated workload when asked for, and one row per backend present and compression.
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "bench/cli/bench_options.h"
#include "bench/cli/bench_report.h"
#include "bench/cli/contender.h"
#include "core/env.h"
#include "core/temp_dir.h"
#include "fixtures/local_registry.h"

namespace kiln::bench {

struct PlannedRow {
  Row row;
  std::shared_ptr<Contender> contender;  ///< null when the backend is absent
};

class BenchSetup {
 public:
  /// `self` is kiln-bench's own path (kiln-plugin is looked for next to it). Progress lines
  /// (registry started, workload made) go to `progress`.
  BenchSetup(const BenchOptions& options, const Env& env, const std::filesystem::path& self, std::ostream& progress);
  ~BenchSetup();
  BenchSetup(const BenchSetup&) = delete;
  BenchSetup& operator=(const BenchSetup&) = delete;

  std::vector<PlannedRow>& rows() { return rows_; }
  /// The repository of one run: the build's, suffixed with row and run ("host/path-native-gzip-1").
  std::string repository_for(const Row& row, int run) const;
  /// The report with its header filled in and rows without samples.
  BenchReport report_skeleton() const;

 private:
  TempDir work_;  // first member: removed last, after everything that writes into it
  std::unique_ptr<fixtures::LocalRegistry> registry_;
  std::string repository_;  ///< registry/path the run repositories are named after
  std::string build_description_;
  std::string registry_description_;
  int compression_level_ = 1;
  int runs_ = 0;
  std::vector<PlannedRow> rows_;
};

}  // namespace kiln::bench
