#pragma once
// What kiln's end-to-end benchmarks share: the workload (real machine code, which compresses
// like an application binary, unlike zeros or random bytes) and the median/min/max table.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kiln::bench {

/// Writes `bytes` bytes of ELF files of this machine to `out_path`, after skipping `skip` bytes
/// of them (so a base and a binary get different bytes).
void write_real_binary_bytes(const std::filesystem::path& out_path, std::size_t bytes, std::size_t skip);

/// The flags of the end-to-end benchmarks: --runs N, --binary-mb N, --base-mb N.
struct WorkloadOptions {
  int runs = 5;
  std::size_t binary_mb = 50;
  std::size_t base_mb = 100;
};
/// Parses argv; prints the offending flag and returns nullopt when one is unknown.
std::optional<WorkloadOptions> parse_workload_flags(int argc, char** argv);

struct Stats {
  double min, median, max;
};
Stats stats(std::vector<double> values);

/// CPU seconds (user + system) of the calling thread so far: a single-threaded floor's cost.
double thread_cpu_seconds();
/// CPU seconds (user + system) of the children this process has reaped so far.
double reaped_children_cpu_seconds();
/// CPU seconds (user + system) process `pid` has used so far, with those of the children it
/// has reaped (a server's builds) when `with_reaped_children`; from /proc, 10 ms resolution.
double process_cpu_seconds(int pid, bool with_reaped_children);

/// Wall time of one call, in milliseconds.
double milliseconds_of(const std::function<void()>& once);

/// "  <name> <median> <min> <max>  <note>", seconds with three decimals.
void print_row(const std::string& name, const Stats& s, const std::string& note = "");

}  // namespace kiln::bench
