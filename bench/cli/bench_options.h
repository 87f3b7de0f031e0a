#pragma once
// kiln-bench's own flags. Everything else on the command line (and every PLUGIN_*/KILN_*
// variable) is the build, exactly as kiln-plugin takes it, and goes to kiln-plugin unchanged.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bench/cli/budget.h"

namespace kiln::bench {

/// --workload BINARY_MB,BASE_MB: the reference build made on the spot (real machine code as the
/// binary, a busybox base with a payload layer, both in the embedded registry).
struct GeneratedWorkload {
  std::size_t binary_mb = 50;
  std::size_t base_mb = 100;
  friend bool operator==(const GeneratedWorkload&, const GeneratedWorkload&) = default;
};

struct BenchOptions {
  int runs = 5;
  std::vector<std::string> compressions;  ///< empty: the build's own compression setting
  std::vector<std::string> backends;      ///< empty: every one present on this machine
  std::vector<Budget> budgets;
  std::string json_file;
  std::string junit_file;
  std::string plugin_binary;  ///< empty: kiln-plugin next to kiln-bench, else on PATH
  std::optional<GeneratedWorkload> workload;
  std::chrono::seconds run_timeout{900};
  bool help = false;
  std::vector<std::string> plugin_args;  ///< the rest, for kiln-plugin
};

/// Takes kiln-bench's flags (--name value or --name=value) out of `args`. Throws
/// kiln::Error(usage) naming the flag for a missing or malformed value.
BenchOptions parse_bench_args(const std::vector<std::string>& args);

/// The --help text of kiln-bench's own flags.
std::string bench_help_text();

}  // namespace kiln::bench
